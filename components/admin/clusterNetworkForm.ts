// The ClusterNetwork form's state and its conversion to and from the object the API server stores.
// Fields the form does not show (alloc bitmaps, lastIp, the IPv6 pool, labels) are kept from the
// object being edited, so a replace never drops what the webhook or IPAM wrote.
import type { FieldCause } from "@/components/errors";

export interface RouteRow {
  destination: string;
  gateway: string;
}

export interface ClusterNetworkFormState {
  name: string;
  networkType: string;
  networkId: string;
  cidr: string;
  poolStart: string;
  poolEnd: string;
  net6: string;
  routes: RouteRow[];
  routes6: RouteRow[];
  device: "host_device" | "device_pool" | "none";
  deviceName: string;
  vniType: "none" | "vlan" | "vxlan";
  vni: string;
  containerPrefix: string;
  rtTables: string;
  allowedTenants: string[];
}

export const EMPTY_FORM: ClusterNetworkFormState = {
  name: "",
  networkType: "ipvlan",
  networkId: "",
  cidr: "",
  poolStart: "",
  poolEnd: "",
  net6: "",
  routes: [],
  routes6: [],
  device: "host_device",
  deviceName: "",
  vniType: "none",
  vni: "",
  containerPrefix: "",
  rtTables: "",
  allowedTenants: [],
};

export interface ClusterNetworkObject {
  apiVersion?: string;
  kind?: string;
  metadata: { name?: string; resourceVersion?: string; [k: string]: unknown };
  spec?: {
    NetworkID?: string;
    NetworkType?: string;
    AllowedTenants?: string[];
    Options?: Record<string, unknown> & {
      host_device?: string;
      device_pool?: string;
      cidr?: string;
      net6?: string;
      allocation_pool?: { start?: string; end?: string; lastIp?: string };
      routes?: Record<string, string>;
      routes6?: Record<string, string>;
      vlan?: number;
      vxlan?: number;
      container_prefix?: string;
      rt_tables?: number;
    };
  };
  [k: string]: unknown;
}

const routeRows = (m: Record<string, string> | undefined): RouteRow[] => Object.entries(m ?? {}).map(([destination, gateway]) => ({ destination, gateway }));

export function formFromObject(o: ClusterNetworkObject): ClusterNetworkFormState {
  const opts = o.spec?.Options ?? {};
  return {
    name: o.metadata.name ?? "",
    networkType: o.spec?.NetworkType ?? "",
    networkId: o.spec?.NetworkID ?? "",
    cidr: opts.cidr ?? "",
    poolStart: opts.allocation_pool?.start ?? "",
    poolEnd: opts.allocation_pool?.end ?? "",
    net6: opts.net6 ?? "",
    routes: routeRows(opts.routes),
    routes6: routeRows(opts.routes6),
    device: opts.device_pool ? "device_pool" : opts.host_device ? "host_device" : "none",
    deviceName: opts.device_pool || opts.host_device || "",
    vniType: opts.vxlan ? "vxlan" : opts.vlan ? "vlan" : "none",
    vni: String(opts.vxlan || opts.vlan || ""),
    containerPrefix: opts.container_prefix ?? "",
    rtTables: opts.rt_tables === undefined ? "" : String(opts.rt_tables),
    allowedTenants: o.spec?.AllowedTenants ?? [],
  };
}

/** Problems the form can see before asking the cluster (numbers that are not numbers, half-filled routes). */
export function localProblems(f: ClusterNetworkFormState): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  const add = (field: string, message: string) => (out[field] ??= []).push(message);
  if (!f.name.trim()) add("metadata.name", "Give the network a name (lower-case letters, digits and '-').");
  if (f.vniType !== "none" && !/^\d+$/.test(f.vni.trim())) add(`spec.Options.${f.vniType}`, `${f.vniType} must be a whole number.`);
  if (f.rtTables.trim() && !/^\d+$/.test(f.rtTables.trim())) add("spec.Options.rt_tables", "rt_tables must be a whole number from 0 to 255.");
  if (f.device !== "none" && !f.deviceName.trim()) add(`spec.Options.${f.device}`, f.device === "device_pool" ? "Name the SR-IOV device pool, e.g. vendor.example/sriov_a." : "Name the host NIC, e.g. ens4.");
  for (const [field, rows] of [["spec.Options.routes", f.routes], ["spec.Options.routes6", f.routes6]] as const) {
    if (rows.some((r) => !r.destination.trim() !== !r.gateway.trim())) add(field, "Every route needs a destination and a gateway.");
  }
  return out;
}

