// The Pod network request annotation (danm-spec §5).

export const INTERFACES_ANNOTATION = "danm.k8s.io/interfaces";

export type NetworkReferenceKind = "DanmNet" | "TenantNetwork" | "ClusterNetwork";

export interface InterfaceRequest {
  kind: NetworkReferenceKind;
  name: string;
  ip?: string;
  ip6?: string;
  proutes?: Record<string, string>;
  proutes6?: Record<string, string>;
}

export type AnnotationResult = { ok: true; interfaces: InterfaceRequest[] } | { ok: false; error: string };

const REFERENCE_KEYS: Record<string, NetworkReferenceKind> = { network: "DanmNet", tenantnetwork: "TenantNetwork", clusternetwork: "ClusterNetwork" };
const KNOWN_KEYS = ["network", "tenantnetwork", "clusternetwork", "ip", "ip6", "proutes", "proutes6"];

/** The annotation value: the exact key first, else any key containing it (upstream behaviour). */
export function interfacesAnnotationValue(annotations: Record<string, string> | undefined): string | undefined {
  if (!annotations) return undefined;
  if (INTERFACES_ANNOTATION in annotations) return annotations[INTERFACES_ANNOTATION];
  const key = Object.keys(annotations).find((k) => k.includes(INTERFACES_ANNOTATION));
  return key === undefined ? undefined : annotations[key];
}

function routeMap(value: unknown, where: string): Record<string, string> | string {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return `${where} must be an object of destination CIDR -> gateway`;
  for (const [k, v] of Object.entries(value)) if (typeof v !== "string") return `${where}["${k}"] must be a string gateway`;
  return value as Record<string, string>;
}

/** Parses the JSON array; keys are matched case-insensitively, unknown keys are refused (strict decoding). */
export function parseInterfacesAnnotation(text: string | undefined): AnnotationResult {
  if (text === undefined || text.trim() === "") return { ok: true, interfaces: [] };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    return { ok: false, error: `${INTERFACES_ANNOTATION} is not valid JSON: ${(e as Error).message}` };
  }
  if (!Array.isArray(parsed)) return { ok: false, error: `${INTERFACES_ANNOTATION} must be a JSON array of interface requests` };
  const interfaces: InterfaceRequest[] = [];
  for (const [i, element] of parsed.entries()) {
    const where = `${INTERFACES_ANNOTATION}[${i}]`;
    if (typeof element !== "object" || element === null || Array.isArray(element)) return { ok: false, error: `${where} must be an object` };
    const fields: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(element)) {
      const k = key.toLowerCase();
      if (!KNOWN_KEYS.includes(k))
        return { ok: false, error: `${where} has unknown key "${key}"; allowed: network, tenantNetwork, clusterNetwork, ip, ip6, proutes, proutes6` };
      fields[k] = value;
    }
    const refs = Object.keys(REFERENCE_KEYS).filter((k) => fields[k] !== undefined);
    if (refs.length !== 1)
      return {
        ok: false,
        error: `${where}: invalid number of network references (${refs.length}); give exactly one of network, tenantNetwork, clusterNetwork`,
      };
    const name = fields[refs[0]];
    if (typeof name !== "string" || name === "") return { ok: false, error: `${where}: the network name must be a non-empty string` };
    const request: InterfaceRequest = { kind: REFERENCE_KEYS[refs[0]], name };
    for (const family of ["ip", "ip6"] as const) {
      const v = fields[family];
      if (v === undefined) continue;
      if (typeof v !== "string") return { ok: false, error: `${where}.${family} must be "dynamic", "none" or an address` };
      request[family] = v;
    }
    for (const key of ["proutes", "proutes6"] as const) {
      if (fields[key] === undefined) continue;
      const routes = routeMap(fields[key], `${where}.${key}`);
      if (typeof routes === "string") return { ok: false, error: routes };
      request[key] = routes;
    }
    interfaces.push(request);
  }
  return { ok: true, interfaces };
}
