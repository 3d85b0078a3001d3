// Prometheus gauges of what is left: addresses per network pool and VNIs per TenantConfig profile.
// The leader of the controllers sets them on every reconcile pass from the objects it already
// listed; a replica that stopped leading (or whose passes stopped) reports none of them once they are
// older than `staleMs`, so a follower never keeps alerting on numbers that went away.
import { Gauge, type Registry } from "prom-client";
import type { NetworkObject } from "../domain/api/network";
import type { TenantConfig } from "../domain/api/tenantConfig";
import { poolUsage } from "../domain/ipam/allocate";
import { parseVniRange, reservedVnis } from "../domain/tenancy/vni";

const NETWORK_LABELS = ["kind", "namespace", "network", "family"] as const;
const PROFILE_LABELS = ["tenantconfig", "profile", "vni_type"] as const;

type Labels<T extends readonly string[]> = Record<T[number], string>;

export class UsageMetrics {
  private readonly poolTotal: Gauge<(typeof NETWORK_LABELS)[number]>;
  private readonly poolUsed: Gauge<(typeof NETWORK_LABELS)[number]>;
  private readonly poolRatio: Gauge<(typeof NETWORK_LABELS)[number]>;
  private readonly vniTotal: Gauge<(typeof PROFILE_LABELS)[number]>;
  private readonly vniReserved: Gauge<(typeof PROFILE_LABELS)[number]>;
  private readonly vniRatio: Gauge<(typeof PROFILE_LABELS)[number]>;
  private observedAt?: number;

  constructor(
    registry: Registry,
    private readonly options: { staleMs?: number; now?: () => number } = {},
  ) {
    const collect = () => this.dropIfStale();
    // several Reconcilers may share a registry (one per leadership term in tests): reuse the gauges
    const gauge = <L extends string>(name: string, help: string, labelNames: readonly L[]) =>
      (registry.getSingleMetric(name) as Gauge<L> | undefined) ?? new Gauge<L>({ name, help, labelNames, registers: [registry], collect });
    this.poolTotal = gauge("tenet_network_pool_addresses", "Addresses in the allocation pool of a network, per family.", NETWORK_LABELS);
    this.poolUsed = gauge("tenet_network_pool_addresses_used", "Addresses of the allocation pool that are allocated, per family.", NETWORK_LABELS);
    this.poolRatio = gauge("tenet_network_pool_utilisation_ratio", "Allocated / pool addresses of a network, per family (1 = exhausted).", NETWORK_LABELS);
    this.vniTotal = gauge("tenet_vni_range_size", "VNIs in the vniRange of a TenantConfig profile.", PROFILE_LABELS);
    this.vniReserved = gauge("tenet_vni_range_reserved", "VNIs of the vniRange that TenantNetworks hold.", PROFILE_LABELS);
    this.vniRatio = gauge("tenet_vni_range_utilisation_ratio", "Reserved / range VNIs of a TenantConfig profile (1 = exhausted).", PROFILE_LABELS);
  }

  private now() {
    return (this.options.now ?? Date.now)();
  }

  /** Replaces every gauge with the state of these networks and TenantConfigs. */
  observe(networks: readonly NetworkObject[], tenantConfigs: readonly TenantConfig[]) {
    this.reset();
    for (const net of networks) {
      const usage = poolUsage(net.spec?.Options ?? {});
      const base = { kind: net.kind, namespace: net.metadata.namespace ?? "", network: net.metadata.name ?? "" };
      if (usage.v4) this.setPool({ ...base, family: "ipv4" }, usage.v4.total, usage.v4.used);
      if (usage.v6) this.setPool({ ...base, family: "ipv6" }, Number(usage.v6.total), usage.v6.used);
    }
    for (const config of tenantConfigs) {
      for (const profile of config.hostDevices ?? []) {
        if (!profile.vniType || !profile.vniRange) continue;
        const range = parseVniRange(profile.vniRange);
        if (!range.ok) continue;
        const size = range.range.intervals.reduce((n, [a, b]) => n + (b - a + 1), 0);
        const reserved = reservedVnis(profile).filter((v) => range.range.has(v)).length;
        const labels = { tenantconfig: config.metadata.name ?? "", profile: profile.name, vni_type: profile.vniType };
        this.vniTotal.set(labels, size);
        this.vniReserved.set(labels, reserved);
        this.vniRatio.set(labels, size > 0 ? reserved / size : 1);
      }
    }
    this.observedAt = this.now();
  }

  private setPool(labels: Labels<typeof NETWORK_LABELS>, total: number, used: number) {
    this.poolTotal.set(labels, total);
    this.poolUsed.set(labels, used);
    this.poolRatio.set(labels, total > 0 ? used / total : 1);
  }

  private reset() {
    for (const g of [this.poolTotal, this.poolUsed, this.poolRatio, this.vniTotal, this.vniReserved, this.vniRatio]) g.reset();
  }

  private dropIfStale() {
    if (this.observedAt !== undefined && this.now() - this.observedAt > (this.options.staleMs ?? 5 * 60_000)) {
      this.reset();
      this.observedAt = undefined;
    }
  }
}
