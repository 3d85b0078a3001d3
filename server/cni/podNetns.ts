// Work inside the Pod's network namespace (danm-spec §11.2 step 4, §11.8), done with nsenter(1),
// sysctl(8) and ip(8) from the node (util-linux, procps, iproute2): no shell, every argument passed
// as such, interface names checked before they get here (naming.ts).
import { runProcess } from "./processes";
import { tryParseCidr, tryParseIp, formatCidr } from "../domain/net/cidr";

async function inNetns(netns: string, argv: string[], stdin?: string): Promise<{ ok: boolean; stdout: string; stderr: string }> {
  const r = await runProcess("nsenter", [`--net=${netns}`, ...argv], { stdin });
  const ok = r.code === 0;
  return { ok, stdout: r.stdout, stderr: r.stderr || r.error || (ok ? "" : `nsenter ${argv[0]} exited with ${r.code ?? "a signal"}`) };
}

/** §11.2 step 4: IPv6 on in the Pod (runtimes may start sandboxes with it disabled). Failure is not fatal. */
const ENABLE_IPV6 = "net.ipv6.conf.all.disable_ipv6=0";

export async function enableIpv6(netns: string): Promise<void> {
  await inNetns(netns, ["sysctl", "-q", "-w", ENABLE_IPV6]);
}

export async function linkExists(netns: string, ifName: string): Promise<boolean> {
  const r = await inNetns(netns, ["ip", "-j", "link", "show", "dev", ifName]);
  return r.ok;
}

/** Removes an interface from the Pod; true when it is gone afterwards (also when it never was there). */
export async function deleteLink(netns: string, ifName: string): Promise<boolean> {
  if (!(await linkExists(netns, ifName))) return true;
  return (await inNetns(netns, ["ip", "link", "del", "dev", ifName])).ok;
}

export interface PolicyRoutes {
  /** Routing table (Options.rt_tables); 0 = policy routes ignored. */
  table: number;
  /** The interface's address with the network's mask, "10.0.0.5/24". */
  address?: string;
  address6?: string;
  proutes?: Record<string, string>;
  proutes6?: Record<string, string>;
}

/** `ip -batch` lines for §11.8 policy routes; unparseable entries skipped, as upstream does. */
export function policyRouteCommands(p: PolicyRoutes): string[] {
  if (!p.table) return [];
  const lines: string[] = [];
  for (const [address, routes, family] of [
    [p.address, p.proutes, 4],
    [p.address6, p.proutes6, 6],
  ] as const) {
    const from = address ? tryParseCidr(address) : undefined;
    if (!from || from.family !== family || !routes || Object.keys(routes).length === 0) continue;
    lines.push(`rule add from ${formatCidr(from)} lookup ${p.table}`);
    for (const [dst, gw] of Object.entries(routes)) {
      const d = tryParseCidr(dst);
      const g = tryParseIp(gw);
      if (d?.family === family && g?.family === family) lines.push(`route add ${formatCidr(d)} via ${gw} table ${p.table}`);
    }
  }
  return lines;
}

/**
 * §11.8 on one interface: IPv6 sysctls (design decision 13: only a real IPv6 counts) and policy
 * routes; with `enableIpv6First`, §11.2 step 4 (IPv6 on in the Pod) goes first in the same call. Throws with ip's message when a rule or route cannot be added.
 */
export async function postProcess(netns: string, ifName: string, hasIpv6: boolean, policy: PolicyRoutes, enableIpv6First = false): Promise<void> {
  const conf = `net.ipv6.conf.${ifName.replace(/\./g, "/")}`;
  const sysctls = [
    ...(enableIpv6First ? [ENABLE_IPV6] : []),
    ...(hasIpv6 ? [`${conf}.disable_ipv6=0`, `${conf}.autoconf=0`, `${conf}.accept_ra=0`, `${conf}.ndisc_notify=1`] : [`${conf}.disable_ipv6=1`]),
  ];
  await inNetns(netns, ["sysctl", "-q", "-w", ...sysctls]);
  const lines = policyRouteCommands(policy);
  if (lines.length === 0) return;
  const r = await inNetns(netns, ["ip", "-batch", "-"], lines.join("\n") + "\n");
  if (!r.ok) throw new Error(`policy routes of ${ifName} (table ${policy.table}): ${r.stderr.trim()}`);
}
