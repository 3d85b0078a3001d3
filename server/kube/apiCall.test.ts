// The one retry of both transports, against a real HTTP server that throttles: client-node's
// generated clients (through apiCall) and rest.ts (KubeRest.call) wait what Retry-After asks, give
// up after THROTTLED_ATTEMPTS, and fail with the same KubeError carrying the server's Status.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { KubeConfig } from "@kubernetes/client-node";
import { MAX_RETRY_WAIT_MS, retryDelayMs, THROTTLED_ATTEMPTS } from "./apiCall";
import { ConfigMapClient } from "./configMapClient";
import { KubeError, kubeError, retryAfterSeconds, statusError } from "./errors";
import { KubeRest } from "./rest";

interface Answer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

const configMap = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "ipam", namespace: "team-a", resourceVersion: "7" }, data: { next: "10.0.0.5" } };
const status = (code: number, reason: string, message: string, causes?: unknown[]) => ({
  kind: "Status",
  apiVersion: "v1",
  status: "Failure",
  code,
  reason,
  message,
  ...(causes ? { details: { causes } } : {}),
});
const throttled = (retryAfter: string): Answer => ({
  status: 429,
  body: status(429, "TooManyRequests", "too many requests, please try again later"),
  headers: { "retry-after": retryAfter },
});

/** Answers queued per test, then 200 with the ConfigMap; every request is remembered with its arrival time. */
let answers: Answer[] = [];
let requests: { method: string; url: string; at: number }[] = [];
const server = http.createServer((req, res) => {
  req.resume();
  req.on("end", () => {
    requests.push({ method: req.method ?? "", url: req.url ?? "", at: Date.now() });
    const a = answers.shift() ?? { status: 200, body: configMap };
    res.writeHead(a.status, { "content-type": "application/json", ...a.headers });
    res.end(JSON.stringify(a.body));
  });
});
let kc: KubeConfig;

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: "local", server: `http://127.0.0.1:${port}`, skipTLSVerify: true }],
    users: [{ name: "u", token: "t" }],
    contexts: [{ name: "c", cluster: "local", user: "u" }],
    currentContext: "c",
  });
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  answers = [];
  requests = [];
});

const transports = {
  "client-node (apiCall)": () => new ConfigMapClient(kc).get("team-a", "ipam"),
  "rest.ts (KubeRest.call)": async () => {
    const rest = await KubeRest.fromKubeConfig(kc);
    try {
      return await rest.call<typeof configMap>("/api/v1/namespaces/team-a/configmaps/ipam");
    } finally {
      await rest.close();
    }
  },
};

describe.each(Object.entries(transports))("%s against a server that throttles", (_name, get) => {
  it("waits what Retry-After asks after a 429, then succeeds", async () => {
    answers = [throttled("1")];
    const got = await get();
    expect(got.data).toEqual({ next: "10.0.0.5" });
    expect(requests.map((r) => r.url)).toEqual(["/api/v1/namespaces/team-a/configmaps/ipam", "/api/v1/namespaces/team-a/configmaps/ipam"]);
    expect(requests[1].at - requests[0].at).toBeGreaterThanOrEqual(950);
  });

  it("retries a 503 without Retry-After after a short backoff", async () => {
    answers = [{ status: 503, body: status(503, "ServiceUnavailable", "storage is (re)initializing") }];
    expect((await get()).data).toEqual({ next: "10.0.0.5" });
    expect(requests).toHaveLength(2);
    expect(requests[1].at - requests[0].at).toBeLessThan(1000);
  });

  it(`gives up after ${THROTTLED_ATTEMPTS} throttled attempts with the server's Status as a KubeError`, async () => {
    answers = Array.from({ length: THROTTLED_ATTEMPTS + 2 }, () => throttled("0"));
    const e = await get().catch((x: unknown) => x);
    expect(e).toBeInstanceOf(KubeError);
    expect(e).toMatchObject({ status: 429, reason: "TooManyRequests", message: "too many requests, please try again later", retryAfterSeconds: 0 });
    expect(requests).toHaveLength(THROTTLED_ATTEMPTS);
  });

  it("does not retry a refusal, and keeps its reason and per-field causes", async () => {
    const causes = [{ field: "spec.Options.vlan", reason: "FieldValueForbidden", message: "vlan is assigned by the cluster (N-23)" }];
    answers = [{ status: 422, body: status(422, "Invalid", 'TenantNetwork "red" is invalid', causes) }];
    const e = await get().catch((x: unknown) => x);
    expect(e).toBeInstanceOf(KubeError);
    expect(e).toMatchObject({ status: 422, reason: "Invalid", message: 'TenantNetwork "red" is invalid', causes });
    expect(requests).toHaveLength(1);
  });
});

describe("a server that cannot be reached", () => {
  it("is a KubeError without a status from either transport", async () => {
    const gone = new KubeConfig();
    gone.loadFromOptions({
      clusters: [{ name: "x", server: "http://127.0.0.1:1", skipTLSVerify: true }],
      users: [{ name: "u" }],
      contexts: [{ name: "c", cluster: "x", user: "u" }],
      currentContext: "c",
    });
    const viaClientNode = await new ConfigMapClient(gone).get("a", "b").catch((x: unknown) => x);
    const rest = await KubeRest.fromKubeConfig(gone);
    const viaRest = await rest.call("/api").catch((x: unknown) => x);
    await rest.close();
    for (const e of [viaClientNode, viaRest]) {
      expect(e).toBeInstanceOf(KubeError);
      expect((e as KubeError).status).toBeUndefined();
    }
    expect((viaRest as KubeError).message).toMatch(/^cannot reach the API server at http:\/\/127\.0\.0\.1:1: ECONNREFUSED/);
  });
});

describe("retry delays and error reading", () => {
  it("takes Retry-After (capped), else backs off from 100 ms to at most 2 s", () => {
    expect(retryDelayMs(new KubeError(429, "x", { retryAfterSeconds: 1 }), 1)).toBe(1000);
    expect(retryDelayMs(new KubeError(429, "x", { retryAfterSeconds: 3600 }), 1)).toBe(MAX_RETRY_WAIT_MS);
    expect([1, 2, 3, 5, 7].map((n) => retryDelayMs(new KubeError(503, "x"), n))).toEqual([100, 200, 400, 1600, 2000]);
  });

  it("reads Retry-After in seconds only", () => {
    expect([" 2 ", "0", undefined, "Wed, 21 Oct 2026 07:28:00 GMT", "-1", "1.5"].map(retryAfterSeconds)).toEqual([
      2,
      0,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });

  it("reads a Status body, plain text, or nothing", () => {
    expect(statusError(404, JSON.stringify(status(404, "NotFound", 'configmaps "x" not found')))).toMatchObject({
      status: 404,
      reason: "NotFound",
      message: 'configmaps "x" not found',
      causes: [],
    });
    expect(statusError(502, "Bad Gateway")).toMatchObject({ status: 502, message: "Bad Gateway", reason: undefined });
    expect(statusError(500, "").message).toBe("HTTP 500");
  });

  it("turns what client-node throws into a KubeError once", () => {
    const thrown = Object.assign(new Error("HTTP-Code: 409"), {
      code: 409,
      body: JSON.stringify(status(409, "Conflict", "the object has been modified")),
      headers: { "Retry-After": "3" },
    });
    const e = kubeError(thrown);
    expect(e).toMatchObject({ status: 409, reason: "Conflict", message: "the object has been modified", retryAfterSeconds: 3 });
    expect(kubeError(e)).toBe(e);
    expect(kubeError(new TypeError("fetch failed"))).toMatchObject({ status: undefined, message: "fetch failed" });
  });
});
