// Slows password guessing on local accounts without letting a guesser lock the owner out:
//  - per account and client (the client's address): 5 failed attempts are free, then each further
//    attempt from that client for that account waits 1 s, 2 s, 4 s, … at most 60 s;
//  - per account, from every client together (a global slow-down against guessing from many
//    addresses): after 20 failures in a row, at most one password check per second for that account.
// An attempt is counted as a failure *before* the password is checked, in one compare-and-set
// statement, so simultaneous attempts cannot all pass a lapsed block (only one claims the slot); a
// successful sign-in clears both counts. Kept in the database so that every console replica counts
// the same attempts (a counter per process would give a guesser one budget per replica).
import type { Db } from "./client";

export const FREE_FAILURES = 5;
export const MAX_DELAY_MS = 60_000;
/** Failures of one account from all clients before its password checks are spaced. */
export const ACCOUNT_FREE_FAILURES = 20;
export const ACCOUNT_SPACING_MS = 1000;
/** Rows nobody has touched for this long are dropped. */
const FORGET_AFTER_MS = 24 * 3600_000;
/** Compare-and-set rounds lost to other attempts before this one gives up (and is refused). */
const MAX_ROUNDS = 20;

/** The row of failures of `name` from `client`, and of `name` from every client. */
const clientKey = (name: string, client: string) => JSON.stringify(["client", name, client]);
const accountKey = (name: string) => JSON.stringify(["account", name]);

/** How long attempts from one client wait after `count` counted attempts. */
export function clientDelayMs(count: number): number {
  return count >= FREE_FAILURES ? Math.min(MAX_DELAY_MS, 1000 * 2 ** (count - FREE_FAILURES)) : 0;
}

export type SignInReservation = { ok: true; failed(): Promise<void> } | { ok: false; scope: "client" | "account"; until: Date };

interface Row {
  count: number;
  until: Date;
}

/**
 * Claims the row `key` if it is not blocked at `now`: `next` gives the row's new count and until.
 * One conditional update on (count, until), retried when another attempt changed the row first.
 */
async function claim(db: Db, key: string, now: Date, next: (row: Row) => Row): Promise<{ ok: true; before: Row; after: Row } | { ok: false; until: Date }> {
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const row = await db.signInFailure.findUnique({ where: { name: key } });
    if (row && row.until > now) return { ok: false, until: row.until };
    const before = row ?? { count: 0, until: now };
    const after = next(before);
    if (!row) {
      const created = await db.signInFailure.create({ data: { name: key, count: after.count, until: after.until, lastAt: now } }).then(
        () => true,
        () => false,
      );
      if (created) return { ok: true, before, after };
      continue;
    }
    const { count } = await db.signInFailure.updateMany({
      where: { name: key, count: row.count, until: row.until },
      data: { count: after.count, until: after.until, lastAt: now },
    });
    if (count === 1) return { ok: true, before, after };
  }
  return { ok: false, until: new Date(now.getTime() + ACCOUNT_SPACING_MS) };
}

/**
 * Reserves one password check of `name` from `client`, counted as a failure until
 * clearSignInFailures says otherwise; or says which limit refuses it and until when.
 */
export async function reserveSignInAttempt(db: Db, name: string, client: string, now = new Date()): Promise<SignInReservation> {
  const mine = await claim(db, clientKey(name, client), now, ({ count }) => ({ count: count + 1, until: new Date(now.getTime() + clientDelayMs(count + 1)) }));
  if (!mine.ok) return { ok: false, scope: "client", until: mine.until };
  // the account's spacing only claims a slot; its count moves with failures
  const spaced = await claim(db, accountKey(name), now, ({ count }) => ({
    count,
    until: count >= ACCOUNT_FREE_FAILURES ? new Date(now.getTime() + ACCOUNT_SPACING_MS) : now,
  }));
  if (!spaced.ok) {
    // this client's attempt was not checked, so it does not count against it
    await db.signInFailure.updateMany({
      where: { name: clientKey(name, client), count: mine.after.count, until: mine.after.until },
      data: { count: mine.before.count, until: mine.before.until },
    });
    return { ok: false, scope: "account", until: spaced.until };
  }
  return { ok: true, failed: () => recordAccountFailure(db, name, now) };
}

/** A checked password was wrong: one more failure of the account from any client. */
async function recordAccountFailure(db: Db, name: string, now: Date): Promise<void> {
  // one statement, so replicas failing at the same time each count
  await db.signInFailure.upsert({
    where: { name: accountKey(name) },
    create: { name: accountKey(name), count: 1, until: now, lastAt: now },
    update: { count: { increment: 1 }, lastAt: now },
  });
  await db.signInFailure.deleteMany({ where: { lastAt: { lt: new Date(now.getTime() - FORGET_AFTER_MS) } } });
}

/** A successful sign-in of `name` from `client` starts both counts again. */
export async function clearSignInFailures(db: Db, name: string, client: string): Promise<void> {
  await db.signInFailure.deleteMany({ where: { name: { in: [clientKey(name, client), accountKey(name)] } } });
}
