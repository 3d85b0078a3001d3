// DanmApi over the API server, with the kubeconfig named in the netconf.
import type { NetworkKind, NetworkObject } from "../domain/api/network";
import { DanmClient } from "../kube/danmClient";
import { readPod } from "../kube/pods";
import type { DanmApi, Endpoint } from "./endpoint";

export function kubeDanmApi(kubeconfig: string): DanmApi {
  const client = new DanmClient(kubeconfig);
  return {
    readPod: (namespace, name) => readPod(kubeconfig, namespace, name),
    getNetwork: (kind: NetworkKind, name: string, namespace?: string) => client.get<NetworkObject>(kind, name, namespace),
    replaceNetwork: (kind: NetworkKind, network: NetworkObject) => client.replace<NetworkObject>(kind, network),
    createEndpoint: (ep) => client.create<Endpoint>("DanmEp", ep),
    replaceEndpoint: (ep) => client.replace<Endpoint>("DanmEp", ep),
    deleteEndpoint: (namespace, name) => client.delete("DanmEp", name, namespace),
    listEndpoints: (namespace) => client.list<Endpoint>("DanmEp", namespace),
  };
}
