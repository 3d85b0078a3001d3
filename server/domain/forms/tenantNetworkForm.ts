// The TenantNetwork form of the console: what a tenant types, the object it describes, and the
// webhook's rules that need no cluster state, run on that object as the tenant types. The same rule
// functions decide in the webhook (admission/network.ts), so the form and the cluster agree; what
// needs cluster state (the TenantConfig binding B-*, NetworkID mapping N-21, N-26 on live
// allocations) is left to the server-side dry run.
import { isDynamicNetworkType, normalNetworkType, type NetworkObject, type NetworkOptions } from "../api/network";
import { decodeNetwork } from "../admission/network";
import { issue, type Issue } from "../issue";
import { defaultAddressing, validateAddressing } from "../rules/networkAddressing";
import { carryOver, checkDevices, checkNoAllowedTenants, checkSubnetChange, checkTenantRestrictions } from "../rules/networkIdentity";

export interface RouteRow {
  destination: string;
  gateway: string;
}

/** Every field is the text the tenant typed; empty means "not set". */
export interface TenantNetworkForm {
  name: string;
  namespace: string;
  /** ipvlan, macvlan, sriov, or the name of a CNI plugin (static delegate). */
  networkType: string;
  /** Usually empty: the TenantConfig maps NetworkType to NetworkID. */
  networkId: string;
  /** sriov only: the SR-IOV resource name (N-24 requires it); the cluster reserves the VLAN. */
  devicePool: string;
  cidr: string;
  poolStart: string;
  poolEnd: string;
  net6: string;
  pool6Cidr: string;
  pool6Start: string;
  pool6End: string;
  routes: RouteRow[];
  routes6: RouteRow[];
  containerPrefix: string;
  rtTables: string;
}

export type FormField = Exclude<keyof TenantNetworkForm, "routes" | "routes6">;

const O = "spec.Options";

/** The object path each form field fills: the path the webhook's causes name. */
export const FIELD_PATHS: Record<FormField | "routes" | "routes6", string> = {
  name: "metadata.name",
  namespace: "metadata.namespace",
  networkType: "spec.NetworkType",
  networkId: "spec.NetworkID",
  devicePool: `${O}.device_pool`,
  cidr: `${O}.cidr`,
  poolStart: `${O}.allocation_pool.start`,
  poolEnd: `${O}.allocation_pool.end`,
  net6: `${O}.net6`,
  pool6Cidr: `${O}.allocation_pool_v6.cidr`,
  pool6Start: `${O}.allocation_pool_v6.start`,
  pool6End: `${O}.allocation_pool_v6.end`,
  routes: `${O}.routes`,
  routes6: `${O}.routes6`,
  containerPrefix: `${O}.container_prefix`,
  rtTables: `${O}.rt_tables`,
};

export function emptyTenantNetworkForm(namespace: string): TenantNetworkForm {
  return {
    name: "", namespace, networkType: "ipvlan", networkId: "", devicePool: "",
    cidr: "", poolStart: "", poolEnd: "", net6: "", pool6Cidr: "", pool6Start: "", pool6End: "",
    routes: [], routes6: [], containerPrefix: "", rtTables: "",
  };
}

const rows = (routes: Record<string, string> | undefined): RouteRow[] => Object.entries(routes ?? {}).map(([destination, gateway]) => ({ destination, gateway }));

/** The form showing a stored TenantNetwork, for editing. */
export function formFromTenantNetwork(net: NetworkObject): TenantNetworkForm {
  const spec = net.spec ?? {};
  const o = spec.Options ?? {};
  return {
    name: net.metadata.name ?? "",
    namespace: net.metadata.namespace ?? "",
    networkType: normalNetworkType(spec.NetworkType),
    networkId: spec.NetworkID ?? "",
    devicePool: o.device_pool ?? "",
    cidr: o.cidr ?? "",
    poolStart: o.allocation_pool?.start ?? "",
    poolEnd: o.allocation_pool?.end ?? "",
    net6: o.net6 ?? "",
    pool6Cidr: o.allocation_pool_v6?.cidr ?? "",
    pool6Start: o.allocation_pool_v6?.start ?? "",
    pool6End: o.allocation_pool_v6?.end ?? "",
    routes: rows(o.routes),
    routes6: rows(o.routes6),
    containerPrefix: o.container_prefix ?? "",
    rtTables: o.rt_tables === undefined ? "" : String(o.rt_tables),
  };
}

