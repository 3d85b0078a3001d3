// svcwatcher (danm-spec §13, design decisions 10–11): keeps the Endpoints and EndpointSlices of
// Services annotated per §6 equal to the secondary-network addresses of the matching DanmEps, and
// copies Pod label changes onto the Pod's DanmEps (§13.4). Level-triggered: every event only enqueues
// keys; one worker recomputes the desired state (pure, server/domain/serviceEndpoints.ts), compares it
// with the caches and writes the difference. Addresses are compared by value, never by index.
import { Counter, type Registry } from "prom-client";
import type { DanmEp } from "../domain/api/danmEp";
import { parseServiceAnnotations } from "../domain/serviceAnnotations";
import {
  danmEpsWithStaleLabels,
  desiredServiceEndpoints,
  isManagedEndpoints,
  planServiceEndpoints,
  SERVICE_NAME_LABEL,
  SLICE_MANAGED_BY_LABEL,
  SVCWATCHER_MANAGER,
  type PodSummary,
} from "../domain/serviceEndpoints";
import { loadKubeConfig } from "../kube/config";
import { DanmClient } from "../kube/danmClient";
import { KubeError } from "../kube/errors";
import { danmCache } from "../kube/danmResources";
import { podSummary, serviceEndpointsCaches, ServiceEndpointsWriter, serviceSummary, type ServiceEndpointsCaches } from "../kube/serviceEndpointsApi";
import type { WatchCache } from "../kube/watchCache";
import { WorkQueue } from "./workQueue";
import { createLogger, type Log } from "../log";

export interface SvcwatcherOptions {
  log?: Log;
  /** Registers tenet_svcwatcher_{reconciles,writes,errors}_total; `stats` counts the same without it. */
  registry?: Registry;
  /** Delay before a key whose write conflicted (409) or failed is processed again. */
  retryDelayMs?: number;
}

/** A kubeconfig as server/kube loads it (only server/kube imports the client library). */
type KubeConfig = ReturnType<typeof loadKubeConfig>;

const SERVICE = "service/";
const POD_LABELS = "pod-labels/";

export class Svcwatcher {
  /** Counters for metrics: reconciles run, objects written (create/replace/delete), failed reconciles. */
  readonly stats = { reconciles: 0, writes: 0, errors: 0 };
  private readonly counters?: Record<keyof Svcwatcher["stats"], Counter>;
  private readonly caches: ServiceEndpointsCaches;
  private readonly danmEps: WatchCache<DanmEp>;
  private readonly writer: ServiceEndpointsWriter;
  private readonly danm: DanmClient;
  private readonly queue = new WorkQueue((key) => this.process(key));
  private readonly log: Log;
  private readonly retryDelayMs: number;

  /** `kubeconfig`: a file, or a loaded config; undefined means KUBECONFIG / in-cluster. */
  constructor(kubeconfig: KubeConfig | string | undefined, options: SvcwatcherOptions = {}) {
    const kc = typeof kubeconfig === "object" ? kubeconfig : loadKubeConfig(kubeconfig);
    this.log = options.log ?? createLogger("svcwatcher");
    this.retryDelayMs = options.retryDelayMs ?? 200;
    this.caches = serviceEndpointsCaches(kc, this.log);
    this.danmEps = danmCache<DanmEp>(kc, "danmeps", this.log);
    const registry = options.registry;
    if (registry) {
      // a new instance per leadership term shares the counters of the previous one
      const counter = (name: string, help: string) =>
        (registry.getSingleMetric(name) as Counter | undefined) ?? new Counter({ name, help, registers: [registry] });
      this.counters = {
        reconciles: counter("tenet_svcwatcher_reconciles_total", "Services svcwatcher reconciled."),
        writes: counter("tenet_svcwatcher_writes_total", "Endpoints, EndpointSlices and DanmEps svcwatcher created, replaced or deleted."),
        errors: counter("tenet_svcwatcher_errors_total", "svcwatcher reconciles that failed (other than conflicts) and were requeued."),
      };
    }
    this.writer = new ServiceEndpointsWriter(kc);
    this.danm = new DanmClient(kc);
  }

