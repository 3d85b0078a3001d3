import { describe, expect, it } from "vitest";
import { listAudit, recordAudit, type AuditEntry } from "./audit";
import { testDatabases, useFreshDb } from "./testing";

const entry = (over: Partial<AuditEntry> = {}): AuditEntry => ({
  actor: "alice",
  action: "create",
  kind: "TenantNetwork",
  namespace: "team-a",
  name: "net",
  verdict: "allowed",
  ...over,
});

describe.each(testDatabases())("audit on $name", (target) => {
  const db = useFreshDb(target, { empty: true });

  it("lists what was recorded, newest first, with the time as ISO text", async () => {
    await recordAudit(db(), entry({ name: "first" }));
    await recordAudit(db(), entry({ name: "second", action: "delete", verdict: "denied", message: "webhook: VNI 700 is taken" }));
    const { rows, next } = await listAudit(db());
    expect(rows.map((r) => r.name)).toEqual(["second", "first"]);
    expect(rows[0]).toMatchObject({
      actor: "alice",
      action: "delete",
      kind: "TenantNetwork",
      namespace: "team-a",
      verdict: "denied",
      message: "webhook: VNI 700 is taken",
    });
    expect(rows[1]).toMatchObject({ namespace: "team-a", message: "" });
    expect(Date.parse(rows[0].at)).toBeGreaterThan(Date.now() - 60_000);
    expect(rows[0].at).toBe(new Date(rows[0].at).toISOString());
    expect(next).toBeUndefined();
  });

  it("a cluster-scoped object has an empty namespace", async () => {
    await recordAudit(db(), { actor: "netadmin", action: "update", kind: "ClusterNetwork", name: "external", verdict: "allowed" });
    expect((await listAudit(db())).rows[0]).toMatchObject({ kind: "ClusterNetwork", namespace: "", name: "external" });
  });

  it("filters by actor, kind and verdict, together", async () => {
    await recordAudit(db(), entry({ actor: "alice", kind: "TenantNetwork", verdict: "allowed" }));
    await recordAudit(db(), entry({ actor: "alice", kind: "DanmNet", verdict: "denied" }));
    await recordAudit(db(), entry({ actor: "bob", kind: "TenantNetwork", verdict: "denied" }));
    await recordAudit(db(), entry({ actor: "bob", kind: "TenantNetwork", verdict: "error" }));
    const names = async (q: Parameters<typeof listAudit>[1]) => (await listAudit(db(), q)).rows.map((r) => `${r.actor}/${r.kind}/${r.verdict}`);
    expect(await names({ actor: "alice" })).toEqual(["alice/DanmNet/denied", "alice/TenantNetwork/allowed"]);
    expect(await names({ kind: "TenantNetwork" })).toEqual(["bob/TenantNetwork/error", "bob/TenantNetwork/denied", "alice/TenantNetwork/allowed"]);
    expect(await names({ verdict: "denied" })).toEqual(["bob/TenantNetwork/denied", "alice/DanmNet/denied"]);
    expect(await names({ actor: "bob", verdict: "denied" })).toEqual(["bob/TenantNetwork/denied"]);
    expect(await names({ actor: "Alice" })).toEqual([]); // names are exact on both databases
    expect(await names({ actor: "" })).toHaveLength(4); // an empty filter is no filter
  });

  it("pages with `before` = the last id of the previous page until `next` is undefined", async () => {
    for (let i = 0; i < 7; i++) await recordAudit(db(), entry({ name: `n${i}` }));
    const seen: string[] = [];
    let before: number | undefined;
    let pages = 0;
    for (;;) {
      const page = await listAudit(db(), { limit: 3, before });
      seen.push(...page.rows.map((r) => r.name));
      pages++;
      if (page.next === undefined) break;
      expect(page.next).toBe(page.rows[page.rows.length - 1].id);
      before = page.next;
    }
    expect(seen).toEqual(["n6", "n5", "n4", "n3", "n2", "n1", "n0"]);
    expect(pages).toBe(3);
  });

  it("a page is at most 500 rows whatever the limit asked", async () => {
    await db().auditEvent.createMany({
      data: Array.from({ length: 501 }, (_, i) => ({ actor: "bulk", action: "create", kind: "DanmNet", name: `n${i}`, verdict: "allowed" })),
    });
    const page = await listAudit(db(), { limit: 10_000 });
    expect(page.rows).toHaveLength(500);
    expect(page.next).toBe(page.rows[499].id);
    expect((await listAudit(db(), { limit: 10_000, before: page.next })).rows).toHaveLength(1);
  });
});