const KUBE_NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
const trimmed = (s: string) => s.trim();
const set = <T extends object, K extends keyof T>(target: T, key: K, value: T[K] | undefined) => {
  if (value === undefined || value === "") delete target[key];
  else target[key] = value;
};

function routeMap(routes: RouteRow[], path: string, issues: Issue[]): Record<string, string> | undefined {
  const map: Record<string, string> = {};
  routes.forEach((row, i) => {
    const destination = trimmed(row.destination);
    const gateway = trimmed(row.gateway);
    if (destination === "" && gateway === "") return; // an untouched new row
    if (destination === "") {
      issues.push(issue("N-0", "Required", `${path}[${i}]`, "a route needs a destination CIDR, like 10.70.0.0/16"));
      return;
    }
    if (destination in map) {
      issues.push(issue("N-0", "Invalid", `${path}[${i}]`, "this destination is listed twice; keep one route per destination", destination));
      return;
    }
    map[destination] = gateway;
  });
  return Object.keys(map).length > 0 ? map : undefined;
}

export interface BuiltTenantNetwork {
  /** The object to send: the tenant's fields over what is stored (when editing). */
  object: NetworkObject;
  /** Problems found while reading the form itself (numbers, names, duplicate routes). */
  issues: Issue[];
}

/**
 * The TenantNetwork the form describes. When editing, the stored object is the base, so what the
 * cluster assigned (host device, VNI, NetworkID, bitmaps, lastIp) and metadata.resourceVersion stay.
 */
export function tenantNetworkFromForm(form: TenantNetworkForm, existing?: NetworkObject): BuiltTenantNetwork {
  const issues: Issue[] = [];
  const name = trimmed(form.name);
  if (!existing) {
    if (name === "") issues.push(issue("N-0", "Required", FIELD_PATHS.name, "give the network a name, like signalling"));
    else if (name.length > 253 || !KUBE_NAME.test(name)) issues.push(issue("N-0", "Invalid", FIELD_PATHS.name, "must be lower-case letters, digits, '-' and '.', starting and ending with a letter or digit", name));
  }
  const o: NetworkOptions = { ...(existing?.spec?.Options ?? {}) };
  set(o, "cidr", trimmed(form.cidr));
  const start = trimmed(form.poolStart);
  const end = trimmed(form.poolEnd);
  if (start || end) o.allocation_pool = { ...(existing?.spec?.Options?.allocation_pool?.lastIp ? { lastIp: existing.spec.Options.allocation_pool.lastIp } : {}), ...(start ? { start } : {}), ...(end ? { end } : {}) };
  else delete o.allocation_pool;
  set(o, "net6", trimmed(form.net6));
  const p6 = { cidr: trimmed(form.pool6Cidr), start: trimmed(form.pool6Start), end: trimmed(form.pool6End) };
  if (p6.cidr || p6.start || p6.end) {
    const lastIp = existing?.spec?.Options?.allocation_pool_v6?.lastIp;
    o.allocation_pool_v6 = { ...(p6.cidr ? { cidr: p6.cidr } : {}), ...(p6.start ? { start: p6.start } : {}), ...(p6.end ? { end: p6.end } : {}), ...(lastIp ? { lastIp } : {}) };
  } else delete o.allocation_pool_v6;
  set(o, "routes", routeMap(form.routes, FIELD_PATHS.routes, issues));
  set(o, "routes6", routeMap(form.routes6, FIELD_PATHS.routes6, issues));
  set(o, "container_prefix", trimmed(form.containerPrefix));
  const rt = trimmed(form.rtTables);
  if (rt === "") delete o.rt_tables;
  else if (/^\d+$/.test(rt) && Number(rt) <= 255) o.rt_tables = Number(rt);
  else {
    delete o.rt_tables;
    issues.push(issue("N-0", "Invalid", FIELD_PATHS.rtTables, "must be a routing table number from 0 to 255 (0 ignores Pod policy routes)", rt));
  }
  const type = normalNetworkType(trimmed(form.networkType));
  if (!existing) {
    // sriov takes the SR-IOV pool by name (N-24); other types get their device from the TenantConfig
    if (type === "sriov") set(o, "device_pool", trimmed(form.devicePool));
    else delete o.device_pool;
  }
  const spec = { ...(existing?.spec ?? {}), NetworkType: existing ? existing.spec?.NetworkType || type : type, Options: o };
  if (!existing) set(spec, "NetworkID", trimmed(form.networkId));
  const metadata = existing ? existing.metadata : { name, namespace: trimmed(form.namespace) };
  return { object: { apiVersion: "danm.k8s.io/v1", kind: "TenantNetwork", metadata, spec } as NetworkObject, issues };
}

