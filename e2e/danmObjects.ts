// Objects the browser tests create with kubectl: networks, and a Pod's interface on a network the
// way the CNI plugin records it (the address's bit set in the network's alloc bitmap, then a DanmEp
// naming the Pod, the interface and the address).
import type { DanmEp } from "../server/domain/api/danmEp";
import type { NetworkObject } from "../server/domain/api/network";
import { allocateAddresses } from "../server/domain/ipam/allocate";
import type { Kubectl } from "./fixtures";

export type NetworkKind = "TenantNetwork" | "ClusterNetwork" | "DanmNet";

export function networkManifest(kind: NetworkKind, name: string, namespace: string | undefined, spec: Record<string, unknown>): string {
  return JSON.stringify({ apiVersion: "danm.k8s.io/v1", kind, metadata: namespace ? { name, namespace } : { name }, spec });
}

const nsArgs = (namespace: string | undefined) => (namespace ? ["-n", namespace] : []);

export function getNetwork(kubectl: Kubectl, user: string, kind: NetworkKind, name: string, namespace?: string): NetworkObject {
  return JSON.parse(kubectl(user, ["get", kind.toLowerCase(), name, ...nsArgs(namespace), "-o", "json"]).stdout) as NetworkObject;
}

export interface Attachment {
  kind: NetworkKind;
  network: string;
  /** the network's namespace (not for ClusterNetworks) */
  networkNamespace?: string;
  /** the Pod's namespace, where the DanmEp lives */
  podNamespace: string;
  pod: string;
  iface: string;
  /** "dynamic" or a fixed address */
  ip?: string;
  host?: string;
  endpoint: string;
  /** the Pod's UID (default a made-up one: no such Pod) */
  podUid?: string;
}

/**
 * Gives a Pod an address on a network as the CNI plugin does: sets the address's bit in the
 * network's alloc bitmap (retrying on a conflict: the webhook and IPAM write the object too), then
 * creates the DanmEp. Returns the address with its prefix, as the DanmEp holds it.
 */
export function attachPod(kubectl: Kubectl, a: Attachment): string {
  let address = "";
  for (let attempt = 0; ; attempt++) {
    const stored = getNetwork(kubectl, "admin", a.kind, a.network, a.networkNamespace);
    const r = allocateAddresses(stored.spec!.Options!, { ip: a.ip ?? "dynamic" });
    if (!r.ok) throw new Error(`allocating on ${a.kind} ${a.network}: ${r.error.message}`);
    address = r.ip;
    const replaced = kubectl("admin", ["replace", "-f", "-"], {
      input: JSON.stringify({ ...stored, spec: { ...stored.spec, Options: r.options } }),
      check: false,
    });
    if (replaced.status === 0) break;
    if (attempt >= 5 || !/conflict|modified/i.test(replaced.stderr))
      throw new Error(`setting the alloc bit of ${address} on ${a.network}: ${replaced.stderr.trim()}`);
  }
  const ep: DanmEp = {
    apiVersion: "danm.k8s.io/v1",
    kind: "DanmEp",
    metadata: { name: a.endpoint, namespace: a.podNamespace, labels: { "danm.k8s.io/Pod": a.pod } },
    spec: {
      NetworkName: a.network,
      NetworkType: "ipvlan",
      apiType: a.kind,
      EndpointID: a.endpoint,
      Pod: a.pod,
      PodUID: a.podUid ?? `uid-${a.pod}`,
      Host: a.host ?? "node-1",
      CID: `cid-${a.pod}`,
      netns: `/var/run/netns/${a.pod}`,
      Interface: { Name: a.iface, Address: address, AddressIPv6: "" },
    },
  } as DanmEp;
  kubectl("admin", ["create", "-f", "-"], { input: JSON.stringify(ep) });
  return address;
}

/** The address without its prefix length. */
export const bare = (address: string) => address.split("/")[0];
