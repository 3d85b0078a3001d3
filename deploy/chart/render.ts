// `helm template` of deploy/chart with given values, parsed into objects (tests and the install guide's checks).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import YAML from "yaml";
import { helm } from "../../tools/cli/helm";

export const CHART_DIR = import.meta.dirname;

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

/** Renders the chart as release `tenet` in `namespace`; throws with Helm's message (e.g. a `fail`). */
export function renderChart(values: Record<string, unknown> = {}, options: { namespace?: string; kubeVersion?: string } = {}): K8sObject[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tenet-chart-"));
  try {
    const file = path.join(dir, "values.json");
    fs.writeFileSync(file, JSON.stringify(values));
    const out = helm([
      "template",
      "tenet",
      CHART_DIR,
      "--namespace",
      options.namespace ?? "tenet-system",
      "--kube-version",
      options.kubeVersion ?? "1.33.0",
      "--values",
      file,
    ]);
    return YAML.parseAllDocuments(out)
      .map((d) => d.toJS() as K8sObject | null)
      .filter((o): o is K8sObject => !!o && typeof o === "object" && !!o.kind);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The rendered object of a kind and name; throws when the chart did not render it. */
export function findObject(objects: K8sObject[], kind: string, name: string): any {
  const o = objects.find((x) => x.kind === kind && x.metadata.name === name);
  if (!o) throw new Error(`${kind} ${name} is not in the rendered chart`);
  return o;
}

/** Values exercising every optional part: cert-manager, Prometheus Operator objects, PostgreSQL, OIDC, ingress. */
export const FULL_VALUES = {
  webhook: { tls: { source: "cert-manager" } },
  metrics: { serviceMonitor: { enabled: true }, prometheusRule: { enabled: true } },
  database: { url: { secretName: "tenet-database", key: "url" } },
  console: {
    replicas: 3,
    url: "https://tenet.example.com",
    oidc: {
      issuer: "https://idp.example.com",
      clientId: "tenet",
      clientSecret: { secretName: "tenet-oidc", key: "client-secret" },
      usernameClaim: "email",
      usernamePrefix: "",
    },
    ingress: { enabled: true, className: "nginx", host: "tenet.example.com", tlsSecretName: "tenet-console-tls" },
  },
  agent: { sriovConfigMap: "sriovdp-config" },
};
