// The nodes area of the console's API (netadmins): every node with its agent's NodeNetworkStatus,
// a grid of nodes × host interfaces the networks (and NetworkAttachmentDefinitions, where the
// cluster serves them) want, and one node's details. Read as the
// signed-in person: without RBAC on nodes and nodenetworkstatuses the API server refuses (FORBIDDEN).
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { NETWORK_KINDS, type NetworkObject } from "../../domain/api/network";
import type { NodeNetworkStatus, NodeNetworkStatusBody } from "../../domain/api/nodeStatus";
import { heartbeatStale, hostInterfaceColumns, networkCell, STALE_HEARTBEATS, type NetworkCell } from "../../domain/nodeNetworkStatus";
import { danmPath } from "../../kube/access";
import { listNetworkAttachmentDefinitions } from "../../kube/networkAttachmentDefinitions";
import { type KubeRest } from "../../kube/rest";
import { KubeError } from "../../kube/errors";
import { authedProcedure, router } from "../trpc";
import { listObjects, ObjectName } from "./objects";

interface NodeObject {
  metadata: { name?: string; labels?: Record<string, string>; creationTimestamp?: string };
}

async function listNodes(kube: KubeRest): Promise<NodeObject[]> {
  return (await kube.call<{ items: NodeObject[] }>("/api/v1/nodes")).items;
}

function nodeSummary(name: string, node: NodeObject | undefined, status: NodeNetworkStatusBody | undefined, now: number) {
  const ready = status?.conditions.find((c) => c.type === "Ready");
  const degraded = status?.conditions.find((c) => c.type === "Degraded");
  return {
    name,
    /** Whether a Node object exists (a status may outlive its node). */
    nodeExists: !!node,
    simulated: node?.metadata.labels?.["tenet.dev/simulated"] === "true",
    /** A real node (kubelet) whose SR-IOV inventory is a prepared sysfs tree: the local cluster's real nodes. */
    sriovSimulated: node?.metadata.labels?.["tenet.dev/sriov"] === "simulated",
    reporting: !!status,
    stale: heartbeatStale(status, now),
    staleAfterSeconds: status ? STALE_HEARTBEATS * status.heartbeatSeconds : undefined,
    heartbeat: status?.heartbeat,
    applying: status?.applying,
    notAppliedReason: status?.notAppliedReason,
    netns: status?.netns,
    ready: ready ? { status: ready.status, reason: ready.reason, message: ready.message } : undefined,
    degraded: degraded ? { status: degraded.status, reason: degraded.reason, message: degraded.message } : undefined,
    summary: status?.summary,
    pools: (status?.sriovPools ?? []).map((p) => ({ name: p.name, total: p.total, allocated: p.allocated, free: p.free, error: p.error })),
  };
}

export const nodesRouter = router({
  /** Every node (Node objects and agent reports), the host interfaces the networks want, and each one's state per node. */
  overview: authedProcedure.query(async ({ ctx }) => {
    const [nodes, statuses, networks, nads] = await Promise.all([
      listNodes(ctx.kube),
      listObjects<NodeNetworkStatus>(ctx.kube, "NodeNetworkStatus"),
      Promise.all(NETWORK_KINDS.map((k) => listObjects<NetworkObject>(ctx.kube, k))).then((l) => l.flat()),
      // NADs add columns; a person who may not list them still gets the rest of the view
      listNetworkAttachmentDefinitions(ctx.kube).catch((e: unknown) => {
        if (e instanceof KubeError && e.status === 403) return [];
        throw e;
      }),
    ]);
    const now = Date.now();
    const statusByNode = new Map(statuses.map((s) => [s.metadata.name ?? "", s.status]));
    const nodeByName = new Map(nodes.map((n) => [n.metadata.name ?? "", n]));
    const names = [...new Set([...nodeByName.keys(), ...statusByNode.keys()])].filter(Boolean).sort();
    const columns = hostInterfaceColumns([...networks, ...nads]);
    const cells: Record<string, Record<string, NetworkCell>> = {};
    for (const name of names) {
      cells[name] = {};
      for (const c of columns) cells[name][c.key] = networkCell(statusByNode.get(name), c.interface, now);
    }
    return { now: new Date(now).toISOString(), nodes: names.map((n) => nodeSummary(n, nodeByName.get(n), statusByNode.get(n), now)), columns, cells };
  }),

  /** One node: its agent's report in full (interfaces with errors, VFs with Pods). */
  get: authedProcedure.input(z.object({ name: ObjectName })).query(async ({ ctx, input }) => {
    const missing = (e: unknown) => {
      if (e instanceof KubeError && e.status === 404) return undefined;
      throw e;
    };
    const [node, status] = await Promise.all([
      ctx.kube.call<NodeObject>(`/api/v1/nodes/${encodeURIComponent(input.name)}`).catch(missing),
      ctx.kube.call<NodeNetworkStatus>(danmPath("NodeNetworkStatus", undefined, input.name)).catch(missing),
    ]);
    if (!node && !status) throw new TRPCError({ code: "NOT_FOUND", message: `node ${input.name} does not exist and no node agent reports for it` });
    const now = Date.now();
    return {
      ...nodeSummary(input.name, node, status?.status, now),
      lastReconcile: status?.status?.lastReconcile,
      conditions: status?.status?.conditions ?? [],
      hostInterfaces: status?.status?.hostInterfaces ?? [],
      sriovPools: status?.status?.sriovPools ?? [],
    };
  }),
});
