// The netadmin area of the console's API: ClusterNetworks with their usage, the TenantConfig with
// the VNIs each profile has handed out, what a range edit would strand, and every tenant's
// networks. Writes go through objects.create/replace/delete (audited). Every procedure here asks
// the API server, as the person, whether they may update TenantConfigs, and refuses otherwise.
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import type { NetworkObject } from "../../domain/api/network";
import { InterfaceProfile, type TenantConfig } from "../../domain/api/tenantConfig";
import { poolUsage } from "../../domain/ipam/allocate";
import { endpointNetworkRef, networkKey, networkRefOf } from "../../domain/networkRef";
import { strandedByEdit, vniHoldings } from "../../domain/tenancy/rangeEdit";
import { vniHeldBy } from "../../domain/tenancy/vni";
import { canI, danmPath } from "../../kube/access";
import type { KubeRest } from "../../kube/rest";
import { tenantNamespaceCandidates } from "../namespaces";
import { authedProcedure, kubeToTrpc, router } from "../trpc";
import { listObjects, ObjectName } from "./objects";

/** Signed in, and Kubernetes lets the person update TenantConfigs (asked as the person, never our database). */
export const netadminProcedure = authedProcedure.use(async ({ ctx, next }) => {
  let allowed: boolean;
  try {
    allowed = await canI(ctx.kube, { verb: "update", resource: "tenantconfigs" });
  } catch (e) {
    throw kubeToTrpc(e);
  }
  if (!allowed)
    throw new TRPCError({
      code: "FORBIDDEN",
      message: `${ctx.identity.user} is not a network administrator: Kubernetes does not let them update TenantConfigs (ask for the tenet:netadmin role)`,
    });
  return next();
});

type Network = NetworkObject & { metadata: { name: string; namespace?: string } };
interface EndpointLike {
  metadata: { namespace?: string };
  spec?: { NetworkName?: string; apiType?: string };
}

/** Address usage as plain JSON (IPv6 totals do not fit a number). */
export interface UsageRow {
  v4?: { total: number; used: number; free: number };
  v6?: { total: string; used: number; free: string };
}

function usageOf(n: Network): UsageRow {
  const u = poolUsage(n.spec?.Options ?? {});
  return {
    v4: u.v4,
    v6: u.v6 && { total: u.v6.total.toString(), used: u.v6.used, free: u.v6.free.toString() },
  };
}

/** Endpoints per network, keyed by kind/namespace/name (namespace empty for ClusterNetworks). */
async function endpointCounts(kube: KubeRest): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const ep of await listObjects<EndpointLike>(kube, "DanmEp")) {
    const key = networkKey(endpointNetworkRef(ep));
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

/** One network as the admin tables show it. */
export interface AdminNetworkRow {
  name: string;
  /** empty for ClusterNetworks */
  namespace: string;
  networkType: string;
  networkId: string;
  allowedTenants?: string[];
  cidr: string;
  net6: string;
  vlan?: number;
  vxlan?: number;
  /** the VNI a TenantNetwork holds (or a ClusterNetwork carries) */
  vni?: { type: "vlan" | "vxlan"; id: number };
  hostDevice: string;
  devicePool: string;
  usage: UsageRow;
  /** DanmEps (Pod interfaces) on the network */
  endpoints: number;
  createdAt?: string;
}

function networkRow(n: Network, endpoints: Map<string, number>): AdminNetworkRow {
  const o = n.spec?.Options ?? {};
  const held = vniHeldBy(o);
  return {
    name: n.metadata.name,
    namespace: n.metadata.namespace ?? "",
    networkType: n.spec?.NetworkType ?? "",
    networkId: n.spec?.NetworkID ?? "",
    allowedTenants: n.spec?.AllowedTenants,
    cidr: o.cidr ?? "",
    net6: o.net6 ?? "",
    vlan: o.vlan,
    vxlan: o.vxlan,
    vni: held ? { type: held.vniType, id: held.vni } : undefined,
    hostDevice: o.host_device ?? "",
    devicePool: o.device_pool ?? "",
    usage: usageOf(n),
    endpoints: endpoints.get(networkKey(networkRefOf(n))) ?? 0,
    createdAt: typeof n.metadata.creationTimestamp === "string" ? n.metadata.creationTimestamp : undefined,
  };
}

const byName = (a: { metadata: { name?: string } }, b: { metadata: { name?: string } }) => (a.metadata.name ?? "").localeCompare(b.metadata.name ?? "");

export const adminRouter = router({
  /** Namespaces that may be named in AllowedTenants (tenant namespaces, system ones left out). */
  namespaces: netadminProcedure.query(({ ctx }) => tenantNamespaceCandidates(ctx.runtime)),

  /** Every ClusterNetwork with its addressing, VNI, device, AllowedTenants and address usage. */
  clusterNetworks: netadminProcedure.query(async ({ ctx }) => {
    const [networks, endpoints] = await Promise.all([listObjects<Network>(ctx.kube, "ClusterNetwork"), endpointCounts(ctx.kube)]);
    return networks.sort(byName).map((n) => networkRow({ ...n, kind: "ClusterNetwork" } as Network, endpoints));
  }),

  /**
   * The TenantConfigs (the webhook uses the first by name) and the VNIs TenantNetworks hold, so the
   * editor can show which network holds each reservation and warn live about range edits.
   */
  tenantConfig: netadminProcedure.query(async ({ ctx }) => {
    const [configs, networks] = await Promise.all([listObjects<TenantConfig>(ctx.kube, "TenantConfig"), listObjects<Network>(ctx.kube, "TenantNetwork")]);
    return { configs: configs.sort(byName), holdings: vniHoldings(networks) };
  }),

  /** What replacing the named TenantConfig's hostDevices with these would strand (empty: nothing). */
  rangeEditWarnings: netadminProcedure.input(z.object({ name: ObjectName, hostDevices: z.array(InterfaceProfile) })).query(async ({ ctx, input }) => {
    const [current, networks] = await Promise.all([
      ctx.kube.call<TenantConfig>(danmPath("TenantConfig", undefined, input.name)),
      listObjects<Network>(ctx.kube, "TenantNetwork"),
    ]);
    return strandedByEdit(current.hostDevices ?? [], input.hostDevices, vniHoldings(networks));
  }),

  /** Every tenant's TenantNetworks, grouped by namespace (tenant namespaces without networks included). */
  tenantNetworks: netadminProcedure.query(async ({ ctx }) => {
    const [networks, endpoints, namespaces] = await Promise.all([
      listObjects<Network>(ctx.kube, "TenantNetwork"),
      endpointCounts(ctx.kube),
      tenantNamespaceCandidates(ctx.runtime),
    ]);
    const groups = new Map<string, AdminNetworkRow[]>(namespaces.map((ns) => [ns, []]));
    for (const n of networks.sort(byName)) {
      const row = networkRow({ ...n, kind: "TenantNetwork" } as Network, endpoints);
      groups.set(row.namespace, [...(groups.get(row.namespace) ?? []), row]);
    }
    return [...groups.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([namespace, rows]) => ({ namespace, networks: rows }));
  }),
});
