// svcwatcher's desired state (danm-spec §13.2, design decisions 10–11): the Endpoints object and the
// EndpointSlices (one per address family) of a DANM Service, computed from the DanmEps of its
// namespace and the Pods that own them; and the pure diff against what the API server holds.
// Addresses are identified by value, never by position, so dual-stack DanmEps are handled whole.
import type { DanmEp } from "./api/danmEp";
import { formatIp, tryParseIp, type Family } from "./net/address";
import { stripPrefix } from "./net/cidr";
import { parseServiceAnnotations, SELECTOR_ANNOTATION, type DanmServiceSelector } from "./serviceAnnotations";
import { endpointNetworkKind } from "./networkRef";

export const SVCWATCHER_MANAGER = "svcwatcher.danm.k8s.io";
export const SERVICE_NAME_LABEL = "kubernetes.io/service-name";
export const SLICE_MANAGED_BY_LABEL = "endpointslice.kubernetes.io/managed-by";
/** On the Endpoints we write, so that we recognise it as ours (Service deletion, un-annotation). */
export const ENDPOINTS_MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";
/** Keeps kube-controller-manager's EndpointSlice mirroring away: we write the slices ourselves. */
export const SKIP_MIRROR_LABEL = "endpointslice.kubernetes.io/skip-mirror";

export interface ServicePort {
  name?: string;
  port: number;
  protocol?: string;
}

export interface ServiceSummary {
  namespace: string;
  name: string;
  /** Owner of the slices, so the garbage collector removes them with the Service. */
  uid?: string;
  annotations: Record<string, string>;
  ports: ServicePort[];
}

/** What svcwatcher needs of a Pod, by Pod name within the Service's namespace. */
export interface PodSummary {
  uid: string;
  resourceVersion: string;
  labels: Record<string, string>;
  ready: boolean;
  hostname?: string;
  nodeName?: string;
  deleting: boolean;
}

export interface TargetRef {
  kind: "Pod";
  namespace: string;
  name: string;
  uid: string;
  resourceVersion: string;
}

export interface EndpointAddress {
  ip: string;
  hostname?: string;
  nodeName?: string;
  targetRef: TargetRef;
}

export interface EndpointPort {
  name?: string;
  port: number;
  protocol: string;
}

export interface EndpointsObject {
  metadata: { name: string; namespace: string; annotations: Record<string, string>; labels: Record<string, string> };
  subsets: { addresses: EndpointAddress[]; notReadyAddresses: EndpointAddress[]; ports: EndpointPort[] }[];
}

export type AddressType = "IPv4" | "IPv6";

export interface SliceEndpoint {
  addresses: [string];
  conditions: { ready: boolean; serving: boolean; terminating: boolean };
  hostname?: string;
  nodeName?: string;
  /** Without resourceVersion, as Kubernetes' own slices: a Pod status change alone rewrites no slice. */
  targetRef: Omit<TargetRef, "resourceVersion">;
}

export interface EndpointSliceObject {
  metadata: { name: string; namespace: string; labels: Record<string, string>; ownerReferences?: OwnerReference[] };
  addressType: AddressType;
  endpoints: SliceEndpoint[];
  ports: EndpointPort[];
}

export interface OwnerReference {
  apiVersion: "v1";
  kind: "Service";
  name: string;
  uid: string;
  controller: true;
}

export interface DesiredServiceEndpoints {
  endpoints: EndpointsObject;
  slices: EndpointSliceObject[];
}

export type ServiceEndpointsResult = { handled: false } | { handled: true; desired: DesiredServiceEndpoints } | { handled: "invalid"; error: string };

const ADDRESS_TYPE: Record<Family, AddressType> = { 4: "IPv4", 6: "IPv6" };
/** The API server refuses EndpointSlices with more endpoints; the rest goes to further slices. */
export const MAX_ENDPOINTS_PER_SLICE = 1000;

/** `<service>-danm-ipv4`, then `<service>-danm-ipv4-2`, `-3`… when a family overflows one slice. */
export function sliceName(service: string, type: AddressType, index = 0): string {
  return `${service}-danm-${type.toLowerCase()}${index === 0 ? "" : `-${index + 1}`}`;
}

