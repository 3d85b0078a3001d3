import { describe, expect, it } from "vitest";
import type { LeaseRecord } from "../kube/leases";
import { LeaderElector, leaseAction, type LeaseBackend } from "./leaderElection";

const t0 = new Date("2026-11-28T10:00:00Z");
const at = (s: number) => new Date(t0.getTime() + s * 1000);

/** A lease store with the API server's optimistic concurrency: a stale resourceVersion is a 409. */
class MemoryLease implements LeaseBackend {
  record?: LeaseRecord;
  private version = 0;
  async read() {
    return this.record && { ...this.record };
  }
  async write(r: LeaseRecord, _acquired?: boolean) {
    if ((this.record?.resourceVersion ?? undefined) !== r.resourceVersion) throw Object.assign(new Error("conflict"), { status: 409 });
    this.record = { ...r, resourceVersion: String(++this.version) };
    return this.record;
  }
}

describe("leaseAction", () => {
  it("creates a missing lease, renews its own, waits for a live one and acquires an expired or released one", () => {
    expect(leaseAction(undefined, "a", t0)).toBe("create");
    expect(leaseAction({ holder: "a", renewTime: t0, durationSeconds: 15, transitions: 0 }, "a", at(5))).toBe("renew");
    expect(leaseAction({ holder: "b", renewTime: t0, durationSeconds: 15, transitions: 0 }, "a", at(10))).toBe("wait");
    expect(leaseAction({ holder: "b", renewTime: t0, durationSeconds: 15, transitions: 0 }, "a", at(16))).toBe("acquire");
    expect(leaseAction({ holder: "", renewTime: t0, durationSeconds: 15, transitions: 0 }, "a", at(1))).toBe("acquire");
  });
});

describe("LeaderElector", () => {
  it("exactly one of two candidates leads; when it stops, the other takes over and the transition is counted", async () => {
    const lease = new MemoryLease();
    let clock = t0;
    const events: string[] = [];
    const make = (id: string) =>
      new LeaderElector(lease, {
        identity: id,
        now: () => clock,
        onStartedLeading: () => events.push(`${id} leads`),
        onStoppedLeading: () => events.push(`${id} stops`),
      });
    const a = make("a");
    const b = make("b");
    await a.tick();
    await b.tick();
    expect([a.isLeader(), b.isLeader()]).toEqual([true, false]);
    clock = at(5);
    await a.tick();
    await b.tick();
    expect(b.isLeader()).toBe(false);
    await a.stop();
    clock = at(6);
    await b.tick();
    expect(b.isLeader()).toBe(true);
    expect(lease.record?.holder).toBe("b");
    expect(lease.record?.transitions).toBe(1);
    expect(events).toEqual(["a leads", "a stops", "b leads"]);
  });

  it("a leader that cannot renew gives up before its lease could be taken", async () => {
    const lease = new MemoryLease();
    let clock = t0;
    let failing = false;
    const backend: LeaseBackend = { read: () => (failing ? Promise.reject(new Error("unreachable")) : lease.read()), write: (r, acq) => lease.write(r, acq) };
    const a = new LeaderElector(backend, { identity: "a", now: () => clock, onStartedLeading: () => {}, onStoppedLeading: () => {} });
    await a.tick();
    expect(a.isLeader()).toBe(true);
    failing = true;
    clock = at(5);
    await a.tick();
    expect(a.isLeader()).toBe(true);
    clock = at(13);
    await a.tick();
    expect(a.isLeader()).toBe(false);
  });
});
