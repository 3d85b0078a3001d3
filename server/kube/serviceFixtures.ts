// Services, Pod status/labels and the resulting Endpoints/EndpointSlices as tests drive and read them
// (there is no kubelet in the test cluster: Pod readiness is set through the status subresource).
import { CoreV1Api, DiscoveryV1Api, type V1Endpoints, type V1EndpointSlice } from "@kubernetes/client-node";
import { loadKubeConfig } from "./config";
import { apiCall } from "./apiCall";
import { KubeError } from "./errors";

/** Read-modify-write with retries on optimistic-lock conflicts. */
async function retryOnConflict(run: () => Promise<unknown>) {
  for (let attempt = 0; ; attempt++) {
    try {
      await run();
      return;
    } catch (e) {
      if (!(e instanceof KubeError && e.status === 409) || attempt > 20) throw e;
    }
  }
}

export class ServiceFixtures {
  private readonly core: CoreV1Api;
  private readonly discovery: DiscoveryV1Api;

  constructor(kubeconfig: string) {
    const kc = loadKubeConfig(kubeconfig);
    this.core = kc.makeApiClient(CoreV1Api);
    this.discovery = kc.makeApiClient(DiscoveryV1Api);
  }

  /** A selectorless headless Service carrying `annotations`. */
  async createHeadlessService(
    namespace: string,
    name: string,
    annotations: Record<string, string>,
    ports: { name: string; port: number; protocol?: string }[],
  ) {
    await apiCall(() =>
      this.core.createNamespacedService({ namespace, body: { metadata: { name, namespace, annotations }, spec: { clusterIP: "None", ports } } }),
    );
  }

  async setServiceAnnotations(namespace: string, name: string, annotations: Record<string, string>) {
    await retryOnConflict(async () => {
      const svc = await apiCall(() => this.core.readNamespacedService({ namespace, name }));
      svc.metadata!.annotations = annotations;
      await apiCall(() => this.core.replaceNamespacedService({ namespace, name, body: svc }));
    });
  }

  async deleteService(namespace: string, name: string) {
    await apiCall(() => this.core.deleteNamespacedService({ namespace, name })).catch((e) => {
      if ((e as KubeError).status !== 404) throw e;
    });
  }

  /** Sets the Pod's Ready condition as a kubelet would. */
  async setPodReady(namespace: string, name: string, ready: boolean) {
    await retryOnConflict(async () => {
      const pod = await apiCall(() => this.core.readNamespacedPod({ namespace, name }));
      const now = new Date();
      const conditions = (pod.status?.conditions ?? []).filter((c) => c.type !== "Ready");
      conditions.push({ type: "Ready", status: ready ? "True" : "False", lastTransitionTime: now });
      pod.status = { ...pod.status, phase: "Running", conditions };
      await apiCall(() => this.core.replaceNamespacedPodStatus({ namespace, name, body: pod }));
    });
  }

  async setPodLabels(namespace: string, name: string, labels: Record<string, string>) {
    await retryOnConflict(async () => {
      const pod = await apiCall(() => this.core.readNamespacedPod({ namespace, name }));
      pod.metadata!.labels = labels;
      await apiCall(() => this.core.replaceNamespacedPod({ namespace, name, body: pod }));
    });
  }

  async readEndpoints(namespace: string, name: string): Promise<V1Endpoints | undefined> {
    return apiCall(() => this.core.readNamespacedEndpoints({ namespace, name })).catch((e) => {
      if ((e as KubeError).status === 404) return undefined;
      throw e;
    });
  }

  async listEndpointSlices(namespace: string, service: string): Promise<V1EndpointSlice[]> {
    const list = await apiCall(() => this.discovery.listNamespacedEndpointSlice({ namespace, labelSelector: `kubernetes.io/service-name=${service}` }));
    return list.items;
  }
}
