// The networks area of the console's API, for tenants (and netadmins/operators looking at a tenant's
// namespace): the namespaces the person may pick, their TenantNetworks and the ClusterNetworks those
// namespaces may attach to with used/free addresses, one network with everything stored, and every
// address in use with the Pod and interface holding it. All reads are made as the person, so the API
// server's RBAC decides; writes go through objects.create/replace/delete (dry run, audit trail).
import { z } from "zod";
import type { DanmEp } from "../../domain/api/danmEp";
import { normalNetworkType, type NetworkObject } from "../../domain/api/network";
import { poolUsage } from "../../domain/ipam/allocate";
import { leakedAddresses } from "../../domain/ipam/leaks";
import { tryParseIp } from "../../domain/net/address";
import { stripPrefix } from "../../domain/net/cidr";
import { endpointsUsing } from "../../domain/rules/networkIdentity";
import { danmPath } from "../../kube/access";
import type { KubeRest } from "../../kube/rest";
import { tenantNamespaceCandidates } from "../namespaces";
import { rolesOf } from "../roles";
import { authedProcedure, kubeToTrpc, router } from "../trpc";
import { listObjects, ObjectName } from "./objects";

const NetworkKind = z.enum(["TenantNetwork", "ClusterNetwork", "DanmNet"]);
type Network = NetworkObject & { metadata: { name: string; namespace?: string; creationTimestamp?: string; uid?: string } };

/** Address usage as plain JSON (IPv6 counts do not fit a number). */
export interface NetworkUsage {
  v4?: { total: number; used: number; free: number };
  v6?: { total: string; used: number; free: string };
}

/** One network as a list shows it: kind, type, subnets, what the cluster assigned, usage. */
export interface NetworkRow {
  kind: "TenantNetwork" | "ClusterNetwork" | "DanmNet";
  namespace?: string;
  name: string;
  networkType: string;
  networkId?: string;
  cidr?: string;
  net6?: string;
  vlan?: number;
  vxlan?: number;
  hostDevice?: string;
  devicePool?: string;
  allowedTenants?: string[];
  usage: NetworkUsage;
  createdAt?: string;
}

function usageOf(net: Network): NetworkUsage {
  try {
    const u = poolUsage(net.spec?.Options ?? {});
    return {
      ...(u.v4 ? { v4: u.v4 } : {}),
      ...(u.v6 ? { v6: { total: u.v6.total.toString(), used: u.v6.used, free: u.v6.free.toString() } } : {}),
    };
  } catch {
    return {}; // an unreadable pool shows as "no usage" rather than failing the whole list
  }
}

export function networkRow(net: Network): NetworkRow {
  const spec = net.spec ?? {};
  const o = spec.Options ?? {};
  const row: NetworkRow = { kind: net.kind, name: net.metadata.name, networkType: normalNetworkType(spec.NetworkType), usage: usageOf(net) };
  if (net.metadata.namespace) row.namespace = net.metadata.namespace;
  if (spec.NetworkID) row.networkId = spec.NetworkID;
  if (o.cidr) row.cidr = o.cidr;
  if (o.net6) row.net6 = o.net6;
  if (o.vlan) row.vlan = o.vlan;
  if (o.vxlan) row.vxlan = o.vxlan;
  if (o.host_device) row.hostDevice = o.host_device;
  if (o.device_pool) row.devicePool = o.device_pool;
  if (spec.AllowedTenants) row.allowedTenants = spec.AllowedTenants;
  if (net.metadata.creationTimestamp) row.createdAt = net.metadata.creationTimestamp;
  return row;
}

/**
 * By namespace, then name, comparing code units: the order in which the API server lists objects,
 * so that the first chunk of a paginated list is exactly the first rows of the whole list.
 */
