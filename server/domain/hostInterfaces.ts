// Host interfaces of netwatcher (danm-spec §12.2): which VLAN / VxLAN interfaces the networks want
// on a node, and the plan that turns the node's links into that set. Pure: the node agent
// (server/agent/) reads the links and applies the plan.
//
// Design decision 12: an interface shared by several networks (same name and parameters) is
// reference-counted — it stays while any network wants it and is removed with the last user.
// The agent marks what it creates with the alias OWNER_ALIAS and never removes anything else.
import { vlanInterfaceName, vxlanInterfaceName, type NetworkObject } from "./api/network";
import { nadHostInterface, nadLabel, readNad, type NetworkAttachmentDefinition } from "./networkAttachmentDefinition";
import { networkLabel, networkRefOf } from "./networkRef";

/** What may want a host interface: a network of the danm kinds (§12.2) or a NAD (§12.3). */
export type HostInterfaceSource = NetworkObject | NetworkAttachmentDefinition;

export const OWNER_ALIAS = "tenet:owned";
export const VXLAN_UDP_PORT = 4789;

export type HostInterfaceKind = "vlan" | "vxlan";

export interface DesiredInterface {
  /** `<NetworkID>.<vlan>` or `vx_<NetworkID>`. */
  name: string;
  kind: HostInterfaceKind;
  /** 802.1Q id or VNI. */
  id: number;
  /** host_device: the lower device. */
  parent: string;
  /** The networks that want it, e.g. "TenantNetwork team-a/sig" or "ClusterNetwork core". */
  users: string[];
}

/** A link as the agent found it on the node. */
export interface ActualInterface {
  name: string;
  /** Link kind as the kernel names it ("vxlan", "vlan", "veth", "" for physical NICs). */
  kind: string;
  id?: number;
  parent?: string;
  ownedByTenet: boolean;
  up: boolean;
  /** Interface group as ip prints it ("default" or a number). */
  group?: string;
  /** MTU the kernel reports (for the node status). */
  mtu?: number;
}

export interface HostInterfaceConflict {
  name: string;
  users: string[];
  reason: string;
}

export interface HostInterfacePlan {
  /** Interfaces to create (set up and marked owned). An owned interface with the right name but
   * other parameters is in both `remove` and `create` (replaced). */
  create: DesiredInterface[];
  /** Owned interfaces no network wants any more (or that are replaced). */
  remove: ActualInterface[];
  /** Owned interfaces with the right parameters that are down. */
  bringUp: DesiredInterface[];
  /** Interfaces the agent leaves alone, with the reason. */
  conflicts: HostInterfaceConflict[];
}

function userOf(source: HostInterfaceSource): string {
  if (source.kind === "NetworkAttachmentDefinition") return nadLabel(source);
  return networkLabel(networkRefOf(source));
}

/**
 * The host interfaces the networks want (§12.2): only when `host_device` is non-empty and `vlan` or
 * `vxlan` is non-zero; NetworkType is irrelevant. Networks without a NetworkID (which the mutating
 * webhook makes mandatory) want nothing. A NAD wants what its CNI config names (§12.3, NAD-1..4;
 * an ignored or invalid one wants nothing). Sources asking for the same name with the same
 * parameters share one entry; the same name with different parameters gives several entries,
 * which planHostInterfaces reports as a conflict.
 */
export function desiredHostInterfaces(networks: readonly HostInterfaceSource[]): DesiredInterface[] {
  const byKey = new Map<string, DesiredInterface>();
  const want = (name: string, kind: HostInterfaceKind, id: number, parent: string, user: string) => {
    const key = `${name}\u0000${kind}\u0000${id}\u0000${parent}`;
    const entry = byKey.get(key);
    if (entry) {
      if (!entry.users.includes(user)) entry.users.push(user);
    } else byKey.set(key, { name, kind, id, parent, users: [user] });
  };
  for (const network of networks) {
    if (network.kind === "NetworkAttachmentDefinition") {
      const d = nadHostInterface(readNad(network));
      if (d) want(d.name, d.kind, d.id, d.parent, userOf(network));
      continue;
    }
    const networkId = network.spec?.NetworkID;
    const options = network.spec?.Options;
    const parent = options?.host_device;
    if (!networkId || !parent) continue;
    if (options.vlan) want(vlanInterfaceName(networkId, options.vlan), "vlan", options.vlan, parent, userOf(network));
    if (options.vxlan) want(vxlanInterfaceName(networkId), "vxlan", options.vxlan, parent, userOf(network));
  }
  const out = [...byKey.values()];
  for (const d of out) d.users.sort();
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.kind.localeCompare(b.kind) || a.id - b.id || a.parent.localeCompare(b.parent)));
}

