// Service annotations of svcwatcher (danm-spec §6).

export const SELECTOR_ANNOTATION = "danm.k8s.io/selector";
export const NETWORK_ANNOTATIONS = {
  DanmNet: "danm.k8s.io/network",
  TenantNetwork: "danm.k8s.io/tenantNetwork",
  ClusterNetwork: "danm.k8s.io/clusterNetwork",
} as const;
export const TOLERATE_UNREADY_ANNOTATION = "service.alpha.kubernetes.io/tolerate-unready-endpoints";

export interface DanmServiceSelector {
  selector: Record<string, string>;
  networks: { kind: keyof typeof NETWORK_ANNOTATIONS; name: string }[];
  tolerateUnready: boolean;
}

export type ServiceSelectorResult = { ok: true; handled: false } | { ok: true; handled: true; value: DanmServiceSelector } | { ok: false; error: string };

/** A Service is handled when its selector is non-empty and at least one network annotation is set. */
export function parseServiceAnnotations(annotations: Record<string, string> | undefined): ServiceSelectorResult {
  const a = annotations ?? {};
  const networks = (Object.keys(NETWORK_ANNOTATIONS) as (keyof typeof NETWORK_ANNOTATIONS)[])
    .filter((k) => (a[NETWORK_ANNOTATIONS[k]] ?? "") !== "")
    .map((kind) => ({ kind, name: a[NETWORK_ANNOTATIONS[kind]] }));
  const raw = a[SELECTOR_ANNOTATION] ?? "";
  if (raw === "" && networks.length === 0) return { ok: true, handled: false };
  let selector: unknown;
  try {
    selector = raw === "" ? {} : JSON.parse(raw);
  } catch (e) {
    return { ok: false, error: `${SELECTOR_ANNOTATION} is not valid JSON: ${(e as Error).message}` };
  }
  if (typeof selector !== "object" || selector === null || Array.isArray(selector) || Object.values(selector).some((v) => typeof v !== "string")) {
    return { ok: false, error: `${SELECTOR_ANNOTATION} must be a single JSON object of label keys and string values` };
  }
  const entries = selector as Record<string, string>;
  if (Object.keys(entries).length === 0)
    return networks.length ? { ok: false, error: `${SELECTOR_ANNOTATION} is missing or empty; the Service selects no DanmEps` } : { ok: true, handled: false };
  if (networks.length === 0) return { ok: false, error: `a ${SELECTOR_ANNOTATION} needs one of ${Object.values(NETWORK_ANNOTATIONS).join(", ")}` };
  return { ok: true, handled: true, value: { selector: entries, networks, tolerateUnready: a[TOLERATE_UNREADY_ANNOTATION] === "true" } };
}
