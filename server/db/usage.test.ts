import { describe, expect, it } from "vitest";
import { pruneUsage, recordUsage, usageHistory, type UsagePoint } from "./usage";
import { testDatabases, useFreshDb } from "./testing";

const key = { kind: "TenantNetwork", namespace: "team-a", name: "net" };
const point = (over: Partial<UsagePoint> = {}): UsagePoint => ({ ...key, v4Used: 3, v4Total: 254, v6Used: 0n, v6Total: 0n, ...over });
const at = (minute: number) => new Date(Date.UTC(2026, 10, 28, 10, minute));

describe.each(testDatabases())("usage history on $name", (target) => {
  const db = useFreshDb(target, { empty: true });

  it("answers the samples of one network since a moment, oldest first", async () => {
    await recordUsage(db(), [point({ v4Used: 1 })], at(0));
    await recordUsage(db(), [point({ v4Used: 5 }), point({ name: "other", v4Used: 9 })], at(10));
    await recordUsage(db(), [point({ v4Used: 7 })], at(5));
    await recordUsage(db(), [point({ kind: "ClusterNetwork", namespace: "", v4Used: 11 })], at(6));
    expect(await usageHistory(db(), key, at(0))).toEqual([
      { at: at(0).toISOString(), v4Used: 1, v4Total: 254, v6Used: "0", v6Total: "0" },
      { at: at(5).toISOString(), v4Used: 7, v4Total: 254, v6Used: "0", v6Total: "0" },
      { at: at(10).toISOString(), v4Used: 5, v4Total: 254, v6Used: "0", v6Total: "0" },
    ]);
    expect((await usageHistory(db(), key, at(5))).map((s) => s.v4Used)).toEqual([7, 5]);
    expect((await usageHistory(db(), { kind: "ClusterNetwork", namespace: "", name: "net" }, at(0))).map((s) => s.v4Used)).toEqual([11]);
  });

  it("keeps IPv6 counts beyond 2^53 exactly (decimal text)", async () => {
    const total = 2n ** 64n; // a /64
    const used = 2n ** 53n + 1n; // not representable as a double
    await recordUsage(db(), [point({ v6Used: used, v6Total: total })], at(0));
    const [s] = await usageHistory(db(), key, at(0));
    expect(s.v6Used).toBe("9007199254740993");
    expect(s.v6Total).toBe("18446744073709551616");
    expect(BigInt(s.v6Used)).toBe(used);
  });

  it("recording nothing writes nothing", async () => {
    await recordUsage(db(), [], at(0));
    expect(await db().usageSample.count()).toBe(0);
  });

  it("pruning drops samples older than the moment and says how many", async () => {
    for (const m of [0, 1, 2, 3]) await recordUsage(db(), [point({ v4Used: m }), point({ name: "other" })], at(m));
    expect(await pruneUsage(db(), at(2))).toBe(4);
    expect((await usageHistory(db(), key, at(0))).map((s) => s.v4Used)).toEqual([2, 3]);
    expect(await pruneUsage(db(), at(2))).toBe(0);
  });
});
