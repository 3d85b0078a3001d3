// Addresses a network's bitmaps hold that no DanmEp holds: a plugin that crashes between allocating
// and writing its DanmEp, or a DanmEp deleted without DEL, leaves them behind. Pure: the
// leak reconciler passes in the network and the addresses its DanmEps carry.
import { Bitmap } from "../bitmap";
import { tryParseIp, type IpAddress } from "../net/address";
import { addressAt, cidrContains, formatIp, indexOf, stripPrefix, tryParseCidr, type Cidr } from "../net/cidr";
import { freshIpBitmap, type PoolOptions } from "./pool";

export interface HeldAddresses {
  ip?: string;
  ip6?: string;
}

export interface Leaks {
  /** Bare IPv4 addresses set in `alloc` that no endpoint holds. */
  ip: string[];
  /** Bare IPv6 addresses set in `alloc6` that no endpoint holds. */
  ip6: string[];
}

function gatewaysIn(range: Cidr, routes: Record<string, string> | undefined): IpAddress[] {
  return Object.values(routes ?? {})
    .map((g) => tryParseIp(g))
    .filter((g): g is IpAddress => !!g && cidrContains(range, g));
}

function leaksOf(alloc: string | undefined, rangeText: string | undefined, routes: Record<string, string> | undefined, held: (string | undefined)[]): string[] {
  const range = rangeText ? tryParseCidr(rangeText) : undefined;
  if (!alloc || !range) return [];
  const bitmap = Bitmap.decode(alloc);
  let reserved: Bitmap;
  try {
    reserved = freshIpBitmap(range, gatewaysIn(range, routes));
  } catch {
    return [];
  }
  if (bitmap.length !== reserved.length) return []; // corrupt: not ours to "fix" by freeing
  const heldIndexes = new Set<number>();
  for (const text of held) {
    const ip = text && text !== "none" ? tryParseIp(stripPrefix(text)) : undefined;
    if (ip && cidrContains(range, ip)) heldIndexes.add(Number(indexOf(range, ip)));
  }
  const leaked: string[] = [];
  for (let i = bitmap.findSet(0); i >= 0; i = bitmap.findSet(i + 1)) {
    if (!reserved.isSet(i) && !heldIndexes.has(i)) leaked.push(formatIp(addressAt(range, BigInt(i))));
  }
  return leaked;
}

export function leakedAddresses(options: PoolOptions, held: HeldAddresses[]): Leaks {
  return {
    ip: leaksOf(
      options.alloc,
      options.cidr,
      options.routes,
      held.map((h) => h.ip),
    ),
    ip6: leaksOf(
      options.alloc6,
      options.allocation_pool_v6?.cidr,
      options.routes6,
      held.map((h) => h.ip6),
    ),
  };
}
