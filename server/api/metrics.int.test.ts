// The console's metrics count real calls through the real API server, and the endpoint guards them.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { GET } from "../../app/api/metrics/route";
import { consoleMetrics } from "./metrics";
import { callerFor, DEMO_IDENTITIES, testRuntime } from "./testing";

const cluster = inject("cluster");
let runtime: Awaited<ReturnType<typeof testRuntime>>;

beforeAll(async () => {
  runtime = await testRuntime(cluster.controlPlane.kubeconfigs["tenet-console"]);
});
afterAll(() => runtime.dispose());

const count = async (labels: Record<string, string>) => {
  const metric = (await consoleMetrics().registry.getMetricsAsJSON()).find((m) => m.name === "tenet_console_trpc_calls_total") as {
    values: { labels: Record<string, string>; value: number }[];
  };
  return metric.values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l))?.value ?? 0;
};

describe("console metrics", () => {
  it("count calls by procedure and outcome, as Kubernetes answered them", async () => {
    const ok = await count({ procedure: "objects.list", code: "OK" });
    const forbidden = await count({ procedure: "objects.list", code: "FORBIDDEN" });
    const alice = await callerFor(runtime, DEMO_IDENTITIES.alice);
    await alice.objects.list({ kind: "TenantNetwork", namespace: "team-a" });
    await expect(alice.objects.list({ kind: "TenantNetwork", namespace: "team-b" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect(await count({ procedure: "objects.list", code: "OK" })).toBe(ok + 1);
    expect(await count({ procedure: "objects.list", code: "FORBIDDEN" })).toBe(forbidden + 1);
  });

  it("are served as Prometheus text, behind TENET_METRICS_TOKEN when it is set", async () => {
    const open = await GET(new Request("http://console.test/api/metrics"));
    expect(open.status).toBe(200);
    expect(await open.text()).toMatch(/tenet_console_trpc_calls_total\{procedure="objects.list"/);
    process.env.TENET_METRICS_TOKEN = "scrape-me";
    try {
      expect((await GET(new Request("http://console.test/api/metrics"))).status).toBe(401);
      expect((await GET(new Request("http://console.test/api/metrics", { headers: { authorization: "Bearer wrong-one" } }))).status).toBe(401);
      expect((await GET(new Request("http://console.test/api/metrics", { headers: { authorization: "Bearer scrape-me" } }))).status).toBe(200);
    } finally {
      delete process.env.TENET_METRICS_TOKEN;
    }
  });
});
