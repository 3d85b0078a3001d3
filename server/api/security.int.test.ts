// Security of the console's API, procedure by procedure, against the real API server: nobody gets
// anything without a session, no mutation runs without the session's CSRF token from the console's
// own origin, a tenant cannot reach another tenant's namespace, and live updates carry only what the
// person may get. The procedures are enumerated from appRouter, so every router added later is
// covered without touching this file.
//
// Order of checks in tRPC 11: `.use()` middlewares and `.input()` parsers run in the order they are
// chained. authedProcedure chains the session/CSRF/origin check first (only the depth limit of the
// raw input, which parses nothing, comes before it), so a procedure built on it refuses a caller
// before looking at the input. The tests below call every procedure with NO input
// (which no real input schema accepts): answering UNAUTHORIZED/FORBIDDEN rather than BAD_REQUEST
// proves the refusal comes before the input is even parsed, and a procedure that parsed first would
// fail here by name.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createSession, SESSION_TTL_MS } from "../db/sessions";
import { danmPath } from "../kube/access";
import { KubeRest, type Identity } from "../kube/rest";
import { KubeError } from "../kube/errors";
import { createContext, CSRF_COOKIE, SESSION_COOKIE } from "./context";
import { LIVE_KINDS, type LiveChange } from "./live";
import { appRouter } from "./root";
import { callerFor, DEMO_IDENTITIES, testRuntime } from "./testing";

const cluster = inject("cluster");
let runtime: Awaited<ReturnType<typeof testRuntime>>;
let admin: KubeRest;

beforeAll(async () => {
  runtime = await testRuntime(cluster.controlPlane.kubeconfigs["tenet-console"]);
  admin = await KubeRest.fromFile(cluster.controlPlane.kubeconfigs.admin);
});
afterAll(async () => {
  await admin?.close();
  await runtime?.dispose();
});

type ProcedureType = "query" | "mutation" | "subscription";
interface ProcedureEntry {
  path: string;
  type: ProcedureType;
}

/** Every procedure of the console's API, from the router's own record. */
function allProcedures(): ProcedureEntry[] {
  const procedures = appRouter._def.procedures as unknown as Record<string, { _def: { type: ProcedureType } }>;
  return Object.entries(procedures)
    .map(([path, p]) => ({ path, type: p._def.type }))
    .sort((a, b) => a.path.localeCompare(b.path));
}

/**
 * The only procedures a signed-out browser may call: signing in, "who am I" (null) and which sign-in
 * methods the page should offer. Adding one here is a security decision; the tests below pin what
 * each of them tells a stranger.
 */
const PUBLIC = new Set(["auth.signIn", "auth.me", "auth.methods"]);

/** Calls `path` on a caller the way the browser's client would; subscriptions are started and their first event awaited. */
async function invoke(caller: object, path: string, input?: unknown): Promise<unknown> {
  const fn = path.split(".").reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], caller) as (input: unknown) => Promise<unknown>;
  const result = await fn(input);
  if (result && typeof result === "object" && Symbol.asyncIterator in result) {
    const iterator = (result as AsyncIterable<unknown>)[Symbol.asyncIterator]();
    try {
      return await iterator.next();
    } finally {
      void iterator.return?.();
    }
  }
  return result;
}

async function codeOf(call: Promise<unknown>): Promise<string> {
  try {
    await call;
    return "OK (no error)";
  } catch (e) {
    return (e as { code?: string }).code ?? `not a tRPC error: ${(e as Error).message}`;
  }
}