function routeMap(rows: RouteRow[]): Record<string, string> | undefined {
  const filled = rows.filter((r) => r.destination.trim() && r.gateway.trim());
  return filled.length ? Object.fromEntries(filled.map((r) => [r.destination.trim(), r.gateway.trim()])) : undefined;
}

/** The object to create, or to replace `original` with. */
export function objectFromForm(f: ClusterNetworkFormState, original?: ClusterNetworkObject): ClusterNetworkObject {
  const kept = { ...(original?.spec?.Options ?? {}) };
  for (const k of ["host_device", "device_pool", "cidr", "net6", "routes", "routes6", "vlan", "vxlan", "container_prefix", "rt_tables"]) delete kept[k];
  const pool = { ...(original?.spec?.Options?.allocation_pool ?? {}), start: f.poolStart.trim() || undefined, end: f.poolEnd.trim() || undefined };
  const options: Record<string, unknown> = {
    ...kept,
    host_device: f.device === "host_device" ? f.deviceName.trim() || undefined : undefined,
    device_pool: f.device === "device_pool" ? f.deviceName.trim() || undefined : undefined,
    cidr: f.cidr.trim() || undefined,
    allocation_pool: pool.start || pool.end || pool.lastIp ? pool : undefined,
    routes: routeMap(f.routes),
    net6: f.net6.trim() || undefined,
    routes6: routeMap(f.routes6),
    vlan: f.vniType === "vlan" ? Number(f.vni.trim()) : undefined,
    vxlan: f.vniType === "vxlan" ? Number(f.vni.trim()) : undefined,
    container_prefix: f.containerPrefix.trim() || undefined,
    rt_tables: f.rtTables.trim() ? Number(f.rtTables.trim()) : undefined,
  };
  for (const k of Object.keys(options)) if (options[k] === undefined) delete options[k];
  if (options.allocation_pool) for (const k of ["start", "end"] as const) if ((options.allocation_pool as Record<string, unknown>)[k] === undefined) delete (options.allocation_pool as Record<string, unknown>)[k];
  const spec: NonNullable<ClusterNetworkObject["spec"]> = {
    ...(original?.spec ?? {}),
    NetworkID: f.networkId.trim() || undefined,
    NetworkType: f.networkType.trim() || undefined,
    AllowedTenants: f.allowedTenants.length ? [...f.allowedTenants].sort() : undefined,
    Options: options,
  };
  for (const k of ["NetworkID", "NetworkType", "AllowedTenants"] as const) if (spec[k] === undefined) delete spec[k];
  return {
    ...(original ?? {}),
    metadata: original ? { ...original.metadata } : { name: f.name.trim() },
    spec,
  };
}

/** The form's fields and the object paths each shows messages for (the longest matching prefix wins). */
export const FIELD_PATHS = [
  "metadata.name",
  "spec.NetworkType",
  "spec.NetworkID",
  "spec.AllowedTenants",
  "spec.Options.cidr",
  "spec.Options.allocation_pool",
  "spec.Options.net6",
  "spec.Options.allocation_pool_v6",
  "spec.Options.routes",
  "spec.Options.routes6",
  "spec.Options.host_device",
  "spec.Options.device_pool",
  "spec.Options.vlan",
  "spec.Options.vxlan",
  "spec.Options.container_prefix",
  "spec.Options.rt_tables",
] as const;

/** Sorts the API server's causes onto the form's fields; those that fit none go under "" (shown at the top). */
export function causesByField(causes: FieldCause[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const c of causes) {
    const field = (c.field ?? "").replace(/^\.+/, "");
    const match = [...FIELD_PATHS].filter((p) => field === p || field.startsWith(`${p}.`) || field.startsWith(`${p}[`)).sort((a, b) => b.length - a.length)[0];
    // routes6 must not catch routes' causes and vice versa: the prefix test above requires a separator
    const key = match === "spec.Options.allocation_pool_v6" ? "spec.Options.net6" : (match ?? "");
    (out[key] ??= []).push(match ? (c.message ?? c.reason ?? "refused") : `${c.field ? `${c.field}: ` : ""}${c.message ?? c.reason ?? "refused"}`);
  }
  return out;
}
