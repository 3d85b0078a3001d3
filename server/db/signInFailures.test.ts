import { describe, expect, it } from "vitest";
import type { Db } from "./client";
import { ACCOUNT_FREE_FAILURES, clearSignInFailures, clientDelayMs, FREE_FAILURES, MAX_DELAY_MS, reserveSignInAttempt } from "./signInFailures";
import { testDatabases, useFreshDb } from "./testing";

const T0 = new Date("2026-11-28T10:00:00.000Z");
const plus = (ms: number) => new Date(T0.getTime() + ms);

/** One wrong password of `name` from `client` at `now`: reserved, checked, failed. */
async function fail(db: Db, name: string, client: string, now: Date) {
  const r = await reserveSignInAttempt(db, name, client, now);
  if (r.ok) await r.failed();
  return r;
}

describe("the wait of one client", () => {
  it("the first failures cost nothing; from the fifth on, each doubles the wait up to a minute", () => {
    expect([1, 2, 3, 4].map(clientDelayMs)).toEqual([0, 0, 0, 0]);
    expect([5, 6, 7, 8].map(clientDelayMs)).toEqual([1000, 2000, 4000, 8000]);
    expect(clientDelayMs(40)).toBe(MAX_DELAY_MS);
  });
});

describe.each(testDatabases())("sign-in failures on $name", (target) => {
  const db = useFreshDb(target, { empty: true });

  it("a client waits after its fifth failure, until the wait has passed", async () => {
    for (let i = 0; i < FREE_FAILURES; i++) expect((await fail(db(), "alice", "10.0.0.1", T0)).ok).toBe(true);
    expect(await reserveSignInAttempt(db(), "alice", "10.0.0.1", plus(999))).toEqual({ ok: false, scope: "client", until: plus(1000) });
    expect((await fail(db(), "alice", "10.0.0.1", plus(1000))).ok).toBe(true);
    expect(await reserveSignInAttempt(db(), "alice", "10.0.0.1", plus(1000))).toEqual({ ok: false, scope: "client", until: plus(3000) });
  });

  it("another client of the same account is not held up by that client's failures", async () => {
    for (let i = 0; i < FREE_FAILURES + 3; i++) await fail(db(), "bob", "10.6.6.6", T0);
    expect((await reserveSignInAttempt(db(), "bob", "10.6.6.6", T0)).ok).toBe(false);
    expect((await reserveSignInAttempt(db(), "bob", "10.0.0.2", T0)).ok).toBe(true);
    expect((await reserveSignInAttempt(db(), "carol", "10.6.6.6", T0)).ok).toBe(true);
  });

  it("simultaneous attempts after a wait lapsed: exactly one is checked", async () => {
    for (let i = 0; i < FREE_FAILURES + 2; i++) await fail(db(), "alice", "10.0.0.1", plus(i * MAX_DELAY_MS));
    const lapsed = plus(3600_000);
    const results = await Promise.all(Array.from({ length: 15 }, () => reserveSignInAttempt(db(), "alice", "10.0.0.1", lapsed)));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
  });

  it("after many failures from many clients, one check per second for the account", async () => {
    for (let i = 0; i < ACCOUNT_FREE_FAILURES; i++) expect((await fail(db(), "bob", `10.1.0.${i}`, T0)).ok).toBe(true);
    expect((await reserveSignInAttempt(db(), "bob", "10.2.0.1", T0)).ok).toBe(true);
    // the slot of this second is taken, for the owner too, and their refused attempt does not count against them
    expect(await reserveSignInAttempt(db(), "bob", "10.0.0.2", plus(999))).toEqual({ ok: false, scope: "account", until: plus(1000) });
    expect((await db().signInFailure.findMany({ where: { name: { contains: "10.0.0.2" } } })).map((r) => r.count)).toEqual([0]);
    const owner = await reserveSignInAttempt(db(), "bob", "10.0.0.2", plus(1000));
    expect(owner.ok).toBe(true);
    await clearSignInFailures(db(), "bob", "10.0.0.2");
    expect((await reserveSignInAttempt(db(), "bob", "10.3.0.1", plus(1000))).ok).toBe(true);
  });

  it("a successful sign-in starts the client's count again", async () => {
    for (let i = 0; i < FREE_FAILURES; i++) await fail(db(), "alice", "10.0.0.1", T0);
    await clearSignInFailures(db(), "alice", "10.0.0.1");
    for (let i = 0; i < FREE_FAILURES; i++) expect((await fail(db(), "alice", "10.0.0.1", T0)).ok).toBe(true);
  });

  it("failures at the same moment (several replicas) are all counted", async () => {
    await Promise.all(Array.from({ length: 8 }, (_, i) => fail(db(), "alice", `10.0.0.${i}`, T0)));
    expect((await db().signInFailure.findUniqueOrThrow({ where: { name: JSON.stringify(["account", "alice"]) } })).count).toBe(8);
  });

  it("forgets rows nobody touched for a day", async () => {
    await fail(db(), "old", "10.0.0.1", T0);
    await fail(db(), "alice", "10.0.0.1", plus(24 * 3600_000 + 1));
    expect((await db().signInFailure.findMany()).map((r) => JSON.parse(r.name)[1])).toEqual(["alice", "alice"]);
  });
});
