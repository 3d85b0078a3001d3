// The address map of a network's IPv4 pool: every address of cidr (up to a /16) is free, used or
// reserved, and used addresses have a holder (Pod + interface from the DanmEp holding it).
//
//   used      a DanmEp of this network holds the address (whatever the bitmap says);
//   reserved  not handed out to any Pod, yet not free:
//               the network address, the broadcast address, a route gateway (reserved when the
//               network is created), an address whose bit is set in alloc that no DanmEp holds
//               (an interface being set up, or a leak the IP leak reconciler frees after its grace
//               period), or an address outside allocation_pool [start, end] (dynamic allocation
//               never hands it out; only a static request may take it);
//   free      bit clear in alloc and inside the allocation pool: the next dynamic request may get it.
//
// The server sends the map compactly (pool bounds, the bitmap as stored, holders as parallel
// arrays); the browser decodes it with the same functions.
import type { DanmEp } from "../api/danmEp";
import type { NetworkObject } from "../api/network";
import { Bitmap } from "../bitmap";
import { poolUsage } from "../ipam/allocate";
import { formatIp, tryParseIp } from "../net/address";
import { cidrContains, cidrSize, indexOf, stripPrefix, tryParseCidr, type Cidr } from "../net/cidr";

/** The largest IPv4 block drawn address by address. */
export const MAX_MAP_ADDRESSES = 65_536;

export interface AddressHolders {
  /** address indexes (address − network address), ascending */
  index: number[];
  /** per holder: index into `pods` */
  pod: number[];
  /** per holder: index into `ifaces` */
  iface: number[];
  /** "namespace/pod" of each distinct Pod */
  pods: string[];
  /** each distinct interface name ("" when the DanmEp does not say) */
  ifaces: string[];
}

export interface AddressMapData {
  cidr: string;
  /** the network address as an unsigned 32-bit number */
  base: number;
  size: number;
  /** allocation pool bounds as indexes into cidr, inclusive; -1/-1 when unreadable */
  poolStart: number;
  poolEnd: number;
  /** indexes of route gateways inside cidr */
  gateways: number[];
  /** the IPv4 bitmap over cidr exactly as stored in spec.Options.alloc */
  alloc: string;
  holders: AddressHolders;
  /** false when the viewer may not see every DanmEp that could hold an address here */
  holdersComplete: boolean;
}

export interface V6Counts {
  net6: string;
  poolCidr?: string;
  total: string;
  used: number;
  /** IPv6 addresses DanmEps of this network hold (that the viewer may see) */
  held: number;
}

export interface NetworkAddresses {
  map?: AddressMapData;
  /** why there is no map for IPv4 */
  noMap?: string;
  v4?: { total: number; used: number; held: number };
  v6?: V6Counts;
}

const filled = (s: string | undefined): s is string => s !== undefined && s !== "" && s !== "none";

function v4Index(cidr: Cidr, text: string | undefined): number | undefined {
  const ip = filled(text) ? tryParseIp(stripPrefix(text)) : undefined;
  if (!ip || !cidrContains(cidr, ip)) return undefined;
  return Number(indexOf(cidr, ip));
}

/** Holders of IPv4 addresses inside cidr, one per address (the first DanmEp wins on a duplicate). */
function v4Holders(cidr: Cidr, endpoints: readonly DanmEp[]): AddressHolders {
  const found: { index: number; pod: string; iface: string }[] = [];
  const seen = new Set<number>();
  for (const ep of endpoints) {
    const index = v4Index(cidr, ep.spec?.Interface?.Address);
    if (index === undefined || seen.has(index)) continue;
    seen.add(index);
    found.push({ index, pod: `${ep.metadata.namespace ?? ""}/${ep.spec?.Pod ?? "?"}`, iface: ep.spec?.Interface?.Name ?? "" });
  }
  found.sort((a, b) => a.index - b.index);
  const holders: AddressHolders = { index: [], pod: [], iface: [], pods: [], ifaces: [] };
  const intern = (table: string[], seen: Map<string, number>, text: string) => {
    let i = seen.get(text);
    if (i === undefined) {
      i = table.length;
      table.push(text);
      seen.set(text, i);
    }
    return i;
  };
  const podIndex = new Map<string, number>();
  const ifaceIndex = new Map<string, number>();
  for (const f of found) {
    holders.index.push(f.index);
    holders.pod.push(intern(holders.pods, podIndex, f.pod));
    holders.iface.push(intern(holders.ifaces, ifaceIndex, f.iface));
  }
  return holders;
}

/**
 * The map and counts of one network for a viewer who sees `endpoints` (the DanmEps of this network
 * visible to them; `complete` when that is all of them).
 */
