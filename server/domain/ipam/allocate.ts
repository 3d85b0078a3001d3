// IP address management over a network's Options (danm-spec §10): reserve addresses for one
// interface (both families at once), free them, and report pool usage.
// Dynamic allocation is next-fit that works (design decisions 1–2): the scan starts after lastIp,
// read bare or as "ip/prefix", wraps inside [start, end] and never leaves it.
import { Bitmap } from "../bitmap";
import { AddressError, formatIp, tryParseIp, type Family, type IpAddress } from "../net/address";
import { cidrContains, cidrSize, formatCidr, indexOf, stripPrefix, tryParseCidr, type Cidr } from "../net/cidr";
import { defaultV4Pool, defaultV6PoolBounds, defaultV6PoolCidr, freshIpBitmap, MIN_V4_PREFIX, routeGateways, type PoolOptions } from "./pool";

/** Per family: absent/"" (nothing), "none", "dynamic", or a static address with an optional "/nn". */
export type AddressRequest = string | undefined;

export interface AllocationError {
  /**
   * A-1 L2 network (no cidr / no IPv6 pool); A-2 static address not an IP; A-3 static address outside
   * cidr/net6 or outside allocation_pool_v6.cidr (decision 16); A-4 static address in use;
   * A-5 pool exhausted; A-6 the network's allocation state is corrupt.
   */
  rule: "A-1" | "A-2" | "A-3" | "A-4" | "A-5" | "A-6";
  family: Family;
  message: string;
}

export type AllocationResult<T> = { ok: true; options: T; ip: string; ip6: string; changed: boolean } | { ok: false; error: AllocationError };

const filled = (s: string | undefined): s is string => s !== undefined && s !== "";

/** One family's allocation state, decoded from the options. */
interface FamilyState {
  family: Family;
  /** cidr (v4) or net6 (v6): what static addresses must lie in and whose prefix results carry. */
  net: Cidr;
  /** The block the bitmap covers: cidr (v4) or allocation_pool_v6.cidr (v6). */
  range: Cidr;
  bitmap: Bitmap;
  pool: { start?: string; end?: string; lastIp?: string };
  /**
   * Dynamic allocation's parsed pool, kept while a batch hands out many addresses: the bounds'
   * indices for the `start`/`end` texts they were read from, and the index of `lastIp` for its text.
   */
  parsed?: { start?: string; end?: string; startIndex?: number; endIndex?: number; lastText?: string; lastIndex?: number };
}

type Resolved<T> = { ok: true; options: T; state: FamilyState; changed: boolean } | { ok: false; error: AllocationError };

const fail = (rule: AllocationError["rule"], family: Family, message: string): { ok: false; error: AllocationError } => ({
  ok: false,
  error: { rule, family, message },
});

function bitmapFits(bitmap: Bitmap, range: Cidr): boolean {
  return bitmap.length > 0 && BigInt(bitmap.length) === ((cidrSize(range) + 7n) / 8n) * 8n;
}

function resolveV4<T extends PoolOptions>(o: T): Resolved<T> {
  if (!filled(o.cidr))
    return fail("A-1", 4, `IP cannot be allocated for an L2 network: the network has no cidr; request "none" for IPv4 or add a cidr to the network`);
  const cidr = tryParseCidr(o.cidr);
  if (!cidr || cidr.family !== 4 || cidr.prefix < MIN_V4_PREFIX)
    return fail("A-6", 4, `cidr ${o.cidr} of the network is not a usable IPv4 CIDR; fix the network`);
  let options = o;
  let changed = false;
  if (!filled(o.alloc) || !filled(o.allocation_pool?.start) || !filled(o.allocation_pool?.end)) {
    // A network stored before the webhook existed: default it as the webhook would.
    options = defaultV4Pool(o);
    changed = true;
  }
  const bitmap = Bitmap.decode(options.alloc ?? "");
  if (!bitmapFits(bitmap, cidr)) return fail("A-6", 4, `allocation bitmap of ${formatCidr(cidr)} is corrupt`);
  return { ok: true, options, changed, state: { family: 4, net: cidr, range: cidr, bitmap, pool: options.allocation_pool ?? {} } };
}

