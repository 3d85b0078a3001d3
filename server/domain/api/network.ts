import { z } from "zod";
import { DEFAULT_V6_POOL_ADDRESSES, DEFAULT_V6_POOL_PREFIX } from "../ipam/pool";
import { API_VERSION, ObjectMeta } from "./meta";

/** The ids a network may carry: 802.1Q VLAN 1–4094, the 24-bit VxLAN VNI 1–16777215 (0 = none). */
export const MAX_VLAN_ID = 4094;
export const MAX_VXLAN_ID = 16777215;

// DanmNet, TenantNetwork and ClusterNetwork share one spec shape (danm-spec §2.1).
// Field names are DANM's, exactly, including their mixed case.

const ipv4Text = z.string();
const ipText = z.string();

export const AllocationPool = z
  .strictObject({
    start: ipv4Text.optional().describe("First IPv4 address handed out dynamically. Defaults to the network address + 1."),
    end: ipv4Text.optional().describe("Last IPv4 address handed out dynamically. Defaults to the broadcast address - 1."),
    lastIp: z.string().optional().describe("Written by IPAM: the address handed out last; the next dynamic allocation continues after it."),
  })
  .describe("IPv4 range inside cidr that dynamic allocation draws from.");

export const AllocationPoolV6 = z
  .strictObject({
    cidr: z
      .string()
      .optional()
      .describe(
        `IPv6 sub-prefix of net6 whose addresses are tracked in alloc6. Defaulted to net6's first /${DEFAULT_V6_POOL_PREFIX} (${DEFAULT_V6_POOL_ADDRESSES} addresses, or net6 itself when smaller); may be set as large as the storage limit allows (/105 without cidr, /106 beside most IPv4 cidrs).`,
      ),
    start: ipText.optional().describe("First IPv6 address handed out dynamically. Defaults to the pool cidr's network address + 1."),
    end: ipText.optional().describe("Last IPv6 address handed out dynamically. Defaults to the pool cidr's last address - 1."),
    lastIp: z.string().optional().describe("Written by IPAM: the IPv6 address handed out last."),
  })
  .describe("IPv6 allocation pool inside net6.");

const routeMap = z.record(z.string(), z.string());

export const NetworkOptions = z
  .strictObject({
    host_device: z
      .string()
      .optional()
      .describe(
        "Host NIC the network attaches to (parent of ipvlan/macvlan interfaces and lower device of VLAN/VxLAN host interfaces). Forbidden for sriov; exclusive with device_pool. For TenantNetworks it is assigned from the TenantConfig.",
      ),
    device_pool: z
      .string()
      .optional()
      .describe("Device-plugin resource name of an SR-IOV pool, e.g. vendor.example/sriov_pool_a. Mandatory for sriov; exclusive with host_device."),
    cidr: z.string().optional().describe("IPv4 subnet in CIDR notation, /9 or smaller. Absent means no IPv4 (L2)."),
    allocation_pool: AllocationPool.optional(),
    alloc: z.string().optional().describe("IPv4 allocation bitmap (base64), written by the webhook and IPAM. Must not be set by users."),
    routes: routeMap.optional().describe("Routes installed in the Pod's main table: destination IPv4 CIDR -> gateway inside cidr."),
    net6: z.string().optional().describe("IPv6 subnet in CIDR notation. Absent means no IPv6."),
    allocation_pool_v6: AllocationPoolV6.optional(),
    alloc6: z
      .string()
      .optional()
      .describe(
        "IPv6 allocation bitmap (base64) over allocation_pool_v6.cidr, written by IPAM at the first IPv6 allocation (absent: nothing allocated yet). Must not be set by users.",
      ),
    routes6: routeMap.optional().describe("IPv6 routes: destination IPv6 CIDR -> gateway inside net6."),
    container_prefix: z
      .string()
      .optional()
      .describe("Prefix of the interface name inside the Pod (eth0 for the first interface, <prefix><sequence> otherwise)."),
    rt_tables: z.number().int().min(0).max(255).optional().describe("Routing table id for Pod-requested policy routes (proutes/proutes6); 0 ignores them."),
    vlan: z.number().int().min(0).max(MAX_VLAN_ID).optional().describe("VLAN id. Exclusive with vxlan. Assigned by the cluster for TenantNetworks."),
    vxlan: z.number().int().min(0).max(MAX_VXLAN_ID).optional().describe("VxLAN VNI. Exclusive with vlan. Assigned by the cluster for TenantNetworks."),
  })
  .describe("Network options: addressing, pools, routes, devices and VNIs.");
