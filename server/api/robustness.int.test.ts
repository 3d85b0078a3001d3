// Bad input answers 4xx, never 500, through the same route handlers Next.js serves, against the
// real API server: a damaged session cookie, an absurdly deep object, an oversized batch.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { GET as trpcGet, POST as trpcPost } from "../../app/api/trpc/[trpc]/route";
import { GET as csvGet } from "../../app/api/usage/addresses.csv/route";
import { createSession } from "../db/sessions";
import { CSRF_COOKIE, SESSION_COOKIE } from "./context";
import { MAX_BATCH_SIZE, nestedDeeperThan } from "../domain/requestLimits";
import { DEMO_IDENTITIES, testRuntime } from "./testing";

const cluster = inject("cluster");
let runtime: Awaited<ReturnType<typeof testRuntime>>;
const CONSOLE = "http://console.test";

beforeAll(async () => {
  runtime = await testRuntime(cluster.controlPlane.kubeconfigs["tenet-console"]);
});
afterAll(async () => {
  await runtime?.dispose();
});

async function aliceHeaders(): Promise<Record<string, string>> {
  const s = await createSession(runtime.db, { ...DEMO_IDENTITIES.alice, method: "local" });
  return { host: "console.test", origin: CONSOLE, cookie: `${SESSION_COOKIE}=${s.token}; ${CSRF_COOKIE}=${s.csrfToken}`, "x-tenet-csrf": s.csrfToken };
}

describe("bad input", () => {
  it("a session cookie that is not valid percent-encoding is no session: auth.me is null, the CSV export 401", async () => {
    const cookie = `${SESSION_COOKIE}=%E0%A4%A`;
    const me = await trpcGet(new Request(`${CONSOLE}/api/trpc/auth.me`, { headers: { host: "console.test", cookie } }));
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ result: { data: null } });
    const csv = await csvGet(new Request(`${CONSOLE}/api/usage/addresses.csv`, { headers: { host: "console.test", cookie } }));
    expect(csv.status).toBe(401);
  });

  it("a 10,000-deep object in a mutation is refused with 400 naming the limit, and nothing is created", async () => {
    const deep = `${'{"a":'.repeat(10_000)}1${"}".repeat(10_000)}`;
    const body = `{"kind":"TenantNetwork","object":{"metadata":{"name":"deep-one","namespace":"team-a"},"spec":${deep}}}`;
    const res = await trpcPost(
      new Request(`${CONSOLE}/api/trpc/objects.create`, { method: "POST", headers: { ...(await aliceHeaders()), "content-type": "application/json" }, body }),
    );
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { message: expect.stringMatching(/deeper than 64 levels/), data: { code: "BAD_REQUEST" } } });
    const get = await trpcGet(
      new Request(
        `${CONSOLE}/api/trpc/objects.get?input=${encodeURIComponent(JSON.stringify({ kind: "TenantNetwork", namespace: "team-a", name: "deep-one" }))}`,
        { headers: await aliceHeaders() },
      ),
    );
    expect(get.status).toBe(404);
  });

  it(`a batch of more than ${MAX_BATCH_SIZE} calls is refused before any runs; ${MAX_BATCH_SIZE} are served`, async () => {
    const batch = (n: number) => {
      const input = Object.fromEntries(Array.from({ length: n }, (_, i) => [i, { kind: "TenantNetwork", namespace: "team-a" }]));
      return `${CONSOLE}/api/trpc/${Array(n).fill("objects.list").join(",")}?batch=1&input=${encodeURIComponent(JSON.stringify(input))}`;
    };
    const headers = await aliceHeaders();
    const big = await trpcGet(new Request(batch(100), { headers }));
    expect(big.status).toBe(400);
    expect(JSON.stringify(await big.json())).toMatch(/Batch call exceeds maximum size/);
    expect((await trpcGet(new Request(batch(MAX_BATCH_SIZE), { headers }))).status).toBe(200);
  });
});

describe("input depth", () => {
  it("counts objects and arrays, iteratively", () => {
    expect(nestedDeeperThan({ a: [1, { b: 2 }] }, 3)).toBe(false);
    expect(nestedDeeperThan({ a: [1, { b: 2 }] }, 2)).toBe(true);
    let v: unknown = 1;
    for (let i = 0; i < 100_000; i++) v = [v];
    expect(nestedDeeperThan(v, 64)).toBe(true);
  });
});
