// Rules N-1 … N-19 (danm-spec §8.3): IP fields and allocation pools, and the defaulting that §8.3
// interleaves between them, kept apart here: defaultAddressing fills the empty pool fields, then
// validateAddressing checks the result. Shared by DanmNet, TenantNetwork and ClusterNetwork.
import type { NetworkOptions } from "../api/network";
import { issue, type Issue } from "../issue";
import { tryParseIp } from "../net/address";
import { cidrContains, cidrContainsCidr, firstAddress, formatCidr, lastAddress, tryParseCidr, type Cidr } from "../net/cidr";
import { defaultV4Pool, defaultV6PoolBounds, defaultV6PoolCidr, maxV6PoolPrefix, MIN_V4_PREFIX } from "../ipam/pool";

const P = "spec.Options";

const filled = (s: string | undefined): s is string => s !== undefined && s !== "";
const routeKey = (path: string, destination: string) => `${path}[${JSON.stringify(destination)}]`;

function ipInside(cidr: Cidr | undefined, text: string | undefined): boolean {
  const ip = text === undefined ? undefined : tryParseIp(text);
  return !!cidr && !!ip && cidrContains(cidr, ip);
}

function compareIps(a: string, b: string): number {
  const x = tryParseIp(a)!.value;
  const y = tryParseIp(b)!.value;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** The IPv4 subnet when it can hold a pool (N-2, N-9, N-10 hold). */
function v4Subnet(o: NetworkOptions): Cidr | undefined {
  const cidr = filled(o.cidr) ? tryParseCidr(o.cidr) : undefined;
  return cidr && v4SubnetIssues(o, cidr).length === 0 ? cidr : undefined;
}

/** The IPv6 network when it is one (N-5, N-14 hold). */
function v6Network(o: NetworkOptions): Cidr | undefined {
  const net6 = filled(o.net6) ? tryParseCidr(o.net6) : undefined;
  return net6 && net6.family === 6 ? net6 : undefined;
}

/**
 * §8.3 defaulting: the IPv4 pool and bitmap of a usable cidr; the IPv6 pool cidr of an IPv6
 * network; the IPv6 pool and bitmap once that pool cidr passes N-15 … N-18. Only empty fields are
 * filled; a subnet or pool the rules refuse gets nothing (a bitmap over it could not exist).
 */
export function defaultAddressing(options: NetworkOptions): NetworkOptions {
  let o: NetworkOptions = { ...options };
  if (v4Subnet(o)) o = defaultV4Pool(o);
  const net6 = v6Network(o);
  if (net6) {
    o = defaultV6PoolCidr(o);
    if (v6PoolCidrIssues(o, net6).length === 0) o = defaultV6PoolBounds(o);
  }
  return o;
}

/**
 * N-1 … N-19 on options as defaultAddressing left them. `sent` is the object's options as the user
 * sent them, given on CREATE in the mutating pass only: N-7 (bitmaps are written by the cluster)
 * looks at what the user wrote, not at the bitmaps the defaults added.
 */
export function validateAddressing(o: NetworkOptions, sent?: NetworkOptions): Issue[] {
  const issues: Issue[] = [];

  // --- IPv4 and IPv6 subnets and routes ---
  // N-1 routes need an L3 network (an empty map is accepted as "nothing": decision 5)
  const routes = o.routes && Object.keys(o.routes).length > 0 ? o.routes : undefined;
  if (!filled(o.cidr) && routes) issues.push(issue("N-1", "Forbidden", `${P}.routes`, "routes need an IPv4 network; set cidr or remove routes"));
  // N-2 cidr must parse
  const cidr = filled(o.cidr) ? tryParseCidr(o.cidr) : undefined;
  if (filled(o.cidr) && !cidr) issues.push(issue("N-2", "Invalid", `${P}.cidr`, "not a CIDR; write it like 10.10.0.0/24", o.cidr));
  // N-3 every route gateway inside cidr
  if (cidr && routes) {
    for (const [destination, gateway] of Object.entries(routes)) {
      if (!ipInside(cidr, gateway))
        issues.push(issue("N-3", "Invalid", routeKey(`${P}.routes`, destination), `gateway must be an address inside cidr ${o.cidr}`, gateway));
    }
  }
  const routes6 = o.routes6 && Object.keys(o.routes6).length > 0 ? o.routes6 : undefined;
  // N-4 routes6 need net6
  if (!filled(o.net6) && routes6) issues.push(issue("N-4", "Forbidden", `${P}.routes6`, "routes6 need an IPv6 network; set net6 or remove routes6"));
  // N-5 net6 must parse
  const net6 = filled(o.net6) ? tryParseCidr(o.net6) : undefined;
  if (filled(o.net6) && !net6) issues.push(issue("N-5", "Invalid", `${P}.net6`, "not a CIDR; write it like fd00:10::/64", o.net6));
  // N-6 every routes6 gateway inside net6
  if (net6 && routes6) {
    for (const [destination, gateway] of Object.entries(routes6)) {
      if (!ipInside(net6, gateway))
        issues.push(issue("N-6", "Invalid", routeKey(`${P}.routes6`, destination), `gateway must be an address inside net6 ${o.net6}`, gateway));
    }
  }

  // --- IPv4 pool ---
  // N-7 bitmaps are written by the cluster only
  if (sent) {
    if (filled(sent.alloc)) issues.push(issue("N-7", "Forbidden", `${P}.alloc`, "alloc is written by the cluster; remove it"));
    if (filled(sent.alloc6)) issues.push(issue("N-7", "Forbidden", `${P}.alloc6`, "alloc6 is written by the cluster; remove it"));
  }
  const pool = o.allocation_pool;
  // N-8 a pool needs a cidr
  if (!filled(o.cidr) && (filled(pool?.start) || filled(pool?.end))) {
    issues.push(issue("N-8", "Forbidden", `${P}.allocation_pool`, "an allocation pool needs cidr; set cidr or remove allocation_pool"));
  }
  if (cidr) {
    const subnet = v4SubnetIssues(o, cidr);
    issues.push(...subnet);
    if (subnet.length === 0) {
      const { start, end } = o.allocation_pool ?? {};
      // N-11 pool inside cidr
      const startInside = ipInside(cidr, start);
      const endInside = ipInside(cidr, end);
      if (!startInside)
        issues.push(
          issue(
            "N-11",
            "Invalid",
            `${P}.allocation_pool.start`,
            `must be an IPv4 address inside cidr ${formatCidr(cidr)}${cidr.prefix >= 31 ? " (a /31 or /32 has no room for a pool)" : ""}`,
            start,
          ),
        );
      if (!endInside) issues.push(issue("N-11", "Invalid", `${P}.allocation_pool.end`, `must be an IPv4 address inside cidr ${formatCidr(cidr)}`, end));
      // N-12 end after start
      if (startInside && endInside && compareIps(end!, start!) <= 0) {
        issues.push(
          issue("N-12", "Invalid", `${P}.allocation_pool.end`, `must be greater than allocation_pool.start ${start}; a pool needs at least two addresses`, end),
        );
      }
    }
  }

  // --- IPv6 pool ---
  const pool6 = o.allocation_pool_v6;
  // N-13 a v6 pool needs net6
  if (!filled(o.net6) && (filled(pool6?.start) || filled(pool6?.end) || filled(pool6?.cidr))) {
    issues.push(issue("N-13", "Forbidden", `${P}.allocation_pool_v6`, "an IPv6 pool needs net6; set net6 or remove allocation_pool_v6"));
  }
  if (net6) {
    if (net6.family !== 6) {
      issues.push(issue("N-14", "Invalid", `${P}.net6`, "net6 takes an IPv6 subnet; put IPv4 subnets in cidr", o.net6));
    } else {
      const placed = v6PoolCidrIssues(o, net6);
      issues.push(...placed);
      const p6 = o.allocation_pool_v6;
      // N-19 end after start
      if (placed.length === 0 && filled(p6?.start) && filled(p6?.end) && compareIps(p6.end, p6.start) <= 0) {
        issues.push(
          issue(
            "N-19",
            "Invalid",
            `${P}.allocation_pool_v6.end`,
            `must be greater than allocation_pool_v6.start ${p6.start}; a /127 or smaller leaves no pool`,
            p6.end,
          ),
        );
      }
    }
  }
  return issues;
}

/** N-9, N-10: a parsed cidr is an IPv4 subnet small enough for a bitmap. */
function v4SubnetIssues(o: NetworkOptions, cidr: Cidr): Issue[] {
  if (cidr.family !== 4) return [issue("N-9", "Invalid", `${P}.cidr`, "cidr takes an IPv4 subnet; put IPv6 subnets in net6", o.cidr)];
  if (cidr.prefix < MIN_V4_PREFIX)
    return [issue("N-10", "Invalid", `${P}.cidr`, `the largest network is a /${MIN_V4_PREFIX} (2^23 addresses); use a longer prefix`, o.cidr)];
  return [];
}

/** N-15 … N-18: the IPv6 pool cidr parses, fits the storage left by the IPv4 cidr, lies inside net6 and holds the pool's start and end. */
function v6PoolCidrIssues(o: NetworkOptions, net6: Cidr): Issue[] {
  const cidr = filled(o.cidr) ? tryParseCidr(o.cidr) : undefined;
  const v4ForSizing = cidr && cidr.family === 4 && cidr.prefix >= MIN_V4_PREFIX ? cidr : undefined;
  const maxPrefix = maxV6PoolPrefix(v4ForSizing);
  const poolCidrText = o.allocation_pool_v6?.cidr;
  const poolCidr = filled(poolCidrText) ? tryParseCidr(poolCidrText) : undefined;
  if (filled(poolCidrText) && !poolCidr)
    return [issue("N-15", "Invalid", `${P}.allocation_pool_v6.cidr`, "not a CIDR; write it like fd00:10::/112", poolCidrText)];
  if (poolCidr && poolCidr.family !== 6) return [issue("N-16", "Invalid", `${P}.allocation_pool_v6.cidr`, "must be an IPv6 prefix inside net6", poolCidrText)];
  if (!poolCidr || maxPrefix === undefined || poolCidr.prefix < maxPrefix || poolCidr.prefix === 128) {
    // N-17 storage capacity: 2^23 addresses shared with the IPv4 cidr
    const why =
      maxPrefix === undefined
        ? `no room is left for an IPv6 pool next to cidr ${o.cidr}; use a longer IPv4 prefix than /${MIN_V4_PREFIX}`
        : poolCidr?.prefix === 128
          ? "a /128 leaves no addresses to hand out"
          : `the pool may be at most a /${maxPrefix} (2^23 addresses are shared with the IPv4 cidr); use a longer prefix`;
    return [issue("N-17", "Invalid", `${P}.allocation_pool_v6.cidr`, why, poolCidrText ?? "")];
  }
  // N-18 v6 pool inside its cidr, pool cidr inside net6
  const issues: Issue[] = [];
  const { start, end } = o.allocation_pool_v6 ?? {};
  if (!cidrContainsCidr(net6, poolCidr) || !cidrContains(net6, firstAddress(poolCidr)) || !cidrContains(net6, lastAddress(poolCidr))) {
    issues.push(issue("N-18", "Invalid", `${P}.allocation_pool_v6.cidr`, `must lie inside net6 ${o.net6}`, poolCidrText));
  }
  if (filled(start) && !ipInside(poolCidr, start))
    issues.push(issue("N-18", "Invalid", `${P}.allocation_pool_v6.start`, `must be an IPv6 address inside the pool cidr ${poolCidrText}`, start));
  if (filled(end) && !ipInside(poolCidr, end))
    issues.push(issue("N-18", "Invalid", `${P}.allocation_pool_v6.end`, `must be an IPv6 address inside the pool cidr ${poolCidrText}`, end));
  return issues;
}
