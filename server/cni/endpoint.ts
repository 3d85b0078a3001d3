// DanmEp records as the plugin writes them (danm-spec §4, §11.3), and where the plugin's API access
// goes: the Pod, networks by kind, DanmEps. Building the record is pure; DanmApi is the I/O seam.
import type { DanmEp } from "../domain/api/danmEp";
import { normalNetworkType, type NetworkKind, type NetworkObject } from "../domain/api/network";
import { API_VERSION } from "../domain/api/meta";
import type { InterfaceRequest } from "../domain/annotation";

export type Endpoint = DanmEp & { metadata: { name: string; namespace: string } };

export interface PodInfo {
  name: string;
  namespace: string;
  uid: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

/** What the plugin reads and writes in the API server. */
export interface DanmApi {
  readPod(namespace: string, name: string): Promise<PodInfo>;
  getNetwork(kind: NetworkKind, name: string, namespace?: string): Promise<NetworkObject>;
  replaceNetwork(kind: NetworkKind, network: NetworkObject): Promise<NetworkObject>;
  createEndpoint(ep: Endpoint): Promise<Endpoint>;
  replaceEndpoint(ep: Endpoint): Promise<Endpoint>;
  deleteEndpoint(namespace: string, name: string): Promise<void>;
  /** In one namespace, or in the cluster when namespace is undefined. */
  listEndpoints(namespace?: string): Promise<Endpoint[]>;
  /** The DanmEps whose spec.CID or spec.PodUID is `value`, in one namespace or the cluster. */
  findEndpoints(namespace: string | undefined, field: "CID" | "PodUID", value: string): Promise<Endpoint[]>;
}

export interface EndpointFacts {
  id: string;
  pod: PodInfo;
  network: NetworkObject;
  request: InterfaceRequest;
  ifName: string;
  addresses: { ip: string; ip6: string };
  host: string;
  sandboxId: string;
  netns: string;
}

export function buildEndpoint(f: EndpointFacts): Endpoint {
  const iface: NonNullable<NonNullable<DanmEp["spec"]>["Interface"]> = { Name: f.ifName, Address: f.addresses.ip, AddressIPv6: f.addresses.ip6 };
  if (f.request.proutes) iface.proutes = f.request.proutes;
  if (f.request.proutes6) iface.proutes6 = f.request.proutes6;
  return {
    apiVersion: API_VERSION,
    kind: "DanmEp",
    metadata: { name: f.id, namespace: f.pod.namespace, ...(Object.keys(f.pod.labels).length ? { labels: { ...f.pod.labels } } : {}) },
    spec: {
      NetworkName: f.network.metadata.name,
      NetworkType: normalNetworkType(f.network.spec?.NetworkType),
      EndpointID: f.id,
      Interface: iface,
      Host: f.host,
      Pod: f.pod.name,
      PodUID: f.pod.uid,
      CID: f.sandboxId,
      netns: f.netns,
      apiType: f.network.kind,
    },
  };
}

export const podLabel = (pod: { namespace: string; name: string }) => `pod ${pod.namespace}/${pod.name}`;
