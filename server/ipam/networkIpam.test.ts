import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { NetworkKind, NetworkObject, NetworkOptions } from "../domain/api/network";
import { defaultV4Pool } from "../domain/ipam/pool";
import { IpamError, NetworkIpam, type NetworkStore } from "./networkIpam";
import type { NetworkRef } from "../domain/networkRef";
import { acquireNodeLock, networkLockFile, networkLocks } from "./nodeLock";

const statusError = (status: number, message: string) => Object.assign(new Error(message), { status });
/** Lets other callers run between a read and a write, as network round trips do. */
const yieldTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Networks kept like the API server keeps them: every write bumps resourceVersion; a stale write is refused with 409. */
class MemoryNetworkStore implements NetworkStore {
  private readonly objects = new Map<string, NetworkObject>();
  private version = 1;
  reads = 0;
  writes = 0;
  conflicts = 0;
  /** Replaces the API server's answer to a write, for failure tests. */
  refuseWrites?: () => Error;

  private key(kind: NetworkKind, name: string, namespace?: string) {
    return `${kind}/${namespace ?? ""}/${name}`;
  }

  put(net: NetworkObject): NetworkObject {
    const stored = structuredClone({ ...net, metadata: { ...net.metadata, resourceVersion: String(this.version++) } }) as NetworkObject;
    this.objects.set(this.key(net.kind, net.metadata.name!, net.metadata.namespace), stored);
    return structuredClone(stored);
  }

  peek(ref: NetworkRef): NetworkObject {
    return structuredClone(this.objects.get(this.key(ref.kind, ref.name, ref.namespace))!);
  }

  async get(kind: NetworkKind, name: string, namespace?: string): Promise<NetworkObject> {
    await yieldTurn();
    this.reads++;
    const net = this.objects.get(this.key(kind, name, namespace));
    if (!net) throw statusError(404, `${kind.toLowerCase()}s "${name}" not found`);
    return structuredClone(net);
  }

  async replace(kind: NetworkKind, net: NetworkObject): Promise<NetworkObject> {
    await yieldTurn();
    if (this.refuseWrites) throw this.refuseWrites();
    const current = this.objects.get(this.key(kind, net.metadata.name!, net.metadata.namespace));
    if (!current) throw statusError(404, `${kind.toLowerCase()}s "${net.metadata.name}" not found`);
    if (net.metadata.resourceVersion !== current.metadata.resourceVersion) {
      this.conflicts++;
      throw statusError(
        409,
        `Operation cannot be fulfilled on ${kind.toLowerCase()}s "${net.metadata.name}": the object has been modified; please apply your changes to the latest version and try again`,
      );
    }
    this.writes++;
    return this.put(net);
  }
}

const ref: NetworkRef = { kind: "DanmNet", name: "pool", namespace: "team-b" };
/** As the webhook stores a new network: pool and bitmap defaulted. */
function danmNet(options: NetworkOptions, name = ref.name): NetworkObject {
  return {
    apiVersion: "danm.k8s.io/v1",
    kind: "DanmNet",
    metadata: { name, namespace: "team-b" },
    spec: { NetworkID: name, NetworkType: "ipvlan", Options: options.cidr ? defaultV4Pool(options) : options },
  };
}
// fast backoff so the conflict tests take milliseconds; the loop is the real one
const fast = { retry: { baseDelayMs: 1, maxDelayMs: 8 } };
const options = (store: MemoryNetworkStore, r = ref) => store.peek(r).spec!.Options!;

async function refusal(promise: Promise<unknown>): Promise<IpamError> {
  const e = await promise.then(
    () => undefined,
    (x: unknown) => x,
  );
  if (!(e instanceof IpamError)) throw new Error(`expected an IpamError, got ${String(e)}`);
  return e;
}

