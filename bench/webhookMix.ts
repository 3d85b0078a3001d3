// A realistic AdmissionReview mix: every kind, every operation, allowed and denied.
import type { DanmEp } from "../server/domain/api/danmEp";
import type { TenantConfig } from "../server/domain/api/tenantConfig";
import { clusterNetwork, review, tenantConfig, tenantNetwork } from "../server/webhook/testReviews";

export function benchTenantConfig(): TenantConfig {
  return tenantConfig("bench", [
    { name: "ens4", vniType: "vlan", vniRange: "1-4094" },
    { name: "ens5", vniType: "vxlan", vniRange: "1-5000" },
    { name: "vendor.example/sriov", vniType: "vlan", vniRange: "100-199" },
  ]);
}

/** 2,000 endpoints so the in-use checks scan a realistic list. */
export function benchEndpoints(): DanmEp[] {
  return Array.from({ length: 2000 }, (_, i) => ({
    apiVersion: "danm.k8s.io/v1" as const,
    kind: "DanmEp" as const,
    metadata: { name: `ep-${i}`, namespace: `team-${i % 20}` },
    spec: {
      NetworkName: `net-${i % 100}`,
      apiType: "TenantNetwork",
      Pod: `pod-${i}`,
      Interface: { Name: "eth1", Address: `10.1.${Math.floor(i / 250)}.${(i % 250) + 1}/16` },
    },
  }));
}

const dual = { cidr: "10.60.0.0/22", net6: "fd00:60::/64", routes: { "10.70.0.0/16": "10.60.0.1" }, container_prefix: "sig" };

/** A TenantNetwork as stored after admission, with `used` addresses allocated by IPAM. */
function storedNetwork(name: string, used: number) {
  const base = { cidr: "10.61.0.0/22", routes: { "10.71.0.0/16": "10.61.0.1" }, host_device: "ens4", vlan: 7 };
  const bytes = new Uint8Array(128);
  bytes[0] = 0xc0;
  bytes[127] = 0x01;
  for (let i = 2; i < 2 + used; i++) bytes[i >> 3] |= 0x80 >> (i & 7);
  const alloc = Buffer.from(bytes).toString("base64");
  return {
    apiVersion: "danm.k8s.io/v1",
    kind: "TenantNetwork",
    metadata: { name, namespace: "team-a", resourceVersion: "42" },
    spec: {
      NetworkType: "ipvlan",
      NetworkID: "tn-ipvl",
      Options: { ...base, alloc, allocation_pool: { start: "10.61.0.1", end: "10.61.3.254", lastIp: `10.61.0.${used + 1}` } },
    },
  };
}

/**
 * Request bodies, cycled by the load generator; creates are dry runs so the mix can repeat forever.
 * IPAM's allocation updates (one per Pod interface, by far the most frequent writes) are not in it:
 * the API server no longer sends them to the webhook (the configurations' matchConditions;
 * server/webhook/allocationUpdates.int.test.ts). What reaches the webhook is people's network and
 * TenantConfig changes, the dual-stack create among them.
 */
export function benchMix(): string[] {
  const reviews = [
    // a tenant re-applying a network with a changed container_prefix: alloc and the pool carried over
    review(
      "TenantNetwork",
      "UPDATE",
      {
        ...storedNetwork("pods-1", 40),
        spec: { ...storedNetwork("pods-1", 40).spec, Options: { ...storedNetwork("pods-1", 40).spec.Options, container_prefix: "p1" } },
      },
      { oldObject: storedNetwork("pods-1", 40) },
    ),
    review("TenantNetwork", "CREATE", tenantNetwork("signalling", { cidr: "10.60.0.0/24", container_prefix: "sig" }), { dryRun: true }),
    review("TenantNetwork", "CREATE", tenantNetwork("media", { cidr: "10.61.0.0/24", host_device: "ens5" }, "team-a", "macvlan"), { dryRun: true }),
    review("TenantNetwork", "CREATE", tenantNetwork("dualstack", dual), { dryRun: true }),
    review("TenantNetwork", "CREATE", tenantNetwork("sneaky", { cidr: "10.62.0.0/24", vlan: 12 })),
    review("TenantNetwork", "DELETE", null, { oldObject: storedNetwork("net-3", 0) }),
    review("TenantNetwork", "DELETE", null, { oldObject: { ...storedNetwork("net-3", 0), metadata: { name: "net-3", namespace: "team-3" } } }),
    review("ClusterNetwork", "CREATE", clusterNetwork("oam", { cidr: "10.20.0.0/20", host_device: "ens3", vlan: 310 })),
    review("ClusterNetwork", "CREATE", clusterNetwork("bad", { cidr: "10.0.0.0/8" })),
    review("DanmNet", "CREATE", {
      apiVersion: "danm.k8s.io/v1",
      kind: "DanmNet",
      metadata: { name: "internal", namespace: "team-b" },
      spec: { NetworkID: "internal", Options: { cidr: "10.90.0.0/24", vxlan: 700, host_device: "ens6" } },
    }),
    review("TenantConfig", "UPDATE", benchTenantConfig(), { oldObject: benchTenantConfig() }),
    review("TenantConfig", "CREATE", { ...benchTenantConfig(), hostDevices: [{ name: "ens4", vniType: "vlan", vniRange: "70-7a" }] }),
    review("ClusterNetwork", "UPDATE", clusterNetwork("oam", { cidr: "10.20.0.0/20", host_device: "ens9", vlan: 310 }), {
      oldObject: clusterNetwork("oam", { cidr: "10.20.0.0/20", host_device: "ens3", vlan: 310 }),
    }),
  ];
  return reviews.map((r) => JSON.stringify(r));
}
