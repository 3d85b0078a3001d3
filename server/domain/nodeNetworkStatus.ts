// The content of a NodeNetworkStatus (api/nodeStatus.ts), built from what the node agent found,
// and how the console reads it back (stale heartbeats, one cell per node and network). Pure.
import type { HostInterfaceState, HostInterfaceStatus, NodeCondition, NodeNetworkStatusBody, SriovPoolStatus } from "./api/nodeStatus";
import {
  desiredHostInterfaces,
  interfaceMatches,
  type ActualInterface,
  type DesiredInterface,
  type HostInterfaceConflict,
  type HostInterfaceSource,
} from "./hostInterfaces";

export const DEFAULT_HEARTBEAT_SECONDS = 30;
/** A heartbeat older than this many intervals means the agent is gone. */
export const STALE_HEARTBEATS = 3;

export interface InterfaceFailure {
  name: string;
  error: string;
}

export interface NodeObservation {
  node: string;
  heartbeatSeconds: number;
  /** Undefined when the agent applies; otherwise why it does not. */
  notAppliedReason?: string;
  netns?: string;
  desired: readonly DesiredInterface[];
  /** The node's links after the last reconcile (with MTU), when they could be read. */
  links?: readonly ActualInterface[];
  failed: readonly InterfaceFailure[];
  conflicts: readonly HostInterfaceConflict[];
  /** The whole reconcile failed (e.g. `ip link show` could not run). */
  reconcileError?: string;
  lastReconcile?: string;
  pools: readonly SriovPoolStatus[];
}

/** Everything of the status except the heartbeat. */
export type NodeStatusContent = Omit<NodeNetworkStatusBody, "heartbeat">;

function interfaceStatus(d: DesiredInterface, o: NodeObservation): HostInterfaceStatus {
  const base = { name: d.name, networks: [...d.users], kind: d.kind, vni: d.id, parent: d.parent };
  const at = (state: HostInterfaceState, error?: string, mtu?: number): HostInterfaceStatus => ({
    ...base,
    ...(mtu !== undefined ? { mtu } : {}),
    state,
    ...(error ? { error } : {}),
  });
  if (o.notAppliedReason) return at("NotApplied", o.notAppliedReason);
  const failure = o.failed.find((f) => f.name === d.name);
  if (failure) return at("Failed", failure.error);
  const conflict = o.conflicts.find((c) => c.name === d.name);
  if (conflict) return at("Failed", conflict.reason);
  const link = o.links?.find((l) => l.name === d.name);
  if (link && link.ownedByTenet && link.up && interfaceMatches(link, d)) return at("Present", undefined, link.mtu);
  if (o.reconcileError) return at("Missing", o.reconcileError);
  return at("Missing");
}