/** §6: the network annotations a DanmEp matches; `danm.k8s.io/network` also takes an empty apiType. */
export function danmEpMatches(ep: DanmEp, selector: DanmServiceSelector): boolean {
  const labels = ep.metadata.labels ?? {};
  if (!Object.entries(selector.selector).every(([k, v]) => labels[k] === v)) return false;
  const kind = endpointNetworkKind(ep.spec?.apiType);
  const network = ep.spec?.NetworkName ?? "";
  return selector.networks.some((n) => n.name === network && n.kind === kind);
}

/** The real IPs of a DanmEp, IPv4 then IPv6, without prefix; "", "none", "dynamic" and garbage skipped. */
export function danmEpAddresses(ep: DanmEp): { ip: string; family: Family }[] {
  const out: { ip: string; family: Family }[] = [];
  for (const text of [ep.spec?.Interface?.Address, ep.spec?.Interface?.AddressIPv6]) {
    const parsed = text ? tryParseIp(stripPrefix(text)) : undefined;
    if (parsed) out.push({ ip: formatIp(parsed), family: parsed.family });
  }
  return out;
}

function endpointPorts(ports: ServicePort[]): EndpointPort[] {
  return ports.map((p) => ({ ...(p.name ? { name: p.name } : {}), port: p.port, protocol: p.protocol || "TCP" }));
}

/**
 * §13.2: the Endpoints and EndpointSlices a Service should have. A DanmEp contributes when it is in
 * the Service's namespace, its labels contain the selector, its network matches an annotation, and
 * its Pod exists (same UID when the DanmEp records one) and is not being deleted.
 */
export function desiredServiceEndpoints(service: ServiceSummary, danmEps: readonly DanmEp[], pods: ReadonlyMap<string, PodSummary>): ServiceEndpointsResult {
  const parsed = parseServiceAnnotations(service.annotations);
  if (!parsed.ok) return { handled: "invalid", error: parsed.error };
  if (!parsed.handled) return { handled: false };
  const selector = parsed.value;

  const ready: EndpointAddress[] = [];
  const notReady: EndpointAddress[] = [];
  const byFamily: Record<Family, SliceEndpoint[]> = { 4: [], 6: [] };
  const seen = new Set<string>();
  for (const ep of danmEps) {
    if (ep.metadata.namespace !== service.namespace || !danmEpMatches(ep, selector)) continue;
    const podName = ep.spec?.Pod ?? "";
    const pod = pods.get(podName);
    if (!pod || pod.deleting) continue;
    if (ep.spec?.PodUID && pod.uid && ep.spec.PodUID !== pod.uid) continue;
    const targetRef: TargetRef = { kind: "Pod", namespace: service.namespace, name: podName, uid: pod.uid, resourceVersion: pod.resourceVersion };
    const placement = { ...(pod.hostname ? { hostname: pod.hostname } : {}), ...(pod.nodeName ? { nodeName: pod.nodeName } : {}) };
    const isReady = pod.ready || selector.tolerateUnready;
    for (const { ip, family } of danmEpAddresses(ep)) {
      if (seen.has(ip)) continue;
      seen.add(ip);
      (isReady ? ready : notReady).push({ ip, ...placement, targetRef });
      const { resourceVersion: _, ...sliceRef } = targetRef;
      byFamily[family].push({ addresses: [ip], conditions: { ready: isReady, serving: pod.ready, terminating: false }, ...placement, targetRef: sliceRef });
    }
  }

  const ports = endpointPorts(service.ports);
  const byIp = (a: { ip: string }, b: { ip: string }) => compareText(a.ip, b.ip);
  const endpoints: EndpointsObject = {
    metadata: {
      name: service.name,
      namespace: service.namespace,
      annotations: { ...service.annotations },
      labels: { [ENDPOINTS_MANAGED_BY_LABEL]: SVCWATCHER_MANAGER, [SKIP_MIRROR_LABEL]: "true" },
    },
    subsets: ready.length + notReady.length === 0 ? [] : [{ addresses: ready.sort(byIp), notReadyAddresses: notReady.sort(byIp), ports }],
  };
  const ownerReferences: OwnerReference[] | undefined = service.uid
    ? [{ apiVersion: "v1", kind: "Service", name: service.name, uid: service.uid, controller: true }]
    : undefined;
  const slices = ([4, 6] as const).flatMap((family) => {
    const all = byFamily[family].sort((a, b) => compareText(a.addresses[0], b.addresses[0]));
    const chunks: SliceEndpoint[][] = [];
    for (let i = 0; i < all.length; i += MAX_ENDPOINTS_PER_SLICE) chunks.push(all.slice(i, i + MAX_ENDPOINTS_PER_SLICE));
    return chunks.map((endpoints, index): EndpointSliceObject => ({
      metadata: {
        name: sliceName(service.name, ADDRESS_TYPE[family], index),
        namespace: service.namespace,
        labels: { [SERVICE_NAME_LABEL]: service.name, [SLICE_MANAGED_BY_LABEL]: SVCWATCHER_MANAGER },
        ...(ownerReferences ? { ownerReferences } : {}),
      },
      addressType: ADDRESS_TYPE[family],
      endpoints,
      ports,
    }));
  });
  return { handled: true, desired: { endpoints, slices } };
}

