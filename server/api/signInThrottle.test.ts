// The sign-in throttle lives in the database, so every console replica sees the same count; it slows
// a guesser down without locking the account's owner out.
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
    await upsertAccount(db(), "bob", "bob's password", ["tenet:tenants"]);
    // local sign-in needs neither the API server nor live updates
    setConsoleRuntime({ db: db(), kube: undefined, live: undefined } as unknown as ConsoleRuntime);
  });
  afterAll(() => setConsoleRuntime(undefined));

  const signIn = async (name: string, password: string, client = "192.0.2.1") =>
    (await callerFor({ db: db() } as ConsoleRuntime, undefined, { client })).auth.signIn({ method: "local", name, password });
  const codes = (results: PromiseSettledResult<unknown>[]) =>
    results.map((r) => (r.status === "fulfilled" ? "OK" : (r.reason as { code: string }).code)).sort();

  it("after 5 wrong passwords even the right one waits from that client, and the count is in the database", async () => {
    for (let i = 0; i < 5; i++) await expect(signIn("alice", "wrong password")).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    await expect(signIn("alice", "alice's password")).rejects.toMatchObject({
      code: "TOO_MANY_REQUESTS",
      message: expect.stringMatching(/too many failed sign-ins for alice from this client; try again in 1 s/),
    });
    // another replica clearing the rows (a successful sign-in there) lifts the wait here: nothing is kept in this process
    await db().signInFailure.deleteMany({});
    expect(await signIn("alice", "alice's password")).toEqual({ user: "alice" });
  });

  it("a successful sign-in starts the count again", async () => {
    for (let i = 0; i < 4; i++) await expect(signIn("alice", "wrong password")).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    expect(await signIn("alice", "alice's password")).toEqual({ user: "alice" });
    expect(await db().signInFailure.count()).toBe(0);
  });

  it("15 simultaneous wrong passwords after a wait lapsed: one is checked, 14 wait", async () => {
    for (let i = 0; i < 6; i++) await signIn("alice", "wrong password").catch(() => undefined);
    // the wait lapses (as it would a few seconds later)
    await db().signInFailure.updateMany({ data: { until: new Date(Date.now() - 1000) } });
    const results = await Promise.allSettled(Array.from({ length: 15 }, () => signIn("alice", "wrong password")));
    expect(codes(results)).toEqual(["TOO_MANY_REQUESTS", ...Array(13).fill("TOO_MANY_REQUESTS"), "UNAUTHORIZED"].sort());
    await db().signInFailure.deleteMany({});
  });

  it("wrong passwords for bob from another client do not keep bob out", async () => {
    for (let i = 0; i < 8; i++) await signIn("bob", "guess", "203.0.113.66").catch(() => undefined);
    await expect(signIn("bob", "bob's password", "203.0.113.66")).rejects.toMatchObject({ code: "TOO_MANY_REQUESTS" });
    expect(await signIn("bob", "bob's password", "198.51.100.7")).toEqual({ user: "bob" });
  });
});
