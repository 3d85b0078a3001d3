// IP utilisation per network and per tenant (namespace), sorted by pressure, with the warning
// levels the operator views use: 80 % (warning) and 95 % (critical) of an allocation pool in use.
import type { NetworkKind, NetworkObject } from "../api/network";
import { poolUsage } from "../ipam/allocate";

export const WARNING_AT = 0.8;
export const CRITICAL_AT = 0.95;

export type PressureLevel = "ok" | "warning" | "critical";

export function pressureLevel(fraction: number): PressureLevel {
  return fraction >= CRITICAL_AT ? "critical" : fraction >= WARNING_AT ? "warning" : "ok";
}

export interface NetworkUsage {
  kind: NetworkKind;
  /** "" for ClusterNetworks */
  namespace: string;
  name: string;
  cidr?: string;
  net6?: string;
  /** IPv4 addresses of the allocation pool [start, end] and how many are taken; absent without a readable IPv4 pool. */
  v4?: { total: number; used: number };
  /** IPv6 pool counts as decimal strings (a pool can exceed 2^53 addresses). */
  v6?: { total: string; used: number };
  /** The larger of the families' used/total, 0 for an L2 network. */
  pressure: number;
  level: PressureLevel;
}

function fraction(used: number, total: number | bigint): number {
  const t = Number(total);
  return t > 0 ? used / t : 0;
}

export function networkUsage(net: NetworkObject): NetworkUsage {
  const o = net.spec?.Options ?? {};
  const usage = poolUsage(o);
  const v4 = usage.v4 ? { total: usage.v4.total, used: usage.v4.used } : undefined;
  const v6 = usage.v6 ? { total: usage.v6.total.toString(), used: usage.v6.used } : undefined;
  const pressure = Math.max(v4 ? fraction(v4.used, v4.total) : 0, usage.v6 ? fraction(usage.v6.used, usage.v6.total) : 0);
  return {
    kind: net.kind,
    namespace: net.kind === "ClusterNetwork" ? "" : (net.metadata.namespace ?? ""),
    name: net.metadata.name ?? "",
    cidr: o.cidr || undefined,
    net6: o.net6 || undefined,
    v4,
    v6,
    pressure,
    level: pressureLevel(pressure),
  };
}

export interface TenantUsage {
  namespace: string;
  /** TenantNetworks and DanmNets of the namespace */
  networks: number;
  v4: { total: number; used: number };
  v6Used: number;
  /** IPv4 used/total over the namespace's own networks */
  pressure: number;
  level: PressureLevel;
  /** The namespace's most pressed network, for "which network is filling up". */
  worst?: { kind: NetworkKind; name: string; pressure: number };
}

/** Namespaced networks summed per namespace (ClusterNetworks belong to no tenant and are left out). */
export function tenantUsage(networks: NetworkUsage[]): TenantUsage[] {
  const byNs = new Map<string, TenantUsage>();
  for (const n of networks) {
    if (n.kind === "ClusterNetwork") continue;
    let t = byNs.get(n.namespace);
    if (!t) byNs.set(n.namespace, (t = { namespace: n.namespace, networks: 0, v4: { total: 0, used: 0 }, v6Used: 0, pressure: 0, level: "ok" }));
    t.networks++;
    t.v4.total += n.v4?.total ?? 0;
    t.v4.used += n.v4?.used ?? 0;
    t.v6Used += n.v6?.used ?? 0;
    if (!t.worst || n.pressure > t.worst.pressure) t.worst = { kind: n.kind, name: n.name, pressure: n.pressure };
  }
  const out = [...byNs.values()];
  for (const t of out) {
    t.pressure = fraction(t.v4.used, t.v4.total);
    t.level = pressureLevel(t.pressure);
  }
  return out.sort(byPressure);
}

/** Most pressed first; ties by namespace and name so the order is stable. */
export function byPressure<T extends { pressure: number; namespace: string; name?: string }>(a: T, b: T): number {
  return b.pressure - a.pressure || a.namespace.localeCompare(b.namespace) || (a.name ?? "").localeCompare(b.name ?? "");
}

export function usageOverview(networks: NetworkObject[]): { networks: NetworkUsage[]; tenants: TenantUsage[] } {
  const rows = networks.map(networkUsage).sort(byPressure);
  return { networks: rows, tenants: tenantUsage(rows) };
}