  /** Starts the caches, waits for their first lists, then reconciles every Service once and follows events. */
  async start(): Promise<void> {
    this.caches.services.onEvent((_type, svc) => this.queue.add(serviceKey(svc.metadata?.namespace, svc.metadata?.name)));
    this.danmEps.onEvent((_type, ep) => this.enqueueServicesOf(ep.metadata.namespace));
    this.caches.pods.onEvent((type, pod) => {
      const m = pod.metadata ?? {};
      if (type !== "delete") this.queue.add(`${POD_LABELS}${m.namespace}/${m.name}`);
      this.enqueueServicesOf(m.namespace);
    });
    this.caches.endpoints.onEvent((_type, e) => {
      if (isManagedEndpoints(e) || this.isHandled(e.metadata?.namespace, e.metadata?.name)) this.queue.add(serviceKey(e.metadata?.namespace, e.metadata?.name));
    });
    this.caches.endpointSlices.onEvent((_type, s) => {
      const service = s.metadata?.labels?.[SERVICE_NAME_LABEL];
      if (s.metadata?.labels?.[SLICE_MANAGED_BY_LABEL] === SVCWATCHER_MANAGER && service) this.queue.add(serviceKey(s.metadata?.namespace, service));
    });
    // 1. caches first: nothing is written from a partial view
    await Promise.all([
      this.caches.services.start(),
      this.caches.pods.start(),
      this.caches.endpoints.start(),
      this.caches.endpointSlices.start(),
      this.danmEps.start(),
    ]);
    // 2. every Service once (the adds of the first lists are already queued; this covers the rest)
    for (const svc of this.caches.services.list()) this.queue.add(serviceKey(svc.metadata?.namespace, svc.metadata?.name));
    this.queue.start();
    this.log("svcwatcher started", { services: this.caches.services.list().length, danmEps: this.danmEps.list().length });
  }

  /** Stops for good (a new leadership term makes a new Svcwatcher). */
  async stop(): Promise<void> {
    await this.queue.stop();
    await Promise.all([
      this.caches.services.stop(),
      this.caches.pods.stop(),
      this.caches.endpoints.stop(),
      this.caches.endpointSlices.stop(),
      this.danmEps.stop(),
    ]);
  }

  /** Resolves when no key is queued or being processed (tests, graceful shutdown). */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  private isHandled(namespace: string | undefined, name: string | undefined): boolean {
    const svc = name ? this.caches.services.get(name, namespace) : undefined;
    const parsed = svc ? parseServiceAnnotations(svc.metadata?.annotations) : undefined;
    return !!parsed?.ok && parsed.handled;
  }

  /** A DanmEp or Pod changed: every handled Service of its namespace may select it. */
  private enqueueServicesOf(namespace: string | undefined) {
    for (const svc of this.caches.services.list()) {
      if (svc.metadata?.namespace !== namespace) continue;
      const parsed = parseServiceAnnotations(svc.metadata?.annotations);
      if (parsed.ok && parsed.handled) this.queue.add(serviceKey(namespace, svc.metadata?.name));
    }
  }

  private async process(key: string): Promise<void> {
    const [ns, name] = key.slice(key.indexOf("/") + 1).split("/");
    try {
      if (key.startsWith(SERVICE)) await this.reconcileService(ns, name);
      else await this.copyPodLabels(ns, name);
    } catch (e) {
      const status = e instanceof KubeError ? e.status : undefined;
      if (status === 409 || status === 404) {
        // the cache was behind the API server: try again once it has caught up
        this.log("write conflicted; requeued", { key, status, error: (e as Error).message });
      } else {
        this.count("errors");
        this.log("reconcile failed; requeued", { key, status, error: (e as Error).message });
      }
      this.queue.addAfter(key, this.retryDelayMs);
    }
  }

