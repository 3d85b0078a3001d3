import { z } from "zod";
import { API_VERSION, ObjectMeta } from "./meta";

export const VNI_TYPES = ["vlan", "vxlan"] as const;
export type VniType = (typeof VNI_TYPES)[number];

export const InterfaceProfile = z
  .strictObject({
    name: z.string().describe("A host NIC name (e.g. ens4, bond1) or, when it contains '/', an SR-IOV device-plugin pool name."),
    vniType: z.string().optional().describe("vlan or vxlan; absent means direct attachment without a VNI."),
    vniRange: z.string().optional().describe("VNIs tenants may get, e.g. 2000-2500,2601. Mandatory with vniType. VLAN ids 1-4094, VxLAN ids 1-5000 (T-8)."),
    alloc: z.string().optional().describe("VNI reservation bitmap (base64, 5001 bits), written by the webhook. Must not be set at creation."),
  })
  .describe("An interface profile: a physical resource tenants may use.");
export type InterfaceProfile = z.infer<typeof InterfaceProfile>;

// TenantConfig keeps its fields at the top level of the object, not under spec (danm-spec §3).
export const TenantConfig = z
  .strictObject({
    apiVersion: z.literal(API_VERSION),
    kind: z.literal("TenantConfig"),
    metadata: ObjectMeta,
    hostDevices: z.array(InterfaceProfile).optional().describe("Physical resources tenants may use: host NICs and SR-IOV pools, with their VLAN/VxLAN ranges."),
    networkIds: z.record(z.string(), z.string()).optional().describe("NetworkType -> NetworkID forced onto TenantNetworks of that type."),
  })
  .describe("TenantConfig tells which host devices, VNI ranges and NetworkIDs TenantNetworks get. The first one by name is used.");
export type TenantConfig = z.infer<typeof TenantConfig>;
