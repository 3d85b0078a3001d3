// The network of the local default's real nodes. Each node is a network namespace; a "fabric"
// namespace holds one bridge per wire, so the nodes share a real underlay:
//
//   host ── tnt-<id> (10.251.X.1) ══ fabric: bridge mgmt ══ eth0 of every node (10.251.X.1N)
//                                    fabric: bridge ens4 ══ ens4 of every node (10.101.0.N), …
//
// Only one veth end and its /24 enter the host's own namespace: the API server reaches kubelets
// through it. Nodes reach the API server through a proxy listening on 127.0.0.1:6443 inside their
// namespace (controlplane netns-proxy), so they need no route out and the API server stays on the
// host's loopback. Each node's Pods get the default network on a bridge with a per-node /24 of
// 10.244.0.0/16, routed between nodes over mgmt. The fabric bridges do not snoop multicast, so
// the VxLAN interfaces the node agents create flood to every node.
import { execFileSync } from "node:child_process";
import fs from "node:fs";

export interface NodeAddressing {
  name: string;
  index: number;
  netns: string;
  /** InternalIP on the mgmt wire */
  ip: string;
  /** The default network's Pod range on this node */
  podCidr: string;
}

export interface NodeFabric {
  /** "" for the repository's own .tenet, a short hash otherwise (tests run their own clusters) */
  id: string;
  /** X of 10.251.X.0/24 */
  subnet: number;
  fabricNetns: string;
  hostLink: string;
  hostIp: string;
  devices: string[];
  nodes: NodeAddressing[];
}

const ip = (args: string[]) => execFileSync("ip", args, { stdio: ["ignore", "pipe", "pipe"], encoding: "utf8" });
const quiet = (args: string[]) => {
  try {
    ip(args);
  } catch {
    // already gone
  }
};

export const netnsPath = (name: string) => `/var/run/netns/${name}`;

/** The mgmt subnets 10.251.X.0/24 that routes of the host's namespace already use. */
function usedSubnets(): Set<number> {
  const used = new Set<number>();
  for (const m of ip(["-4", "route", "show"]).matchAll(/^10\.251\.(\d+)\.0\/24/gm)) used.add(Number(m[1]));
  return used;
}

/** Plans the fabric of a cluster: names, a free mgmt subnet, per-node addresses. */
export function planFabric(id: string, nodeNames: string[], devices: string[], previous?: NodeFabric): NodeFabric {
  const prefix = id ? `tenet-${id}-` : "tenet-";
  const hostLink = `tnt-${id || "local"}`;
  let subnet = previous?.subnet;
  const used = usedSubnets();
  if (subnet === undefined || (used.has(subnet) && !linkExists(hostLink))) {
    subnet = Array.from({ length: 254 }, (_, i) => i + 1).find((x) => !used.has(x));
    if (subnet === undefined) throw new Error("no free subnet in 10.251.0.0/16 for the nodes' management network");
  }
  return {
    id,
    subnet,
    fabricNetns: `${prefix}fabric`,
    hostLink,
    hostIp: `10.251.${subnet}.1`,
    devices,
    nodes: nodeNames.map((name, i) => ({ name, index: i + 1, netns: `${prefix}${name}`, ip: `10.251.${subnet}.${11 + i}`, podCidr: `10.244.${i + 1}.0/24` })),
  };
}

function linkExists(name: string): boolean {
  try {
    ip(["link", "show", name]);
    return true;
  } catch {
    return false;
  }
}

const netnsExists = (name: string) => fs.existsSync(netnsPath(name));

/** Creates the fabric and every node namespace (anything left from an earlier run is removed first). */
export function createFabric(f: NodeFabric): void {
  destroyFabric(f);
  ip(["netns", "add", f.fabricNetns]);
  const inFabric = (args: string[]) => ip(["-n", f.fabricNetns, ...args]);
  inFabric(["link", "set", "lo", "up"]);
  for (const wire of ["mgmt", ...f.devices]) {
    inFabric(["link", "add", wire, "type", "bridge", "mcast_snooping", "0"]);
    inFabric(["link", "set", wire, "up"]);
  }
  ip(["link", "add", f.hostLink, "type", "veth", "peer", "name", "uplink", "netns", f.fabricNetns]);
  ip(["addr", "add", `${f.hostIp}/24`, "dev", f.hostLink]);
  ip(["link", "set", f.hostLink, "up"]);
  inFabric(["link", "set", "uplink", "master", "mgmt", "up"]);
  for (const node of f.nodes) {
    ip(["netns", "add", node.netns]);
    const inNode = (args: string[]) => ip(["-n", node.netns, ...args]);
    inNode(["link", "set", "lo", "up"]);
    const wires: [string, string][] = [["mgmt", "eth0"], ...f.devices.map((d) => [d, d] as [string, string])];
    for (const [wire, inside] of wires) {
      const port = `n${node.index}-${wire}`.slice(0, 15);
      inFabric(["link", "add", port, "type", "veth", "peer", "name", inside, "netns", node.netns]);
      inFabric(["link", "set", port, "master", wire, "up"]);
      inNode(["link", "set", inside, "up"]);
    }
    inNode(["addr", "add", `${node.ip}/24`, "dev", "eth0"]);
    f.devices.forEach((dev, i) => inNode(["addr", "add", `10.${100 + i}.0.${node.index}/24`, "dev", dev]));
    for (const other of f.nodes.filter((o) => o !== node)) inNode(["route", "add", other.podCidr, "via", other.ip]);
    // the Pods' default network is routed between nodes; each VxLAN joins a multicast group (default limit 20)
    ip(["netns", "exec", node.netns, "sysctl", "-qw", "net.ipv4.ip_forward=1", "net.ipv4.igmp_max_memberships=1024"]);
  }
}

/** Removes the node namespaces, the fabric and the host's veth end (idempotent). */
export function destroyFabric(f: Pick<NodeFabric, "fabricNetns" | "hostLink" | "nodes">): void {
  for (const node of f.nodes) if (netnsExists(node.netns)) quiet(["netns", "del", node.netns]);
  if (netnsExists(f.fabricNetns)) quiet(["netns", "del", f.fabricNetns]);
  if (linkExists(f.hostLink)) quiet(["link", "del", f.hostLink]);
}

/** The default network's delegate config on one node: Debian's bridge plugin with host-local IPAM of the node's range. */
export function defaultNetworkConf(node: NodeAddressing, dataDir: string): object {
  return {
    cniVersion: "0.4.0",
    name: "default",
    type: "bridge",
    bridge: "cni0",
    isGateway: true,
    ipMasq: false,
    hairpinMode: true,
    ipam: { type: "host-local", ranges: [[{ subnet: node.podCidr }]], routes: [{ dst: "10.244.0.0/16" }], dataDir },
  };
}
