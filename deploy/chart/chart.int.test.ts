// `helm template` of the chart → a server-side dry-run apply of every object against the test
// control plane, with the default values and with every optional part (cert-manager, Prometheus
// Operator, PostgreSQL, OIDC, ingress). Kinds this API server does not serve (cert-manager's,
// Prometheus Operator's CRDs are not installed locally) are reported and checked by their shape.
import { describe, expect, inject, it } from "vitest";
import { applyObjects } from "../../server/kube/apply";
import { loadKubeConfig } from "../../server/kube/config";
import { KubeRest } from "../../server/kube/rest";
import { FULL_VALUES, renderChart, type K8sObject } from "./render";

const cluster = inject("cluster");
const kubeconfig = cluster.controlPlane.kubeconfigs.admin;

/** Kinds expected to be unknown to the local API server, and what each must have to be usable. */
const STRUCTURE: Record<string, (o: any) => string[]> = {
  "cert-manager.io/v1/Issuer": (o) => (o.spec?.selfSigned || o.spec?.ca ? [] : ["spec needs selfSigned or ca"]),
  "cert-manager.io/v1/Certificate": (o) => [
    ...(o.spec?.secretName ? [] : ["spec.secretName"]),
    ...(Array.isArray(o.spec?.dnsNames) && o.spec.dnsNames.length ? [] : ["spec.dnsNames"]),
    ...(o.spec?.issuerRef?.name ? [] : ["spec.issuerRef.name"]),
  ],
  "monitoring.coreos.com/v1/ServiceMonitor": (o) => [
    ...(o.spec?.selector ? [] : ["spec.selector"]),
    ...(o.spec?.endpoints?.length && o.spec.endpoints.every((e: any) => e.port) ? [] : ["spec.endpoints[].port"]),
  ],
  "monitoring.coreos.com/v1/PodMonitor": (o) => [
    ...(o.spec?.selector ? [] : ["spec.selector"]),
    ...(o.spec?.podMetricsEndpoints?.length && o.spec.podMetricsEndpoints.every((e: any) => e.port) ? [] : ["spec.podMetricsEndpoints[].port"]),
  ],
  "monitoring.coreos.com/v1/PrometheusRule": (o) =>
    (o.spec?.groups ?? []).flatMap((g: any) =>
      (g.rules ?? []).filter((r: any) => !r.alert || !r.expr).map((r: any) => `group ${g.name}: rule without alert/expr ${JSON.stringify(r)}`),
    ),
};

async function served(rest: KubeRest, apiVersion: string, kind: string): Promise<boolean> {
  const path = apiVersion.includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
  try {
    const list = await rest.call<{ resources: { kind: string }[] }>(path);
    return list.resources.some((r) => r.kind === kind);
  } catch (e) {
    if ((e as { status?: number }).status === 404) return false;
    throw e;
  }
}

async function check(objects: K8sObject[]) {
  const rest = await KubeRest.fromFile(kubeconfig);
  const known: K8sObject[] = [];
  const unknown: K8sObject[] = [];
  for (const o of objects) ((await served(rest, o.apiVersion, o.kind)) ? known : unknown).push(o);
  const applied = await applyObjects(loadKubeConfig(kubeconfig), known, { dryRun: true, fieldManager: "tenet-chart-dry-run" });
  expect(applied.map((o) => `${o.kind}/${o.metadata?.name}`)).toEqual(known.map((o) => `${o.kind}/${o.metadata.name}`));
  const problems = unknown.flatMap((o) => {
    const shape = STRUCTURE[`${o.apiVersion}/${o.kind}`];
    return shape
      ? shape(o).map((p) => `${o.kind} ${o.metadata.name}: ${p}`)
      : [`${o.apiVersion} ${o.kind} ${o.metadata.name}: not served by the API server and no structural check`];
  });
  expect(problems).toEqual([]);
  if (unknown.length)
    console.warn(`not served by the local API server, checked structurally only: ${unknown.map((o) => `${o.kind}/${o.metadata.name}`).join(", ")}`);
  return { known, unknown };
}

describe("the Helm chart on a real API server (server-side dry run)", () => {
  it("default values: every object is accepted", async () => {
    const version = await (await KubeRest.fromFile(kubeconfig)).call<{ gitVersion: string }>("/version");
    const objects = renderChart({}, { kubeVersion: version.gitVersion.replace(/^v/, "").replace(/[-+].*$/, "") });
    const { known, unknown } = await check(objects);
    expect(unknown).toEqual([]);
    expect(known.length).toBeGreaterThan(30);
  });

  it("cert-manager, Prometheus Operator, PostgreSQL, OIDC and ingress: every object the server knows is accepted, the others are shaped right", async () => {
    const { known, unknown } = await check(renderChart(FULL_VALUES));
    expect(unknown.map((o) => o.kind).sort()).toEqual(["Certificate", "Issuer", "PodMonitor", "PrometheusRule", "ServiceMonitor"]);
    expect(known.map((o) => o.kind)).toEqual(expect.arrayContaining(["Ingress", "PodDisruptionBudget", "MutatingWebhookConfiguration", "DaemonSet"]));
  });
});
