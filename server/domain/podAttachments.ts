// The Pods on a network as the console shows them, and the Pods stuck because danm refused them
// (docs/rules.md, "Console: Pods on a network"):
//   POD-1  a Pod is on a network when a DanmEp of that network names it; one row per Pod with each
//          interface it has there; phase, readiness and node come from the Pod (matched by UID).
//   POD-2  a Pod is stuck because of danm when it is Pending, its sandbox is not ready, and a Warning
//          Event FailedCreatePodSandbox about it carries the danm plugin's ADD error; the newest one is shown.
//   POD-3  the error is trimmed to the plugin's own words: what follows `plugin type="danm" … failed (add):`,
//          without the plugin's own "pod <namespace>/<name>: " prefix.
//   POD-4  a stuck Pod wants the networks its danm.k8s.io/interfaces annotation requests (no annotation:
//          the "default" networks, danm-spec §11.2 step 3); when the error names some of them, only those.
import type { DanmEp } from "./api/danmEp";
import type { NetworkKind } from "./api/network";
import { interfacesAnnotationValue, parseInterfacesAnnotation, type InterfaceRequest } from "./annotation";
import { networkKey, networkRef, sameNetwork, type NetworkRef } from "./networkRef";
import { endpointsUsing } from "./rules/networkIdentity";

/** The parts of a core/v1 Pod the console reads. */
export interface PodFacts {
  metadata: { name?: string; namespace?: string; uid?: string; annotations?: Record<string, string>; deletionTimestamp?: string | Date };
  spec?: { nodeName?: string };
  status?: { phase?: string; conditions?: { type?: string; status?: string }[] };
}

/** The parts of a core/v1 Event the console reads. */
export interface EventFacts {
  metadata?: { creationTimestamp?: string | Date };
  involvedObject?: { kind?: string; name?: string; namespace?: string; uid?: string };
  reason?: string;
  type?: string;
  message?: string;
  count?: number;
  firstTimestamp?: string | Date;
  lastTimestamp?: string | Date;
  eventTime?: string | Date;
  series?: { count?: number; lastObservedTime?: string | Date };
}

export interface PodInterface {
  name: string;
  address?: string;
  address6?: string;
  endpoint: string;
}

/** POD-1: one Pod on a network. `phase` is absent when the viewer may not read Pods; "Missing" when no such Pod exists. */
export interface PodOnNetwork {
  namespace: string;
  name: string;
  uid?: string;
  phase?: string;
  ready?: boolean;
  node?: string;
  interfaces: PodInterface[];
}

/** POD-2: a Pod danm refused, with the plugin's error. */
export interface StuckPod {
  namespace: string;
  name: string;
  uid?: string;
  phase: string;
  node?: string;
  error: string;
  /** when the newest failure was reported, ISO 8601 */
  at?: string;
  /** how many times the kubelet reported failures like it */
  count: number;
  /** POD-4: the networks it wants (the ones the error names, when it names any) */
  networks: NetworkRef[];
}

/** The fragment that locates a Pod's row on a network page: `#pod-<namespace>-<name>`. */
export function podAnchor(namespace: string, name: string): string {
  return `pod-${namespace}-${name}`;
}

export const SANDBOX_FAILURE_REASON = "FailedCreatePodSandbox";

// POD-3: libcni wraps a plugin's error as `plugin type="danm" name="…" failed (add): <error>`
// (CRI-O omits name=…); containerd and the kubelet add their own words in front.
const DANM_ADD_FAILURE = /plugin type="danm"(?: name="[^"]*")? failed \(add\): ([\s\S]*)$/;

/** POD-3: the danm plugin's own words in a sandbox failure message, or undefined when danm did not fail. */
export function danmAddError(message: string | undefined, pod?: { namespace: string; name: string }): string | undefined {
  const m = DANM_ADD_FAILURE.exec(message ?? "");
  if (!m) return undefined;
  let text = m[1].trim();
  const own = pod ? `pod ${pod.namespace}/${pod.name}: ` : undefined;
  if (own && text.startsWith(own)) text = text.slice(own.length);
  return text || undefined;
}