describe("NetworkIpam.allocate", () => {
  it("reserves the first pool address, writes the network once and records lastIp", async () => {
    const store = new MemoryNetworkStore();
    store.put(danmNet({ cidr: "10.0.0.0/24" }));
    expect(await new NetworkIpam(store).allocate(ref, { ip: "dynamic" })).toEqual({ ip: "10.0.0.1/24", ip6: "" });
    expect(store.writes).toBe(1);
    expect(options(store).allocation_pool).toEqual({ start: "10.0.0.1", end: "10.0.0.254", lastIp: "10.0.0.1" });
  });

  it("group commit: 50 concurrent callers of one IPAM get 50 distinct addresses from a few writes; freeing them all restores the bitmap", async () => {
    const store = new MemoryNetworkStore();
    store.put(danmNet({ cidr: "10.0.0.0/24" }));
    const initial = options(store).alloc;
    const ipam = new NetworkIpam(store, fast);
    const granted = await Promise.all(Array.from({ length: 50 }, () => ipam.allocate(ref, { ip: "dynamic" })));
    const ips = granted.map((g) => g.ip);
    expect(new Set(ips).size).toBe(50);
    expect(ips.every((ip) => /^10\.0\.0\.([1-9]|[1-4]\d|50)\/24$/.test(ip))).toBe(true);
    // the first caller's write goes alone, the 49 that queued behind it share the next one
    expect(store.writes).toBe(2);
    expect(store.conflicts).toBe(0);
    expect(store.reads, "later batches start from the copy the last write returned").toBe(1);

    const freed = await Promise.all(ips.map((ip) => ipam.free(ref, { ip })));
    expect(freed.every(Boolean)).toBe(true);
    expect(store.writes).toBe(4);
    expect(options(store).alloc).toBe(initial);
  });

  it("several IPAMs on one network (nodes) race with conflicts and still hand out distinct addresses", async () => {
    const store = new MemoryNetworkStore();
    store.put(danmNet({ cidr: "10.0.0.0/24" }));
    const nodes = Array.from({ length: 5 }, () => new NetworkIpam(store, fast));
    const granted = await Promise.all(Array.from({ length: 100 }, (_, i) => nodes[i % 5].allocate(ref, { ip: "dynamic" })));
    expect(new Set(granted.map((g) => g.ip)).size).toBe(100);
    expect(store.conflicts).toBeGreaterThan(0); // the nodes really raced
    expect(store.writes).toBeLessThan(100);
    const bitmap = options(store).alloc!;
    const reread = new NetworkIpam(store);
    // the 101st address is the next one after all of them
    expect((await reread.allocate(ref, { ip: "dynamic" })).ip).toBe("10.0.0.101/24");
    expect(options(store).alloc).not.toBe(bitmap);
  });

  it("a refusal computed from the kept copy is checked against a fresh read: an address freed by another writer is granted", async () => {
    const store = new MemoryNetworkStore();
    store.put(danmNet({ cidr: "10.0.0.0/24" }));
    const mine = new NetworkIpam(store);
    const other = new NetworkIpam(store);
    await mine.allocate(ref, { ip: "10.0.0.9" });
    expect(await other.free(ref, { ip: "10.0.0.9/24" })).toBe(true); // mine's kept copy still has it reserved
    expect(await mine.allocate(ref, { ip: "10.0.0.9" })).toEqual({ ip: "10.0.0.9/24", ip6: "" });
  });

  it("a refused operation in a batch leaves the others of the batch untouched", async () => {
    const store = new MemoryNetworkStore();
    store.put(danmNet({ cidr: "10.0.0.0/24" }));
    const ipam = new NetworkIpam(store);
    const outcomes = await Promise.allSettled([
      ipam.allocate(ref, { ip: "10.0.0.5" }),
      ipam.allocate(ref, { ip: "10.0.0.7" }),
      ipam.allocate(ref, { ip: "10.0.0.7" }),
      ipam.allocate(ref, { ip: "dynamic" }),
    ]);
    expect(outcomes.map((o) => (o.status === "fulfilled" ? o.value.ip : (o.reason as IpamError).rule))).toEqual([
      "10.0.0.5/24",
      "10.0.0.7/24",
      "A-4",
      "10.0.0.1/24",
    ]);
  });

  it("reserves both families of dual-stack interfaces together, initialising the IPv6 pool on first use", async () => {
    const store = new MemoryNetworkStore();
    store.put(danmNet({ cidr: "172.20.4.0/24", net6: "fd00:20:4::/64" }));
    expect(options(store).allocation_pool_v6).toBeUndefined();
    const ipam = new NetworkIpam(store, fast);
    const granted = await Promise.all(Array.from({ length: 8 }, () => ipam.allocate(ref, { ip: "dynamic", ip6: "dynamic" })));
    expect(new Set(granted.map((g) => g.ip)).size).toBe(8);
    expect(new Set(granted.map((g) => g.ip6)).size).toBe(8);
    expect(granted.every((g) => g.ip.startsWith("172.20.4.") && g.ip6.startsWith("fd00:20:4::") && g.ip6.endsWith("/64"))).toBe(true);
    expect(options(store).allocation_pool_v6).toMatchObject({ cidr: "fd00:20:4::/112", start: "fd00:20:4::1" });
  });

  it("does not write when nothing is reserved", async () => {
    const store = new MemoryNetworkStore();
    store.put(danmNet({ cidr: "10.0.0.0/24" }));
    expect(await new NetworkIpam(store).allocate(ref, { ip: "none", ip6: "" })).toEqual({ ip: "none", ip6: "" });
    expect(store.reads).toBe(1);
    expect(store.writes).toBe(0);
  });

  it("refuses with the rule, the network and the domain's message, and writes nothing (A-5, A-4, A-1)", async () => {
    const store = new MemoryNetworkStore();
    store.put(danmNet({ cidr: "10.9.0.0/30" }, "tiny"));
    store.put(danmNet({}, "l2"));
    const ipam = new NetworkIpam(store);
    const tiny = { ...ref, name: "tiny" };
    expect((await ipam.allocate(tiny, { ip: "dynamic" })).ip).toBe("10.9.0.1/30");
    expect((await ipam.allocate(tiny, { ip: "dynamic" })).ip).toBe("10.9.0.2/30");
    const writes = store.writes;

    const exhausted = await refusal(ipam.allocate(tiny, { ip: "dynamic" }));
    expect(exhausted).toMatchObject({ network: "DanmNet team-b/tiny", rule: "A-5" });
    expect(exhausted.details.family).toBe(4);
    expect(exhausted.message).toBe(
      "DanmNet team-b/tiny: all addresses of the pool 10.9.0.1-10.9.0.2 of 10.9.0.0/30 are reserved; free an address or enlarge the allocation pool (A-5)",
    );

    expect((await refusal(ipam.allocate(tiny, { ip: "10.9.0.2" }))).message).toBe(
      'DanmNet team-b/tiny: 10.9.0.2 is already in use in 10.9.0.0/30; pick another address or use "dynamic" (A-4)',
    );
    const l2 = await refusal(ipam.allocate({ ...ref, name: "l2" }, { ip: "dynamic" }));
    expect(l2.rule).toBe("A-1");
    expect(l2.message).toMatch(/^DanmNet team-b\/l2: IP cannot be allocated for an L2 network/);
    expect(store.writes).toBe(writes);
  });

  it("gives up after the attempt limit when other writers always win, naming the network and the attempts", async () => {
    const store = new MemoryNetworkStore();
    store.put(danmNet({ cidr: "10.0.0.0/24" }));
    store.refuseWrites = () => statusError(409, "the object has been modified");
    const e = await refusal(new NetworkIpam(store, { retry: { maxAttempts: 7, baseDelayMs: 0 } }).allocate(ref, { ip: "dynamic" }));
    expect(e.details).toMatchObject({ status: 409, attempts: 7 });
    expect(e.message).toMatch(
      /^DanmNet team-b\/pool was changed by other writers during each of 7 attempts in \d+\.\d s \(409 Conflict every time\); giving up, try again$/,
    );
    expect(store.reads).toBe(7);
  });

  it("fails at once, naming the network, on errors other than conflicts", async () => {
    const store = new MemoryNetworkStore();
    const missing = await refusal(new NetworkIpam(store).allocate({ kind: "ClusterNetwork", name: "gone" }, { ip: "dynamic" }));
    expect(missing).toMatchObject({ message: "ClusterNetwork gone does not exist", network: "ClusterNetwork gone" });
    expect(missing.details.status).toBe(404);

    store.put(danmNet({ cidr: "10.0.0.0/24" }));
    const readsBefore = store.reads;
    store.refuseWrites = () => statusError(403, 'danmnets.danm.k8s.io "pool" is forbidden: User "bob" cannot update resource');
    const forbidden = await refusal(new NetworkIpam(store).allocate(ref, { ip: "dynamic" }));
    expect(forbidden.message).toBe('DanmNet team-b/pool could not be updated: danmnets.danm.k8s.io "pool" is forbidden: User "bob" cannot update resource');
    expect(forbidden.details.status).toBe(403);
    expect(store.reads).toBe(readsBefore + 1);
  });
});

