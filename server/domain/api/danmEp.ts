import { z } from "zod";
import { API_VERSION, ObjectMeta } from "./meta";

const routeMap = z.record(z.string(), z.string());

export const DanmEpInterface = z
  .looseObject({
    Name: z.string().optional().describe("Interface name inside the Pod."),
    Address: z.string().optional().describe("IPv4 address/prefix, none, or empty."),
    AddressIPv6: z.string().optional().describe("IPv6 address/prefix, none, or empty."),
    MacAddress: z.string().optional().describe("MAC of the SR-IOV VF when known."),
    proutes: routeMap.optional().describe("Policy routes the Pod requested (IPv4)."),
    proutes6: routeMap.optional().describe("Policy routes the Pod requested (IPv6)."),
    DeviceID: z.string().optional().describe("PCI address of the SR-IOV VF handed to the interface."),
  })
  .describe("The Pod interface this endpoint records.");

export const DanmEpSpec = z
  .looseObject({
    NetworkName: z.string().optional().describe("Name of the network object."),
    NetworkType: z.string().optional().describe("NetworkType of the network when the endpoint was created."),
    EndpointID: z.string().optional().describe("UUIDv4, equal to metadata.name."),
    Interface: DanmEpInterface.optional(),
    Host: z.string().optional().describe("Node hostname."),
    Pod: z.string().optional().describe("Pod name."),
    PodUID: z.string().optional().describe("Pod UID."),
    CID: z.string().optional().describe("Pod sandbox (infra container) id."),
    netns: z.string().optional().describe("Network namespace path."),
    apiType: z.string().optional().describe("Kind of the network: DanmNet, TenantNetwork or ClusterNetwork (empty means DanmNet)."),
  })
  .describe("Endpoint specification.");

export const DanmEp = z
  .looseObject({
    apiVersion: z.literal(API_VERSION),
    kind: z.literal("DanmEp"),
    metadata: ObjectMeta,
    spec: DanmEpSpec.optional(),
  })
  .describe("DanmEp records one Pod interface on a DANM network: its addresses, node and sandbox. Written by the CNI plugin.");
export type DanmEp = z.infer<typeof DanmEp>;