describe("every procedure", () => {
  const procedures = allProcedures();

  it("is found in appRouter (the enumeration sees the routers)", () => {
    const paths = procedures.map((p) => p.path);
    expect(paths).toEqual(expect.arrayContaining(["auth.signIn", "auth.me", "auth.signOut", "objects.list", "objects.create", "live.changes"]));
    console.log(`security: ${procedures.length} procedures: ${paths.join(", ")}`);
  });

  it("refuses a caller without a session with UNAUTHORIZED, before parsing its input (auth.signIn and auth.me excepted)", async () => {
    const anonymous = await callerFor(runtime, undefined);
    const answers: Record<string, string> = {};
    for (const p of procedures.filter((p) => !PUBLIC.has(p.path))) answers[p.path] = await codeOf(invoke(anonymous, p.path));
    expect(answers).toEqual(Object.fromEntries(Object.keys(answers).map((k) => [k, "UNAUTHORIZED"])));
  });

  it("refuses a caller without a session with UNAUTHORIZED even when the input is valid", async () => {
    const anonymous = await callerFor(runtime, undefined);
    expect(await codeOf(anonymous.objects.list({ kind: "TenantNetwork", namespace: "team-a" }))).toBe("UNAUTHORIZED");
    expect(await codeOf(anonymous.objects.get({ kind: "TenantConfig", name: "tenet" }))).toBe("UNAUTHORIZED");
    expect(await codeOf(anonymous.objects.delete({ kind: "ClusterNetwork", name: "oam", dryRun: true }))).toBe("UNAUTHORIZED");
  });

  it("tells a signed-out browser who it is (nobody: auth.me is null) and how it may sign in, nothing more", async () => {
    const anonymous = await callerFor(runtime, undefined);
    expect(await anonymous.auth.me()).toBeNull();
    const methods = await anonymous.auth.methods();
    expect(Object.keys(methods).sort()).toEqual(["local", "oidc", "token"]);
    expect(methods.oidc === null || Object.keys(methods.oidc).join() === "displayName").toBe(true);
  });

  it("refuses every mutation without the CSRF header with FORBIDDEN", async () => {
    const noCsrf = await callerFor(runtime, DEMO_IDENTITIES.netadmin, { csrf: false });
    const answers: Record<string, string> = {};
    for (const p of procedures.filter((p) => p.type === "mutation" && p.path !== "auth.signIn")) answers[p.path] = await codeOf(invoke(noCsrf, p.path));
    expect(Object.keys(answers).length).toBeGreaterThan(0);
    expect(answers).toEqual(Object.fromEntries(Object.keys(answers).map((k) => [k, "FORBIDDEN"])));
  });

  it("refuses every mutation from a foreign Origin with FORBIDDEN, sign-in included", async () => {
    const foreign = await callerFor(runtime, DEMO_IDENTITIES.netadmin, { origin: "https://evil.example" });
    const answers: Record<string, string> = {};
    for (const p of procedures.filter((p) => p.type === "mutation" && p.path !== "auth.signIn")) answers[p.path] = await codeOf(invoke(foreign, p.path));
    expect(answers).toEqual(Object.fromEntries(Object.keys(answers).map((k) => [k, "FORBIDDEN"])));
    const anonymousForeign = await callerFor(runtime, undefined, { origin: "https://evil.example" });
    expect(await codeOf(anonymousForeign.auth.signIn({ method: "local", name: "alice", password: "whatever" }))).toBe("FORBIDDEN");
  });

  it("lets a signed-in person with the CSRF token through the same check (the refusals above are not blanket)", async () => {
    const alice = await callerFor(runtime, DEMO_IDENTITIES.alice);
    await expect(
      alice.objects.create({ kind: "TenantNetwork", dryRun: true, object: network("sec-dry-run", "team-a", "10.202.9.0/24") }),
    ).resolves.toMatchObject({ metadata: { name: "sec-dry-run" } });
  });
});

function network(name: string, namespace: string, cidr: string) {
  return { metadata: { name, namespace }, spec: { NetworkType: "bridge", Options: { cidr } } };
}

async function adminGet(kind: string, namespace: string, name: string): Promise<number> {
  try {
    await admin.call(danmPath(kind, namespace, name));
    return 200;
  } catch (e) {
    if (e instanceof KubeError) return e.status ?? 0;
    throw e;
  }
}

