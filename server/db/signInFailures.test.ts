import { describe, expect, it } from "vitest";
import { clearSignInFailures, FREE_FAILURES, MAX_DELAY_MS, recordSignInFailure, signInBlockedUntil } from "./signInFailures";
import { testDatabases, useFreshDb } from "./testing";

const T0 = new Date("2026-11-28T10:00:00.000Z");
const plus = (ms: number) => new Date(T0.getTime() + ms);

describe.each(testDatabases())("sign-in failures on $name", (target) => {
  const db = useFreshDb(target, { empty: true });

  it("the first failures cost nothing; from the fifth on, each doubles the wait up to a minute", async () => {
    for (let i = 1; i < FREE_FAILURES; i++) {
      expect(await recordSignInFailure(db(), "alice", T0)).toEqual({ count: i, until: T0 });
      expect(await signInBlockedUntil(db(), "alice", T0)).toBeUndefined();
    }
    expect(await recordSignInFailure(db(), "alice", T0)).toEqual({ count: 5, until: plus(1000) });
    expect(await signInBlockedUntil(db(), "alice", T0)).toEqual(plus(1000));
    expect(await signInBlockedUntil(db(), "alice", plus(999))).toEqual(plus(1000));
    expect(await signInBlockedUntil(db(), "alice", plus(1000))).toBeUndefined();
    expect((await recordSignInFailure(db(), "alice", plus(1000))).until).toEqual(plus(1000 + 2000));
    expect((await recordSignInFailure(db(), "alice", plus(3000))).until).toEqual(plus(3000 + 4000));
    for (let i = 0; i < 10; i++) await recordSignInFailure(db(), "alice", plus(10_000));
    expect((await recordSignInFailure(db(), "alice", plus(10_000))).until).toEqual(plus(10_000 + MAX_DELAY_MS));
  });

  it("counts per name, and a successful sign-in starts again", async () => {
    for (let i = 0; i < FREE_FAILURES; i++) await recordSignInFailure(db(), "alice", T0);
    expect(await signInBlockedUntil(db(), "bob", T0)).toBeUndefined();
    await clearSignInFailures(db(), "alice");
    expect(await signInBlockedUntil(db(), "alice", T0)).toBeUndefined();
    expect((await recordSignInFailure(db(), "alice", T0)).count).toBe(1);
  });

  it("failures at the same moment (several replicas) are all counted", async () => {
    await Promise.all(Array.from({ length: 8 }, () => recordSignInFailure(db(), "alice", T0)));
    expect((await db().signInFailure.findUniqueOrThrow({ where: { name: "alice" } })).count).toBe(8);
  });

  it("forgets names nobody tried for a day", async () => {
    await recordSignInFailure(db(), "old", T0);
    await recordSignInFailure(db(), "alice", plus(24 * 3600_000 + 1));
    expect((await db().signInFailure.findMany()).map((r) => r.name)).toEqual(["alice"]);
  });
});