function compareText(a: string, b: string) {
  return a < b ? -1 : a > b ? 1 : 0;
}

// ---- comparison: order-independent, only over the fields svcwatcher owns -------------------------

/** The shape of an Endpoints/EndpointSlice as read from the API server (only what we compare). */
export interface ObservedEndpoints {
  metadata?: { name?: string; namespace?: string; annotations?: Record<string, string>; labels?: Record<string, string> };
  subsets?: { addresses?: ObservedAddress[]; notReadyAddresses?: ObservedAddress[]; ports?: ObservedPort[] }[];
}
export interface ObservedEndpointSlice {
  metadata?: { name?: string; namespace?: string; labels?: Record<string, string>; ownerReferences?: { uid?: string }[] };
  addressType?: string;
  endpoints?: {
    addresses?: string[];
    conditions?: { ready?: boolean; serving?: boolean; terminating?: boolean };
    hostname?: string;
    nodeName?: string;
    targetRef?: ObservedRef;
  }[];
  ports?: ObservedPort[];
}
interface ObservedAddress {
  ip?: string;
  hostname?: string;
  nodeName?: string;
  targetRef?: ObservedRef;
}
interface ObservedRef {
  kind?: string;
  namespace?: string;
  name?: string;
  uid?: string;
  resourceVersion?: string;
}
interface ObservedPort {
  name?: string;
  port?: number;
  protocol?: string;
}

const refKey = (r: ObservedRef | undefined) => [r?.kind, r?.namespace, r?.name, r?.uid, r?.resourceVersion].map((x) => x ?? "").join("/");
const addressKey = (a: ObservedAddress) => [a.ip, a.hostname, a.nodeName].map((x) => x ?? "").join("|") + "|" + refKey(a.targetRef);
const portKey = (p: ObservedPort) => `${p.name ?? ""}|${p.port ?? ""}|${p.protocol || "TCP"}`;
const sortedKeys = <T>(items: readonly T[] | undefined, key: (t: T) => string) => (items ?? []).map(key).sort().join(",");
const sameRecord = (a: Record<string, string> | undefined, b: Record<string, string> | undefined) => {
  const ea = Object.entries(a ?? {});
  return ea.length === Object.keys(b ?? {}).length && ea.every(([k, v]) => (b ?? {})[k] === v);
};
const labelsInclude = (actual: Record<string, string> | undefined, wanted: Record<string, string>) =>
  Object.entries(wanted).every(([k, v]) => actual?.[k] === v);

function subsetsKey(subsets: ObservedEndpoints["subsets"]): string {
  const nonEmpty = (subsets ?? []).filter((s) => (s.addresses?.length ?? 0) + (s.notReadyAddresses?.length ?? 0) > 0);
  return nonEmpty
    .map((s) => `${sortedKeys(s.addresses, addressKey)};${sortedKeys(s.notReadyAddresses, addressKey)};${sortedKeys(s.ports, portKey)}`)
    .sort()
    .join("#");
}

/** Whether the API server's Endpoints already says what `desired` says (order of addresses and ports ignored). */
export function sameEndpoints(desired: ObservedEndpoints, actual: ObservedEndpoints): boolean {
  return (
    sameRecord(desired.metadata?.annotations, actual.metadata?.annotations) &&
    labelsInclude(actual.metadata?.labels, desired.metadata?.labels ?? {}) &&
    subsetsKey(desired.subsets) === subsetsKey(actual.subsets)
  );
}