describe("a tenant and another tenant's namespace", () => {
  const bobsNetwork = `sec-bob-${Date.now().toString(36)}`;
  const alicesNetwork = `sec-alice-${Date.now().toString(36)}`;

  beforeAll(async () => {
    const bob = await callerFor(runtime, DEMO_IDENTITIES.bob);
    await bob.objects.create({ kind: "TenantNetwork", object: network(bobsNetwork, "team-b", "10.202.1.0/24") });
    const alice = await callerFor(runtime, DEMO_IDENTITIES.alice);
    await alice.objects.create({ kind: "TenantNetwork", object: network(alicesNetwork, "team-a", "10.202.2.0/24") });
  });
  afterAll(async () => {
    await admin.call(danmPath("TenantNetwork", "team-b", bobsNetwork), { method: "DELETE" }).catch(() => undefined);
    await admin.call(danmPath("TenantNetwork", "team-a", alicesNetwork), { method: "DELETE" }).catch(() => undefined);
  });

  it("alice naming team-b gets FORBIDDEN from list, get, create and delete, and nothing changes", async () => {
    const alice = await callerFor(runtime, DEMO_IDENTITIES.alice);
    const intruder = `sec-intruder-${Date.now().toString(36)}`;
    expect(await codeOf(alice.objects.list({ kind: "TenantNetwork", namespace: "team-b" }))).toBe("FORBIDDEN");
    expect(await codeOf(alice.objects.list({ kind: "DanmEp", namespace: "team-b" }))).toBe("FORBIDDEN");
    expect(await codeOf(alice.objects.get({ kind: "TenantNetwork", namespace: "team-b", name: bobsNetwork }))).toBe("FORBIDDEN");
    expect(await codeOf(alice.objects.create({ kind: "TenantNetwork", object: network(intruder, "team-b", "10.202.3.0/24") }))).toBe("FORBIDDEN");
    expect(await codeOf(alice.objects.replace({ kind: "TenantNetwork", object: network(bobsNetwork, "team-b", "10.202.4.0/24") }))).toBe("FORBIDDEN");
    expect(await codeOf(alice.objects.delete({ kind: "TenantNetwork", namespace: "team-b", name: bobsNetwork }))).toBe("FORBIDDEN");
    // as the cluster's admin: nothing was created, bob's network is still there and unchanged
    expect(await adminGet("TenantNetwork", "team-b", intruder)).toBe(404);
    const still = await admin.call<{ spec: { Options: { cidr: string } } }>(danmPath("TenantNetwork", "team-b", bobsNetwork));
    expect(still.spec.Options.cidr).toBe("10.202.1.0/24");
  });

  it("no query of any router tells alice about bob's network, whatever she names", async () => {
    // Inputs differ per procedure; each query gets every plausible shape that names team-b or bob's
    // network. Any answer may be an error; an answer with data must not mention bob's network.
    const alice = await callerFor(runtime, DEMO_IDENTITIES.alice);
    const candidates = [
      undefined,
      { namespace: "team-b" },
      { namespace: "team-b", name: bobsNetwork },
      { kind: "TenantNetwork", namespace: "team-b" },
      { kind: "TenantNetwork", namespace: "team-b", name: bobsNetwork },
      { name: bobsNetwork },
      { network: bobsNetwork, namespace: "team-b" },
      { kind: "TenantNetwork", namespace: "team-b", name: bobsNetwork, network: bobsNetwork },
    ];
    const leaks: string[] = [];
    const answered: string[] = [];
    for (const p of allProcedures().filter((p) => p.type === "query" && !PUBLIC.has(p.path))) {
      for (const input of candidates) {
        let result: unknown;
        try {
          result = await invoke(alice, p.path, input);
        } catch {
          continue; // refused, not found, or not this procedure's input shape
        }
        answered.push(`${p.path}(${JSON.stringify(input) ?? ""})`);
        if (JSON.stringify(result ?? null).includes(bobsNetwork)) leaks.push(`${p.path}(${JSON.stringify(input) ?? ""})`);
      }
    }
    console.log(`security: queries that answered alice (without bob's network): ${answered.length}`);
    expect(leaks).toEqual([]);
  });

  it("bob cannot get alice's network by name, nor see it in a list", async () => {
    const bob = await callerFor(runtime, DEMO_IDENTITIES.bob);
    expect(await codeOf(bob.objects.get({ kind: "TenantNetwork", namespace: "team-a", name: alicesNetwork }))).toBe("FORBIDDEN");
    expect(await codeOf(bob.objects.list({ kind: "TenantNetwork", namespace: "team-a" }))).toBe("FORBIDDEN");
    expect(await codeOf(bob.objects.list({ kind: "TenantNetwork" }))).toBe("FORBIDDEN");
    // and the same request as alice succeeds, so the refusal is about bob
    const alice = await callerFor(runtime, DEMO_IDENTITIES.alice);
    await expect(alice.objects.get({ kind: "TenantNetwork", namespace: "team-a", name: alicesNetwork })).resolves.toMatchObject({
      metadata: { name: alicesNetwork },
    });
  });
});

