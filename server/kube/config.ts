import { KubeConfig } from "@kubernetes/client-node";

/** KUBECONFIG (or an explicit file), else in-cluster, else ~/.kube/config. */
export function loadKubeConfig(file?: string): KubeConfig {
  const kc = new KubeConfig();
  if (file) kc.loadFromFile(file);
  else if (process.env.KUBECONFIG) kc.loadFromFile(process.env.KUBECONFIG);
  else if (process.env.KUBERNETES_SERVICE_HOST) kc.loadFromCluster();
  else kc.loadFromDefault();
  return kc;
}
export type { KubeConfig } from "@kubernetes/client-node";
