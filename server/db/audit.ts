// The audit trail of changes made through the console: who, what, when, and what the API server said.
import type { Db } from "./client";

export interface AuditEntry {
  actor: string;
  action: "create" | "update" | "delete";
  kind: string;
  namespace?: string;
  name: string;
  verdict: "allowed" | "denied" | "error";
  message?: string;
}

export async function recordAudit(db: Db, e: AuditEntry): Promise<void> {
  await db.auditEvent.create({
    data: { actor: e.actor, action: e.action, kind: e.kind, namespace: e.namespace ?? "", name: e.name, verdict: e.verdict, message: e.message ?? "" },
  });
}

export interface AuditQuery {
  actor?: string;
  kind?: string;
  verdict?: string;
  /** id of the last row of the previous page */
  before?: number;
  limit?: number;
}

export async function listAudit(db: Db, q: AuditQuery = {}) {
  const limit = Math.min(q.limit ?? 100, 500);
  const rows = await db.auditEvent.findMany({
    where: { actor: q.actor || undefined, kind: q.kind || undefined, verdict: q.verdict || undefined, id: q.before ? { lt: q.before } : undefined },
    orderBy: { id: "desc" },
    take: limit,
  });
  return { rows: rows.map((r) => ({ ...r, at: r.at.toISOString() })), next: rows.length === limit ? rows[rows.length - 1].id : undefined };
}
