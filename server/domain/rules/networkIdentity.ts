// Rules N-20 … N-26: identifiers, devices, VNIs and the update rules (danm-spec §8.3; N-26 is ours).
import type { DanmEp } from "../api/danmEp";
import {
  isDynamicNetworkType,
  normalNetworkType,
  vlanInterfaceName,
  vxlanInterfaceName,
  type NetworkKind,
  type NetworkObject,
  type NetworkOptions,
} from "../api/network";
import { Bitmap } from "../bitmap";
import { issue, type Issue } from "../issue";
import { freshIpBitmap } from "../ipam/pool";
import { endpointNetworkRef, networkKey, networkRefOf } from "../networkRef";
import { tryParseIp, type IpAddress } from "../net/address";
import { cidrContains, formatCidr, tryParseCidr } from "../net/cidr";

export const MAX_NETWORK_ID_LENGTH = 10;
/** N-27: the longest NetworkID of any network (a CNI network name, a file name, a table cell). */
export const MAX_NETWORK_ID_CHARS = 63;
const NETWORK_ID_FORMAT = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * N-27 (ours, decision 20): why `id` cannot be a NetworkID, or undefined when it can. A NetworkID
 * names host interfaces (`<NetworkID>.<vlan>`, `vx_<NetworkID>`) and, for static types, the file
 * `<cniDir>/<NetworkID>.conf`: letters, digits, ".", "_" and "-", starting with a letter or digit
 * (so never a path, "." or ".."), at most 63 characters.
 */
export function networkIdProblem(id: string): string | undefined {
  if (id.length > MAX_NETWORK_ID_CHARS) return `a NetworkID has at most ${MAX_NETWORK_ID_CHARS} characters (this one has ${id.length})`;
  if (!NETWORK_ID_FORMAT.test(id))
    return 'a NetworkID names host interfaces and CNI config files: use letters, digits, ".", "_" and "-", starting with a letter or digit';
  return undefined;
}

/** A NetworkID as an issue value: long ones are cut, so a denial never repeats 200,000 characters. */
export const shownNetworkId = (id: string) => (id.length > MAX_NETWORK_ID_CHARS ? `${id.slice(0, MAX_NETWORK_ID_CHARS)}…` : id);

const O = "spec.Options";

/** N-20: vlan and vxlan are mutually exclusive (DanmNet, ClusterNetwork). */
export function checkVniExclusive(o: NetworkOptions): Issue[] {
  return o.vlan && o.vxlan ? [issue("N-20", "Forbidden", `${O}.vxlan`, "vlan and vxlan are mutually exclusive; keep one")] : [];
}

/** N-21: NetworkID is mandatory, and at most 10 characters for dynamic types with a VNI (host interface names have 15). */
export function checkNetworkId(net: NetworkObject, hint: string): Issue[] {
  const spec = net.spec ?? {};
  const id = spec.NetworkID ?? "";
  if (id === "") return [issue("N-21", "Required", "spec.NetworkID", `NetworkID is mandatory${hint}`)];
  const problem = networkIdProblem(id);
  if (problem) return [issue("N-27", id.length > MAX_NETWORK_ID_CHARS ? "TooLong" : "Invalid", "spec.NetworkID", problem, shownNetworkId(id))];
  const o = spec.Options ?? {};
  if (isDynamicNetworkType(spec.NetworkType) && (o.vlan || o.vxlan) && id.length > MAX_NETWORK_ID_LENGTH) {
    return [
      issue(
        "N-21",
        "TooLong",
        "spec.NetworkID",
        `must be at most ${MAX_NETWORK_ID_LENGTH} characters for a ${spec.NetworkType || "ipvlan"} network with a VLAN or VxLAN, because the host interface name (${o.vxlan ? vxlanInterfaceName(id) : vlanInterfaceName(id, o.vlan!)}) may not exceed 15 characters`,
        id,
      ),
    ];
  }
  return [];
}

/** N-22: AllowedTenants belongs to ClusterNetworks only. */
export function checkNoAllowedTenants(net: NetworkObject): Issue[] {
  const tenants = net.spec?.AllowedTenants;
  // decision 5: an empty list is accepted as "nothing"
  return tenants && tenants.length > 0
    ? [issue("N-22", "Forbidden", "spec.AllowedTenants", `AllowedTenants is only valid for ClusterNetworks; remove it from ${net.kind} ${net.metadata.name}`)]
    : [];
}

