// SR-IOV inventory (design.md, node agent): which pools a node must report, which physical
// functions (PFs) back each pool, and which virtual function (VF) each Pod holds. Pure: the agent
// (server/agent/sriovSysfs.ts) reads sysfs and the device plugin's config file.
//
// Pool → PF mapping: the SR-IOV network device plugin's own config file (config.json of
// k8snetworkplumbingwg/sriov-network-device-plugin), so netadmins keep one source of truth:
//   {"resourceList": [{"resourcePrefix": "vendor.example", "resourceName": "sriov_left",
//                      "selectors": {"pfNames": ["ens1f0", "ens1f1#0-3"]}}]}
// The pool name is "<resourcePrefix>/<resourceName>" (prefix defaults to "intel.com", as in the
// plugin); "selectors" may also be a list of selector objects (newer plugin versions). A pfNames
// entry "pf#a-b" (or "pf#a,c") limits the pool to those VF indexes.
import type { DanmEp } from "./api/danmEp";
import { endpointNetworkRef, networkLabel } from "./networkRef";
import type { NetworkObject } from "./api/network";
import type { SriovPoolStatus, VirtualFunctionStatus } from "./api/nodeStatus";
import type { TenantConfig } from "./api/tenantConfig";
import { isDevicePoolName } from "./tenancy/vni";

export const DEFAULT_RESOURCE_PREFIX = "intel.com";

export interface PoolFunction {
  /** PF netdev name. */
  pf: string;
  /** VF indexes the pool may use; undefined means all. */
  vfIndexes?: number[];
}

export type SriovPoolMap = Map<string, PoolFunction[]>;

export type ParsedSriovConfig = { ok: true; pools: SriovPoolMap } | { ok: false; reason: string };

function parsePfName(entry: string): PoolFunction | string {
  const [pf, range, ...extra] = entry.split("#");
  if (!pf || extra.length) return `pfNames entry "${entry}" is not "<pf>" or "<pf>#<first>-<last>"`;
  if (range === undefined) return { pf };
  const indexes: number[] = [];
  for (const part of range.split(",")) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!m) return `pfNames entry "${entry}": "${part}" is neither a VF number nor a range a-b`;
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    if (to < from) return `pfNames entry "${entry}": range "${part}" is inverted`;
    for (let i = from; i <= to; i++) indexes.push(i);
  }
  return { pf, vfIndexes: [...new Set(indexes)].sort((a, b) => a - b) };
}

/** Parses the device plugin's config.json text into pool name → PFs. */
export function parseSriovDevicePluginConfig(text: string): ParsedSriovConfig {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    return { ok: false, reason: `not JSON: ${(e as Error).message}` };
  }
  const list = (doc as { resourceList?: unknown })?.resourceList;
  if (!Array.isArray(list)) return { ok: false, reason: 'has no "resourceList" array' };
  const pools: SriovPoolMap = new Map();
  for (const [i, r] of list.entries()) {
    const res = r as { resourceName?: unknown; resourcePrefix?: unknown; selectors?: unknown };
    if (typeof res?.resourceName !== "string" || !res.resourceName) return { ok: false, reason: `resourceList[${i}] has no resourceName` };
    const prefix = typeof res.resourcePrefix === "string" && res.resourcePrefix ? res.resourcePrefix : DEFAULT_RESOURCE_PREFIX;
    const selectors = Array.isArray(res.selectors) ? res.selectors : res.selectors ? [res.selectors] : [];
    const functions: PoolFunction[] = [];
    for (const sel of selectors as { pfNames?: unknown }[]) {
      if (sel?.pfNames === undefined) continue;
      if (!Array.isArray(sel.pfNames) || sel.pfNames.some((p) => typeof p !== "string"))
        return { ok: false, reason: `resourceList[${i}].selectors.pfNames must be a list of strings` };
      for (const entry of sel.pfNames as string[]) {
        const parsed = parsePfName(entry);
        if (typeof parsed === "string") return { ok: false, reason: `resourceList[${i}]: ${parsed}` };
        functions.push(parsed);
      }
    }
    const name = `${prefix}/${res.resourceName}`;
    pools.set(name, [...(pools.get(name) ?? []), ...functions]);
  }
  return { ok: true, pools };
}

