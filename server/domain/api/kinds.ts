import type { z } from "zod";
import { ClusterNetwork, DanmNet, TenantNetwork } from "./network";
import { TenantConfig } from "./tenantConfig";
import { DanmEp } from "./danmEp";
import { NodeNetworkStatus } from "./nodeStatus";

export interface PrinterColumn {
  name: string;
  type: "string" | "integer" | "number" | "boolean" | "date";
  jsonPath: string;
  description: string;
  priority?: number;
}

export interface KindInfo {
  kind: string;
  plural: string;
  singular: string;
  scope: "Namespaced" | "Cluster";
  shortNames: string[];
  categories: string[];
  schema: z.ZodType;
  printerColumns: PrinterColumn[];
  /** Fields `kubectl get --field-selector` (and the CNI daemon) may select on (CRD selectableFields, Kubernetes ≥ 1.31). */
  selectableFields?: { jsonPath: string }[];
}

const age: PrinterColumn = { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp", description: "Time since creation." };

const networkColumns = (extra: PrinterColumn[] = []): PrinterColumn[] => [
  { name: "Type", type: "string", jsonPath: ".spec.NetworkType", description: "NetworkType (backend)." },
  { name: "NetworkID", type: "string", jsonPath: ".spec.NetworkID", description: "NetworkID: CNI config name and host interface stem.", priority: 1 },
  { name: "CIDR", type: "string", jsonPath: ".spec.Options.cidr", description: "IPv4 subnet." },
  { name: "Net6", type: "string", jsonPath: ".spec.Options.net6", description: "IPv6 subnet." },
  { name: "VLAN", type: "integer", jsonPath: ".spec.Options.vlan", description: "VLAN id." },
  { name: "VxLAN", type: "integer", jsonPath: ".spec.Options.vxlan", description: "VxLAN VNI." },
  { name: "Device", type: "string", jsonPath: ".spec.Options.host_device", description: "Host device." },
  { name: "Pool", type: "string", jsonPath: ".spec.Options.device_pool", description: "SR-IOV device pool.", priority: 1 },
  ...extra,
  age,
];

// danm-spec §1: plural, singular, scope, short names and categories.
export const KINDS: KindInfo[] = [
  {
    kind: "DanmNet",
    plural: "danmnets",
    singular: "danmnet",
    scope: "Namespaced",
    shortNames: ["dn", "dnet"],
    categories: ["all", "danm"],
    schema: DanmNet,
    printerColumns: networkColumns(),
  },
  {
    kind: "TenantNetwork",
    plural: "tenantnetworks",
    singular: "tenantnetwork",
    scope: "Namespaced",
    shortNames: ["tn", "tnet"],
    categories: ["all", "danm"],
    schema: TenantNetwork,
    printerColumns: networkColumns(),
  },
  {
    kind: "ClusterNetwork",
    plural: "clusternetworks",
    singular: "clusternetwork",
    scope: "Cluster",
    shortNames: ["cn", "cnet"],
    categories: ["all", "danm"],
    schema: ClusterNetwork,
    printerColumns: networkColumns([
      { name: "Tenants", type: "string", jsonPath: ".spec.AllowedTenants", description: "Namespaces allowed to attach (empty: all).", priority: 1 },
    ]),
  },
  {
    kind: "TenantConfig",
    plural: "tenantconfigs",
    singular: "tenantconfig",
    scope: "Cluster",
    shortNames: ["tc", "tconf"],
    categories: ["all", "danm"],
    schema: TenantConfig,
    printerColumns: [
      { name: "Devices", type: "string", jsonPath: ".hostDevices[*].name", description: "Interface profiles." },
      { name: "Ranges", type: "string", jsonPath: ".hostDevices[*].vniRange", description: "VNI ranges of the profiles." },
      age,
    ],
  },
  {
    kind: "DanmEp",
    plural: "danmeps",
    singular: "danmep",
    scope: "Namespaced",
    shortNames: ["de", "dep"],
    categories: ["danm"],
    schema: DanmEp,
    // the danm daemon finds a sandbox's DanmEps by CID and a Pod's by PodUID without listing the namespace
    selectableFields: [{ jsonPath: ".spec.CID" }, { jsonPath: ".spec.PodUID" }, { jsonPath: ".spec.Host" }, { jsonPath: ".spec.NetworkName" }],
    printerColumns: [
      { name: "Pod", type: "string", jsonPath: ".spec.Pod", description: "Pod holding the interface." },
      { name: "Network", type: "string", jsonPath: ".spec.NetworkName", description: "Network name." },
      { name: "Kind", type: "string", jsonPath: ".spec.apiType", description: "Network kind." },
      { name: "Interface", type: "string", jsonPath: ".spec.Interface.Name", description: "Interface name in the Pod." },
      { name: "Address", type: "string", jsonPath: ".spec.Interface.Address", description: "IPv4 address." },
      { name: "Address6", type: "string", jsonPath: ".spec.Interface.AddressIPv6", description: "IPv6 address.", priority: 1 },
      { name: "Host", type: "string", jsonPath: ".spec.Host", description: "Node." },
      age,
    ],
  },
  // tenet's addition (not DANM 4.x): the node agent's report per node, docs/node-agent.md.
  {
    kind: "NodeNetworkStatus",
    plural: "nodenetworkstatuses",
    singular: "nodenetworkstatus",
    scope: "Cluster",
    shortNames: ["nns"],
    categories: ["danm"],
    schema: NodeNetworkStatus,
    printerColumns: [
      {
        name: "Ready",
        type: "string",
        jsonPath: '.status.conditions[?(@.type=="Ready")].status',
        description: "Every wanted host interface is present and every SR-IOV pool was read.",
      },
      { name: "Interfaces", type: "integer", jsonPath: ".status.summary.interfaces", description: "Host interfaces the networks want on the node." },
      { name: "Failed", type: "integer", jsonPath: ".status.summary.failed", description: "Host interfaces that failed." },
      { name: "VFs", type: "string", jsonPath: ".status.summary.vfs", description: "SR-IOV VFs used/total." },
      { name: "Heartbeat", type: "date", jsonPath: ".status.heartbeat", description: "Last time the agent wrote the object." },
    ],
  },
];

export function kindInfo(kind: string): KindInfo | undefined {
  return KINDS.find((k) => k.kind === kind);
}
