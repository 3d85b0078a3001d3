// Pool and VNI range gauges from networks and TenantConfigs, and how they go away when stale.
import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import type { NetworkObject } from "../domain/api/network";
import type { TenantConfig } from "../domain/api/tenantConfig";
import { allocateAddresses } from "../domain/ipam/allocate";
import { defaultV4Pool, type PoolOptions } from "../domain/ipam/pool";
import { freshVniBitmap, reserveVni } from "../domain/tenancy/vni";
import { UsageMetrics } from "./usageMetrics";

function network(name: string, cidr: string, allocations: number): NetworkObject {
  let options: PoolOptions = defaultV4Pool({ cidr });
  for (let i = 0; i < allocations; i++) {
    const r = allocateAddresses(options, { ip: "dynamic" });
    if (!r.ok) throw new Error(r.error.message);
    options = r.options;
  }
  return {
    apiVersion: "danm.k8s.io/v1",
    kind: "TenantNetwork",
    metadata: { name, namespace: "team-a" },
    spec: { NetworkID: name, NetworkType: "ipvlan", Options: options },
  } as NetworkObject;
}

function tenantConfig(reservations: number): TenantConfig {
  let config: TenantConfig = {
    apiVersion: "danm.k8s.io/v1",
    kind: "TenantConfig",
    metadata: { name: "tenet" },
    hostDevices: [{ name: "ens4", vniType: "vlan", vniRange: "100-103,200", alloc: freshVniBitmap() }, { name: "ens5" }],
  };
  for (let i = 0; i < reservations; i++) {
    const r = reserveVni(config, "ens4", "vlan");
    if (!r.ok) throw new Error(r.reason);
    config = r.config;
  }
  return config;
}

const value = async (registry: Registry, name: string, labels: Record<string, string>) => {
  const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
  return (metric?.values as { value: number; labels: Record<string, string> }[] | undefined)?.find((v) =>
    Object.entries(labels).every(([k, l]) => v.labels[k] === l),
  )?.value;
};

describe("UsageMetrics", () => {
  it("reports each network's pool and each VNI profile's range with how much is used", async () => {
    const registry = new Registry();
    const metrics = new UsageMetrics(registry);
    // a /29 pool has 6 usable addresses in DANM's default pool (network and broadcast excluded)
    metrics.observe([network("small", "10.1.0.0/29", 3)], [tenantConfig(5)]);
    const labels = { kind: "TenantNetwork", namespace: "team-a", network: "small", family: "ipv4" };
    const total = await value(registry, "tenet_network_pool_addresses", labels);
    expect(await value(registry, "tenet_network_pool_addresses_used", labels)).toBe(3);
    expect(await value(registry, "tenet_network_pool_utilisation_ratio", labels)).toBeCloseTo(3 / total!);
    const vni = { tenantconfig: "tenet", profile: "ens4", vni_type: "vlan" };
    expect(await value(registry, "tenet_vni_range_size", vni)).toBe(5);
    expect(await value(registry, "tenet_vni_range_reserved", vni)).toBe(5);
    expect(await value(registry, "tenet_vni_range_utilisation_ratio", vni)).toBe(1);
    // a profile without a VNI type has no range to report
    expect(await value(registry, "tenet_vni_range_size", { profile: "ens5" })).toBeUndefined();
  });

  it("forgets networks that are gone on the next pass", async () => {
    const registry = new Registry();
    const metrics = new UsageMetrics(registry);
    metrics.observe([network("a", "10.1.0.0/29", 1), network("b", "10.2.0.0/29", 1)], []);
    metrics.observe([network("a", "10.1.0.0/29", 2)], []);
    expect(await value(registry, "tenet_network_pool_addresses_used", { network: "a" })).toBe(2);
    expect(await value(registry, "tenet_network_pool_addresses_used", { network: "b" })).toBeUndefined();
  });

  it("reports nothing once the last pass is older than the stale time (a replica that stopped leading)", async () => {
    let clock = 0;
    const registry = new Registry();
    const metrics = new UsageMetrics(registry, { staleMs: 60_000, now: () => clock });
    metrics.observe([network("a", "10.1.0.0/29", 1)], []);
    clock = 30_000;
    expect(await value(registry, "tenet_network_pool_addresses_used", { network: "a" })).toBe(1);
    clock = 61_000;
    expect(await value(registry, "tenet_network_pool_addresses_used", { network: "a" })).toBeUndefined();
  });
});
