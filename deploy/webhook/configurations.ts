// The Mutating- and ValidatingWebhookConfiguration, in one place: `tenet cluster up` registers them
// with a URL on 127.0.0.1, deploy/webhook/webhook-configurations.yaml is rendered with the Service.

export type ClientConfig =
  | { url: string; caBundle: string }
  | { service: { name: string; namespace: string; port: number }; caBundle?: string };

const RESOURCES = ["danmnets", "tenantnetworks", "clusternetworks", "tenantconfigs"];

function clientConfig(base: ClientConfig, path: string) {
  if ("url" in base) return { url: `${base.url}${path}`, caBundle: base.caBundle };
  return { service: { ...base.service, path }, ...(base.caBundle ? { caBundle: base.caBundle } : {}) };
}

function webhook(name: string, base: ClientConfig, path: string, operations: string[]) {
  return {
    name,
    admissionReviewVersions: ["v1"],
    clientConfig: clientConfig(base, path),
    rules: [{ apiGroups: ["danm.k8s.io"], apiVersions: ["v1"], operations, resources: RESOURCES, scope: "*" }],
    failurePolicy: "Fail",
    sideEffects: "NoneOnDryRun",
    timeoutSeconds: 10,
    matchPolicy: "Equivalent",
  };
}

/** `name`: "tenet" for a real cluster; the local cluster registers "tenet-local" so the two never merge. */
export function webhookConfigurations(base: ClientConfig, annotations: Record<string, string> = {}, name = "tenet") {
  const metadata = (name: string) => ({ name, labels: { "app.kubernetes.io/part-of": "tenet" }, ...(Object.keys(annotations).length ? { annotations } : {}) });
  return [
    {
      apiVersion: "admissionregistration.k8s.io/v1",
      kind: "MutatingWebhookConfiguration",
      metadata: metadata(name),
      webhooks: [{ ...webhook("mutate.danm.k8s.io", base, "/mutate", ["CREATE", "UPDATE", "DELETE"]), reinvocationPolicy: "Never" }],
    },
    {
      apiVersion: "admissionregistration.k8s.io/v1",
      kind: "ValidatingWebhookConfiguration",
      metadata: metadata(name),
      webhooks: [webhook("validate.danm.k8s.io", base, "/validate", ["CREATE", "UPDATE", "DELETE"])],
    },
  ];
}
