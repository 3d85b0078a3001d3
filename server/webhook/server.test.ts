import fs from "node:fs";
import https from "node:https";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import { selfSignedCert } from "../../tools/testing/selfSignedCert";
import { admitTenantConfig } from "../domain/admission/tenantConfig";
import { StaticClusterState } from "./clusterState";
import { AdmissionHandler } from "./handler";
import { WebhookMetrics } from "./metrics";
import { MAX_BODY_BYTES, pathOf, WebhookServer } from "./server";
import { review, tenantConfig, tenantNetwork } from "./testReviews";

const tls = selfSignedCert();
let server: WebhookServer;
let port: number;
let ready = true;

function call(path: string, body?: string | Buffer, method = "POST"): Promise<{ status: number; body: string; cert: string }> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      { host: "127.0.0.1", port, path, method, rejectUnauthorized: false, agent: false, headers: { "content-type": "application/json" } },
      (res) => {
        let data = "";
        res.on("data", (d) => (data += d));
        res.on("end", () =>
          resolve({ status: res.statusCode!, body: data, cert: (res.socket as import("node:tls").TLSSocket).getPeerCertificate().fingerprint256 }),
        );
      },
    );
    req.on("error", reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

beforeAll(async () => {
  const tc = admitTenantConfig("CREATE", tenantConfig()).object!;
  const state = new StaticClusterState([tc], []);
  const metrics = new WebhookMetrics(false);
  server = new WebhookServer({
    certFile: tls.certFile,
    keyFile: tls.keyFile,
    host: "127.0.0.1",
    port: 0,
    handler: new AdmissionHandler({ state, metrics }),
    state: {
      ...state,
      ready: () => ready,
      tenantConfig: () => state.tenantConfig(),
      danmEps: () => state.danmEps(),
      updateTenantConfig: (c) => state.updateTenantConfig(c),
      refreshTenantConfig: async () => {},
    },
    metrics,
    certPollMs: 100,
  });
  port = await server.listen();
});
afterAll(() => server.close());

describe("WebhookServer", () => {
  it("answers an AdmissionReview on /mutate with a v1 AdmissionReview carrying the request uid", async () => {
    const r = review("TenantNetwork", "CREATE", tenantNetwork("signalling"));
    const res = await call("/mutate", JSON.stringify(r));
    expect(res.status).toBe(200);
    const body = JSON.parse(res.body);
    expect(body).toMatchObject({
      apiVersion: "admission.k8s.io/v1",
      kind: "AdmissionReview",
      response: { uid: r.request.uid, allowed: true, patchType: "JSONPatch" },
    });
  });

  it("answers malformed bodies with HTTP 400 and the reason", async () => {
    for (const [body, reason] of [
      ["", "empty request body"],
      ["{not json", "not JSON"],
      [JSON.stringify({ apiVersion: "admission.k8s.io/v1beta1", kind: "AdmissionReview", request: {} }), "not an admission.k8s.io/v1 AdmissionReview"],
      [JSON.stringify({ apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview" }), "request"],
    ] as const) {
      const res = await call("/validate", body);
      expect(res.status, body).toBe(400);
      expect(JSON.parse(res.body).error).toContain(reason);
    }
  });

  it("reads a request target's path as the URL standard does", async () => {
    const targets = [
      "/mutate",
      "/validate?timeout=10s",
      "/mutate?",
      "/mutate#x?y",
      "/./mutate",
      "/a/../validate?x",
      "//mutate",
      "/mutate/",
      "/Mutate",
      "*",
      "__proto__",
    ];
    for (const target of [...targets, "/%6Dutate", "/validate\\", "/healthz?x=1", "/metrics#y", ""])
      expect(pathOf(target), target).toBe(new URL(target, "https://webhook").pathname);
    expect((await call("/validate?timeout=10s", JSON.stringify(review("TenantNetwork", "CREATE", tenantNetwork("q"))))).status).toBe(200);
  });

  it("reads a review that arrives in many chunks", async () => {
    const big = tenantNetwork("big");
    (big.metadata as Record<string, unknown>).annotations = { note: "x".repeat(300_000) };
    const res = await call("/validate", JSON.stringify(review("TenantNetwork", "CREATE", big)));
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body).response.status.message).toContain("TenantNetwork team-a/big");
  });

  it("refuses a body larger than the limit with 400 and keeps serving", async () => {
    const res = await call("/mutate", Buffer.alloc(MAX_BODY_BYTES + 1024, 0x20));
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body).error).toContain(`exceeds ${MAX_BODY_BYTES} bytes`);
    expect((await call("/healthz", undefined, "GET")).status).toBe(200);
  });

  it("/readyz follows the caches; /healthz does not", async () => {
    ready = false;
    expect((await call("/readyz", undefined, "GET")).status).toBe(503);
    expect((await call("/healthz", undefined, "GET")).status).toBe(200);
    ready = true;
    expect((await call("/readyz", undefined, "GET")).status).toBe(200);
  });

  it("/metrics counts requests by kind, operation and verdict, denials by rule, and a latency histogram", async () => {
    await call("/mutate", JSON.stringify(review("TenantNetwork", "CREATE", tenantNetwork("bad", { cidr: "10.0.0.0/24", vlan: 9 }))));
    const text = (await call("/metrics", undefined, "GET")).body;
    expect(text).toMatch(/tenet_webhook_requests_total\{kind="TenantNetwork",operation="CREATE",verdict="denied"\} [1-9]/);
    expect(text).toMatch(/tenet_webhook_denials_total\{kind="TenantNetwork",rule="N-23"\} [1-9]/);
    expect(text).toMatch(/tenet_webhook_request_duration_seconds_bucket\{le="0.005",kind="TenantNetwork",operation="CREATE"\} [1-9]/);
    expect(text).toMatch(/tenet_webhook_bad_requests_total [1-9]/);
  });

  it("random and malformed AdmissionReviews get a well-formed response or a 400, never a crash", async () => {
    const kinds = fc.constantFrom("TenantNetwork", "ClusterNetwork", "DanmNet", "TenantConfig", "Pod");
    const reviewArb = fc.record({
      apiVersion: fc.oneof(fc.constant("admission.k8s.io/v1"), fc.string()),
      kind: fc.oneof(fc.constant("AdmissionReview"), fc.string()),
      request: fc.record(
        {
          uid: fc.oneof(fc.uuid(), fc.constant("")),
          kind: fc.record({ kind: kinds }),
          operation: fc.constantFrom("CREATE", "UPDATE", "DELETE", "PATCH"),
          object: fc.oneof(
            fc.anything(),
            fc.record({ apiVersion: fc.constant("danm.k8s.io/v1"), kind: kinds, metadata: fc.record({ name: fc.string() }), spec: fc.anything() }),
          ),
          oldObject: fc.anything(),
          dryRun: fc.boolean(),
        },
        { requiredKeys: ["uid", "kind", "operation"] },
      ),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          reviewArb.map((r) => JSON.stringify(r)),
          fc.string(),
        ),
        async (body) => {
          const res = await call(Math.random() < 0.5 ? "/mutate" : "/validate", body);
          if (res.status === 400) return JSON.parse(res.body).error.length > 0;
          expect(res.status).toBe(200);
          const parsed = JSON.parse(res.body);
          expect(parsed.kind).toBe("AdmissionReview");
          expect(typeof parsed.response.allowed).toBe("boolean");
          expect(parsed.response.uid).toBe(JSON.parse(body).request.uid);
          if (!parsed.response.allowed) expect(parsed.response.status.message).toMatch(/\([A-Z]-\d+\)/);
          return true;
        },
      ),
      { numRuns: 300 },
    );
    expect((await call("/healthz", undefined, "GET")).status).toBe(200);
  });

  it("reloads the serving certificate when its files change", async () => {
    const before = (await call("/healthz", undefined, "GET")).cert;
    const next = selfSignedCert(undefined, "rotated");
    fs.copyFileSync(next.keyFile, tls.keyFile);
    fs.copyFileSync(next.certFile, tls.certFile);
    let after = before;
    for (let i = 0; i < 50 && after === before; i++) {
      await new Promise((r) => setTimeout(r, 100));
      after = (await call("/healthz", undefined, "GET")).cert;
    }
    expect(after).not.toBe(before);
  });
});
