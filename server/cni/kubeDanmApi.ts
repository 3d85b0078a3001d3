// DanmApi over the API server, with the kubeconfig named in the netconf. The daemon keeps one per
// kubeconfig, so it goes through KubeRest: one pool of kept-alive connections (client-node opens a
// connection, TLS handshake included, per request) and plain JSON.
import type { NetworkKind, NetworkObject } from "../domain/api/network";
import { danmPath } from "../kube/access";
import { KubeRest } from "../kube/rest";
import type { DanmApi, Endpoint, PodInfo } from "./endpoint";

/** What a field selector may carry unescaped (container ids, UIDs); anything else is filtered here. */
const SELECTOR_SAFE = /^[A-Za-z0-9._:-]{1,256}$/;

interface PodObject {
  metadata?: { name?: string; namespace?: string; uid?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
}

export interface KubeDanmApi extends DanmApi {
  /** Closes the connections (a kubeconfig replaced by a new one). */
  close(): Promise<void>;
}

export function kubeDanmApi(kubeconfig: string): KubeDanmApi {
  // read once; a failure (missing file, bad YAML) is reported by every call until the file is fixed
  const rest = KubeRest.fromFile(kubeconfig);
  rest.catch(() => undefined);
  const call = async <T>(path: string, options?: Parameters<KubeRest["call"]>[1]) => (await rest).call<T>(path, options);
  // DanmEp's selectableFields (Kubernetes ≥ 1.31, deploy/crds): an older API server answers 400 once, then the namespace is listed
  let selectable = true;
  const list = async (namespace: string | undefined, fieldSelector?: string) =>
    (await call<{ items: Endpoint[] }>(danmPath("DanmEp", namespace), { query: { fieldSelector } })).items;
  return {
    readPod: async (namespace, name): Promise<PodInfo> => {
      const m = (await call<PodObject>(`/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(name)}`)).metadata ?? {};
      return { name: m.name ?? name, namespace: m.namespace ?? namespace, uid: m.uid ?? "", labels: m.labels ?? {}, annotations: m.annotations ?? {} };
    },
    getNetwork: (kind: NetworkKind, name: string, namespace?: string) => call<NetworkObject>(danmPath(kind, namespace, name)),
    replaceNetwork: (kind: NetworkKind, network: NetworkObject) =>
      call<NetworkObject>(danmPath(kind, network.metadata.namespace, network.metadata.name), { method: "PUT", body: network }),
    createEndpoint: (ep) => call<Endpoint>(danmPath("DanmEp", ep.metadata.namespace), { method: "POST", body: ep }),
    replaceEndpoint: (ep) => call<Endpoint>(danmPath("DanmEp", ep.metadata.namespace, ep.metadata.name), { method: "PUT", body: ep }),
    deleteEndpoint: async (namespace, name) => {
      await call(danmPath("DanmEp", namespace, name), { method: "DELETE" });
    },
    listEndpoints: (namespace) => list(namespace),
    findEndpoints: async (namespace, field, value) => {
      if (selectable && SELECTOR_SAFE.test(value)) {
        try {
          return await list(namespace, `spec.${field}=${value}`);
        } catch (e) {
          if ((e as { status?: number }).status !== 400) throw e;
          selectable = false;
        }
      }
      return (await list(namespace)).filter((ep) => ep.spec?.[field] === value);
    },
    close: async () => {
      await (await rest.catch(() => undefined))?.close();
    },
  };
}
