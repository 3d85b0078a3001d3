// IP usage history: one sample per network per interval, written by the usage sampler.
import type { Db } from "./client";

export interface UsagePoint {
  kind: string;
  namespace: string;
  name: string;
  v4Used: number;
  v4Total: number;
  v6Used: bigint;
  v6Total: bigint;
}

export async function recordUsage(db: Db, points: UsagePoint[], at = new Date()): Promise<void> {
  if (points.length === 0) return;
  await db.usageSample.createMany({
    data: points.map((p) => ({
      at,
      kind: p.kind,
      namespace: p.namespace,
      name: p.name,
      v4Used: p.v4Used,
      v4Total: p.v4Total,
      v6Used: p.v6Used.toString(),
      v6Total: p.v6Total.toString(),
    })),
  });
}

export async function usageHistory(db: Db, key: { kind: string; namespace: string; name: string }, since: Date) {
  const rows = await db.usageSample.findMany({ where: { ...key, at: { gte: since } }, orderBy: { at: "asc" }, take: 5000 });
  return rows.map((r) => ({ at: r.at.toISOString(), v4Used: r.v4Used, v4Total: r.v4Total, v6Used: r.v6Used, v6Total: r.v6Total }));
}

/** Drops samples older than `before` (history is kept for a bounded time). */
export async function pruneUsage(db: Db, before: Date): Promise<number> {
  return (await db.usageSample.deleteMany({ where: { at: { lt: before } } })).count;
}
