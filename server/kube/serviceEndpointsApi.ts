// What svcwatcher reads and writes in the core and discovery APIs: cluster-wide caches of Services,
// Pods, Endpoints and EndpointSlices, and the Endpoints/EndpointSlice writes (danm-spec §13, §14).
import {
  CoreV1Api,
  DiscoveryV1Api,
  type KubeConfig,
  type KubernetesListObject,
  type V1Endpoints,
  type V1EndpointSlice,
  type V1Pod,
  type V1Service,
} from "@kubernetes/client-node";
import type { EndpointSliceObject, EndpointsObject, PodSummary, ServiceSummary } from "../domain/serviceEndpoints";
import { apiCall } from "./apiCall";
import { WatchCache } from "./watchCache";
import type { Log } from "../log";

export interface ServiceEndpointsCaches {
  services: WatchCache<V1Service>;
  pods: WatchCache<V1Pod>;
  endpoints: WatchCache<V1Endpoints>;
  endpointSlices: WatchCache<V1EndpointSlice>;
}

/** List+watch caches over all namespaces (not started). */
export function serviceEndpointsCaches(kc: KubeConfig, log?: Log): ServiceEndpointsCaches {
  const core = kc.makeApiClient(CoreV1Api);
  const discovery = kc.makeApiClient(DiscoveryV1Api);
  const list = <T>(run: () => Promise<unknown>) => run() as Promise<KubernetesListObject<T & { metadata?: object }>>;
  return {
    services: new WatchCache<V1Service>(kc, { path: "/api/v1/services", list: () => list<V1Service>(() => core.listServiceForAllNamespaces()), log }),
    pods: new WatchCache<V1Pod>(kc, { path: "/api/v1/pods", list: () => list<V1Pod>(() => core.listPodForAllNamespaces()), log }),
    endpoints: new WatchCache<V1Endpoints>(kc, { path: "/api/v1/endpoints", list: () => list<V1Endpoints>(() => core.listEndpointsForAllNamespaces()), log }),
    endpointSlices: new WatchCache<V1EndpointSlice>(kc, {
      path: "/apis/discovery.k8s.io/v1/endpointslices",
      list: () => list<V1EndpointSlice>(() => discovery.listEndpointSliceForAllNamespaces()),
      log,
    }),
  };
}

export function serviceSummary(svc: V1Service): ServiceSummary {
  return {
    namespace: svc.metadata?.namespace ?? "",
    name: svc.metadata?.name ?? "",
    uid: svc.metadata?.uid,
    annotations: svc.metadata?.annotations ?? {},
    ports: (svc.spec?.ports ?? []).map((p) => ({ name: p.name, port: p.port, protocol: p.protocol })),
  };
}

export interface NamedPodSummary extends PodSummary {
  namespace: string;
  name: string;
}

export function podSummary(pod: V1Pod): NamedPodSummary {
  const m = pod.metadata ?? {};
  return {
    namespace: m.namespace ?? "",
    name: m.name ?? "",
    uid: m.uid ?? "",
    resourceVersion: m.resourceVersion ?? "",
    labels: m.labels ?? {},
    ready: (pod.status?.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True"),
    hostname: pod.spec?.hostname || undefined,
    nodeName: pod.spec?.nodeName || undefined,
    deleting: !!m.deletionTimestamp,
  };
}

/** What a replace keeps of the object it replaces. */
type CurrentObject = { metadata?: { resourceVersion?: string; labels?: Record<string, string> } };

/** Endpoints and EndpointSlice writes; failures are KubeErrors carrying the HTTP status. */
export class ServiceEndpointsWriter {
  private readonly core: CoreV1Api;
  private readonly discovery: DiscoveryV1Api;

  constructor(kc: KubeConfig) {
    this.core = kc.makeApiClient(CoreV1Api);
    this.discovery = kc.makeApiClient(DiscoveryV1Api);
  }

  async createEndpoints(desired: EndpointsObject): Promise<void> {
    await apiCall(() =>
      this.core.createNamespacedEndpoints({ namespace: desired.metadata.namespace, body: { apiVersion: "v1", kind: "Endpoints", ...desired } }),
    );
  }

  /** PUT of the desired content over `actual` (its resourceVersion guards against lost updates; labels others set are kept). */
  async replaceEndpoints(desired: EndpointsObject, actual: CurrentObject): Promise<void> {
    const metadata = {
      ...desired.metadata,
      resourceVersion: actual.metadata?.resourceVersion,
      labels: { ...actual.metadata?.labels, ...desired.metadata.labels },
    };
    await apiCall(() =>
      this.core.replaceNamespacedEndpoints({
        namespace: metadata.namespace,
        name: metadata.name,
        body: { apiVersion: "v1", kind: "Endpoints", metadata, subsets: desired.subsets },
      }),
    );
  }

  async deleteEndpoints(namespace: string, name: string, resourceVersion?: string): Promise<void> {
    await apiCall(() => this.core.deleteNamespacedEndpoints({ namespace, name, body: resourceVersion ? { preconditions: { resourceVersion } } : undefined }));
  }

  async createEndpointSlice(desired: EndpointSliceObject): Promise<void> {
    await apiCall(() =>
      this.discovery.createNamespacedEndpointSlice({
        namespace: desired.metadata.namespace,
        body: { apiVersion: "discovery.k8s.io/v1", kind: "EndpointSlice", ...desired },
      }),
    );
  }

  async replaceEndpointSlice(desired: EndpointSliceObject, actual: CurrentObject): Promise<void> {
    const metadata = {
      ...desired.metadata,
      resourceVersion: actual.metadata?.resourceVersion,
      labels: { ...actual.metadata?.labels, ...desired.metadata.labels },
    };
    await apiCall(() =>
      this.discovery.replaceNamespacedEndpointSlice({
        namespace: metadata.namespace,
        name: metadata.name,
        body: { apiVersion: "discovery.k8s.io/v1", kind: "EndpointSlice", ...desired, metadata },
      }),
    );
  }

  async deleteEndpointSlice(namespace: string, name: string): Promise<void> {
    await apiCall(() => this.discovery.deleteNamespacedEndpointSlice({ namespace, name }));
  }
}
