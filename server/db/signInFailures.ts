// Slows password guessing on local accounts: after 5 failed sign-ins in a row for one name, each
// further attempt must wait (1 s, 2 s, 4 s, … at most 60 s) until the previous delay has passed.
// Kept in the database so that every console replica counts the same failures (a counter per
// process would give a guesser one budget per replica).
import type { Db } from "./client";

export const FREE_FAILURES = 5;
export const MAX_DELAY_MS = 60_000;
/** Rows of names nobody has tried for this long are dropped. */
const FORGET_AFTER_MS = 24 * 3600_000;

/** When attempts for `name` are refused until a moment still ahead, that moment; else undefined. */
export async function signInBlockedUntil(db: Db, name: string, now = new Date()): Promise<Date | undefined> {
  const row = await db.signInFailure.findUnique({ where: { name } });
  return row && row.until > now ? row.until : undefined;
}

/** Counts one failed attempt; returns the number in a row and until when the next one is refused. */
export async function recordSignInFailure(db: Db, name: string, now = new Date()): Promise<{ count: number; until: Date }> {
  // the increment is one statement, so replicas failing at the same time each count
  const { count } = await db.signInFailure.upsert({
    where: { name },
    create: { name, count: 1, until: now, lastAt: now },
    update: { count: { increment: 1 }, lastAt: now },
  });
  const until = new Date(count >= FREE_FAILURES ? now.getTime() + Math.min(MAX_DELAY_MS, 1000 * 2 ** (count - FREE_FAILURES)) : now.getTime());
  await db.signInFailure.update({ where: { name }, data: { until } });
  await db.signInFailure.deleteMany({ where: { lastAt: { lt: new Date(now.getTime() - FORGET_AFTER_MS) } } });
  return { count, until };
}

/** A successful sign-in starts the count again. */
export async function clearSignInFailures(db: Db, name: string): Promise<void> {
  await db.signInFailure.deleteMany({ where: { name } });
}