function resolveV6<T extends PoolOptions>(o: T): Resolved<T> {
  if (!filled(o.net6))
    return fail("A-1", 6, `IP cannot be allocated for an L2 network: the network has no net6; request "none" for IPv6 or add a net6 to the network`);
  const net6 = tryParseCidr(o.net6);
  if (!net6 || net6.family !== 6) return fail("A-6", 6, `net6 ${o.net6} of the network is not a usable IPv6 CIDR; fix the network`);
  let options = o;
  let changed = false;
  const p6 = o.allocation_pool_v6;
  if (!filled(p6?.cidr) || !filled(p6?.start) || !filled(p6?.end)) {
    // a network stored before the webhook existed: default the pool as the webhook would
    options = defaultV6PoolBounds(defaultV6PoolCidr(o));
    changed = true;
  }
  const pool = options.allocation_pool_v6 ?? {};
  if (!filled(pool.cidr))
    return fail(
      "A-1",
      6,
      `IP cannot be allocated for an L2 network: no IPv6 pool fits beside cidr ${o.cidr} (2^23 addresses are shared); use a longer IPv4 prefix`,
    );
  const range = tryParseCidr(pool.cidr);
  if (!range || range.family !== 6 || range.prefix < net6.prefix || !cidrContains(net6, { family: 6, value: range.network })) {
    return fail("A-6", 6, `allocation_pool_v6.cidr ${pool.cidr} is not an IPv6 prefix inside net6 ${formatCidr(net6)}; fix the network`);
  }
  let bitmap: Bitmap;
  if (filled(options.alloc6)) {
    bitmap = Bitmap.decode(options.alloc6);
    if (!bitmapFits(bitmap, range)) return fail("A-6", 6, `allocation bitmap of ${formatCidr(range)} is corrupt`);
  } else {
    // Lazy IPv6 initialisation (§10.5): the webhook leaves alloc6 out, the first allocation writes it.
    // Until then nothing is allocated: what a fresh bitmap holds (first, last address, gateways).
    try {
      bitmap = freshIpBitmap(range, routeGateways(options.routes6));
    } catch (e) {
      if (!(e instanceof AddressError)) throw e;
      return fail("A-6", 6, `allocation_pool_v6 of ${formatCidr(net6)} is invalid: ${e.message}`);
    }
    changed = true;
  }
  return { ok: true, options, changed, state: { family: 6, net: net6, range, bitmap, pool } };
}

/** Index of a pool bound inside the bitmap range, or undefined. */
function boundIndex(state: FamilyState, text: string | undefined): number | undefined {
  const ip = filled(text) ? tryParseIp(stripPrefix(text)) : undefined;
  return ip && cidrContains(state.range, ip) ? Number(indexOf(state.range, ip)) : undefined;
}

type Granted = { ok: true; ip: IpAddress; dynamic: boolean; index?: number } | { ok: false; error: AllocationError };

/** The pool's bounds and lastIp as indices, parsed again only when their texts change. */
function parsedPool(state: FamilyState) {
  const { pool } = state;
  let p = state.parsed;
  if (!p || p.start !== pool.start || p.end !== pool.end) {
    const bound = (text: string | undefined) => boundIndex(state, text);
    p = state.parsed = {
      start: pool.start,
      end: pool.end,
      startIndex: bound(pool.start),
      endIndex: bound(pool.end),
      lastText: pool.lastIp,
      lastIndex: bound(pool.lastIp),
    };
  } else if (p.lastText !== pool.lastIp) {
    p.lastText = pool.lastIp;
    p.lastIndex = boundIndex(state, pool.lastIp);
  }
  return { begin: p.startIndex, end: p.endIndex, last: p.lastIndex };
}

function allocateDynamic(state: FamilyState): Granted {
  const { family, range, bitmap, pool } = state;
  const { begin, end, last } = parsedPool(state);
  const where = () => formatCidr(state.net);
  if (begin === undefined || end === undefined || end < begin) {
    return fail("A-6", family, `the allocation pool ${pool.start ?? ""}-${pool.end ?? ""} of ${where()} is invalid; fix the network`);
  }
  // Next-fit: continue after lastIp when it lies in the pool; otherwise start at the pool's start.
  const from = last !== undefined && last >= begin && last < end ? last + 1 : begin;
  let index = bitmap.findClear(from, end);
  if (index < 0 && from > begin) index = bitmap.findClear(begin, from - 1);
  if (index < 0)
    return fail(
      "A-5",
      family,
      `all addresses of the pool ${pool.start}-${pool.end} of ${where()} are reserved; free an address or enlarge the allocation pool`,
    );
  bitmap.set(index);
  return { ok: true, ip: { family, value: range.network + BigInt(index) }, dynamic: true, index };
}

