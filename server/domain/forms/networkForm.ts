// The console's form for the three network kinds (DanmNet, ClusterNetwork, TenantNetwork): what
// the person types, the object it describes, and the webhook's rules that need no cluster state,
// run on that object as they type. The rule functions are the ones admitNetwork runs
// (admission/network.ts), chosen by kind as it chooses them, so the form and the cluster agree;
// what needs cluster state (the TenantConfig binding B-*, N-21 after binding, N-25 on the DanmEps
// using a network) is left to the server-side dry run.
import { normalNetworkType, type NetworkKind, type NetworkObject, type NetworkOptions } from "../api/network";
import { decodeNetwork } from "../admission/network";
import { issue, issueMessage, type Issue } from "../issue";
import { defaultAddressing, validateAddressing } from "../rules/networkAddressing";
import {
  carryOver,
  checkDevices,
  checkNetworkId,
  checkNoAllowedTenants,
  checkSubnetChange,
  checkTenantRestrictions,
  checkVniExclusive,
} from "../rules/networkIdentity";

export interface RouteRow {
  destination: string;
  gateway: string;
}

/** Every text field is what was typed; empty means "not set". */
export interface NetworkForm {
  kind: NetworkKind;
  name: string;
  /** DanmNet and TenantNetwork only. */
  namespace: string;
  /** ipvlan, macvlan, sriov, or the name of a CNI plugin (static delegate). */
  networkType: string;
  /** A TenantNetwork's usually comes from the TenantConfig. */
  networkId: string;
  /** host_device or device_pool, named by deviceName. A TenantNetwork names only an SR-IOV pool (N-24). */
  device: "host_device" | "device_pool" | "none";
  deviceName: string;
  /** A TenantNetwork's VNI is the cluster's (N-23): never sent from the form. */
  vniType: "none" | "vlan" | "vxlan";
  vni: string;
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
  /** ClusterNetwork only: none means every namespace. */
  allowedTenants: string[];
}

export type NetworkFormField = Exclude<keyof NetworkForm, "kind">;
/** Where a message is shown: a field, or the form as a whole. */
export type MessagePlace = NetworkFormField | "form";

const O = "spec.Options";

/** The object path each field fills: the path the webhook's issues and the API server's causes name. */
const FIELD_PATHS: [NetworkFormField, string][] = [
  ["name", "metadata.name"],
  ["name", "metadata.generateName"],
  ["namespace", "metadata.namespace"],
  ["networkType", "spec.NetworkType"],
  ["networkId", "spec.NetworkID"],
  ["allowedTenants", "spec.AllowedTenants"],
  ["deviceName", `${O}.host_device`],
  ["deviceName", `${O}.device_pool`],
  ["vni", `${O}.vlan`],
  ["vni", `${O}.vxlan`],
  ["cidr", `${O}.cidr`],
  // a pool as a whole (N-8, N-13) is shown at its first field
  ["poolStart", `${O}.allocation_pool`],
  ["poolStart", `${O}.allocation_pool.start`],
  ["poolEnd", `${O}.allocation_pool.end`],
  ["net6", `${O}.net6`],
  ["pool6Cidr", `${O}.allocation_pool_v6`],
  ["pool6Start", `${O}.allocation_pool_v6.start`],
  ["pool6End", `${O}.allocation_pool_v6.end`],
  ["routes", `${O}.routes`],
  ["routes6", `${O}.routes6`],
  ["containerPrefix", `${O}.container_prefix`],
  ["rtTables", `${O}.rt_tables`],
];

export function emptyNetworkForm(kind: NetworkKind, namespace = ""): NetworkForm {
  return {
    kind,
    name: "",
    namespace: kind === "ClusterNetwork" ? "" : namespace,
    networkType: "ipvlan",
    networkId: "",
    device: kind === "TenantNetwork" ? "none" : "host_device",
    deviceName: "",
    vniType: "none",
    vni: "",
    cidr: "",
    poolStart: "",
    poolEnd: "",
    net6: "",
    pool6Cidr: "",
    pool6Start: "",
    pool6End: "",
    routes: [],
    routes6: [],
    containerPrefix: "",
    rtTables: "",
    allowedTenants: [],
  };
}

const rows = (routes: Record<string, string> | undefined): RouteRow[] =>
  Object.entries(routes ?? {}).map(([destination, gateway]) => ({ destination, gateway }));

/** The form showing a stored network, for editing. */
export function formFromNetwork(net: NetworkObject): NetworkForm {
  const spec = net.spec ?? {};
  const o = spec.Options ?? {};
  return {
    kind: net.kind,
    name: net.metadata.name ?? "",
    namespace: net.metadata.namespace ?? "",
    networkType: spec.NetworkType ?? "",
    networkId: spec.NetworkID ?? "",
    device: o.device_pool ? "device_pool" : o.host_device ? "host_device" : "none",
    deviceName: o.device_pool || o.host_device || "",
    vniType: o.vxlan ? "vxlan" : o.vlan ? "vlan" : "none",
    vni: String(o.vxlan || o.vlan || ""),
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
    allowedTenants: spec.AllowedTenants ?? [],
  };
}