/** A subscription to live.changes as `identity`, collecting events until `signal` aborts. */
async function subscribe(identity: Identity, signal: AbortSignal, sessionStart = new Date()) {
  // callerFor's caller carries no abort signal, and a subscription waiting for events only ends
  // through one: build the same browser-like context here and pass the signal to the caller.
  const s = await createSession(runtime.db, { user: identity.user, groups: identity.groups, method: "local" }, sessionStart);
  const headers = new Headers({
    host: "console.test",
    origin: "http://console.test",
    cookie: `${SESSION_COOKIE}=${s.token}; ${CSRF_COOKIE}=${s.csrfToken}`,
    "x-tenet-csrf": s.csrfToken,
  });
  const ctx = await createContext({ req: new Request("http://console.test/api/trpc", { headers }), resHeaders: new Headers() });
  const events = await appRouter.createCaller(ctx, { signal }).live.changes();
  const seen: LiveChange[] = [];
  let hello = false;
  const done = (async () => {
    try {
      for await (const e of events) {
        if (e.kind === "hello") hello = true;
        else seen.push(e.change);
      }
    } catch (e) {
      if (!signal.aborted) throw e;
    }
  })();
  await until(() => hello, 5_000, `${identity.user}'s subscription to say hello`);
  let ended = false;
  void done.then(() => (ended = true));
  return { seen, done, ended: () => ended, session: s, signOut: () => appRouter.createCaller(ctx).auth.signOut() };
}

