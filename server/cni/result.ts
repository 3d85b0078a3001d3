// CNI results: decoding whatever a delegate printed (0.3.x, 0.4.0, 1.0.0), merging the results of
// several interfaces into one (danm-spec §11.2 step 8: the interface named eth0 first, so runtimes
// take its address as the Pod IP), and encoding the merged result in the version the runtime asked for.
import { CNI_ERROR, CniError, type CniVersion } from "./protocol";

export interface CniInterface {
  name: string;
  mac?: string;
  sandbox?: string;
  [k: string]: unknown;
}

export interface CniIp {
  /** "addr/prefix" */
  address: string;
  gateway?: string;
  /** Index into interfaces. */
  interface?: number;
}

export interface CniRoute {
  dst: string;
  gw?: string;
  [k: string]: unknown;
}

export interface CniDns {
  nameservers?: string[];
  domain?: string;
  search?: string[];
  options?: string[];
}

/** A result as danm holds it: the 1.0.0 shape without cniVersion. */
export interface CniResult {
  interfaces: CniInterface[];
  ips: CniIp[];
  routes: CniRoute[];
  dns: CniDns;
}

export const emptyResult = (): CniResult => ({ interfaces: [], ips: [], routes: [], dns: {} });

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Reads a delegate's stdout: 0.3.0 – 1.0.0 results (the `version` key of 0.3/0.4 ips is dropped). */
export function decodeResult(text: string, who: string): CniResult {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new CniError(CNI_ERROR.decodeFailure, `${who} printed a result that is not JSON: ${text.slice(0, 200)}`);
  }
  if (!isObject(raw)) throw new CniError(CNI_ERROR.decodeFailure, `${who} printed a result that is not a JSON object`);
  if (typeof raw.cniVersion === "string" && /^0\.[12]\./.test(raw.cniVersion))
    throw new CniError(CNI_ERROR.incompatibleVersion, `${who} answered with a CNI ${raw.cniVersion} result; danm reads 0.3.0 and later`);
  const interfaces = Array.isArray(raw.interfaces) ? raw.interfaces.filter(isObject).map((i) => ({ ...i, name: String(i.name ?? "") })) : [];
  const ips: CniIp[] = (Array.isArray(raw.ips) ? raw.ips.filter(isObject) : []).map((ip) => {
    const out: CniIp = { address: String(ip.address ?? "") };
    if (typeof ip.gateway === "string" && ip.gateway) out.gateway = ip.gateway;
    if (typeof ip.interface === "number") out.interface = ip.interface;
    return out;
  });
  const routes = Array.isArray(raw.routes) ? (raw.routes.filter(isObject) as CniRoute[]) : [];
  const dns = isObject(raw.dns) ? (raw.dns as CniDns) : {};
  return { interfaces, ips, routes, dns };
}

/** The first address of each family in a result ("" when none). */
export function addressesOf(result: CniResult): { ip: string; ip6: string } {
  const v4 = result.ips.find((ip) => !ip.address.includes(":"));
  const v6 = result.ips.find((ip) => ip.address.includes(":"));
  return { ip: v4?.address ?? "", ip6: v6?.address ?? "" };
}

/**
 * Merges per-interface results into one. `parts` are in the order the interfaces completed; the part
 * whose interface is named eth0 goes first. Interface indexes in ips are renumbered.
 */
export function mergeResults(parts: { ifName: string; result: CniResult }[]): CniResult {
  const ordered = [...parts.filter((p) => p.ifName === "eth0"), ...parts.filter((p) => p.ifName !== "eth0")];
  const merged = emptyResult();
  for (const { result } of ordered) {
    const offset = merged.interfaces.length;
    merged.interfaces.push(...result.interfaces);
    merged.ips.push(...result.ips.map((ip) => (ip.interface === undefined ? { ...ip } : { ...ip, interface: ip.interface + offset })));
    merged.routes.push(...result.routes);
    for (const key of ["nameservers", "search", "options"] as const) {
      const values = result.dns[key];
      if (values?.length) merged.dns[key] = [...new Set([...(merged.dns[key] ?? []), ...values])];
    }
    if (result.dns.domain && !merged.dns.domain) merged.dns.domain = result.dns.domain;
  }
  return merged;
}

/** The result as the runtime reads it: 1.0.0 as is; 0.3.x/0.4.0 with `version` on every IP. */
export function encodeResult(result: CniResult, cniVersion: CniVersion): Record<string, unknown> {
  const legacy = cniVersion !== "1.0.0";
  const ips = result.ips.map((ip) => (legacy ? { version: ip.address.includes(":") ? "6" : "4", ...ip } : ip));
  const out: Record<string, unknown> = { cniVersion, interfaces: result.interfaces, ips };
  if (result.routes.length) out.routes = result.routes;
  out.dns = result.dns;
  return out;
}
