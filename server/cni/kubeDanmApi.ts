// DanmApi over the API server, with the kubeconfig named in the netconf.
import type { NetworkKind, NetworkObject } from "../domain/api/network";
import { DanmClient } from "../kube/danmClient";
import { readPod } from "../kube/pods";
import type { DanmApi, Endpoint } from "./endpoint";

/** What a field selector may carry unescaped (container ids, UIDs); anything else is filtered here. */
const SELECTOR_SAFE = /^[A-Za-z0-9._:-]{1,256}$/;

export function kubeDanmApi(kubeconfig: string): DanmApi {
  const client = new DanmClient(kubeconfig);
  // DanmEp's selectableFields (Kubernetes ≥ 1.31, deploy/crds): an older API server answers 400 once, then the namespace is listed
  let selectable = true;
  return {
    readPod: (namespace, name) => readPod(kubeconfig, namespace, name),
    getNetwork: (kind: NetworkKind, name: string, namespace?: string) => client.get<NetworkObject>(kind, name, namespace),
    replaceNetwork: (kind: NetworkKind, network: NetworkObject) => client.replace<NetworkObject>(kind, network),
    createEndpoint: (ep) => client.create<Endpoint>("DanmEp", ep),
    replaceEndpoint: (ep) => client.replace<Endpoint>("DanmEp", ep),
    deleteEndpoint: (namespace, name) => client.delete("DanmEp", name, namespace),
    listEndpoints: (namespace) => client.list<Endpoint>("DanmEp", namespace),
    findEndpoints: async (namespace, field, value) => {
      if (selectable && SELECTOR_SAFE.test(value)) {
        try {
          return await client.list<Endpoint>("DanmEp", namespace, { fieldSelector: `spec.${field}=${value}` });
        } catch (e) {
          if ((e as { status?: number }).status !== 400) throw e;
          selectable = false;
        }
      }
      return (await client.list<Endpoint>("DanmEp", namespace)).filter((ep) => ep.spec?.[field] === value);
    },
  };
}
