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

/** HTTP status of a client-node ApiException, if it is one. */
export function statusCode(e: unknown): number | undefined {
  const code = (e as { code?: unknown })?.code;
  return typeof code === "number" ? code : undefined;
}

/** The API server's own message for a failed call. */
export function errorMessage(e: unknown): string {
  const body = (e as { body?: unknown })?.body;
  if (typeof body === "string") {
    try {
      const parsed = JSON.parse(body) as { message?: string };
      if (parsed.message) return parsed.message;
    } catch {
      return body;
    }
  }
  if (body && typeof body === "object" && "message" in body) return String((body as { message: unknown }).message);
  return (e as Error)?.message ?? String(e);
}
export type { KubeConfig } from "@kubernetes/client-node";
