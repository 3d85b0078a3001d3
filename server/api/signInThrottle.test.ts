// The sign-in throttle lives in the database, so every console replica sees the same count.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { upsertAccount } from "../db/accounts";
import { testDatabases, useFreshDb } from "../db/testing";
import { setConsoleRuntime, type ConsoleRuntime } from "./runtime";
import { callerFor } from "./testing";

describe.each(testDatabases())("local sign-in throttle on $name", (target) => {
  const db = useFreshDb(target);
  beforeAll(async () => {
    if (target.skip) return;
    await upsertAccount(db(), "alice", "alice's password", ["tenet:tenants"]);
    // local sign-in needs neither the API server nor live updates
    setConsoleRuntime({ db: db(), kube: undefined, live: undefined } as unknown as ConsoleRuntime);
  });
  afterAll(() => setConsoleRuntime(undefined));

  const signIn = async (password: string) => (await callerFor({ db: db() } as ConsoleRuntime, undefined)).auth.signIn({ method: "local", name: "alice", password });

  it("after 5 wrong passwords even the right one waits, and the count is in the database", async () => {
    for (let i = 0; i < 5; i++) await expect(signIn("wrong password")).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    await expect(signIn("alice's password")).rejects.toMatchObject({ code: "TOO_MANY_REQUESTS", message: expect.stringMatching(/too many failed sign-ins for alice; try again in 1 s/) });
    expect(await db().signInFailure.findUnique({ where: { name: "alice" } })).toMatchObject({ count: 5 });
    // another replica clearing the row (a successful sign-in there) lifts the wait here: nothing is kept in this process
    await db().signInFailure.deleteMany({ where: { name: "alice" } });
    expect(await signIn("alice's password")).toEqual({ user: "alice" });
  });

  it("a successful sign-in starts the count again", async () => {
    for (let i = 0; i < 4; i++) await expect(signIn("wrong password")).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    expect(await signIn("alice's password")).toEqual({ user: "alice" });
    expect(await db().signInFailure.count()).toBe(0);
  });
});