const KUBE_NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
const WHOLE_NUMBER = /^\d+$/;

/** Sets `key`, or removes it when the value is empty. */
function set<T extends object, K extends keyof T>(target: T, key: K, value: T[K] | undefined) {
  if (value === undefined || value === "") delete target[key];
  else target[key] = value;
}

function routeMap(routes: RouteRow[], path: string, issues: Issue[]): Record<string, string> | undefined {
  const map: Record<string, string> = {};
  routes.forEach((row, i) => {
    const destination = row.destination.trim();
    const gateway = row.gateway.trim();
    if (destination === "" && gateway === "") return; // an untouched new row
    if (destination === "") return void issues.push(issue("N-0", "Required", `${path}[${i}]`, "a route needs a destination CIDR, like 10.70.0.0/16"));
    if (gateway === "") return void issues.push(issue("N-0", "Required", `${path}[${i}]`, "a route needs a gateway inside the network's subnet"));
    if (destination in map)
      return void issues.push(issue("N-0", "Invalid", `${path}[${i}]`, "this destination is listed twice; keep one route per destination", destination));
    map[destination] = gateway;
  });
  return Object.keys(map).length > 0 ? map : undefined;
}

/**
 * A pool from the form's fields over the stored one: fields the form does not show (lastIp) stay
 * while the subnet stays; a pool with nothing left is removed.
 */
function pool<P extends Record<string, string | undefined>>(stored: P | undefined, typed: Partial<P>, sameSubnet: boolean): P | undefined {
  const out = { ...(sameSubnet ? stored : undefined) } as P;
  for (const [k, v] of Object.entries(typed) as [keyof P, string][]) set(out, k, v.trim() as P[keyof P]);
  return Object.keys(out).length > 0 ? out : undefined;
}

export interface BuiltNetwork {
  /** The object to send: the form's fields over what is stored (when editing). */
  object: NetworkObject;
  /** Problems of the form itself (names, numbers, routes), which no object can carry. */
  issues: Issue[];
}

/**
 * The network the form describes. When editing, the stored object is the base, so what the form
 * does not show (bitmaps, lastIp, labels, resourceVersion) stays, and for a TenantNetwork what the
 * cluster assigned (host device, VNI, NetworkID, NetworkType: N-23).
 */
export function networkFromForm(form: NetworkForm, existing?: NetworkObject): BuiltNetwork {
  const issues: Issue[] = [];
  const tenant = form.kind === "TenantNetwork";
  const name = form.name.trim();
  if (!existing) {
    if (name === "") issues.push(issue("N-0", "Required", "metadata.name", "give the network a name, like signalling"));
    else if (name.length > 253 || !KUBE_NAME.test(name))
      issues.push(
        issue("N-0", "Invalid", "metadata.name", "must be lower-case letters, digits, '-' and '.', starting and ending with a letter or digit", name),
      );
  }
  const stored = existing?.spec?.Options ?? {};
  const o: NetworkOptions = { ...stored };
  set(o, "cidr", form.cidr.trim());
  set(o, "allocation_pool", pool(stored.allocation_pool, { start: form.poolStart, end: form.poolEnd }, (stored.cidr ?? "") === form.cidr.trim()));
  set(o, "net6", form.net6.trim());
  set(
    o,
    "allocation_pool_v6",
    pool(stored.allocation_pool_v6, { cidr: form.pool6Cidr, start: form.pool6Start, end: form.pool6End }, (stored.net6 ?? "") === form.net6.trim()),
  );
  set(o, "routes", routeMap(form.routes, `${O}.routes`, issues));
  set(o, "routes6", routeMap(form.routes6, `${O}.routes6`, issues));
  set(o, "container_prefix", form.containerPrefix.trim());
  const rt = form.rtTables.trim();
  set(o, "rt_tables", WHOLE_NUMBER.test(rt) && Number(rt) <= 255 ? Number(rt) : undefined);
  if (rt !== "" && o.rt_tables === undefined)
    issues.push(issue("N-0", "Invalid", `${O}.rt_tables`, "must be a routing table number from 0 to 255 (0 ignores Pod policy routes)", rt));

  const spec = { ...(existing?.spec ?? {}), Options: o };
  if (tenant) {
    // the tenant names only an SR-IOV pool (N-24), at creation; the cluster assigns the rest
    if (!existing) set(o, "device_pool", normalNetworkType(form.networkType.trim()) === "sriov" ? form.deviceName.trim() : undefined);
  } else {
    const deviceName = form.deviceName.trim();
    set(o, "host_device", form.device === "host_device" ? deviceName : undefined);
    set(o, "device_pool", form.device === "device_pool" ? deviceName : undefined);
    if (form.device !== "none" && deviceName === "")
      issues.push(
        issue(
          "N-0",
          "Required",
          `${O}.${form.device}`,
          form.device === "device_pool" ? "name the SR-IOV device pool, like vendor.example/sriov_a" : "name the host NIC, like ens4",
        ),
      );
    const vni = form.vni.trim();
    const vniNumber = form.vniType !== "none" && WHOLE_NUMBER.test(vni) ? Number(vni) : undefined;
    set(o, "vlan", form.vniType === "vlan" ? vniNumber : undefined);
    set(o, "vxlan", form.vniType === "vxlan" ? vniNumber : undefined);
    if (form.vniType !== "none" && vniNumber === undefined)
      issues.push(issue("N-0", "Invalid", `${O}.${form.vniType}`, `${form.vniType} must be a whole number`, vni));
  }
  if (!tenant || !existing) {
    set(spec, "NetworkType", form.networkType.trim());
    set(spec, "NetworkID", form.networkId.trim());
  }
  if (form.kind === "ClusterNetwork") set(spec, "AllowedTenants", form.allowedTenants.length > 0 ? [...form.allowedTenants].sort() : undefined);
  const metadata = existing ? { ...existing.metadata } : form.kind === "ClusterNetwork" ? { name } : { name, namespace: form.namespace.trim() };
  return { object: { ...(existing ?? {}), apiVersion: "danm.k8s.io/v1", kind: form.kind, metadata, spec } as NetworkObject, issues };
}

