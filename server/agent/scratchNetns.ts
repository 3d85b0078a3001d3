// A throw-away network namespace with a veth "host device" carrying a global IPv4 address, for the
// agent's namespace tests and bench/agent.ts. Needs root and iproute2.
import { execFileSync } from "node:child_process";

export interface ScratchNetns {
  name: string;
  /** The host_device inside the namespace. */
  parent: string;
  address: string;
  /** Deletes the namespace and everything in it. */
  remove(): void;
}

const ip = (args: string[]) => execFileSync("ip", args, { stdio: ["ignore", "pipe", "pipe"], encoding: "utf8" });

/** Why the namespace tests cannot run here, or undefined when they can. */
export function scratchNetnsUnavailable(): string | undefined {
  if (process.platform !== "linux") return "network namespaces need Linux";
  if (process.getuid?.() !== 0) return "creating network namespaces needs root";
  try {
    ip(["-V"]);
  } catch {
    return "the ip tool (iproute2) is not installed";
  }
  return undefined;
}

/**
 * Creates namespace `name` with veth p0 (up, 10.99.0.1/24) and its peer p1. `igmpMemberships`
 * raises net.ipv4.igmp_max_memberships inside it: each VxLAN interface joins its own multicast
 * group on the underlay and the kernel default (20) refuses the 21st with ENOBUFS.
 */
export function createScratchNetns(name: string, options: { igmpMemberships?: number } = {}): ScratchNetns {
  try {
    ip(["netns", "del", name]);
  } catch {
    // not there: fine
  }
  ip(["netns", "add", name]);
  const remove = () => {
    try {
      ip(["netns", "del", name]);
    } catch {
      // already gone
    }
  };
  try {
    ip(["-n", name, "link", "add", "p0", "type", "veth", "peer", "name", "p1"]);
    ip(["-n", name, "addr", "add", "10.99.0.1/24", "dev", "p0"]);
    ip(["-n", name, "link", "set", "p0", "up"]);
    ip(["-n", name, "link", "set", "lo", "up"]);
    if (options.igmpMemberships) ip(["netns", "exec", name, "sysctl", "-qw", `net.ipv4.igmp_max_memberships=${options.igmpMemberships}`]);
  } catch (e) {
    remove();
    throw e;
  }
  return { name, parent: "p0", address: "10.99.0.1", remove };
}
