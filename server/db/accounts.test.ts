import { describe, expect, it } from "vitest";
import { checkPassword, listAccounts, upsertAccount } from "./accounts";
import { testDatabases, useFreshDb } from "./testing";

describe.each(testDatabases())("accounts on $name", (target) => {
  const db = useFreshDb(target, { empty: true });

  it("signs in with the right password and answers the account's groups", async () => {
    await upsertAccount(db(), "alice", "correct horse", ["tenet:tenants", "system:authenticated"]);
    expect(await checkPassword(db(), "alice", "correct horse")).toEqual({ name: "alice", groups: ["tenet:tenants", "system:authenticated"] });
  });

  it("refuses a wrong password and an unknown name alike", async () => {
    await upsertAccount(db(), "alice", "correct horse", []);
    expect(await checkPassword(db(), "alice", "wrong horse")).toBeUndefined();
    expect(await checkPassword(db(), "nobody", "correct horse")).toBeUndefined();
  });

  it("stores only a hash of the password", async () => {
    await upsertAccount(db(), "alice", "correct horse", []);
    const row = await db().account.findUniqueOrThrow({ where: { name: "alice" } });
    expect(row.passwordHash).not.toContain("correct horse");
    expect(row.passwordHash).toMatch(/^\$argon2id\$/);
  });

  it("upserting again replaces the password and the groups", async () => {
    await upsertAccount(db(), "alice", "first password", ["a"]);
    await upsertAccount(db(), "alice", "second password", ["b", "c"]);
    expect(await checkPassword(db(), "alice", "first password")).toBeUndefined();
    expect(await checkPassword(db(), "alice", "second password")).toEqual({ name: "alice", groups: ["b", "c"] });
    expect(await listAccounts(db())).toEqual([{ name: "alice", groups: ["b", "c"] }]);
  });

  it("lists accounts by name", async () => {
    for (const n of ["olga", "bob", "alice"]) await upsertAccount(db(), n, "password1", [n]);
    expect((await listAccounts(db())).map((a) => a.name)).toEqual(["alice", "bob", "olga"]);
  });

  it("rejects bad names and short passwords, naming the account", async () => {
    await expect(upsertAccount(db(), "<b>x</b>", "password1", [])).rejects.toThrow(/account name "<b>x<\/b>" must be/);
    await expect(upsertAccount(db(), "alice", "short", [])).rejects.toThrow(/password of account alice must have at least 8 characters/);
    expect(await listAccounts(db())).toEqual([]);
  });
});