/** N-23: tenants never choose physical details; once assigned they are immutable. */
export function checkTenantRestrictions(net: NetworkObject, old: NetworkObject | undefined): Issue[] {
  const o = net.spec?.Options ?? {};
  const name = net.metadata.name;
  if (!old) {
    return (["vlan", "vxlan"] as const)
      .filter((f) => o[f])
      .map((f) => issue("N-23", "Forbidden", `${O}.${f}`, `${f} is assigned by the cluster; remove it from TenantNetwork ${name}`));
  }
  const before = old.spec?.Options ?? {};
  const changed = (["host_device", "device_pool", "vlan", "vxlan"] as const)
    .filter((f) => (before[f] || undefined) !== (o[f] || undefined))
    .map((f) =>
      issue(
        "N-23",
        "Forbidden",
        `${O}.${f}`,
        `${f} of a TenantNetwork cannot change after creation (was ${JSON.stringify(before[f] ?? null)}); delete and recreate TenantNetwork ${name} to move it`,
      ),
    );
  // the backend decides the binding (device, VNI, NetworkID): changing it would strand them
  const typeBefore = normalNetworkType(old.spec?.NetworkType);
  const typeNow = normalNetworkType(net.spec?.NetworkType);
  if (typeBefore !== typeNow)
    changed.unshift(
      issue(
        "N-23",
        "Forbidden",
        "spec.NetworkType",
        `the NetworkType of a TenantNetwork cannot change after creation (was ${typeBefore}); delete and recreate TenantNetwork ${name}`,
      ),
    );
  // decision 20: the NetworkID names its host interfaces and CNI config; another one would take over someone else's
  const idBefore = old.spec?.NetworkID ?? "";
  const idNow = net.spec?.NetworkID ?? "";
  if (idNow !== "" && idNow !== idBefore)
    changed.push(
      issue(
        "N-23",
        "Forbidden",
        "spec.NetworkID",
        `the NetworkID of a TenantNetwork is assigned at creation and cannot change (was ${JSON.stringify(shownNetworkId(idBefore))}); delete and recreate TenantNetwork ${name}`,
      ),
    );
  return changed;
}

/** N-24: sriov takes a device_pool and no host_device; otherwise the two are exclusive. */
export function checkDevices(net: NetworkObject): Issue[] {
  const o = net.spec?.Options ?? {};
  if ((net.spec?.NetworkType ?? "") === "sriov") {
    const out: Issue[] = [];
    if (!o.device_pool) out.push(issue("N-24", "Required", `${O}.device_pool`, "sriov networks take a device_pool (the SR-IOV resource name)"));
    if (o.host_device) out.push(issue("N-24", "Forbidden", `${O}.host_device`, "sriov networks take a device_pool, not a host_device"));
    return out;
  }
  return o.host_device && o.device_pool ? [issue("N-24", "Forbidden", `${O}.device_pool`, "host_device and device_pool are mutually exclusive; keep one")] : [];
}

/** Index per endpoint list: a cache hands out the same frozen list until something changes. */
const endpointIndexes = new WeakMap<readonly DanmEp[], Map<string, DanmEp[]>>();

function indexOf(endpoints: readonly DanmEp[]): Map<string, DanmEp[]> {
  let index = endpointIndexes.get(endpoints);
  if (!index) {
    index = new Map();
    for (const ep of endpoints) {
      const key = networkKey(endpointNetworkRef(ep));
      const list = index.get(key);
      if (list) list.push(ep);
      else index.set(key, [ep]);
    }
    endpointIndexes.set(endpoints, index);
  }
  return index;
}

/** §4: the DanmEps using a network. Decision 7: an empty apiType counts as DanmNet. */
export function endpointsUsing(net: { kind: NetworkKind; metadata?: { name?: string; namespace?: string } }, endpoints: readonly DanmEp[]): DanmEp[] {
  return indexOf(endpoints).get(networkKey(networkRefOf(net))) ?? [];
}

