// The console's /api/metrics in the chart: the bearer token (TENET_METRICS_TOKEN) from a Secret the
// chart generates or you name, and the ServiceMonitor endpoint that sends it.
import { beforeAll, describe, expect, it } from "vitest";
import { findObject, FULL_VALUES, renderChart, type K8sObject } from "./render";

type Env = { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } };

const find = findObject;
const consoleEnv = (objects: K8sObject[]) =>
  Object.fromEntries((find(objects, "Deployment", "tenet-console").spec.template.spec.containers[0].env as Env[]).map((e) => [e.name, e.value ?? e.valueFrom]));
const consoleEndpoint = (objects: K8sObject[]) => find(objects, "ServiceMonitor", "tenet").spec.endpoints.find((e: any) => e.path === "/api/metrics");

let defaults: K8sObject[];
let full: K8sObject[];
beforeAll(() => {
  defaults = renderChart();
  full = renderChart(FULL_VALUES);
}, 600_000);

describe("chart: the console's metrics", () => {
  it("with the ServiceMonitor: a generated token in a Secret, given to the console and sent by the ServiceMonitor", () => {
    const secret = find(full, "Secret", "tenet-console-metrics");
    const token = Buffer.from(secret.data.token, "base64").toString();
    expect(token).toMatch(/^[A-Za-z0-9]{48}$/);
    const ref = { name: "tenet-console-metrics", key: "token" };
    expect(consoleEnv(full).TENET_METRICS_TOKEN).toEqual({ secretKeyRef: ref });
    expect(consoleEndpoint(full)).toEqual({ port: "http", path: "/api/metrics", interval: "30s", authorization: { type: "Bearer", credentials: ref } });
    // a new token per render without a cluster; `helm upgrade` reads the existing Secret back (lookup)
    expect(find(renderChart(FULL_VALUES), "Secret", "tenet-console-metrics").data.token).not.toBe(secret.data.token);
  });

  it("scrapes the console's Service on the port its container serves", () => {
    const service = find(full, "Service", "tenet-console");
    const container = find(full, "Deployment", "tenet-console").spec.template.spec.containers[0];
    expect(service.spec.ports).toContainEqual(expect.objectContaining({ name: "http", targetPort: "http" }));
    expect(container.ports).toContainEqual({ name: "http", containerPort: 3000 });
    const selected = find(full, "ServiceMonitor", "tenet").spec.selector.matchExpressions.find((m: any) => m.key === "app.kubernetes.io/name").values;
    expect(selected).toContain(service.metadata.labels["app.kubernetes.io/name"]);
  });

  it("your own Secret: named in the console and the ServiceMonitor, none generated", () => {
    const objects = renderChart({ ...FULL_VALUES, metrics: { ...FULL_VALUES.metrics, console: { tokenSecret: { name: "scrape-token", key: "bearer" } } } });
    const ref = { name: "scrape-token", key: "bearer" };
    expect(consoleEnv(objects).TENET_METRICS_TOKEN).toEqual({ secretKeyRef: ref });
    expect(consoleEndpoint(objects).authorization).toEqual({ type: "Bearer", credentials: ref });
    expect(objects.filter((o) => o.kind === "Secret").map((o) => o.metadata.name)).not.toContain("tenet-console-metrics");
    // and without the ServiceMonitor too (a scraper of your own)
    expect(consoleEnv(renderChart({ metrics: { console: { tokenSecret: { name: "scrape-token" } } } })).TENET_METRICS_TOKEN).toEqual({
      secretKeyRef: { name: "scrape-token", key: "token" },
    });
  });

  it("default values: no ServiceMonitor, and still /api/metrics only with the generated token", () => {
    expect(defaults.some((o) => o.kind === "ServiceMonitor")).toBe(false);
    expect(defaults.filter((o) => o.kind === "Secret").map((o) => o.metadata.name)).toEqual(["tenet-console-metrics"]);
    expect(consoleEnv(defaults).TENET_METRICS_TOKEN).toEqual({ secretKeyRef: { name: "tenet-console-metrics", key: "token" } });
  });

  it("without the console: no console endpoint, no token Secret", () => {
    const objects = renderChart({ ...FULL_VALUES, console: { enabled: false } });
    expect(consoleEndpoint(objects)).toBeUndefined();
    expect(find(objects, "ServiceMonitor", "tenet").spec.selector.matchExpressions[0].values).toEqual(["tenet-webhook", "tenet-controllers"]);
    expect(objects.some((o) => o.metadata.name === "tenet-console-metrics")).toBe(false);
  });
});
