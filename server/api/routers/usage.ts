// The usage area of the console's API (operator views): utilisation per network and tenant, the
// address map of one network, its usage history with an exhaustion forecast, and the addresses in
// use (the CSV export at app/api/usage/addresses.csv calls `addresses` through this router).
//
// Networks are read as the signed-in person, so the API server decides what they may see: a tenant
// cannot list networks across namespaces and gets FORBIDDEN for the cluster-wide overview.
// DanmEps (who holds each address) come from the console's shared DanmEp watch, filtered to what
// the person may list (SelfSubjectAccessReview as the person, cached briefly): listing 30,000
// endpoints from the API server on every map view would take seconds.
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import type { DanmEp } from "../../domain/api/danmEp";
import { NETWORK_KINDS, type NetworkObject } from "../../domain/api/network";
import { networkKey, networkRefOf } from "../../domain/networkRef";
import { endpointsUsing } from "../../domain/rules/networkIdentity";
import { addressesInUse, type AddressInUse } from "../../domain/usage/addressesInUse";
import { networkAddresses } from "../../domain/usage/addressMap";
import { exhaustionForecast } from "../../domain/usage/forecast";
import { networkUsage, usageOverview } from "../../domain/usage/pressure";
import { usageHistory } from "../../db/usage";
import { canI, danmPath } from "../../kube/access";
import { type Identity, type KubeRest } from "../../kube/rest";
import { KubeError } from "../../kube/errors";
import type { ConsoleRuntime } from "../runtime";
import { authedProcedure, kubeToTrpc, router } from "../trpc";
import { listObjects, ObjectName } from "./objects";

const NetworkKind = z.enum(NETWORK_KINDS);
const NetworkTarget = z.object({ kind: NetworkKind, namespace: ObjectName.optional(), name: ObjectName });
type NetworkTarget = z.infer<typeof NetworkTarget>;

interface Person {
  identity: Identity;
  kube: KubeRest;
  runtime: ConsoleRuntime;
}

const LIST_TTL_MS = 10_000;
const listCache = new Map<string, { at: number; value: Promise<boolean> }>();

/** May this person list DanmEps (in `namespace`, or cluster-wide)? Asked as the person, cached a few seconds. */
function mayListEndpoints(p: Person, namespace: string | undefined, now = Date.now()): Promise<boolean> {
  const key = `${p.identity.user}\u0000${[...p.identity.groups].sort().join("\u0000")}\u0001${namespace ?? "*"}`;
  const hit = listCache.get(key);
  if (hit && now - hit.at < LIST_TTL_MS) return hit.value;
  const value = canI(p.kube, { verb: "list", resource: "danmeps", namespace });
  listCache.set(key, { at: now, value });
  value.catch(() => listCache.delete(key));
  if (listCache.size > 10_000) listCache.clear();
  return value;
}

/** Counts the shared DanmEp watch's changes, so results derived from the endpoints can be reused until one. */
const endpointGenerations = new WeakMap<object, { value: number }>();

/** Every DanmEp of the cluster, from the shared watch (complete after its first list), and its generation. */
async function endpointsWithGeneration(runtime: ConsoleRuntime): Promise<{ endpoints: DanmEp[]; generation: number }> {
  const watch = runtime.live.watch("DanmEp");
  let generation = endpointGenerations.get(watch);
  if (!generation) {
    const g = { value: 0 };
    endpointGenerations.set(watch, (generation = g));
    watch.onEvent(() => g.value++);
  }
  await watch.start();
  return { endpoints: watch.list() as unknown as DanmEp[], generation: generation.value };
}

async function allEndpoints(runtime: ConsoleRuntime): Promise<DanmEp[]> {
  return (await endpointsWithGeneration(runtime)).endpoints;
}

type AddressesResult = ReturnType<typeof networkAddresses>;
/** The map of a network for viewers who see all its DanmEps, per network version and endpoint generation. */
const mapCache = new Map<string, { key: string; value: AddressesResult }>();

async function fullNetworkAddresses(runtime: ConsoleRuntime, net: NetworkObject): Promise<AddressesResult> {
  const id = networkKey(networkRefOf(net));
  const { endpoints, generation } = await endpointsWithGeneration(runtime);
  const key = `${net.metadata.uid ?? ""}/${net.metadata.resourceVersion ?? ""}/${generation}`;
  const hit = mapCache.get(id);
  if (hit && hit.key === key && net.metadata.resourceVersion) return hit.value;
  const value = networkAddresses(net, endpointsUsing(net, endpoints), true);
  if (mapCache.size > 200) mapCache.clear();
  mapCache.set(id, { key, value });
  return value;
}