export function storageOrder(a: NetworkRow, b: NetworkRow): number {
  const x = `${a.namespace ?? ""}/${a.name}`;
  const y = `${b.namespace ?? ""}/${b.name}`;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** ClusterNetwork.spec.AllowedTenants: absent or empty admits every namespace. */
export function admitsNamespace(net: Network, namespace: string): boolean {
  const tenants = net.spec?.AllowedTenants;
  return !tenants || tenants.length === 0 || tenants.includes(namespace);
}

/** One address (or one L2 attachment) a Pod holds on a network, from its DanmEp. */
export interface AddressRow {
  address: string;
  family: 4 | 6 | null;
  pod: string;
  podNamespace: string;
  interface: string;
  host?: string;
  deviceId?: string;
  macAddress?: string;
  endpoint: string;
}

const held = (a: string | undefined): a is string => !!a && a !== "none";

export function addressRows(endpoints: DanmEp[]): AddressRow[] {
  const rows: AddressRow[] = [];
  for (const ep of endpoints) {
    const i = ep.spec?.Interface ?? {};
    const base = {
      pod: ep.spec?.Pod ?? "",
      podNamespace: ep.metadata.namespace ?? "",
      interface: i.Name ?? "",
      endpoint: ep.metadata.name ?? "",
      ...(ep.spec?.Host ? { host: ep.spec.Host } : {}),
      ...(i.DeviceID ? { deviceId: i.DeviceID } : {}),
      ...(i.MacAddress ? { macAddress: i.MacAddress } : {}),
    };
    const v6 = i.AddressIPv6;
    if (held(i.Address)) rows.push({ ...base, address: i.Address, family: 4 });
    if (held(v6)) rows.push({ ...base, address: v6, family: 6 });
    if (!held(i.Address) && !held(v6)) rows.push({ ...base, address: "", family: null });
  }
  const key = (r: AddressRow) => (r.address ? tryParseIp(stripPrefix(r.address))?.value : undefined);
  return rows.sort((a, b) => {
    if ((a.family ?? 9) !== (b.family ?? 9)) return (a.family ?? 9) - (b.family ?? 9);
    const x = key(a);
    const y = key(b);
    if (x !== undefined && y !== undefined && x !== y) return x < y ? -1 : 1;
    return `${a.podNamespace}/${a.pod}/${a.interface}`.localeCompare(`${b.podNamespace}/${b.pod}/${b.interface}`);
  });
}

export async function readNetwork(kube: KubeRest, kind: z.infer<typeof NetworkKind>, namespace: string | undefined, name: string): Promise<Network> {
  try {
    return await kube.call<Network>(danmPath(kind, kind === "ClusterNetwork" ? undefined : namespace, name));
  } catch (e) {
    throw kubeToTrpc(e);
  }
}

export const Target = z.object({ kind: NetworkKind, namespace: ObjectName.optional(), name: ObjectName });

export const networksRouter = router({
  /** Namespaces the person may pick: where they may create TenantNetworks, and every tenant namespace for netadmins/operators. */
  namespaces: authedProcedure.query(async ({ ctx }) => {
    try {
      const roles = await rolesOf(ctx.identity, ctx.kube, () => tenantNamespaceCandidates(ctx.runtime));
      const everyNamespace = roles.netadmin || roles.operator;
      const namespaces = everyNamespace
        ? [...new Set([...roles.tenantNamespaces, ...(await tenantNamespaceCandidates(ctx.runtime))])].sort()
        : roles.tenantNamespaces;
      return { namespaces, writable: roles.tenantNamespaces, everyNamespace };
    } catch (e) {
      throw kubeToTrpc(e);
    }
  }),

  /**
   * The TenantNetworks of a namespace and the ClusterNetworks it may attach to; without a namespace,
   * every TenantNetwork and ClusterNetwork (only for those Kubernetes lets list cluster-wide).
   * With `limit`, only the first `limit` TenantNetworks in the list's order (one chunk of the API
   * server's paginated list, as kubectl reads long lists), and `complete` says whether that was all:
   * the console shows them while the whole list loads.
   */
  list: authedProcedure
    .input(z.object({ namespace: ObjectName.optional(), limit: z.number().int().min(1).max(500).optional() }))
    .query(async ({ ctx, input }) => {
      try {
        const [tenant, cluster] = await Promise.all([
          ctx.kube.call<{ items: Network[]; metadata?: { continue?: string } }>(
            danmPath("TenantNetwork", input.namespace),
            input.limit ? { query: { limit: String(input.limit) } } : {},
          ),
          listObjects<Network>(ctx.kube, "ClusterNetwork"),
        ]);
        return {
          namespace: input.namespace ?? null,
          tenantNetworks: tenant.items.map(networkRow).sort(storageOrder),
          clusterNetworks: cluster
            .filter((n) => !input.namespace || admitsNamespace(n, input.namespace))
            .map(networkRow)
            .sort(storageOrder),
          complete: !tenant.metadata?.continue,
        };
      } catch (e) {
        throw kubeToTrpc(e);
      }
    }),

  /** One network as stored (for the YAML view and the edit form) and its summary. */
  get: authedProcedure.input(Target).query(async ({ ctx, input }) => {
    const object = await readNetwork(ctx.kube, input.kind, input.namespace, input.name);
    return { object, row: networkRow(object) };
  }),

  /**
   * Every address in use on a network and the Pod and interface holding it (from the DanmEps), plus
   * addresses the bitmaps hold that no DanmEp holds. For a ClusterNetwork, `inNamespace` limits the
   * endpoints to one namespace (a tenant may not list DanmEps cluster-wide); the unheld addresses are
   * then not computed, since Pods elsewhere may hold them.
   */
  addresses: authedProcedure.input(Target.extend({ inNamespace: ObjectName.optional() })).query(async ({ ctx, input }) => {
    const net = await readNetwork(ctx.kube, input.kind, input.namespace, input.name);
    const scope = input.kind === "ClusterNetwork" ? input.inNamespace : net.metadata.namespace;
    let endpoints: DanmEp[];
    try {
      endpoints = await listObjects<DanmEp>(ctx.kube, "DanmEp", scope);
    } catch (e) {
      throw kubeToTrpc(e);
    }
    const using = endpointsUsing(net, endpoints);
    const rows = addressRows(using);
    const complete = input.kind !== "ClusterNetwork" || !input.inNamespace;
    const unheld = complete
      ? leakedAddresses(
          net.spec?.Options ?? {},
          using.map((ep) => ({ ip: ep.spec?.Interface?.Address, ip6: ep.spec?.Interface?.AddressIPv6 })),
        )
      : { ip: [], ip6: [] };
    return { network: networkRow(net), scope: scope ?? null, complete, rows, unheld };
  }),
});
