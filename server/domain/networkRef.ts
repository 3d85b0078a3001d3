// A network as other objects and the console name it: by kind, namespace and name. ClusterNetworks
// are cluster-wide, so a reference to one carries no namespace, whoever makes it (a DanmEp in the
// Pod's namespace, a Pod annotation, a table row).
import type { NetworkKind } from "./api/network";

export interface NetworkRef {
  kind: NetworkKind;
  name: string;
  /** Absent for ClusterNetworks. */
  namespace?: string;
}

/** The network kind a DanmEp's `apiType` names; an empty apiType means DanmNet (§4, decision 7). */
export function endpointNetworkKind(apiType: string | undefined): NetworkKind {
  return (apiType || "DanmNet") as NetworkKind;
}

/** A reference to the network `name` of `kind` seen from `namespace` (dropped for ClusterNetworks). */
export function networkRef(kind: NetworkKind, namespace: string | undefined, name: string): NetworkRef {
  return kind === "ClusterNetwork" ? { kind, name, namespace: undefined } : { kind, name, namespace };
}

/** The reference to a network object itself. */
export function networkRefOf(net: { kind: NetworkKind; metadata?: { name?: string; namespace?: string } }): NetworkRef {
  return networkRef(net.kind, net.metadata?.namespace, net.metadata?.name ?? "");
}

/** The network a DanmEp is on: its apiType and NetworkName, in the DanmEp's namespace unless a ClusterNetwork. */
export function endpointNetworkRef(ep: { metadata?: { namespace?: string }; spec?: { apiType?: string; NetworkName?: string } }): NetworkRef {
  return networkRef(endpointNetworkKind(ep.spec?.apiType), ep.metadata?.namespace, ep.spec?.NetworkName ?? "");
}

/** A map key for a network: `kind/namespace/name`, the namespace empty for ClusterNetworks. */
export function networkKey(ref: NetworkRef): string {
  return `${ref.kind}/${ref.kind === "ClusterNetwork" ? "" : (ref.namespace ?? "")}/${ref.name}`;
}

/** The network as messages name it: `TenantNetwork team-a/signalling`, `ClusterNetwork oam`. */
export function networkLabel(ref: NetworkRef): string {
  return `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ""}${ref.name}`;
}

export function sameNetwork(a: NetworkRef, b: NetworkRef): boolean {
  return networkKey(a) === networkKey(b);
}
