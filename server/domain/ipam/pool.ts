// Allocation pools of a network (danm-spec §8.3 defaulting, §10.1, §10.5, §10.6): the pool ranges,
// the storage limit shared by both families, and freshly reserved bitmaps.
import { Bitmap } from "../bitmap";
import { AddressError, formatIp, tryParseIp, type IpAddress } from "../net/address";
import { cidrContains, cidrSize, formatCidr, indexOf, tryParseCidr, type Cidr } from "../net/cidr";

/** Capacity of one network's bitmaps, both families together (§10.6): 2^23 bits. */
export const MAX_BITMAP_BITS = 2 ** 23;
/** The shortest IPv4 prefix a network may have (N-10): a /9 holds 2^23 addresses. */
export const MIN_V4_PREFIX = 9;
const MAX_BITS = BigInt(MAX_BITMAP_BITS);
const NO_V4_V6_PREFIX = 105;
/**
 * The default IPv6 pool is net6's first /112 (65,536 addresses, as many as an IPv4 /16), not the
 * largest pool the storage limit allows (danm-spec §10.6: /105 or /106, whose alloc6 is 1.4 MB or
 * 700 kB of base64 that every IPAM write of the network carries). A larger pool, up to that limit,
 * is there for whoever sets allocation_pool_v6.cidr (docs/ipam.md "Default IPv6 pool").
 */
export const DEFAULT_V6_POOL_PREFIX = 112;
/** Addresses of the default IPv6 pool, as the CRD description and the console's hint say it. */
export const DEFAULT_V6_POOL_ADDRESSES = (2 ** (128 - DEFAULT_V6_POOL_PREFIX)).toLocaleString("en-US");

/** The JSON fields of DANM's spec.Options that IPAM reads and writes (a subset). */
export interface PoolOptions {
  cidr?: string;
  allocation_pool?: { start?: string; end?: string; lastIp?: string };
  alloc?: string;
  routes?: Record<string, string>;
  net6?: string;
  allocation_pool_v6?: { cidr?: string; start?: string; end?: string; lastIp?: string };
  alloc6?: string;
  routes6?: Record<string, string>;
}

const filled = (s: string | undefined): s is string => s !== undefined && s !== "";

/**
 * §10.6: the longest IPv6 pool (smallest prefix P) that still fits beside the IPv4 cidr.
 * P = 105 without IPv4; otherwise the smallest P ≥ 105 whose size is strictly below 2^23 − size(cidr).
 * Undefined when no IPv6 pool fits (an IPv4 /9 takes the whole capacity).
 */
export function maxV6PoolPrefix(v4Cidr: Cidr | undefined): number | undefined {
  if (!v4Cidr) return NO_V4_V6_PREFIX;
  const remaining = MAX_BITS - cidrSize(v4Cidr);
  for (let prefix = NO_V4_V6_PREFIX; prefix <= 128; prefix++) {
    if (1n << BigInt(128 - prefix) < remaining) return prefix;
  }
  return undefined;
}

/**
 * §7: a bitmap over every address of `range` with the network address (bit 0), the last address
 * (bit N−1) and every gateway inside the range reserved. Throws AddressError beyond 2^23 bits.
 */
export function freshIpBitmap(range: Cidr, gateways: IpAddress[]): Bitmap {
  const size = cidrSize(range);
  if (size > MAX_BITS) throw new AddressError(`${formatCidr(range)} has ${size} addresses; an allocation bitmap holds at most 2^23`);
  const bits = Number(size);
  const bitmap = Bitmap.create(bits);
  bitmap.set(0);
  bitmap.set(bits - 1);
  for (const gateway of gateways) {
    if (cidrContains(range, gateway)) bitmap.set(Number(indexOf(range, gateway)));
  }
  return bitmap;
}

/** Gateways of a route map that parse as addresses (unparseable ones are N-3/N-6's business). */
export function routeGateways(routes: Record<string, string> | undefined): IpAddress[] {
  const out: IpAddress[] = [];
  for (const gateway of Object.values(routes ?? {})) {
    const ip = typeof gateway === "string" ? tryParseIp(gateway) : undefined;
    if (ip) out.push(ip);
  }
  return out;
}

/**
 * The address `offset` positions from `base`, wrapping around the family's address space. Defaults
 * of a /32 or /128 thereby land outside the block (N-11, N-17 deny them) instead of failing to print.
 */