export function describeEndpoint(ep: DanmEp): string {
  return `Pod ${ep.metadata.namespace}/${ep.spec?.Pod ?? "?"}${ep.spec?.Interface?.Name ? ` (interface ${ep.spec.Interface.Name})` : ""}`;
}

/** N-25: the VNI or host device of a network in use cannot change (DanmNet, ClusterNetwork; UPDATE). */
export function checkVniChangeInUse(net: NetworkObject, old: NetworkObject, usedBy: DanmEp[] | undefined): Issue[] {
  if (usedBy && usedBy.length === 0) return [];
  const a = old.spec?.Options ?? {};
  const b = net.spec?.Options ?? {};
  const deviceChanged = (a.host_device ?? "") !== (b.host_device ?? "");
  const vniChanged = (a.vlan && (deviceChanged || (a.vlan ?? 0) !== (b.vlan ?? 0))) || (a.vxlan && (deviceChanged || (a.vxlan ?? 0) !== (b.vxlan ?? 0)));
  if (!usedBy) {
    // the endpoints are not known yet: a VNI change cannot be allowed blindly
    return vniChanged
      ? [
          issue(
            "N-25",
            "Forbidden",
            `${O}.${deviceChanged ? "host_device" : a.vlan ? "vlan" : "vxlan"}`,
            "cannot tell whether Pods use the network (DanmEps are not known yet); try again",
          ),
        ]
      : [];
  }
  const out: Issue[] = [];
  const who = `${describeEndpoint(usedBy[0])}${usedBy.length > 1 ? ` and ${usedBy.length - 1} more` : ""}`;
  if (a.vlan && (deviceChanged || (a.vlan ?? 0) !== (b.vlan ?? 0)))
    out.push(
      issue(
        "N-25",
        "Forbidden",
        `${O}.${deviceChanged ? "host_device" : "vlan"}`,
        `cannot change while the network is in use by ${who}; detach the Pods first`,
      ),
    );
  else if (a.vxlan && (deviceChanged || (a.vxlan ?? 0) !== (b.vxlan ?? 0)))
    out.push(
      issue(
        "N-25",
        "Forbidden",
        `${O}.${deviceChanged ? "host_device" : "vxlan"}`,
        `cannot change while the network is in use by ${who}; detach the Pods first`,
      ),
    );
  return out;
}

function gateways(routes: Record<string, string> | undefined): IpAddress[] {
  return Object.values(routes ?? {})
    .map((g) => tryParseIp(g))
    .filter((g): g is IpAddress => !!g);
}

/** Whether a bitmap holds allocations beyond the reserved bits a fresh one has. */
export function hasAllocations(alloc: string | undefined, range: string | undefined, routes: Record<string, string> | undefined): boolean {
  const cidr = range ? tryParseCidr(range) : undefined;
  if (!alloc || !cidr) return false;
  const current = Bitmap.decode(alloc);
  let fresh: Bitmap;
  try {
    fresh = freshIpBitmap(
      cidr,
      gateways(routes).filter((g) => cidrContains(cidr, g)),
    );
  } catch {
    return false;
  }
  if (current.length !== fresh.length) return true;
  for (let i = 0; i < fresh.length; i++) if (current.isSet(i) && !fresh.isSet(i)) return true;
  return false;
}

const sameCidr = (a: string | undefined, b: string | undefined) => {
  const x = a ? tryParseCidr(a) : undefined;
  const y = b ? tryParseCidr(b) : undefined;
  return x && y ? formatCidr(x) === formatCidr(y) : (a ?? "") === (b ?? "");
};

/**
 * N-26 (ours, decision 6): cidr and net6 cannot change while addresses are allocated from them, nor
 * can the IPv6 pool's cidr (alloc6 is a bitmap over it: another pool would give its bits other addresses).
 */