async function until(condition: () => boolean, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("live updates", () => {
  it("reach alice for team-a's objects and bob for team-b's, never the other way round", async () => {
    const abort = new AbortController();
    const aNet = `sec-live-a-${Date.now().toString(36)}`;
    const bNet = `sec-live-b-${Date.now().toString(36)}`;
    try {
      // the shared watches list once first; their initial ADDED events are not what this test is about
      runtime.live.startAll();
      await Promise.all(LIVE_KINDS.map((k) => runtime.live.watch(k).start()));
      const alice = await subscribe(DEMO_IDENTITIES.alice, abort.signal);
      const bob = await subscribe(DEMO_IDENTITIES.bob, abort.signal);

      await (await callerFor(runtime, DEMO_IDENTITIES.alice)).objects.create({ kind: "TenantNetwork", object: network(aNet, "team-a", "10.202.5.0/24") });
      await (await callerFor(runtime, DEMO_IDENTITIES.bob)).objects.create({ kind: "TenantNetwork", object: network(bNet, "team-b", "10.202.6.0/24") });

      const has = (seen: LiveChange[], ns: string, name: string) => seen.some((c) => c.kind === "TenantNetwork" && c.namespace === ns && c.name === name);
      await until(() => has(alice.seen, "team-a", aNet), 5_000, "alice to hear of her network");
      await until(() => has(bob.seen, "team-b", bNet), 5_000, "bob to hear of his network");
      await new Promise((r) => setTimeout(r, 300)); // anything else in flight arrives by now
      expect(bob.seen.filter((c) => c.namespace === "team-a")).toEqual([]);
      expect(alice.seen.filter((c) => c.namespace === "team-b")).toEqual([]);

      abort.abort();
      await Promise.race([
        Promise.all([alice.done, bob.done]),
        new Promise((_, reject) => setTimeout(() => reject(new Error("the subscriptions did not end when aborted")), 2_000)),
      ]);
    } finally {
      abort.abort();
      await admin.call(danmPath("TenantNetwork", "team-a", aNet), { method: "DELETE" }).catch(() => undefined);
      await admin.call(danmPath("TenantNetwork", "team-b", bNet), { method: "DELETE" }).catch(() => undefined);
    }
  });

  it("carry a Pod's changes and its sandbox failures to the tenant of its namespace only", async () => {
    const abort = new AbortController();
    const pod = `sec-live-pod-${Date.now().toString(36)}`;
    try {
      runtime.live.startAll();
      await Promise.all(LIVE_KINDS.map((k) => runtime.live.watch(k).start()));
      const alice = await subscribe(DEMO_IDENTITIES.alice, abort.signal);
      const bob = await subscribe(DEMO_IDENTITIES.bob, abort.signal);
      await admin.call("/api/v1/namespaces/team-a/pods", {
        method: "POST",
        body: {
          apiVersion: "v1",
          kind: "Pod",
          metadata: { name: pod, namespace: "team-a" },
          spec: { nodeName: "node-1", containers: [{ name: "main", image: "registry.invalid/pause:1" }] },
        },
      });
      const event = {
        apiVersion: "v1",
        kind: "Event",
        involvedObject: { kind: "Pod", name: pod, namespace: "team-a" },
        source: { component: "kubelet" },
        type: "Warning",
        count: 1,
      };
      // a sandbox failure reaches the tenant; any other Event is not watched at all
      await admin.call("/api/v1/namespaces/team-a/events", {
        method: "POST",
        body: { ...event, metadata: { name: `${pod}.other`, namespace: "team-a" }, reason: "BackOff", message: "back-off" },
      });
      await admin.call("/api/v1/namespaces/team-a/events", {
        method: "POST",
        body: {
          ...event,
          metadata: { name: `${pod}.sandbox`, namespace: "team-a" },
          reason: "FailedCreatePodSandbox",
          message: 'plugin type="danm" name="danm" failed (add): no',
        },
      });

      await until(() => alice.seen.some((c) => c.kind === "Pod" && c.name === pod), 5_000, "alice to hear of the Pod");
      await until(() => alice.seen.some((c) => c.kind === "Event" && c.name === `${pod}.sandbox`), 5_000, "alice to hear of its sandbox failure");
      await new Promise((r) => setTimeout(r, 300)); // anything else in flight arrives by now
      expect(alice.seen.filter((c) => c.name === `${pod}.other`)).toEqual([]);
      // the shared watch keeps only who changed, not the Pods themselves
      expect(
        runtime.live
          .watch("Pod")
          .list()
          .find((o) => o.metadata.name === pod),
      ).toEqual({ metadata: { name: pod, namespace: "team-a", resourceVersion: expect.any(String), uid: expect.any(String) } });
      expect(bob.seen.filter((c) => c.namespace === "team-a")).toEqual([]);
    } finally {
      abort.abort();
      for (const path of [
        `/api/v1/namespaces/team-a/events/${pod}.sandbox`,
        `/api/v1/namespaces/team-a/events/${pod}.other`,
        `/api/v1/namespaces/team-a/pods/${pod}`,
      ]) {
        await admin.call(path, { method: "DELETE" }).catch(() => undefined);
      }
    }
  });
});

describe("live updates end with the session", () => {
  const hasNetwork = (seen: LiveChange[], name: string) => seen.some((c) => c.kind === "TenantNetwork" && c.name === name);

  async function withNetwork(name: string, run: () => Promise<void>) {
    try {
      await run();
    } finally {
      await admin.call(danmPath("TenantNetwork", "team-a", name), { method: "DELETE" }).catch(() => undefined);
    }
  }

  it("signing out ends the stream opened before, and it delivers nothing after", async () => {
    const abort = new AbortController();
    const name = `sec-out-${Date.now().toString(36)}`;
    await withNetwork(name, async () => {
      runtime.live.startAll();
      const alice = await subscribe(DEMO_IDENTITIES.alice, abort.signal);
      await alice.signOut();
      await alice.done;
      await (await callerFor(runtime, DEMO_IDENTITIES.alice)).objects.create({ kind: "TenantNetwork", object: network(name, "team-a", "10.202.7.0/24") });
      expect(alice.seen.filter((c) => c.name === name)).toEqual([]);
      expect(abort.signal.aborted).toBe(false);
    });
  });

  it("a session signed out on another replica (its row gone) gets no further change: the stream ends at the next one", async () => {
    const abort = new AbortController();
    const name = `sec-gone-${Date.now().toString(36)}`;
    await withNetwork(name, async () => {
      runtime.live.startAll();
      const alice = await subscribe(DEMO_IDENTITIES.alice, abort.signal);
      const witness = await subscribe(DEMO_IDENTITIES.alice, abort.signal);
      await runtime.db.session.deleteMany({ where: { csrfToken: alice.session.csrfToken } });
      await (await callerFor(runtime, DEMO_IDENTITIES.alice)).objects.create({ kind: "TenantNetwork", object: network(name, "team-a", "10.202.8.0/24") });
      await until(() => hasNetwork(witness.seen, name), 5_000, "the still signed-in stream to hear of the network");
      await alice.done;
      expect(hasNetwork(alice.seen, name)).toBe(false);
      abort.abort();
    });
  });

  it("an expiring session's stream ends when the session expires", async () => {
    const abort = new AbortController();
    // a session started almost 12 hours ago: it expires a second from now
    const alice = await subscribe(DEMO_IDENTITIES.alice, abort.signal, new Date(Date.now() - SESSION_TTL_MS + 1000));
    await alice.done;
    expect(alice.ended()).toBe(true);
    expect(abort.signal.aborted).toBe(false);
  });
});