export function networkAddresses(net: NetworkObject, endpoints: readonly DanmEp[], complete: boolean): NetworkAddresses {
  const o = net.spec?.Options ?? {};
  const usage = poolUsage(o);
  const out: NetworkAddresses = {};
  const cidr = o.cidr ? tryParseCidr(o.cidr) : undefined;
  if (!cidr || cidr.family !== 4) out.noMap = "the network has no IPv4 cidr (an L2 or IPv6-only network)";
  else if (cidrSize(cidr) > BigInt(MAX_MAP_ADDRESSES))
    out.noMap = `${o.cidr} has more than ${MAX_MAP_ADDRESSES.toLocaleString("en")} addresses: the map shows blocks up to a /16; counts only`;
  else if (!usage.v4 || !o.alloc) out.noMap = `the allocation bitmap of ${o.cidr} is missing or corrupt`;
  if (cidr && cidr.family === 4) {
    const holders = v4Holders(cidr, endpoints);
    if (usage.v4) out.v4 = { total: usage.v4.total, used: usage.v4.used, held: holders.index.length };
    if (!out.noMap) {
      const gateways = Object.values(o.routes ?? {})
        .map((g) => v4Index(cidr, g))
        .filter((i): i is number => i !== undefined);
      out.map = {
        cidr: o.cidr!,
        base: Number(cidr.network),
        size: Number(cidrSize(cidr)),
        poolStart: v4Index(cidr, o.allocation_pool?.start) ?? -1,
        poolEnd: v4Index(cidr, o.allocation_pool?.end) ?? -1,
        gateways: [...new Set(gateways)].sort((a, b) => a - b),
        alloc: o.alloc!,
        holders,
        holdersComplete: complete,
      };
    }
  }
  if (usage.v6 && o.net6) {
    const pool = o.allocation_pool_v6?.cidr ? tryParseCidr(o.allocation_pool_v6.cidr) : undefined;
    let held = 0;
    for (const ep of endpoints) {
      const ip = filled(ep.spec?.Interface?.AddressIPv6) ? tryParseIp(stripPrefix(ep.spec!.Interface!.AddressIPv6!)) : undefined;
      if (ip && pool && cidrContains(pool, ip)) held++;
    }
    out.v6 = { net6: o.net6, poolCidr: o.allocation_pool_v6?.cidr, total: usage.v6.total.toString(), used: usage.v6.used, held };
  }
  return out;
}

export type AddressState = "free" | "used" | "reserved";
export const STATE_FREE = 0;
export const STATE_USED = 1;
export const STATE_RESERVED = 2;

/** The decoded map: per address its state (STATE_*), and its holder when used. */
export interface DecodedMap {
  data: AddressMapData;
  states: Uint8Array;
  bitmap: Bitmap;
  /** address index → position in data.holders, or -1 */
  holderAt: Int32Array;
}

export function decodeAddressMap(data: AddressMapData): DecodedMap {
  const bitmap = Bitmap.decode(data.alloc);
  const states = new Uint8Array(data.size);
  const holderAt = new Int32Array(data.size).fill(-1);
  data.holders.index.forEach((index, i) => {
    if (index >= 0 && index < data.size) holderAt[index] = i;
  });
  const { poolStart, poolEnd } = data;
  for (let i = 0; i < data.size; i++) {
    if (holderAt[i] >= 0) states[i] = STATE_USED;
    else if (bitmap.isSet(i) || i < poolStart || i > poolEnd || i === 0 || i === data.size - 1) states[i] = STATE_RESERVED;
    else states[i] = STATE_FREE;
  }
  for (const g of data.gateways) if (holderAt[g] < 0) states[g] = STATE_RESERVED;
  return { data, states, bitmap, holderAt };
}

export function addressText(data: AddressMapData, index: number): string {
  return formatIp({ family: 4, value: BigInt(data.base + index) });
}

export interface AddressDetail {
  index: number;
  address: string;
  state: AddressState;
  /** why, in words: "held by Pod team-a/web-1 (interface eth1)", "network address", ... */
  reason: string;
  pod?: string;
  iface?: string;
}

const STATE_NAMES: AddressState[] = ["free", "used", "reserved"];

/** What the map says about one address: the hover text. */
export function describeAddress(map: DecodedMap, index: number): AddressDetail | undefined {
  const { data, states, bitmap, holderAt } = map;
  if (!(index >= 0 && index < data.size)) return undefined;
  const address = addressText(data, index);
  const state = STATE_NAMES[states[index]];
  const h = holderAt[index];
  if (h >= 0) {
    const pod = data.holders.pods[data.holders.pod[h]];
    const iface = data.holders.ifaces[data.holders.iface[h]];
    const inconsistent = bitmap.isSet(index) ? "" : " — but its bit is clear in alloc, so IPAM may hand it out again";
    return { index, address, state, pod, iface, reason: `held by Pod ${pod}${iface ? ` (interface ${iface})` : ""}${inconsistent}` };
  }
  let reason: string;
  if (index === 0) reason = "network address (reserved when the network was created)";
  else if (index === data.size - 1) reason = "broadcast address (reserved when the network was created)";
  else if (data.gateways.includes(index)) reason = "gateway of a route (reserved when the network was created)";
  else if (bitmap.isSet(index))
    reason = data.holdersComplete
      ? "allocated in alloc but no DanmEp holds it: an interface being set up, or a leak the IP leak reconciler frees after its grace period"
      : "allocated in alloc; no DanmEp you may see holds it (the holder may be in a namespace you cannot read)";
  else if (index < data.poolStart || index > data.poolEnd || data.poolStart < 0)
    reason = "outside the allocation pool: dynamic allocation never hands it out, a static request may";
  else reason = "free: the next dynamic request may get it";
  return { index, address, state, reason };
}

/** How many addresses are in each state. */
export function countStates(map: DecodedMap): Record<AddressState, number> {
  const counts = { free: 0, used: 0, reserved: 0 };
  for (let i = 0; i < map.states.length; i++) counts[STATE_NAMES[map.states[i]]]++;
  return counts;
}