/** The pools a node reports: device-pool profiles of the TenantConfigs and every network's device_pool, sorted. */
export function sriovPoolNames(tenantConfigs: readonly TenantConfig[], networks: readonly NetworkObject[]): string[] {
  const names = new Set<string>();
  for (const tc of tenantConfigs) for (const p of tc.hostDevices ?? []) if (isDevicePoolName(p.name)) names.add(p.name);
  for (const n of networks) {
    const pool = n.spec?.Options?.device_pool;
    if (pool) names.add(pool);
  }
  return [...names].sort();
}

/** One PF as read from sysfs. */
export interface PhysicalFunctionReading {
  pf: string;
  totalVfs: number;
  numVfs: number;
  /** The VFs that exist (virtfn<index> links), in index order. */
  vfs: { index: number; pciAddress: string }[];
}

export type PhysicalFunctionRead = { ok: true; reading: PhysicalFunctionReading } | { ok: false; reason: string };

/** Who holds each VF on this node: DeviceID (PCI address) → pod and network, from the DanmEps whose Host is the node. */
export function vfHolders(danmEps: readonly DanmEp[], node: string): Map<string, { pod: string; network: string }> {
  const held = new Map<string, { pod: string; network: string }>();
  for (const ep of danmEps) {
    const id = ep.spec?.Interface?.DeviceID;
    if (!id || ep.spec?.Host !== node) continue;
    const ns = ep.metadata.namespace ?? "";
    const network = endpointNetworkRef(ep);
    held.set(id.toLowerCase(), { pod: `${ns}/${ep.spec.Pod ?? "?"}`, network: networkLabel({ ...network, name: network.name || "?" }) });
  }
  return held;
}

/**
 * The status of each pool: its VFs (restricted to the pool's VF indexes), which Pod holds each,
 * and counts. A pool without a PF in the config, or whose PF could not be read, carries an error
 * and reports what it could read.
 */
export function sriovPoolStatuses(
  poolNames: readonly string[],
  config: ParsedSriovConfig | undefined,
  readings: ReadonlyMap<string, PhysicalFunctionRead>,
  holders: ReadonlyMap<string, { pod: string; network: string }>,
  configSource = "the SR-IOV config",
): SriovPoolStatus[] {
  return poolNames.map((name) => {
    const errors: string[] = [];
    const functions = config?.ok ? (config.pools.get(name) ?? []) : [];
    if (!config) errors.push(`no SR-IOV device plugin config is given to the agent, so the physical functions of ${name} are unknown`);
    else if (!config.ok) errors.push(`${configSource} ${config.reason}`);
    else if (functions.length === 0) errors.push(`${configSource} names no physical function (selectors.pfNames) for ${name}`);
    const vfs: VirtualFunctionStatus[] = [];
    for (const f of functions) {
      const read = readings.get(f.pf);
      if (!read) {
        errors.push(`physical function ${f.pf} was not read`);
        continue;
      }
      if (!read.ok) {
        errors.push(read.reason);
        continue;
      }
      const wanted = f.vfIndexes ? new Set(f.vfIndexes) : undefined;
      for (const vf of read.reading.vfs) {
        if (wanted && !wanted.has(vf.index)) continue;
        const holder = holders.get(vf.pciAddress.toLowerCase());
        vfs.push({ index: vf.index, pciAddress: vf.pciAddress, ...(holder ? { pod: holder.pod, network: holder.network } : {}) });
      }
    }
    const allocated = vfs.filter((v) => v.pod).length;
    const status: SriovPoolStatus = { name, physicalFunctions: functions.map((f) => f.pf), total: vfs.length, allocated, free: vfs.length - allocated, vfs };
    if (errors.length) status.error = errors.join("; ");
    return status;
  });
}