/** The DanmEps of `net` this person may see, and whether that is all of them. */
async function visibleEndpoints(p: Person, net: NetworkObject): Promise<{ endpoints: DanmEp[]; complete: boolean }> {
  const clusterWide = net.kind === "ClusterNetwork";
  const allowed = await mayListEndpoints(p, clusterWide ? undefined : net.metadata.namespace);
  if (allowed) return { endpoints: endpointsUsing(net, await allEndpoints(p.runtime)), complete: true };
  if (!clusterWide) return { endpoints: [], complete: false };
  // a tenant looking at a ClusterNetwork sees the holders in the namespaces they may read
  const using = endpointsUsing(net, await allEndpoints(p.runtime));
  const namespaces = [...new Set(using.map((ep) => ep.metadata.namespace ?? ""))];
  const readable = new Set(
    (await Promise.all(namespaces.map(async (ns) => ((await mayListEndpoints(p, ns)) ? ns : undefined)))).filter((ns) => ns !== undefined),
  );
  return { endpoints: using.filter((ep) => readable.has(ep.metadata.namespace ?? "")), complete: false };
}

function namespaceOf(t: NetworkTarget): string | undefined {
  if (t.kind === "ClusterNetwork") return undefined;
  if (!t.namespace) throw new TRPCError({ code: "BAD_REQUEST", message: `${t.kind} is namespaced: give a namespace` });
  return t.namespace;
}

async function getNetwork(kube: KubeRest, t: NetworkTarget): Promise<NetworkObject> {
  try {
    return await kube.call<NetworkObject>(danmPath(t.kind, namespaceOf(t), t.name));
  } catch (e) {
    throw kubeToTrpc(e);
  }
}

/** Every network of the cluster, listed as the person; a tenant is told why they may not. */
async function allNetworks(kube: KubeRest): Promise<NetworkObject[]> {
  try {
    return (await Promise.all(NETWORK_KINDS.map((k) => listObjects<NetworkObject>(kube, k)))).flat();
  } catch (e) {
    if (e instanceof KubeError && e.status === 403) {
      throw new TRPCError({
        code: "FORBIDDEN",
        message: `IP usage across the cluster needs read access to the networks of every namespace (the tenet:operator or tenet:netadmin role); Kubernetes said: ${e.message}`,
        cause: e,
      });
    }
    throw kubeToTrpc(e);
  }
}

async function networkRows(p: Person, net: NetworkObject): Promise<AddressInUse[]> {
  const { endpoints } = await visibleEndpoints(p, net);
  return addressesInUse(net, endpoints);
}

export const usageRouter = router({
  /** Utilisation of every network and tenant, most pressed first (operators, netadmins). */
  overview: authedProcedure.query(async ({ ctx }) => {
    const networks = await allNetworks(ctx.kube);
    return { ...usageOverview(networks), at: new Date().toISOString() };
  }),

  /** One network: its utilisation, the address map of its IPv4 pool (up to a /16) and IPv6 counts. */
  network: authedProcedure.input(NetworkTarget).query(async ({ ctx, input }) => {
    const net = await getNetwork(ctx.kube, input);
    const everyHolder = await mayListEndpoints(ctx, net.kind === "ClusterNetwork" ? undefined : net.metadata.namespace);
    if (everyHolder) return { usage: networkUsage(net), ...(await fullNetworkAddresses(ctx.runtime, net)) };
    const { endpoints, complete } = await visibleEndpoints(ctx, net);
    return { usage: networkUsage(net), ...networkAddresses(net, endpoints, complete) };
  }),

  /** Usage samples of one network (written by the controllers' usage sampler) and the exhaustion forecast. */
  history: authedProcedure
    .input(
      NetworkTarget.extend({
        hours: z
          .number()
          .int()
          .min(1)
          .max(24 * 30)
          .default(24 * 7),
      }),
    )
    .query(async ({ ctx, input }) => {
      // the person must be able to read the network to read its history
      await getNetwork(ctx.kube, input);
      const since = new Date(Date.now() - input.hours * 3_600_000);
      const points = await usageHistory(ctx.runtime.db, { kind: input.kind, namespace: namespaceOf(input) ?? "", name: input.name }, since);
      const v4 = points.some((p) => p.v4Total > 0);
      const samples = points.map((p) => ({ at: Date.parse(p.at), used: v4 ? p.v4Used : Number(p.v6Used), total: v4 ? p.v4Total : Number(p.v6Total) }));
      return {
        family: v4 ? 4 : 6,
        points: points.map((p) => ({ at: p.at, used: v4 ? p.v4Used : Number(p.v6Used), total: v4 ? p.v4Total : Number(p.v6Total) })),
        forecast: exhaustionForecast(samples),
      };
    }),

  /** The addresses in use on one network, or (without a target) on every network of the cluster. */
  addresses: authedProcedure
    .input(z.object({ kind: NetworkKind, namespace: ObjectName.optional(), name: ObjectName }).optional())
    .query(async ({ ctx, input }) => {
      if (input) return networkRows(ctx, await getNetwork(ctx.kube, input));
      const networks = await allNetworks(ctx.kube);
      if (!(await mayListEndpoints(ctx, undefined)))
        throw new TRPCError({
          code: "FORBIDDEN",
          message: "the addresses of every network need read access to the DanmEps of every namespace (the tenet:operator or tenet:netadmin role)",
        });
      const endpoints = await allEndpoints(ctx.runtime);
      return networks.flatMap((net) => addressesInUse(net, endpointsUsing(net, endpoints)));
    }),
});