describe("NetworkIpam.free", () => {
  it("clears the bits of the interface's addresses and keeps lastIp", async () => {
    const store = new MemoryNetworkStore();
    store.put(danmNet({ cidr: "10.0.0.0/24" }));
    const ipam = new NetworkIpam(store);
    const initial = options(store).alloc;
    const { ip } = await ipam.allocate(ref, { ip: "dynamic" });
    expect(await ipam.free(ref, { ip, ip6: "none" })).toBe(true);
    expect(options(store).alloc).toBe(initial);
    expect(options(store).allocation_pool?.lastIp).toBe("10.0.0.1");
  });

  it("does not write when nothing is held: empty, none, free already, outside the network", async () => {
    const store = new MemoryNetworkStore();
    store.put(danmNet({ cidr: "10.0.0.0/24" }));
    const ipam = new NetworkIpam(store);
    for (const addresses of [{}, { ip: "none", ip6: "none" }, { ip: "10.0.0.7/24" }, { ip: "192.168.1.5/24" }, { ip6: "fd00::5/64" }]) {
      expect(await ipam.free(ref, addresses)).toBe(false);
    }
    expect(store.writes).toBe(0);
  });

  it("reports a network that is gone (DEL then keeps the DanmEp)", async () => {
    const e = await refusal(new NetworkIpam(new MemoryNetworkStore()).free(ref, { ip: "10.0.0.1/24" }));
    expect(e).toMatchObject({ message: "DanmNet team-b/pool does not exist" });
    expect(e.details.status).toBe(404);
  });
});

