// Rules N-28 and N-29 (ours, design decision 20): the allocation state of a network (`alloc`,
// `alloc6`, `allocation_pool.lastIp`, `allocation_pool_v6.lastIp`) is written only by tenet's own
// IPAM identities, and whatever is written has the form and size IPAM reads.
import type { NetworkOptions } from "../api/network";
import { issue, type Issue } from "../issue";
import { MAX_BITMAP_BITS } from "../ipam/pool";
import { tryParseIp } from "../net/address";
import { cidrContains, cidrSize, formatCidr, stripPrefix, tryParseCidr, type Cidr } from "../net/cidr";

const O = "spec.Options";

/** Who sent a request, as the API server's AdmissionReview `userInfo` says. */
export interface Requester {
  username?: string;
  groups?: readonly string[];
}

/** The users and groups that are tenet's IPAM: the CNI plugin's and the controllers' identities. */
export interface IpamIdentities {
  users: readonly string[];
  groups: readonly string[];
}

/**
 * The default when the webhook is given no list: the ServiceAccounts of the danm plugin and the
 * controllers in `namespace`, the local cluster's controllers group, and system:masters (a cluster
 * administrator can remove the webhook anyway, and the local cluster's nodes run the plugin as one).
 */
export function defaultIpamIdentities(namespace = "tenet-system"): IpamIdentities {
  return {
    users: [`system:serviceaccount:${namespace}:tenet-cni`, `system:serviceaccount:${namespace}:tenet-controllers`],
    groups: ["tenet:controllers", "system:masters"],
  };
}

/** Decision 20: whether this requester may change allocation state. The one place that decides it. */
export function mayChangeAllocationState(requester: Requester | undefined, ipam: IpamIdentities): boolean {
  if (!requester) return false;
  if (requester.username && ipam.users.includes(requester.username)) return true;
  return (requester.groups ?? []).some((g) => ipam.groups.includes(g));
}

type AllocationField = { path: string; read: (o: NetworkOptions) => string | undefined };

const ALLOCATION_FIELDS: AllocationField[] = [
  { path: `${O}.alloc`, read: (o) => o.alloc },
  { path: `${O}.alloc6`, read: (o) => o.alloc6 },
  { path: `${O}.allocation_pool.lastIp`, read: (o) => o.allocation_pool?.lastIp },
  { path: `${O}.allocation_pool_v6.lastIp`, read: (o) => o.allocation_pool_v6?.lastIp },
];

/**
 * The allocation fields an UPDATE changes: present (non-empty) in the submitted object and
 * different from the stored one. An omitted or empty field keeps the stored value (carryOver).
 */
export function changedAllocationFields(submitted: NetworkOptions, stored: NetworkOptions): string[] {
  return ALLOCATION_FIELDS.filter((f) => {
    const now = f.read(submitted);
    return now !== undefined && now !== "" && now !== (f.read(stored) ?? "");
  }).map((f) => f.path);
}

/** N-28: an UPDATE by anyone but tenet's IPAM that changes allocation state is denied. */
export function checkAllocationStateChange(
  submitted: NetworkOptions,
  stored: NetworkOptions,
  requester: Requester | undefined,
  ipam: IpamIdentities,
  name: string,
): Issue[] {
  const changed = changedAllocationFields(submitted, stored);
  if (changed.length === 0 || mayChangeAllocationState(requester, ipam)) return [];
  const who = requester?.username ? `${requester.username} may not change it` : "only tenet's IPAM may change it";
  return changed.map((path) =>
    issue(
      "N-28",
      "Forbidden",
      path,
      `${path.slice(O.length + 1)} records which addresses Pods hold in ${name} and is written by tenet's IPAM only; ${who}: leave it out or send the stored value`,
    ),
  );
}