function shifted(c: Cidr, base: bigint, offset: bigint): string {
  const space = 1n << BigInt(c.bits);
  return formatIp({ family: c.family, value: (((base + offset) % space) + space) % space });
}

/**
 * §8.3 IPv4 defaulting: empty allocation_pool.start := network + 1, empty end := broadcast − 1,
 * empty alloc := fresh bitmap over cidr with the route gateways reserved. Keeps lastIp; never
 * rebuilds a non-empty alloc. Precondition: cidr is an IPv4 CIDR of prefix ≥ 9.
 */
export function defaultV4Pool<T extends PoolOptions>(o: T): T {
  const cidr = filled(o.cidr) ? tryParseCidr(o.cidr) : undefined;
  if (!cidr || cidr.family !== 4) return { ...o };
  const last = cidr.network + cidrSize(cidr) - 1n;
  const pool = o.allocation_pool ?? {};
  return {
    ...o,
    allocation_pool: {
      start: filled(pool.start) ? pool.start : shifted(cidr, cidr.network, 1n),
      end: filled(pool.end) ? pool.end : shifted(cidr, last, -1n),
      lastIp: pool.lastIp ?? "",
    },
    alloc: filled(o.alloc) ? o.alloc : freshIpBitmap(cidr, routeGateways(o.routes)).encode(),
  };
}

/** The IPv4 cidr that shares the storage limit with the IPv6 pool, if the network has a usable one. */
function v4ForSizing(o: PoolOptions): Cidr | undefined {
  const cidr = filled(o.cidr) ? tryParseCidr(o.cidr) : undefined;
  return cidr && cidr.family === 4 && cidr.prefix >= MIN_V4_PREFIX ? cidr : undefined;
}

function v6PoolShape(pool: PoolOptions["allocation_pool_v6"], cidr: string) {
  return { cidr, start: pool?.start ?? "", end: pool?.end ?? "", lastIp: pool?.lastIp ?? "" };
}

/**
 * §8.3 IPv6 pool-cidr defaulting: empty allocation_pool_v6.cidr := net6's network address with
 * prefix max(DEFAULT_V6_POOL_PREFIX, P, prefix(net6)), P from maxV6PoolPrefix (danm-spec says
 * max(P, prefix(net6)); see DEFAULT_V6_POOL_PREFIX); left empty when no IPv6 pool fits.
 */
export function defaultV6PoolCidr<T extends PoolOptions>(o: T): T {
  const net6 = filled(o.net6) ? tryParseCidr(o.net6) : undefined;
  if (!net6 || net6.family !== 6) return { ...o };
  const pool = o.allocation_pool_v6;
  if (filled(pool?.cidr)) return { ...o, allocation_pool_v6: v6PoolShape(pool, pool.cidr) };
  const limit = maxV6PoolPrefix(v4ForSizing(o));
  const cidr = limit === undefined ? "" : formatCidr({ ...net6, prefix: Math.max(DEFAULT_V6_POOL_PREFIX, limit, net6.prefix) });
  return { ...o, allocation_pool_v6: v6PoolShape(pool, cidr) };
}

/**
 * §8.3 IPv6 pool defaulting, as the webhook does it: empty start/end := pool-cidr network + 1 /
 * last − 1. Unlike §8.3 it leaves alloc6 alone: an absent alloc6 means "nothing allocated yet" and
 * IPAM creates it at the first IPv6 allocation (§10.5, allocate.ts), as upstream DANM does since
 * its PR #178 (docs/ipam.md "IPv6 bitmap created at the first allocation"). Needs a valid pool cidr.
 */
export function defaultV6PoolBounds<T extends PoolOptions>(o: T): T {
  const pool = o.allocation_pool_v6;
  const cidr = filled(pool?.cidr) ? tryParseCidr(pool.cidr) : undefined;
  if (!cidr || cidr.family !== 6) return { ...o };
  const last = cidr.network + cidrSize(cidr) - 1n;
  return {
    ...o,
    allocation_pool_v6: {
      cidr: pool!.cidr!,
      start: filled(pool?.start) ? pool.start : shifted(cidr, cidr.network, 1n),
      end: filled(pool?.end) ? pool.end : shifted(cidr, last, -1n),
      lastIp: pool?.lastIp ?? "",
    },
  };
}