/** An API timestamp as ISO 8601; undefined when absent or unreadable (never a throw over one odd Event). */
function time(t: string | Date | null | undefined): string | undefined {
  if (t === undefined || t === null || t === "") return undefined;
  const ms = new Date(t).getTime();
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

function eventTime(e: EventFacts): string | undefined {
  return time(e.series?.lastObservedTime) ?? time(e.lastTimestamp) ?? time(e.eventTime) ?? time(e.firstTimestamp) ?? time(e.metadata?.creationTimestamp);
}

const podKey = (namespace: string | undefined, name: string | undefined) => `${namespace ?? ""}/${name ?? ""}`;

/** An Event is about this Pod: same namespace and name, and the same UID when the Event records one (a recreated Pod of the same name is another Pod). */
function isAbout(e: EventFacts, pod: PodFacts): boolean {
  const o = e.involvedObject ?? {};
  if (o.kind !== "Pod" || o.name !== pod.metadata.name || (o.namespace ?? "") !== (pod.metadata.namespace ?? "")) return false;
  return !o.uid || !pod.metadata.uid || o.uid === pod.metadata.uid;
}

/** POD-2: the Pod waits for its sandbox (Pending, no ready sandbox, not being deleted). */
function waitsForSandbox(pod: PodFacts): boolean {
  if (pod.metadata.deletionTimestamp) return false;
  const phase = pod.status?.phase ?? "Pending";
  if (phase !== "Pending") return false;
  return !pod.status?.conditions?.some((c) => c.type === "PodReadyToStartContainers" && c.status === "True");
}

/** What a Pod asks of danm (POD-4); an unreadable annotation asks for nothing we can place. */
export function requestedNetworks(pod: PodFacts): NetworkRef[] {
  const parsed = parseInterfacesAnnotation(interfacesAnnotationValue(pod.metadata.annotations));
  if (!parsed.ok) return [];
  const namespace = pod.metadata.namespace ?? "";
  const requests: Pick<InterfaceRequest, "kind" | "name">[] = parsed.interfaces.length
    ? parsed.interfaces
    : (["DanmNet", "TenantNetwork", "ClusterNetwork"] as const).map((kind) => ({ kind, name: "default" }));
  const seen = new Set<string>();
  const out: NetworkRef[] = [];
  for (const r of requests) {
    const ref = networkRef(r.kind, namespace, r.name);
    const key = networkKey(ref);
    if (!seen.has(key)) (out.push(ref), seen.add(key));
  }
  return out;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Does the plugin's error name this network? (its own wordings: "requested network X of type K", "K ns/X", "K X") */
function errorNames(error: string, ref: NetworkRef): boolean {
  const name = escape(ref.name);
  const end = "(?![\\w.-])";
  const forms = [`requested network ${name} of type ${ref.kind}${end}`, `${ref.kind} ${ref.namespace ? `${escape(ref.namespace)}/` : ""}${name}${end}`];
  return forms.some((f) => new RegExp(f).test(error));
}

/** POD-2..4: every Pod danm refused, newest error each, sorted by namespace and name. */
export function stuckPods(pods: readonly PodFacts[], events: readonly EventFacts[]): StuckPod[] {
  const failures = new Map<string, EventFacts[]>();
  for (const e of events) {
    if (e.reason !== SANDBOX_FAILURE_REASON || (e.type && e.type !== "Warning")) continue;
    const key = podKey(e.involvedObject?.namespace, e.involvedObject?.name);
    const list = failures.get(key);
    if (list) list.push(e);
    else failures.set(key, [e]);
  }
  const out: StuckPod[] = [];
  for (const pod of pods) {
    const namespace = pod.metadata.namespace ?? "";
    const name = pod.metadata.name ?? "";
    const candidates = failures.get(podKey(namespace, name));
    if (!candidates || !waitsForSandbox(pod)) continue;
    let newest: { error: string; at?: string } | undefined;
    let count = 0;
    for (const e of candidates) {
      if (!isAbout(e, pod)) continue;
      const error = danmAddError(e.message, { namespace, name });
      if (!error) continue;
      count += e.series?.count ?? e.count ?? 1;
      const at = eventTime(e);
      if (!newest || (at ?? "") >= (newest.at ?? "")) newest = { error, at };
    }
    if (!newest) continue;
    const wanted = requestedNetworks(pod);
    const named = wanted.filter((ref) => errorNames(newest.error, ref));
    out.push({
      namespace,
      name,
      ...(pod.metadata.uid ? { uid: pod.metadata.uid } : {}),
      phase: pod.status?.phase ?? "Pending",
      ...(pod.spec?.nodeName ? { node: pod.spec.nodeName } : {}),
      error: newest.error,
      ...(newest.at ? { at: newest.at } : {}),
      count,
      networks: named.length ? named : wanted,
    });
  }
  return out.sort((a, b) => podKey(a.namespace, a.name).localeCompare(podKey(b.namespace, b.name)));
}

const held = (a: string | undefined) => (a && a !== "none" ? a : undefined);

/**
 * POD-1: the Pods holding DanmEps of `network`, one row per Pod. `pods` undefined: the viewer may not
 * read Pods, so rows carry the DanmEp's data only.
 */
export function podsOnNetwork(
  network: { kind: NetworkKind; metadata?: { name?: string; namespace?: string } },
  endpoints: readonly DanmEp[],
  pods: readonly PodFacts[] | undefined,
): PodOnNetwork[] {
  const byUid = new Map<string, PodFacts>();
  const byName = new Map<string, PodFacts>();
  for (const p of pods ?? []) {
    if (p.metadata.uid) byUid.set(p.metadata.uid, p);
    byName.set(podKey(p.metadata.namespace, p.metadata.name), p);
  }
  const rows = new Map<string, PodOnNetwork>();
  for (const ep of endpointsUsing(network, endpoints)) {
    const namespace = ep.metadata.namespace ?? "";
    const name = ep.spec?.Pod ?? "";
    const uid = ep.spec?.PodUID || undefined;
    const key = `${podKey(namespace, name)}/${uid ?? ""}`;
    let row = rows.get(key);
    if (!row) {
      const pod = uid ? byUid.get(uid) : byName.get(podKey(namespace, name));
      row = { namespace, name, ...(uid ? { uid } : {}), interfaces: [] };
      if (pods) {
        row.phase = pod ? (pod.status?.phase ?? "Pending") : "Missing";
        if (pod) row.ready = !!pod.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True");
      }
      const node = pod?.spec?.nodeName ?? ep.spec?.Host;
      if (node) row.node = node;
      rows.set(key, row);
    }
    const i = ep.spec?.Interface ?? {};
    const address = held(i.Address);
    const address6 = held(i.AddressIPv6);
    row.interfaces.push({ name: i.Name ?? "", ...(address ? { address } : {}), ...(address6 ? { address6 } : {}), endpoint: ep.metadata.name ?? "" });
  }
  for (const row of rows.values()) row.interfaces.sort((a, b) => a.name.localeCompare(b.name));
  return [...rows.values()].sort((a, b) => podKey(a.namespace, a.name).localeCompare(podKey(b.namespace, b.name)));
}

/** POD-4: the stuck Pods that want this network. */
export function stuckOn(network: NetworkRef, stuck: readonly StuckPod[]): StuckPod[] {
  return stuck.filter((p) => p.networks.some((ref) => sameNetwork(ref, network)));
}