const sliceEndpointKey = (e: NonNullable<ObservedEndpointSlice["endpoints"]>[number]) =>
  [
    [...(e.addresses ?? [])].sort().join("+"),
    e.conditions?.ready ?? "",
    e.conditions?.serving ?? "",
    e.conditions?.terminating ?? "",
    e.hostname ?? "",
    e.nodeName ?? "",
    refKey(e.targetRef),
  ].join("|");

/** Whether the API server's EndpointSlice already says what `desired` says (order ignored). */
export function sameEndpointSlice(desired: ObservedEndpointSlice, actual: ObservedEndpointSlice): boolean {
  return (
    desired.addressType === actual.addressType &&
    labelsInclude(actual.metadata?.labels, desired.metadata?.labels ?? {}) &&
    sortedKeys(desired.metadata?.ownerReferences, (r) => r.uid ?? "") === sortedKeys(actual.metadata?.ownerReferences, (r) => r.uid ?? "") &&
    sortedKeys(desired.endpoints, sliceEndpointKey) === sortedKeys(actual.endpoints, sliceEndpointKey) &&
    sortedKeys(desired.ports, portKey) === sortedKeys(actual.ports, portKey)
  );
}

// ---- the plan: what to write so the API server matches the desired state -------------------------

export interface EndpointsPlan<A> {
  endpoints:
    | { action: "create"; desired: EndpointsObject }
    | { action: "replace"; desired: EndpointsObject; actual: A }
    | { action: "delete"; actual: A }
    | { action: "none" };
  slices: (
    | { action: "create"; desired: EndpointSliceObject }
    | { action: "replace"; desired: EndpointSliceObject; actual: ObservedEndpointSlice }
    | { action: "delete"; name: string }
  )[];
}

/**
 * True when this Endpoints object was written by svcwatcher: our label, or (written by upstream DANM,
 * §13.2 step 3) a copied danm.k8s.io/selector annotation.
 */
export function isManagedEndpoints(e: ObservedEndpoints | undefined): boolean {
  return e?.metadata?.labels?.[ENDPOINTS_MANAGED_BY_LABEL] === SVCWATCHER_MANAGER || (e?.metadata?.annotations?.[SELECTOR_ANNOTATION] ?? "") !== "";
}

/**
 * The writes that take `actual` to `desired` (undefined desired: the Service is gone or no longer
 * handled, so whatever svcwatcher wrote for it is removed). `actualSlices` are the slices svcwatcher
 * manages for this Service. An Endpoints object someone else wrote is replaced only when desired.
 */
export function planServiceEndpoints<A extends ObservedEndpoints>(
  desired: DesiredServiceEndpoints | undefined,
  actualEndpoints: A | undefined,
  actualSlices: readonly ObservedEndpointSlice[],
): EndpointsPlan<A> {
  let endpoints: EndpointsPlan<A>["endpoints"] = { action: "none" };
  if (desired && !actualEndpoints) endpoints = { action: "create", desired: desired.endpoints };
  else if (desired && actualEndpoints && !sameEndpoints(desired.endpoints, actualEndpoints))
    endpoints = { action: "replace", desired: desired.endpoints, actual: actualEndpoints };
  else if (!desired && actualEndpoints && isManagedEndpoints(actualEndpoints)) endpoints = { action: "delete", actual: actualEndpoints };

  const slices: EndpointsPlan<A>["slices"] = [];
  const wanted = new Map((desired?.slices ?? []).map((s) => [s.metadata.name, s]));
  for (const actual of actualSlices) {
    const name = actual.metadata?.name ?? "";
    const want = wanted.get(name);
    if (!want) slices.push({ action: "delete", name });
    else if (!sameEndpointSlice(want, actual)) slices.push({ action: "replace", desired: want, actual });
    wanted.delete(name);
  }
  for (const want of wanted.values()) slices.push({ action: "create", desired: want });
  return { endpoints, slices };
}

/** §13.4 last bullet: the DanmEps of a Pod (same namespace, name and UID) whose labels are not the Pod's. */
export function danmEpsWithStaleLabels(
  pod: { namespace: string; name: string; uid: string; labels: Record<string, string> },
  danmEps: readonly DanmEp[],
): DanmEp[] {
  return danmEps.filter(
    (ep) => ep.metadata.namespace === pod.namespace && ep.spec?.Pod === pod.name && ep.spec?.PodUID === pod.uid && !sameRecord(ep.metadata.labels, pod.labels),
  );
}