  /** §13.2 for one Service: desired (pure) → diff against the caches (pure) → writes. */
  private async reconcileService(namespace: string, name: string): Promise<void> {
    this.count("reconciles");
    // 1. the Service; gone means: remove what svcwatcher wrote for it
    const svc = this.caches.services.get(name, namespace);
    let desired;
    if (svc) {
      // 2. desired state from the DanmEps and Pods of the namespace
      const pods = new Map<string, PodSummary>();
      for (const pod of this.caches.pods.list()) if (pod.metadata?.namespace === namespace) pods.set(pod.metadata.name ?? "", podSummary(pod));
      const danmEps = this.danmEps.list().filter((ep) => ep.metadata.namespace === namespace);
      const result = desiredServiceEndpoints(serviceSummary(svc), danmEps, pods);
      if (result.handled === "invalid") {
        this.log("service annotations invalid; endpoints left as they are", { namespace, service: name, error: result.error });
        return;
      }
      desired = result.handled ? result.desired : undefined;
    }
    // 3. actual state from the caches
    const actualEndpoints = this.caches.endpoints.get(name, namespace);
    const actualSlices = this.caches.endpointSlices
      .list()
      .filter(
        (s) =>
          s.metadata?.namespace === namespace &&
          s.metadata?.labels?.[SERVICE_NAME_LABEL] === name &&
          s.metadata?.labels?.[SLICE_MANAGED_BY_LABEL] === SVCWATCHER_MANAGER,
      );
    // 4. the diff (pure), then the writes
    const plan = planServiceEndpoints(desired, actualEndpoints, actualSlices);
    const e = plan.endpoints;
    if (e.action === "create") await this.write("endpoints created", { namespace, service: name }, () => this.writer.createEndpoints(e.desired));
    if (e.action === "replace") await this.write("endpoints replaced", { namespace, service: name }, () => this.writer.replaceEndpoints(e.desired, e.actual));
    if (e.action === "delete")
      await this.write(
        "endpoints deleted",
        { namespace, service: name },
        () => this.writer.deleteEndpoints(namespace, name, e.actual.metadata?.resourceVersion),
        true,
      );
    for (const s of plan.slices) {
      if (s.action === "create")
        await this.write("endpointslice created", { namespace, service: name, slice: s.desired.metadata.name, endpoints: s.desired.endpoints.length }, () =>
          this.writer.createEndpointSlice(s.desired),
        );
      if (s.action === "replace")
        await this.write("endpointslice replaced", { namespace, service: name, slice: s.desired.metadata.name, endpoints: s.desired.endpoints.length }, () =>
          this.writer.replaceEndpointSlice(s.desired, s.actual),
        );
      if (s.action === "delete")
        await this.write("endpointslice deleted", { namespace, service: name, slice: s.name }, () => this.writer.deleteEndpointSlice(namespace, s.name), true);
    }
  }

  /** §13.4 last bullet: the Pod's current labels onto its DanmEps (same name and UID). */
  private async copyPodLabels(namespace: string, name: string): Promise<void> {
    const pod = this.caches.pods.get(name, namespace);
    if (!pod) return;
    const summary = podSummary(pod);
    if (summary.deleting) return;
    for (const ep of danmEpsWithStaleLabels(summary, this.danmEps.list())) {
      const updated = { ...ep, metadata: { ...ep.metadata, labels: { ...summary.labels } } } as DanmEp & { metadata: { name: string } };
      await this.write("danmep labels copied from pod", { namespace, pod: name, danmEp: ep.metadata.name }, () => this.danm.replace("DanmEp", updated));
    }
  }

  private async write(message: string, fields: Record<string, unknown>, run: () => Promise<unknown>, notFoundIsDone = false): Promise<void> {
    try {
      await run();
    } catch (e) {
      if (notFoundIsDone && e instanceof KubeError && e.status === 404) return;
      throw e;
    }
    this.count("writes");
    this.log(message, fields);
  }

  private count(what: keyof Svcwatcher["stats"]) {
    this.stats[what]++;
    this.counters?.[what].inc();
  }
}

function serviceKey(namespace: string | undefined, name: string | undefined) {
  return `${SERVICE}${namespace ?? ""}/${name ?? ""}`;
}