function allocateStatic(state: FamilyState, request: string): Granted {
  const { family, net, range, bitmap } = state;
  const where = formatCidr(net);
  const text = stripPrefix(request);
  const ip = tryParseIp(text);
  const example = family === 4 ? "10.0.0.5" : "fd00::5";
  if (!ip) return fail("A-2", family, `"${request}" is not a valid IP address; write an address like ${example} or use "dynamic"`);
  if (!cidrContains(net, ip)) return fail("A-3", family, `${text} is outside ${where}; pick an address inside ${where} or use "dynamic"`);
  // A-3, decision 16: untracked IPv6 statics are refused, never granted without conflict detection.
  if (!cidrContains(range, ip)) {
    const pool = formatCidr(range);
    return fail("A-3", family, `${formatIp(ip)} is inside ${where} but outside its allocation pool ${pool}; pick an address inside ${pool} or use "dynamic"`);
  }
  const index = Number(indexOf(range, ip));
  if (bitmap.isSet(index)) return fail("A-4", family, `${formatIp(ip)} is already in use in ${where}; pick another address or use "dynamic"`);
  bitmap.set(index);
  return { ok: true, ip, dynamic: false };
}

/** One family of a batch: resolved (bitmap decoded) once, changed in place, encoded once at the end. */
interface FamilySlot {
  state?: FamilyState;
  /** Why the family cannot hand out addresses; asked again only if the options change. */
  error?: AllocationError;
  /** The bitmap or the pool (lastIp, lazy defaults) changed: encode it when the batch ends. */
  dirty: boolean;
}

/** An operation of a batch: reserve the addresses of one interface, or free them. */
export type AllocationOp = { allocate: { ip?: AddressRequest; ip6?: AddressRequest } } | { free: { ip?: string; ip6?: string } };

export type AllocationOpResult = { ok: true; ip: string; ip6: string; changed: boolean } | { ok: false; error: AllocationError };

/**
 * Applies many allocations and frees to one network's options in order, decoding each family's
 * bitmap at most once and encoding only the families that changed (group commit: one write of the
 * network serves every operation). Each allocation is all-or-nothing over its two families, exactly
 * as `allocateAddresses` alone would be; a refused operation changes nothing and the next ones go on.
 * The input is never mutated.
 */
export class AllocationBatch<T extends PoolOptions> {
  private options: T;
  private readonly slots: Record<Family, FamilySlot> = { 4: { dirty: false }, 6: { dirty: false } };
  private changedAny = false;

  constructor(options: T) {
    this.options = { ...options };
  }

  /** The family's state, resolving (and lazily defaulting) it on first use. */
  private resolve(family: Family): { ok: true; state: FamilyState } | { ok: false; error: AllocationError } {
    const slot = this.slots[family];
    if (slot.state) return { ok: true, state: slot.state };
    if (slot.error) return { ok: false, error: slot.error };
    const resolved = family === 4 ? resolveV4(this.options) : resolveV6(this.options);
    if (!resolved.ok) {
      slot.error = resolved.error;
      return resolved;
    }
    this.options = resolved.options;
    // the pool is changed in place (lastIp): never the caller's object
    slot.state = { ...resolved.state, pool: { ...resolved.state.pool } };
    slot.dirty ||= resolved.changed;
    return { ok: true, state: slot.state };
  }

  /** The family's state for freeing: never defaulted (an absent bitmap has nothing to clear). */
  private forFree(family: Family): FamilyState | undefined {
    const slot = this.slots[family];
    if (slot.state) return slot.state;
    const bitmapText = family === 4 ? this.options.alloc : this.options.alloc6;
    if (!filled(bitmapText) || slot.error) return undefined;
    const resolved = this.resolve(family);
    return resolved.ok ? resolved.state : undefined;
  }

  allocate(req: { ip?: AddressRequest; ip6?: AddressRequest }): AllocationOpResult {
    const undo: (() => void)[] = [];
    const family = (f: Family, request: AddressRequest): { ok: true; address: string; changed: boolean } | { ok: false; error: AllocationError } => {
      if (!filled(request)) return { ok: true, address: "", changed: false };
      if (request === "none") return { ok: true, address: "none", changed: false };
      const resolved = this.resolve(f);
      if (!resolved.ok) return resolved;
      const { state } = resolved;
      const granted = request === "dynamic" ? allocateDynamic(state) : allocateStatic(state, request);
      if (!granted.ok) return granted;
      const index = granted.index ?? Number(indexOf(state.range, granted.ip));
      const lastIp = state.pool.lastIp;
      const wasDirty = this.slots[f].dirty;
      const address = formatIp(granted.ip);
      if (granted.dynamic) {
        state.pool.lastIp = address;
        // the next dynamic allocation continues from here without parsing the address back
        if (state.parsed) Object.assign(state.parsed, { lastText: address, lastIndex: index });
      }
      this.slots[f].dirty = true;
      undo.push(() => {
        state.bitmap.clear(index);
        state.pool.lastIp = lastIp;
        if (lastIp === undefined) delete state.pool.lastIp;
        this.slots[f].dirty = wasDirty;
      });
      return { ok: true, address: `${address}/${state.net.prefix}`, changed: true };
    };
    const v4 = family(4, req.ip);
    if (!v4.ok) return v4;
    const v6 = family(6, req.ip6);
    if (!v6.ok) {
      undo.forEach((u) => u());
      return v6;
    }
    const changed = v4.changed || v6.changed;
    this.changedAny ||= changed;
    return { ok: true, ip: v4.address, ip6: v6.address, changed };
  }