function condition(
  type: string,
  status: NodeCondition["status"],
  reason: string,
  message: string,
  previous: readonly NodeCondition[] | undefined,
  now: string,
): NodeCondition {
  const before = previous?.find((c) => c.type === type);
  return { type, status, reason, message, lastTransitionTime: before && before.status === status ? before.lastTransitionTime : now };
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** The status content for an observation; conditions keep their transition time while unchanged. */
export function nodeStatusContent(o: NodeObservation, previous: readonly NodeCondition[] | undefined, now: string): NodeStatusContent {
  const hostInterfaces = o.desired.map((d) => interfaceStatus(d, o));
  const count = (s: HostInterfaceState) => hostInterfaces.filter((i) => i.state === s).length;
  const failed = count("Failed");
  const missing = count("Missing");
  const brokenPools = o.pools.filter((p) => p.error);
  const vfsUsed = o.pools.reduce((n, p) => n + p.allocated, 0);
  const vfsTotal = o.pools.reduce((n, p) => n + p.total, 0);

  let ready: NodeCondition;
  if (o.notAppliedReason)
    ready = condition("Ready", "False", "NotApplied", `the agent does not create host interfaces on this node: ${o.notAppliedReason}`, previous, now);
  else if (o.reconcileError) ready = condition("Ready", "False", "ReconcileFailed", o.reconcileError, previous, now);
  else if (failed)
    ready = condition("Ready", "False", "InterfacesFailed", `${plural(failed, "host interface")} of ${hostInterfaces.length} failed`, previous, now);
  else if (missing) ready = condition("Ready", "False", "InterfacesMissing", `${plural(missing, "host interface")} not created yet`, previous, now);
  else if (brokenPools.length)
    ready = condition("Ready", "False", "PoolUnreadable", `SR-IOV pool ${brokenPools.map((p) => p.name).join(", ")} could not be read`, previous, now);
  else
    ready = condition(
      "Ready",
      "True",
      "AllPresent",
      `${plural(hostInterfaces.length, "host interface")} present, ${plural(o.pools.length, "SR-IOV pool")} read`,
      previous,
      now,
    );

  const problems = [
    o.reconcileError && "the node's links could not be read",
    failed && `${plural(failed, "host interface")} failed`,
    brokenPools.length && `${plural(brokenPools.length, "SR-IOV pool")} unreadable`,
  ].filter(Boolean);
  const degraded = problems.length
    ? condition("Degraded", "True", o.reconcileError ? "ReconcileFailed" : failed ? "InterfacesFailed" : "PoolUnreadable", problems.join("; "), previous, now)
    : condition("Degraded", "False", "NoFailures", "nothing failed", previous, now);

  const content: NodeStatusContent = {
    nodeName: o.node,
    applying: !o.notAppliedReason,
    heartbeatSeconds: o.heartbeatSeconds,
    hostInterfaces,
    sriovPools: [...o.pools],
    conditions: [ready, degraded],
    summary: { interfaces: hostInterfaces.length, present: count("Present"), failed, vfs: `${vfsUsed}/${vfsTotal}` },
  };
  if (o.notAppliedReason) content.notAppliedReason = o.notAppliedReason;
  if (o.netns) content.netns = o.netns;
  if (o.lastReconcile) content.lastReconcile = o.lastReconcile;
  return content;
}

/** Whether two contents differ in anything but lastReconcile (which changes on every periodic pass). */
export function statusContentChanged(a: NodeStatusContent | undefined, b: NodeStatusContent): boolean {
  if (!a) return true;
  const strip = (c: NodeStatusContent) => JSON.stringify({ ...c, lastReconcile: undefined });
  return strip(a) !== strip(b);
}

/** Whether the agent behind a status has stopped writing (heartbeat older than 3 intervals, or none). */
export function heartbeatStale(status: Pick<NodeNetworkStatusBody, "heartbeat" | "heartbeatSeconds"> | undefined, nowMs: number): boolean {
  if (!status?.heartbeat) return true;
  const at = Date.parse(status.heartbeat);
  if (Number.isNaN(at)) return true;
  const interval = status.heartbeatSeconds > 0 ? status.heartbeatSeconds : DEFAULT_HEARTBEAT_SECONDS;
  return nowMs - at > STALE_HEARTBEATS * interval * 1000;
}

export type CellState = HostInterfaceState | "NoAgent";

export interface NetworkCell {
  state: CellState;
  error?: string;
  /** The node's report is older than 3 heartbeats: the state may be out of date. */
  stale: boolean;
}

/** The state on one node of the host interface one network wants (console grid of nodes × networks). */
export function networkCell(status: NodeNetworkStatusBody | undefined, interfaceName: string, nowMs: number): NetworkCell {
  if (!status) return { state: "NoAgent", error: "no node agent has reported for this node", stale: true };
  const stale = heartbeatStale(status, nowMs);
  const entry = status.hostInterfaces.find((i) => i.name === interfaceName);
  if (!entry)
    return {
      state: status.applying ? "Missing" : "NotApplied",
      error: status.applying ? "the agent has not seen this network yet" : status.notAppliedReason,
      stale,
    };
  return { state: entry.state, ...(entry.error ? { error: entry.error } : {}), stale };
}

export interface HostInterfaceColumn {
  /** "<kind>/<namespace>/<name>/<interface>", unique per column. */
  key: string;
  networkKind: string;
  namespace?: string;
  network: string;
  interface: string;
  interfaceKind: "vlan" | "vxlan";
  vni: number;
  parent: string;
}

/** One column per host interface a network or NAD wants (a network with a VLAN and a VxLAN gives two), ordered by kind, namespace, name. */
export function hostInterfaceColumns(networks: readonly HostInterfaceSource[]): HostInterfaceColumn[] {
  const columns = networks.flatMap((n) =>
    desiredHostInterfaces([n]).map((d) => ({
      key: `${n.kind}/${n.metadata.namespace ?? ""}/${n.metadata.name ?? ""}/${d.name}`,
      networkKind: n.kind,
      ...(n.metadata.namespace ? { namespace: n.metadata.namespace } : {}),
      network: n.metadata.name ?? "",
      interface: d.name,
      interfaceKind: d.kind,
      vni: d.id,
      parent: d.parent,
    })),
  );
  const order = (c: HostInterfaceColumn) => [c.networkKind === "ClusterNetwork" ? 0 : 1, c.namespace ?? "", c.network, c.interface].join("\u0000");
  return columns.sort((a, b) => (order(a) < order(b) ? -1 : order(a) > order(b) ? 1 : 0));
}