/**
 * Linux accepts names of 1..15 bytes without "/", ":" or white space (dev_valid_name); quotes,
 * "#" and "\" are refused too because the agent passes names through `ip -batch`.
 */
export function isValidInterfaceName(name: string): boolean {
  return name.length > 0 && utf8Length(name) <= 15 && name !== "." && name !== ".." && !/[\s/:"'#\\]/.test(name);
}

const utf8Length = (s: string) => new TextEncoder().encode(s).length;

const describeDesired = (d: DesiredInterface) => `${d.kind} ${d.id} on ${d.parent}`;

export function interfaceMatches(actual: ActualInterface, desired: DesiredInterface): boolean {
  return actual.kind === desired.kind && actual.id === desired.id && actual.parent === desired.parent;
}

/** Turns the node's links into the desired set, touching only interfaces marked as owned. */
export function planHostInterfaces(desired: readonly DesiredInterface[], actual: readonly ActualInterface[]): HostInterfacePlan {
  const plan: HostInterfacePlan = { create: [], remove: [], bringUp: [], conflicts: [] };
  const actualByName = new Map(actual.map((a) => [a.name, a]));
  const wanted = new Map<string, DesiredInterface[]>();
  for (const d of desired) wanted.set(d.name, [...(wanted.get(d.name) ?? []), d]);

  for (const [name, defs] of wanted) {
    const users = [...new Set(defs.flatMap((d) => d.users))].sort();
    const existing = actualByName.get(name);
    if (!isValidInterfaceName(name)) {
      plan.conflicts.push({
        name,
        users,
        reason: `"${name}" is not a valid Linux interface name (1 to 15 characters, no "/", ":", spaces or quotes); shorten the NetworkID`,
      });
      continue;
    }
    if (defs.length > 1) {
      const wants = defs.map((d) => `${describeDesired(d)} by ${d.users.join(", ")}`).join("; ");
      plan.conflicts.push({ name, users, reason: `${name} is wanted with different parameters: ${wants}; nothing is changed until they agree` });
      continue;
    }
    const d = defs[0];
    if (existing && !existing.ownedByTenet) {
      const same = interfaceMatches(existing, d) ? " (with the same parameters; set its alias to " + OWNER_ALIAS + " to let tenet manage it)" : "";
      plan.conflicts.push({ name, users, reason: `${name} already exists on this node and was not created by tenet; it is left alone${same}` });
      continue;
    }
    if (existing && interfaceMatches(existing, d)) {
      if (!existing.up) plan.bringUp.push(d);
      continue;
    }
    if (!actualByName.has(d.parent)) {
      plan.conflicts.push({
        name,
        users,
        reason: `host_device "${d.parent}" does not exist on this node, so ${name} (${describeDesired(d)}) cannot be created`,
      });
      continue;
    }
    if (existing) plan.remove.push(existing);
    plan.create.push(d);
  }
  for (const a of actual) if (a.ownedByTenet && !wanted.has(a.name)) plan.remove.push(a);
  return plan;
}

export interface InterfaceAddress {
  family: "inet" | "inet6";
  address: string;
  scope: string;
}

/**
 * VTEP addressing of a VxLAN host interface (§12.2): the first global IPv4 of the lower device with
 * multicast group 239.0.0.0 + VNI; without a global IPv4, the first global IPv6 with group
 * ff02:: + VNI; undefined when the device has neither.
 */
export function vxlanEndpoints(vni: number, addresses: readonly InterfaceAddress[]): { local: string; group: string } | undefined {
  const v4 = addresses.find((a) => a.family === "inet" && a.scope === "global");
  if (v4) {
    const g = (239 * 2 ** 24 + vni) >>> 0;
    return { local: v4.address, group: [g >>> 24, (g >>> 16) & 255, (g >>> 8) & 255, g & 255].join(".") };
  }
  const v6 = addresses.find((a) => a.family === "inet6" && a.scope === "global");
  if (v6) {
    const hi = Math.floor(vni / 65536);
    const lo = vni % 65536;
    return { local: v6.address, group: hi ? `ff02::${hi.toString(16)}:${lo.toString(16)}` : `ff02::${lo.toString(16)}` };
  }
  return undefined;
}
