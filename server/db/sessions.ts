// Browser sessions. The cookie holds a random 256-bit token; the database holds only its SHA-256,
// so a copy of the database signs nobody in. Each session has its own CSRF token.
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { Db } from "./client";

export const SESSION_TTL_MS = 12 * 3600_000;

export interface SessionRecord {
  /** the stored digest of the token: names the session inside the console, never sent anywhere */
  id: string;
  user: string;
  groups: string[];
  method: "local" | "token" | "oidc";
  csrfToken: string;
  expiresAt: Date;
}

const digest = (token: string) => createHash("sha256").update(token).digest("hex");

export async function createSession(db: Db, s: { user: string; groups: string[]; method: "local" | "token" | "oidc"; account?: string }, now = new Date()) {
  const token = randomBytes(32).toString("base64url");
  const csrfToken = randomBytes(24).toString("base64url");
  const expiresAt = new Date(now.getTime() + SESSION_TTL_MS);
  await db.session.create({
    data: { tokenHash: digest(token), userName: s.user, groups: JSON.stringify(s.groups), method: s.method, csrfToken, expiresAt, accountName: s.account },
  });
  // Expired sessions go with the next sign-in.
  await db.session.deleteMany({ where: { expiresAt: { lt: now } } });
  return { token, csrfToken, expiresAt };
}

export async function findSession(db: Db, token: string | undefined, now = new Date()): Promise<SessionRecord | undefined> {
  if (!token || token.length > 100) return undefined;
  const row = await db.session.findUnique({ where: { tokenHash: digest(token) } });
  if (!row) return undefined;
  if (row.expiresAt <= now) {
    await db.session.delete({ where: { tokenHash: row.tokenHash } }).catch(() => undefined);
    return undefined;
  }
  return {
    id: row.tokenHash,
    user: row.userName,
    groups: JSON.parse(row.groups) as string[],
    method: row.method as "local" | "token" | "oidc",
    csrfToken: row.csrfToken,
    expiresAt: row.expiresAt,
  };
}

export async function deleteSession(db: Db, token: string | undefined): Promise<void> {
  if (token) await db.session.deleteMany({ where: { tokenHash: digest(token) } });
}

/** Constant-time comparison of the CSRF token a request carries with the session's. */
export function csrfMatches(session: SessionRecord, presented: string | null | undefined): boolean {
  if (!presented) return false;
  const a = Buffer.from(session.csrfToken);
  const b = Buffer.from(presented);
  return a.length === b.length && timingSafeEqual(a, b);
}
