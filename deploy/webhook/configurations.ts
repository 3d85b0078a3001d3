// The Mutating- and ValidatingWebhookConfiguration, in one place: `tenet cluster up` registers them
// with a URL on 127.0.0.1, deploy/webhook/webhook-configurations.yaml is rendered with the Service.
import fs from "node:fs";
import path from "node:path";
import { defaultIpamIdentities, type IpamIdentities } from "../../server/domain/rules/allocationState";

export type ClientConfig = { url: string; caBundle: string } | { service: { name: string; namespace: string; port: number }; caBundle?: string };

const RESOURCES = ["danmnets", "tenantnetworks", "clusternetworks", "tenantconfigs"];

function clientConfig(base: ClientConfig, path: string) {
  if ("url" in base) return { url: `${base.url}${path}`, caBundle: base.caBundle };
  return { service: { ...base.service, path }, ...(base.caBundle ? { caBundle: base.caBundle } : {}) };
}

/**
 * The API server does not call the webhooks for an UPDATE by tenet's IPAM that changes only
 * allocation state (docs/rules.md "IPAM's allocation updates skip the webhook"): the bits
 * of an existing `alloc` or `alloc6` (same length), the creation of `alloc6` at the first IPv6
 * allocation (the length of its pool cidr) and the two `lastIp`s. Anything else, and anyone else, is
 * reviewed in full: N-28 still denies others' allocation changes, N-29 a bitmap of another length. The expression is
 * deploy/webhook/ipam-allocation-update.cel, shared with the chart, with the identities filled in as
 * CEL lists (a JSON array of strings is one).
 */
export const IPAM_UPDATE_CONDITION = "not-an-ipam-allocation-update";
export const IPAM_UPDATE_EXPRESSION_FILE = path.join(import.meta.dirname, "ipam-allocation-update.cel");

export function ipamAllocationUpdateCondition(ipam: IpamIdentities) {
  const template = fs.readFileSync(IPAM_UPDATE_EXPRESSION_FILE, "utf8");
  const expression = template.replace("IPAM_USERS", JSON.stringify(ipam.users)).replace("IPAM_GROUPS", JSON.stringify(ipam.groups));
  return { name: IPAM_UPDATE_CONDITION, expression };
}

function webhook(name: string, base: ClientConfig, path: string, operations: string[], ipam: IpamIdentities) {
  return {
    name,
    admissionReviewVersions: ["v1"],
    clientConfig: clientConfig(base, path),
    rules: [{ apiGroups: ["danm.k8s.io"], apiVersions: ["v1"], operations, resources: RESOURCES, scope: "*" }],
    matchConditions: [ipamAllocationUpdateCondition(ipam)],
    failurePolicy: "Fail",
    sideEffects: "NoneOnDryRun",
    timeoutSeconds: 10,
    matchPolicy: "Equivalent",
  };
}

/**
 * `name`: "tenet" for a real cluster; the local cluster registers "tenet-local" so the two never merge.
 * `ipam`: the webhook's `--ipam-users`/`--ipam-groups` (their defaults when not given).
 */
export function webhookConfigurations(
  base: ClientConfig,
  annotations: Record<string, string> = {},
  name = "tenet",
  ipam: IpamIdentities = defaultIpamIdentities(),
) {
  const metadata = (name: string) => ({ name, labels: { "app.kubernetes.io/part-of": "tenet" }, ...(Object.keys(annotations).length ? { annotations } : {}) });
  return [
    {
      apiVersion: "admissionregistration.k8s.io/v1",
      kind: "MutatingWebhookConfiguration",
      metadata: metadata(name),
      webhooks: [{ ...webhook("mutate.danm.k8s.io", base, "/mutate", ["CREATE", "UPDATE", "DELETE"], ipam), reinvocationPolicy: "Never" }],
    },
    {
      apiVersion: "admissionregistration.k8s.io/v1",
      kind: "ValidatingWebhookConfiguration",
      metadata: metadata(name),
      webhooks: [webhook("validate.danm.k8s.io", base, "/validate", ["CREATE", "UPDATE", "DELETE"], ipam)],
    },
  ];
}