export type NetworkOptions = z.infer<typeof NetworkOptions>;

export const NetworkSpec = z
  .strictObject({
    NetworkID: z
      .string()
      .optional()
      .describe(
        "Second identifier: names the CNI config of static delegates (<NetworkID>.conf) and the host interfaces (<NetworkID>.<vlan>, vx_<NetworkID>). At most 10 characters for dynamic types with a VNI.",
      ),
    NetworkType: z.string().optional().describe("Backend: ipvlan (default), macvlan, sriov, or the name of a CNI plugin (static delegate). Stored lowercase."),
    AllowedTenants: z.array(z.string()).optional().describe("ClusterNetwork only: namespaces whose Pods may attach. Absent or empty means all."),
    Options: NetworkOptions.optional(),
  })
  .describe("Network specification, shared by DanmNet, TenantNetwork and ClusterNetwork.");
export type NetworkSpec = z.infer<typeof NetworkSpec>;

export const NETWORK_KINDS = ["DanmNet", "TenantNetwork", "ClusterNetwork"] as const;
export type NetworkKind = (typeof NETWORK_KINDS)[number];

function networkObject<K extends NetworkKind>(kind: K, description: string) {
  return z
    .strictObject({
      apiVersion: z.literal(API_VERSION),
      kind: z.literal(kind),
      metadata: ObjectMeta,
      spec: NetworkSpec.optional(),
    })
    .describe(description);
}

export const DanmNet = networkObject(
  "DanmNet",
  "DanmNet is a namespaced network that anyone in the namespace may define, with all physical details (lightweight DANM API).",
);
export const TenantNetwork = networkObject(
  "TenantNetwork",
  "TenantNetwork is a namespaced network a tenant requests; the cluster assigns its host device, VLAN/VxLAN and NetworkID from the TenantConfig.",
);
export const ClusterNetwork = networkObject(
  "ClusterNetwork",
  "ClusterNetwork is a cluster-wide network defined by network administrators, usable by the namespaces in AllowedTenants.",
);

export type NetworkObject = z.infer<typeof DanmNet> | z.infer<typeof TenantNetwork> | z.infer<typeof ClusterNetwork>;

export const networkSchemaByKind = { DanmNet, TenantNetwork, ClusterNetwork } as const;

/** Dynamic NetworkTypes are handled by DANM's own IPAM and host-interface logic (§0); comparison is case-insensitive. */
export const DYNAMIC_NETWORK_TYPES = ["ipvlan", "sriov", "macvlan"] as const;

/** Decision 8: NetworkType is case-insensitive, stored lowercase; empty means ipvlan (§9.1). */
export function normalNetworkType(networkType: string | undefined): string {
  return (networkType ?? "").toLowerCase() || "ipvlan";
}

export function isDynamicNetworkType(networkType: string | undefined): boolean {
  return (DYNAMIC_NETWORK_TYPES as readonly string[]).includes(normalNetworkType(networkType));
}

export function isNetworkKind(kind: unknown): kind is NetworkKind {
  return typeof kind === "string" && (NETWORK_KINDS as readonly string[]).includes(kind);
}

/** danm-spec §12: the host interfaces of a network with a VNI: `<NetworkID>.<vlan>` and `vx_<NetworkID>`. */
export function vlanInterfaceName(networkId: string, vlan: number): string {
  return `${networkId}.${vlan}`;
}

export function vxlanInterfaceName(networkId: string): string {
  return `vx_${networkId}`;
}