export interface FormValidation extends BuiltTenantNetwork {
  /** Form issues and the rule issues of the webhook that need no cluster state, keyed by field path. */
  issues: Issue[];
}

/**
 * Validates the form as the webhook would (danm-spec §8.2 order): schema (N-0), addressing N-1…N-19,
 * N-22, the tenant restrictions N-23, devices N-24 and, when editing, N-26 against the stored bitmaps.
 */
export function validateTenantNetworkForm(form: TenantNetworkForm, existing?: NetworkObject): FormValidation {
  const built = tenantNetworkFromForm(form, existing);
  const issues = [...built.issues];
  const decoded = decodeNetwork(built.object);
  if (!decoded.ok) return { object: built.object, issues: [...issues, ...decoded.issues] };
  let net = existing ? carryOver(decoded.value, existing) : decoded.value;
  net = { ...net, spec: { ...net.spec, NetworkType: normalNetworkType(net.spec?.NetworkType) } } as NetworkObject;
  const old = existing ? ({ ...existing, spec: { ...existing.spec, NetworkType: normalNetworkType(existing.spec?.NetworkType) } } as NetworkObject) : undefined;
  const sent = net.spec?.Options ?? {};
  issues.push(...validateAddressing(defaultAddressing(sent), existing ? undefined : sent));
  issues.push(...checkNoAllowedTenants(net));
  issues.push(...checkTenantRestrictions(net, old));
  issues.push(...checkDevices(net));
  if (old) issues.push(...checkSubnetChange(net, old));
  return { object: built.object, issues };
}

/** Whether a NetworkType gets a host device and VNI from the cluster (dynamic) or names a CNI config (static). */
export function isClusterBoundType(networkType: string): boolean {
  return isDynamicNetworkType(networkType.trim());
}

/**
 * Which form field an issue (or an API server cause) belongs to: its path, or the closest field
 * path it lies under (`spec.Options.routes["10.0.0.0/8"]` belongs to routes). Unknown paths: "form".
 */
export function fieldOfPath(path: string | undefined): FormField | "routes" | "routes6" | "form" {
  if (!path) return "form";
  let best: { field: FormField | "routes" | "routes6"; length: number } | undefined;
  for (const [field, p] of Object.entries(FIELD_PATHS) as [FormField | "routes" | "routes6", string][]) {
    if ((path === p || path.startsWith(`${p}.`) || path.startsWith(`${p}[`)) && (!best || p.length > best.length)) best = { field, length: p.length };
  }
  if (best) return best.field;
  // a pool as a whole (N-8, N-13) is shown at its first field
  if (path === `${O}.allocation_pool`) return "poolStart";
  if (path === `${O}.allocation_pool_v6`) return "pool6Cidr";
  return "form";
}

/** The route row an issue path names: `routes[3]` (a row index) or `routes["dest"]` (a destination). */
export function routeRowOfPath(path: string, routes: RouteRow[]): number | undefined {
  const m = /\[(\d+|".*")\]$/.exec(path);
  if (!m) return undefined;
  if (m[1].startsWith('"')) {
    const destination = JSON.parse(m[1]) as string;
    const i = routes.findIndex((r) => r.destination.trim() === destination);
    return i >= 0 ? i : undefined;
  }
  return Number(m[1]);
}