const ALL_ALLOCATION_PATHS = ALLOCATION_FIELDS.map((f) => f.path);
/** Set, and among the fields this write changes. */
const filled = (s: string | undefined, path: string, changed: readonly string[]): s is string =>
  s !== undefined && s !== "" && changed.includes(`${O}.${path}`);
const short = (s: string) => (s.length > 40 ? `${s.slice(0, 40)}…` : s);
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * The bitmap's form without decoding it (an UPDATE of a /9 network carries 1.4 MB of it, and every
 * IPAM write is reviewed): base64 of exactly ceil(addresses / 8) bytes, as freshIpBitmap makes it.
 */
function bitmapProblem(text: string, range: Cidr): string | undefined {
  const size = cidrSize(range);
  if (size > BigInt(MAX_BITMAP_BITS)) return undefined; // a range too large for a bitmap is N-10/N-17's business
  const bytes = Math.ceil(Number(size) / 8);
  const expected = 4 * Math.ceil(bytes / 3);
  if (!BASE64.test(text)) return `not a base64 bitmap; ${formatCidr(range)} needs ${bytes * 8} bits`;
  if (text.length !== expected) {
    const given = Math.floor((text.length * 3) / 4) - (text.endsWith("==") ? 2 : text.endsWith("=") ? 1 : 0);
    return `a bitmap of ${given * 8} bits; ${formatCidr(range)} needs exactly ${bytes * 8}`;
  }
  return undefined;
}

function lastIpProblem(text: string, range: Cidr | undefined, family: 4 | 6): string | undefined {
  const ip = tryParseIp(stripPrefix(text));
  if (!ip || ip.family !== family) return `not an IPv${family} address`;
  if (range && !cidrContains(range, ip)) return `not an address of ${formatCidr(range)}`;
  return undefined;
}

/**
 * N-29: every write of allocation state has the form IPAM reads: `alloc` a base64 bitmap of exactly
 * the cidr's addresses, `alloc6` of the IPv6 pool cidr's, `lastIp` an address of that range (bare or
 * with a prefix, decision 1). Runs on the object after defaulting, when N-1 … N-19 passed; on UPDATE
 * only for the fields that differ from `stored`.
 */
export function checkAllocationStateFormat(o: NetworkOptions, stored?: NetworkOptions): Issue[] {
  const out: Issue[] = [];
  // what is stored was checked when it was written; only what this write changes is read
  const changed = stored ? changedAllocationFields(o, stored) : ALL_ALLOCATION_PATHS;
  if (changed.length === 0) return out;
  const cidr = o.cidr ? tryParseCidr(o.cidr) : undefined;
  const pool6 = o.allocation_pool_v6?.cidr ? tryParseCidr(o.allocation_pool_v6.cidr) : undefined;
  if (filled(o.alloc, "alloc", changed)) {
    const why = cidr ? bitmapProblem(o.alloc, cidr) : "alloc needs cidr";
    if (why) out.push(issue("N-29", "Invalid", `${O}.alloc`, why, short(o.alloc)));
  }
  if (filled(o.alloc6, "alloc6", changed)) {
    const why = pool6 ? bitmapProblem(o.alloc6, pool6) : "alloc6 needs net6 and allocation_pool_v6.cidr";
    if (why) out.push(issue("N-29", "Invalid", `${O}.alloc6`, why, short(o.alloc6)));
  }
  const last = o.allocation_pool?.lastIp;
  if (filled(last, "allocation_pool.lastIp", changed)) {
    const why = lastIpProblem(last, cidr, 4);
    if (why) out.push(issue("N-29", "Invalid", `${O}.allocation_pool.lastIp`, why, short(last)));
  }
  const last6 = o.allocation_pool_v6?.lastIp;
  if (filled(last6, "allocation_pool_v6.lastIp", changed)) {
    const why = lastIpProblem(last6, pool6, 6);
    if (why) out.push(issue("N-29", "Invalid", `${O}.allocation_pool_v6.lastIp`, why, short(last6)));
  }
  return out;
}