export function checkSubnetChange(net: NetworkObject, old: NetworkObject): Issue[] {
  const a = old.spec?.Options ?? {};
  const b = net.spec?.Options ?? {};
  const out: Issue[] = [];
  if (!sameCidr(a.cidr, b.cidr) && hasAllocations(a.alloc, a.cidr, a.routes)) {
    out.push(issue("N-26", "Forbidden", `${O}.cidr`, `cannot change from ${a.cidr} while addresses are allocated from it; detach the Pods first`));
  }
  const allocated6 = hasAllocations(a.alloc6, a.allocation_pool_v6?.cidr, a.routes6);
  if (!sameCidr(a.net6, b.net6) && allocated6) {
    out.push(issue("N-26", "Forbidden", `${O}.net6`, `cannot change from ${a.net6} while addresses are allocated from it; detach the Pods first`));
  } else if (!sameCidr(a.allocation_pool_v6?.cidr, b.allocation_pool_v6?.cidr) && allocated6) {
    out.push(
      issue(
        "N-26",
        "Forbidden",
        `${O}.allocation_pool_v6.cidr`,
        `cannot change from ${a.allocation_pool_v6?.cidr} while addresses are allocated from it; detach the Pods first`,
      ),
    );
  }
  return out;
}

/**
 * UPDATE defaulting (§9.1: defaults only fill empty fields): what the cluster wrote before and the
 * new object omits is carried over, so re-applying the original manifest changes nothing.
 * When cidr/net6 changes with no allocation, the derived pool and bitmap are rebuilt instead.
 */
export function carryOver(net: NetworkObject, old: NetworkObject): NetworkObject {
  const a = old.spec?.Options ?? {};
  const o: NetworkOptions = { ...(net.spec?.Options ?? {}) };
  const spec = { ...(net.spec ?? {}) };
  if (sameCidr(a.cidr, o.cidr)) {
    if (!o.alloc && a.alloc) o.alloc = a.alloc;
    if (!o.allocation_pool && a.allocation_pool) o.allocation_pool = a.allocation_pool;
    else if (o.allocation_pool && !o.allocation_pool.lastIp && a.allocation_pool?.lastIp)
      o.allocation_pool = { ...o.allocation_pool, lastIp: a.allocation_pool.lastIp };
  } else {
    // the old bitmap and a pool the cluster defaulted do not describe the new subnet
    if (o.alloc === a.alloc) delete o.alloc;
    if (o.allocation_pool && JSON.stringify(o.allocation_pool) === JSON.stringify(a.allocation_pool)) delete o.allocation_pool;
  }
  if (sameCidr(a.net6, o.net6)) {
    if (!o.allocation_pool_v6 && a.allocation_pool_v6) o.allocation_pool_v6 = a.allocation_pool_v6;
    else if (o.allocation_pool_v6 && a.allocation_pool_v6) {
      // a pool sent without its cidr or lastIp keeps the stored ones, as the IPv4 pool keeps lastIp
      const p6 = { ...o.allocation_pool_v6 };
      if (!p6.cidr && a.allocation_pool_v6.cidr) p6.cidr = a.allocation_pool_v6.cidr;
      if (!p6.lastIp && a.allocation_pool_v6.lastIp && sameCidr(p6.cidr, a.allocation_pool_v6.cidr)) p6.lastIp = a.allocation_pool_v6.lastIp;
      o.allocation_pool_v6 = p6;
    }
    // alloc6 is a bitmap over the pool cidr: kept only while that stays (N-26 refuses a change while it is in use)
    if (!o.alloc6 && a.alloc6 && sameCidr(a.allocation_pool_v6?.cidr, o.allocation_pool_v6?.cidr)) o.alloc6 = a.alloc6;
    else if (o.alloc6 === a.alloc6 && !sameCidr(a.allocation_pool_v6?.cidr, o.allocation_pool_v6?.cidr)) delete o.alloc6;
  } else {
    if (o.alloc6 === a.alloc6) delete o.alloc6;
    if (o.allocation_pool_v6 && JSON.stringify(o.allocation_pool_v6) === JSON.stringify(a.allocation_pool_v6)) delete o.allocation_pool_v6;
  }
  if (net.kind === "TenantNetwork") {
    for (const f of ["host_device", "device_pool"] as const) if (!o[f] && a[f]) o[f] = a[f];
    for (const f of ["vlan", "vxlan"] as const) if (!o[f] && a[f]) o[f] = a[f];
    if (!spec.NetworkID && old.spec?.NetworkID) spec.NetworkID = old.spec.NetworkID;
    if (!spec.NetworkType && old.spec?.NetworkType) spec.NetworkType = old.spec.NetworkType;
  }
  return { ...net, spec: { ...spec, Options: o } } as NetworkObject;
}