describe("NetworkIpam with the node lock and a deadline", () => {
  const lockDir = () => fs.mkdtempSync(path.join(os.tmpdir(), "tenet-ipam-lock-"));

  it("two IPAMs of one node (a daemon and its successor) take turns through the node lock; a stale kept copy costs at most one conflict per turn", async () => {
    const store = new MemoryNetworkStore();
    store.put(danmNet({ cidr: "10.0.0.0/24" }));
    const dir = lockDir();
    const ipams = [0, 1].map(() => new NetworkIpam(store, { ...fast, exclusive: networkLocks(dir, () => undefined) }));
    const granted = await Promise.all(Array.from({ length: 50 }, (_, i) => ipams[i % 2].allocate(ref, { ip: "dynamic" })));
    expect(new Set(granted.map((g) => g.ip)).size).toBe(50);
    expect(store.writes).toBeLessThan(50);
    // never two writers between one read and its write: only the copy kept from a turn before can be stale
    expect(store.conflicts).toBeLessThanOrEqual(store.writes);
    expect(fs.readdirSync(dir), "every lock was released (the empty waiting line stays)").toEqual(["DanmNet_team-b_pool.lock.queue"]);
    fs.rmSync(dir, { recursive: true });
  });

  it("gives up when the lock stays taken past the caller's deadline, naming the network; nothing is written", async () => {
    const store = new MemoryNetworkStore();
    store.put(danmNet({ cidr: "10.0.0.0/24" }));
    const dir = lockDir();
    const held = await acquireNodeLock(networkLockFile(dir, ref), { waitMs: 0, what: "test" });
    const deadline = performance.now() + 300;
    const ipam = new NetworkIpam(store, { ...fast, exclusive: networkLocks(dir, () => undefined), deadline: () => deadline });
    const started = performance.now();
    const e = await refusal(ipam.allocate(ref, { ip: "dynamic" }));
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(e.details.timedOut).toBe(true);
    expect(e.message).toMatch(
      /^DanmNet team-b\/pool: waited 0\.\d s for the other danm runs on this node that write DanmNet team-b\/pool \(lock .*DanmNet_team-b_pool\.lock held by pid \d+\); giving up, try again$/,
    );
    expect(store.writes).toBe(0);
    held.release();
    expect(await ipam.allocate(ref, { ip: "dynamic" }), "the deadline is read per operation: a later one that is also past it still gets one try").toEqual({
      ip: "10.0.0.1/24",
      ip6: "",
    });
    fs.rmSync(dir, { recursive: true });
  });

  it("stops retrying conflicts at the caller's deadline even when the policy would go on", async () => {
    const store = new MemoryNetworkStore();
    store.put(danmNet({ cidr: "10.0.0.0/24" }));
    store.refuseWrites = () => statusError(409, "the object has been modified");
    const deadline = performance.now() + 200;
    const started = performance.now();
    const e = await refusal(
      new NetworkIpam(store, { retry: { deadlineMs: 60_000, maxAttempts: 10_000, baseDelayMs: 5, maxDelayMs: 20 }, deadline: () => deadline }).allocate(ref, {
        ip: "dynamic",
      }),
    );
    expect(performance.now() - started).toBeLessThan(1_500);
    expect(e.details).toMatchObject({ status: 409, timedOut: true });
  });
});