  /** §10.5 freeing; true when a bit was cleared. "", "none", "dynamic", unparseable and outside addresses are ignored. */
  free(addrs: { ip?: string; ip6?: string }): boolean {
    let changed = false;
    for (const [f, text] of [
      [4, addrs.ip],
      [6, addrs.ip6],
    ] as const) {
      if (!filled(text) || text === "none" || text === "dynamic") continue;
      const ip = tryParseIp(stripPrefix(text));
      const state = ip ? this.forFree(f) : undefined;
      if (!ip || !state || !cidrContains(state.range, ip)) continue;
      const index = Number(indexOf(state.range, ip));
      // The first and last addresses are reserved at creation and never handed out, so never freed.
      if (index === 0 || index === Number(cidrSize(state.range)) - 1 || !state.bitmap.isSet(index)) continue;
      state.bitmap.clear(index);
      this.slots[f].dirty = true;
      changed = true;
    }
    this.changedAny ||= changed;
    return changed;
  }

  /** Applies one operation. */
  apply(op: AllocationOp): AllocationOpResult {
    if ("allocate" in op) return this.allocate(op.allocate);
    const changed = this.free(op.free);
    return { ok: true, ip: "", ip6: "", changed };
  }

  /** The options after every operation so far; bitmaps of unchanged families are the input's strings, never re-encoded. */
  result(): { options: T; changed: boolean } {
    let options = this.options;
    const v4 = this.slots[4];
    const v6 = this.slots[6];
    if (v4.dirty && v4.state) options = { ...options, allocation_pool: { ...v4.state.pool }, alloc: v4.state.bitmap.encode() };
    if (v6.dirty && v6.state) options = { ...options, allocation_pool_v6: { ...v6.state.pool }, alloc6: v6.state.bitmap.encode() };
    return { options, changed: this.changedAny || v4.dirty || v6.dirty };
  }
}

/**
 * Reserves the addresses of one interface (§10.2–§10.5). Both families succeed together or nothing
 * changes; the input is never mutated. Results are "addr/prefix" with the prefix of cidr or net6.
 */
export function allocateAddresses<T extends PoolOptions>(o: T, req: { ip?: AddressRequest; ip6?: AddressRequest }): AllocationResult<T> {
  const batch = new AllocationBatch(o);
  const r = batch.allocate(req);
  if (!r.ok) return r;
  const { options } = batch.result();
  return { ok: true, options, ip: r.ip, ip6: r.ip6, changed: r.changed };
}

/**
 * §10.5 freeing: clears the bit of each address inside cidr (v4) or allocation_pool_v6.cidr (v6).
 * "", "none", "dynamic", unparseable and outside addresses are ignored.
 */
export function freeAddresses<T extends PoolOptions>(o: T, addrs: { ip?: string; ip6?: string }): { options: T; changed: boolean } {
  const batch = new AllocationBatch(o);
  const changed = batch.free(addrs);
  return changed ? { options: batch.result().options, changed } : { options: { ...o }, changed: false };
}

export interface PoolUsage {
  v4?: { total: number; used: number; free: number };
  v6?: { total: bigint; used: number; free: bigint };
}

/**
 * Addresses in [start, end] and how many of them are reserved, per family; a family is left out when
 * absent or unreadable. A dual-stack network without alloc6 yet counts what a fresh bitmap reserves.
 */
export function poolUsage(o: PoolOptions): PoolUsage {
  const usage: PoolUsage = {};
  const v4 = filled(o.cidr) ? resolveV4(o) : undefined;
  if (v4?.ok) {
    const counted = countPool(v4.state);
    if (counted) usage.v4 = { total: Number(counted.total), used: counted.used, free: Number(counted.total) - counted.used };
  }
  const v6 = filled(o.net6) ? resolveV6(o) : undefined;
  if (v6?.ok) {
    const counted = countPool(v6.state);
    if (counted) usage.v6 = { total: counted.total, used: counted.used, free: counted.total - BigInt(counted.used) };
  }
  return usage;
}

function countPool(state: FamilyState): { total: bigint; used: number } | undefined {
  const begin = boundIndex(state, state.pool.start);
  const end = boundIndex(state, state.pool.end);
  if (begin === undefined || end === undefined) return undefined;
  if (end < begin) return { total: 0n, used: 0 };
  return { total: BigInt(end - begin + 1), used: state.bitmap.countSet(begin, end) };
}