const withLowerType = (net: NetworkObject) => ({ ...net, spec: { ...net.spec, NetworkType: normalNetworkType(net.spec?.NetworkType) } }) as NetworkObject;

/**
 * The form's issues and the webhook's rules that need no cluster state, in admitNetwork's order
 * (danm-spec §8.2): schema (N-0), addressing N-1…N-19, then by kind N-20, N-21, N-22, N-23, N-24,
 * and, when editing, N-26 against the stored bitmaps.
 */
export function validateNetworkForm(form: NetworkForm, existing?: NetworkObject): BuiltNetwork {
  const built = networkFromForm(form, existing);
  const issues = [...built.issues];
  const decoded = decodeNetwork(built.object);
  if (!decoded.ok) return { object: built.object, issues: [...issues, ...decoded.issues] };
  const old = existing ? withLowerType(existing) : undefined;
  const net = withLowerType(old ? carryOver(decoded.value, old) : decoded.value);
  const kind = form.kind;
  const sent = net.spec?.Options ?? {};
  issues.push(...validateAddressing(defaultAddressing(sent), old ? undefined : sent));
  if (kind !== "TenantNetwork") issues.push(...checkVniExclusive(net.spec?.Options ?? {}), ...checkNetworkId(net, ""));
  if (kind !== "ClusterNetwork") issues.push(...checkNoAllowedTenants(net));
  if (kind === "TenantNetwork") issues.push(...checkTenantRestrictions(net, old));
  issues.push(...checkDevices(net));
  if (old) issues.push(...checkSubnetChange(net, old));
  return { object: built.object, issues };
}

/** A message placed on the form: the field (and route row) it concerns, from the form's rules or the cluster. */
export interface PlacedMessage {
  place: MessagePlace;
  /** The row of a route list, when the path names one. */
  row?: number;
  message: string;
  source: "form" | "cluster";
}

/** The field a path belongs to: the longest field path it equals or lies under; unknown paths go to "form". */
export function placeOfPath(path: string | undefined): MessagePlace {
  const p = (path ?? "").replace(/^\.+/, "");
  let best: [NetworkFormField, string] | undefined;
  for (const entry of FIELD_PATHS) {
    const fieldPath = entry[1];
    if ((p === fieldPath || p.startsWith(`${fieldPath}.`) || p.startsWith(`${fieldPath}[`)) && (!best || fieldPath.length > best[1].length)) best = entry;
  }
  return best?.[0] ?? "form";
}

/** The route row a path names: `routes[3]` (a row index) or `routes["dest"]` (a destination). */
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

function placed(path: string | undefined, message: string, form: NetworkForm, source: PlacedMessage["source"]): PlacedMessage {
  const place = placeOfPath(path);
  const row = path && (place === "routes" || place === "routes6") ? routeRowOfPath(path, form[place]) : undefined;
  // a message the form cannot place keeps its path, so the reader still knows which field it means
  return { place, row, message: place === "form" && path ? `${path}: ${message}` : message, source };
}

/** The form's and the rules' issues, placed on fields. */
export function placeIssues(issues: Issue[], form: NetworkForm): PlacedMessage[] {
  return issues.map((i) => placed(i.path, issueMessage(i), form, "form"));
}

/** The API server's causes (a webhook denial's details.causes), placed on fields. */
export function placeCauses(causes: { field?: string; message?: string; reason?: string }[], form: NetworkForm): PlacedMessage[] {
  return causes.map((c) => placed(c.field, c.message ?? c.reason ?? "refused", form, "cluster"));
}
