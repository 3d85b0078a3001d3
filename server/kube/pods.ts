// Pods through client-node: as the CNI plugin reads them (danm-spec §11.2 step 1: one GET, with the
// identity of the plugin's kubeconfig), the uids the leak reconciler compares DanmEps with, and the
// Pods the tests create. (The console reads Pods as the signed-in person: podReads.ts.)
import { CoreV1Api, type KubeConfig } from "@kubernetes/client-node";
import { apiCall } from "./apiCall";
import { loadKubeConfig } from "./config";
import { KubeError } from "./errors";

export interface PodSummary {
  name: string;
  namespace: string;
  uid: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export async function readPod(kubeconfig: string, namespace: string, name: string): Promise<PodSummary> {
  const api = loadKubeConfig(kubeconfig).makeApiClient(CoreV1Api);
  const pod = await apiCall(() => api.readNamespacedPod({ namespace, name }));
  const m = pod.metadata ?? {};
  return { name: m.name ?? name, namespace: m.namespace ?? namespace, uid: m.uid ?? "", labels: m.labels ?? {}, annotations: m.annotations ?? {} };
}

/** namespace/name → uid of every Pod in the cluster. */
export async function podUids(kc: KubeConfig): Promise<Map<string, string>> {
  const list = await apiCall(() => kc.makeApiClient(CoreV1Api).listPodForAllNamespaces({}));
  return new Map(list.items.map((p) => [`${p.metadata?.namespace}/${p.metadata?.name}`, p.metadata?.uid ?? ""]));
}

/** A Pod that never runs (tests: there is no kubelet); bound to `nodeName` so nothing schedules it. */
export async function createPod(
  kubeconfig: string,
  pod: { namespace: string; name: string; nodeName: string; labels?: Record<string, string>; annotations?: Record<string, string> },
): Promise<PodSummary> {
  const api = loadKubeConfig(kubeconfig).makeApiClient(CoreV1Api);
  const created = await apiCall(() =>
    api.createNamespacedPod({
      namespace: pod.namespace,
      body: {
        metadata: { name: pod.name, namespace: pod.namespace, labels: pod.labels, annotations: pod.annotations },
        spec: { nodeName: pod.nodeName, containers: [{ name: "main", image: "registry.invalid/pause:1" }], automountServiceAccountToken: false },
      },
    }),
  );
  const m = created.metadata ?? {};
  return { name: m.name ?? pod.name, namespace: m.namespace ?? pod.namespace, uid: m.uid ?? "", labels: m.labels ?? {}, annotations: m.annotations ?? {} };
}

export async function deletePod(kubeconfig: string, namespace: string, name: string): Promise<void> {
  const api = loadKubeConfig(kubeconfig).makeApiClient(CoreV1Api);
  try {
    await apiCall(() => api.deleteNamespacedPod({ namespace, name, gracePeriodSeconds: 0 }));
  } catch (e) {
    if (!(e instanceof KubeError && e.status === 404)) throw e;
  }
}
