// NodeNetworkStatus: one cluster-scoped object per node, named after the node, written by the node
// agent (server/agent) with server-side apply. Not a DANM 4.x kind: tenet's addition to
// danm.k8s.io so netadmins see what netwatcher did on each node (docs/node-agent.md).
import { z } from "zod";
import { API_VERSION, ObjectMeta } from "./meta";

export const HOST_INTERFACE_STATES = ["Present", "Missing", "Failed", "NotApplied"] as const;
export type HostInterfaceState = (typeof HOST_INTERFACE_STATES)[number];

export const HostInterfaceStatus = z
  .strictObject({
    name: z.string().describe("Interface name on the node: <NetworkID>.<vlan> or vx_<NetworkID>."),
    networks: z.array(z.string()).describe('The networks that want it, e.g. "TenantNetwork team-a/sig".'),
    kind: z.string().describe("vlan or vxlan."),
    vni: z.number().int().describe("802.1Q VLAN id or VxLAN VNI."),
    parent: z.string().describe("host_device: the lower device."),
    mtu: z.number().int().optional().describe("MTU the kernel gave the interface (present interfaces only)."),
    state: z
      .enum(HOST_INTERFACE_STATES)
      .describe("Present, Missing (wanted, not there, no error yet), Failed (see error) or NotApplied (the agent may not create interfaces on this node)."),
    error: z.string().optional().describe("Why the interface is not there: the kernel's reason, a conflict, or why the agent does not apply."),
  })
  .describe("A VLAN or VxLAN host interface the networks want on this node.");
export type HostInterfaceStatus = z.infer<typeof HostInterfaceStatus>;

export const VirtualFunctionStatus = z
  .strictObject({
    index: z.number().int().describe("VF number on the physical function (virtfn<index>)."),
    pciAddress: z.string().describe("PCI address of the VF, as DanmEp spec.Interface.DeviceID records it."),
    pod: z.string().optional().describe("namespace/pod holding the VF, from the DanmEps on this node."),
    network: z.string().optional().describe("The network the Pod attached with this VF."),
  })
  .describe("One virtual function of a pool.");
export type VirtualFunctionStatus = z.infer<typeof VirtualFunctionStatus>;

export const SriovPoolStatus = z
  .strictObject({
    name: z.string().describe('Device-plugin resource name of the pool, e.g. "intel.com/sriov_pool1".'),
    physicalFunctions: z.array(z.string()).describe("Netdev names of the physical functions backing the pool."),
    total: z.number().int().describe("VFs the pool has (sriov_numvfs summed over its physical functions)."),
    allocated: z.number().int().describe("VFs a DanmEp on this node holds."),
    free: z.number().int().describe("total - allocated."),
    vfs: z.array(VirtualFunctionStatus).describe("Every VF of the pool with the Pod holding it."),
    error: z.string().optional().describe("Why the pool could not be read (fully), e.g. no physical function configured or missing in sysfs."),
  })
  .describe("An SR-IOV device pool on this node.");
export type SriovPoolStatus = z.infer<typeof SriovPoolStatus>;

export const NodeCondition = z
  .strictObject({
    type: z.string().describe("Ready or Degraded."),
    status: z.enum(["True", "False", "Unknown"]),
    reason: z.string().describe("One CamelCase word."),
    message: z.string().describe("What it means, in words."),
    lastTransitionTime: z.string().describe("When status last changed (RFC 3339)."),
  })
  .describe("A condition of the node's networking.");
export type NodeCondition = z.infer<typeof NodeCondition>;

export const NodeNetworkStatusBody = z
  .strictObject({
    nodeName: z.string().describe("The node this object describes (equal to metadata.name)."),
    applying: z.boolean().describe("False when the agent may not create interfaces on this node (then every interface is NotApplied)."),
    notAppliedReason: z.string().optional().describe("Why the agent does not create interfaces, when applying is false."),
    netns: z.string().optional().describe("Network namespace the agent manages instead of the host's (simulated nodes)."),
    heartbeat: z.string().describe("Last time the agent wrote this object (RFC 3339); it writes at least every heartbeatSeconds."),
    heartbeatSeconds: z.number().int().describe("The agent's heartbeat interval; older than 3 intervals means the agent is gone."),
    lastReconcile: z.string().optional().describe("When the agent last compared the node's links with the networks."),
    hostInterfaces: z.array(HostInterfaceStatus).describe("Every host interface the networks want on this node."),
    sriovPools: z.array(SriovPoolStatus).describe("SR-IOV pools named by the TenantConfig and the networks."),
    conditions: z.array(NodeCondition).describe("Ready: every wanted interface is present and every pool was read. Degraded: something failed."),
    summary: z
      .strictObject({
        interfaces: z.number().int().describe("Host interfaces wanted."),
        present: z.number().int().describe("Host interfaces present."),
        failed: z.number().int().describe("Host interfaces failed."),
        vfs: z.string().describe("SR-IOV VFs used/total over all pools."),
      })
      .describe("Counts for kubectl's columns."),
  })
  .describe("What the node agent found and did on this node.");
export type NodeNetworkStatusBody = z.infer<typeof NodeNetworkStatusBody>;

export const NodeNetworkStatus = z
  .strictObject({
    apiVersion: z.literal(API_VERSION),
    kind: z.literal("NodeNetworkStatus"),
    metadata: ObjectMeta,
    status: NodeNetworkStatusBody.optional(),
  })
  .describe("NodeNetworkStatus reports one node's host interfaces, SR-IOV pools and agent heartbeat. Written by the tenet node agent; read-only for people.");
export type NodeNetworkStatus = z.infer<typeof NodeNetworkStatus>;
