// Pods as the CNI plugin reads them (danm-spec §11.2 step 1): one GET, with the identity of the
// plugin's kubeconfig.
import { CoreV1Api } from "@kubernetes/client-node";
import { errorMessage, loadKubeConfig, statusCode } from "./config";
import { KubeError } from "./danmClient";

export interface PodSummary {
  name: string;
  namespace: string;
  uid: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export async function readPod(kubeconfig: string, namespace: string, name: string): Promise<PodSummary> {
  const api = loadKubeConfig(kubeconfig).makeApiClient(CoreV1Api);
  try {
    const pod = await api.readNamespacedPod({ namespace, name });
    const m = pod.metadata ?? {};
    return { name: m.name ?? name, namespace: m.namespace ?? namespace, uid: m.uid ?? "", labels: m.labels ?? {}, annotations: m.annotations ?? {} };
  } catch (e) {
    throw new KubeError(statusCode(e), errorMessage(e));
  }
}

/** A Pod that never runs (tests: there is no kubelet); bound to `nodeName` so nothing schedules it. */
export async function createPod(kubeconfig: string, pod: { namespace: string; name: string; nodeName: string; labels?: Record<string, string>; annotations?: Record<string, string> }): Promise<PodSummary> {
  const api = loadKubeConfig(kubeconfig).makeApiClient(CoreV1Api);
  try {
    const created = await api.createNamespacedPod({
      namespace: pod.namespace,
      body: {
        metadata: { name: pod.name, namespace: pod.namespace, labels: pod.labels, annotations: pod.annotations },
        spec: { nodeName: pod.nodeName, containers: [{ name: "main", image: "registry.invalid/pause:1" }], automountServiceAccountToken: false },
      },
    });
    const m = created.metadata ?? {};
    return { name: m.name ?? pod.name, namespace: m.namespace ?? pod.namespace, uid: m.uid ?? "", labels: m.labels ?? {}, annotations: m.annotations ?? {} };
  } catch (e) {
    throw new KubeError(statusCode(e), errorMessage(e));
  }
}

export async function deletePod(kubeconfig: string, namespace: string, name: string): Promise<void> {
  const api = loadKubeConfig(kubeconfig).makeApiClient(CoreV1Api);
  try {
    await api.deleteNamespacedPod({ namespace, name, gracePeriodSeconds: 0 });
  } catch (e) {
    if (statusCode(e) !== 404) throw new KubeError(statusCode(e), errorMessage(e));
  }
}
