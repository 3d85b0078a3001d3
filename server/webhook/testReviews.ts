// AdmissionReview builders shared by the webhook tests and the benchmark.
import type { TenantConfig } from "../domain/api/tenantConfig";

let counter = 0;

export function review(
  kind: string,
  operation: "CREATE" | "UPDATE" | "DELETE",
  object: unknown,
  extra: { oldObject?: unknown; dryRun?: boolean; namespace?: string; user?: { username: string; groups?: string[] } } = {},
) {
  const meta = ((object ?? extra.oldObject) as { metadata?: { name?: string; namespace?: string } } | undefined)?.metadata;
  return {
    apiVersion: "admission.k8s.io/v1",
    kind: "AdmissionReview",
    request: {
      uid: `uid-${++counter}`,
      kind: { group: "danm.k8s.io", version: "v1", kind },
      resource: { group: "danm.k8s.io", version: "v1", resource: `${kind.toLowerCase()}s` },
      name: meta?.name,
      namespace: extra.namespace ?? meta?.namespace,
      operation,
      userInfo: extra.user ?? { username: "alice", groups: ["tenet:tenants", "system:authenticated"] },
      object: operation === "DELETE" ? null : object,
      oldObject: extra.oldObject ?? null,
      dryRun: extra.dryRun ?? false,
    },
  };
}

export function tenantConfig(name = "tenet", profiles: TenantConfig["hostDevices"] = [{ name: "ens4", vniType: "vlan", vniRange: "1000-1039" }]): TenantConfig {
  return {
    apiVersion: "danm.k8s.io/v1",
    kind: "TenantConfig",
    metadata: { name, resourceVersion: "1" },
    hostDevices: profiles,
    networkIds: { ipvlan: "tn-ipvl", macvlan: "tn-macvl" },
  };
}

export function tenantNetwork(name: string, options: Record<string, unknown> = { cidr: "10.60.0.0/24" }, namespace = "team-a", type = "ipvlan") {
  return { apiVersion: "danm.k8s.io/v1", kind: "TenantNetwork", metadata: { name, namespace }, spec: { NetworkType: type, Options: options } };
}

export function clusterNetwork(name: string, options: Record<string, unknown> = { cidr: "10.20.0.0/24", host_device: "ens3" }) {
  return {
    apiVersion: "danm.k8s.io/v1",
    kind: "ClusterNetwork",
    metadata: { name },
    spec: { NetworkID: name.slice(0, 10), NetworkType: "ipvlan", Options: options },
  };
}
