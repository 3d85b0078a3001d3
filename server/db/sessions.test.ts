import { describe, expect, it } from "vitest";
import { upsertAccount } from "./accounts";
import { createSession, csrfMatches, deleteSession, findSession, SESSION_TTL_MS } from "./sessions";
import { testDatabases, useFreshDb } from "./testing";

const T0 = new Date("2026-11-28T10:00:00.000Z");
const later = (ms: number) => new Date(T0.getTime() + ms);

describe.each(testDatabases())("sessions on $name", (target) => {
  const db = useFreshDb(target, { empty: true });

  it("finds a session by its token, with the identity and CSRF token it was made with", async () => {
    const s = await createSession(db(), { user: "alice", groups: ["tenet:tenants"], method: "local" }, T0);
    expect(s.expiresAt).toEqual(later(SESSION_TTL_MS));
    const found = await findSession(db(), s.token, later(1000));
    expect(found).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{64}$/),
      user: "alice",
      groups: ["tenet:tenants"],
      method: "local",
      csrfToken: s.csrfToken,
      expiresAt: later(SESSION_TTL_MS),
    });
    // the id is the stored digest, never the token the cookie carries
    expect(found!.id).not.toBe(s.token);
  });

  it("keeps only a digest of the token", async () => {
    const s = await createSession(db(), { user: "alice", groups: [], method: "token" }, T0);
    const rows = await db().session.findMany();
    expect(rows).toHaveLength(1);
    expect(rows[0].tokenHash).not.toBe(s.token);
    expect(rows[0].tokenHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it("an expired session signs nobody in and is deleted", async () => {
    const s = await createSession(db(), { user: "alice", groups: [], method: "local" }, T0);
    expect(await findSession(db(), s.token, later(SESSION_TTL_MS - 1))).toBeDefined();
    expect(await findSession(db(), s.token, later(SESSION_TTL_MS))).toBeUndefined();
    expect(await db().session.count()).toBe(0);
  });

  it("a new sign-in removes sessions that have expired, and only those", async () => {
    const old = await createSession(db(), { user: "old", groups: [], method: "local" }, T0);
    const recent = await createSession(db(), { user: "recent", groups: [], method: "local" }, later(SESSION_TTL_MS / 2));
    await createSession(db(), { user: "new", groups: [], method: "oidc" }, later(SESSION_TTL_MS + 1));
    expect((await db().session.findMany({ orderBy: { userName: "asc" } })).map((r) => r.userName)).toEqual(["new", "recent"]);
    expect(await findSession(db(), old.token, later(SESSION_TTL_MS + 2))).toBeUndefined();
    expect((await findSession(db(), recent.token, later(SESSION_TTL_MS + 2)))?.user).toBe("recent");
  });

  it("unknown, missing and oversized tokens find nothing", async () => {
    await createSession(db(), { user: "alice", groups: [], method: "local" }, T0);
    expect(await findSession(db(), "not-a-token", T0)).toBeUndefined();
    expect(await findSession(db(), undefined, T0)).toBeUndefined();
    expect(await findSession(db(), "x".repeat(101), T0)).toBeUndefined();
  });

  it("signing out deletes that session only", async () => {
    const a = await createSession(db(), { user: "alice", groups: [], method: "local" }, T0);
    const b = await createSession(db(), { user: "bob", groups: [], method: "local" }, T0);
    await deleteSession(db(), a.token);
    expect(await findSession(db(), a.token, T0)).toBeUndefined();
    expect((await findSession(db(), b.token, T0))?.user).toBe("bob");
  });

  it("the CSRF token must match exactly", async () => {
    const s = await createSession(db(), { user: "alice", groups: [], method: "local" }, T0);
    const found = (await findSession(db(), s.token, T0))!;
    expect(csrfMatches(found, s.csrfToken)).toBe(true);
    expect(csrfMatches(found, `${s.csrfToken}x`)).toBe(false);
    expect(csrfMatches(found, s.csrfToken.slice(1))).toBe(false);
    expect(csrfMatches(found, "")).toBe(false);
    expect(csrfMatches(found, null)).toBe(false);
    const other = await createSession(db(), { user: "alice", groups: [], method: "local" }, T0);
    expect(csrfMatches(found, other.csrfToken)).toBe(false);
  });

  it("deleting an account ends its sessions (foreign key, cascading)", async () => {
    await upsertAccount(db(), "alice", "password1", []);
    const s = await createSession(db(), { user: "alice", groups: [], method: "local", account: "alice" }, T0);
    const t = await createSession(db(), { user: "bob", groups: [], method: "token" }, T0);
    await db().account.delete({ where: { name: "alice" } });
    expect(await findSession(db(), s.token, T0)).toBeUndefined();
    expect(await findSession(db(), t.token, T0)).toBeDefined();
  });
});
