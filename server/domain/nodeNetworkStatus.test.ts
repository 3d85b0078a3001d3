import { describe, expect, it } from "vitest";
import type { NetworkObject } from "./api/network";
import { desiredHostInterfaces } from "./hostInterfaces";
import { heartbeatStale, hostInterfaceColumns, networkCell, nodeStatusContent, statusContentChanged, type NodeObservation } from "./nodeNetworkStatus";

const net = (name: string, options: { host_device?: string; vlan?: number; vxlan?: number }): NetworkObject =>
  ({
    apiVersion: "danm.k8s.io/v1",
    kind: "TenantNetwork",
    metadata: { name, namespace: "team-a" },
    spec: { NetworkID: name, NetworkType: "macvlan", Options: options },
  }) as NetworkObject;

const desired = desiredHostInterfaces([
  net("ovl", { host_device: "ens5", vxlan: 600 }),
  net("sig", { host_device: "ens4", vlan: 1001 }),
  net("far", { host_device: "ens9", vxlan: 700 }),
]);
const T0 = "2025-01-01T00:00:00Z";
const T1 = "2025-01-01T00:05:00Z";

const observation = (extra: Partial<NodeObservation> = {}): NodeObservation => ({
  node: "node-1",
  heartbeatSeconds: 30,
  desired,
  links: [
    { name: "ens5", kind: "veth", ownedByTenet: false, up: true },
    { name: "vx_ovl", kind: "vxlan", id: 600, parent: "ens5", ownedByTenet: true, up: true, mtu: 1450 },
  ],
  failed: [{ name: "sig.1001", error: "Error: Unknown device type." }],
  conflicts: [
    {
      name: "vx_far",
      users: ["TenantNetwork team-a/far"],
      reason: 'host_device "ens9" does not exist on this node, so vx_far (vxlan 700 on ens9) cannot be created',
    },
  ],
  pools: [{ name: "a/b", physicalFunctions: ["pf0"], total: 4, allocated: 1, free: 3, vfs: [] }],
  ...extra,
});

describe("nodeStatusContent", () => {
  it("reports each wanted interface as Present (with MTU) or Failed with the kernel's reason or the conflict, and counts them", () => {
    const c = nodeStatusContent(observation(), undefined, T0);
    expect(c.hostInterfaces.map((i) => [i.name, i.state, i.mtu, i.error])).toEqual([
      ["sig.1001", "Failed", undefined, "Error: Unknown device type."],
      ["vx_far", "Failed", undefined, expect.stringContaining('"ens9" does not exist')],
      ["vx_ovl", "Present", 1450, undefined],
    ]);
    expect(c.hostInterfaces[2]).toMatchObject({ kind: "vxlan", vni: 600, parent: "ens5", networks: ["TenantNetwork team-a/ovl"] });
    expect(c.summary).toEqual({ interfaces: 3, present: 1, failed: 2, vfs: "1/4" });
    expect(c.conditions.map((x) => [x.type, x.status, x.reason])).toEqual([
      ["Ready", "False", "InterfacesFailed"],
      ["Degraded", "True", "InterfacesFailed"],
    ]);
  });

  it("is Ready when everything is present, and keeps lastTransitionTime while a condition does not change", () => {
    const one = desiredHostInterfaces([net("ovl", { host_device: "ens5", vxlan: 600 })]);
    const first = nodeStatusContent(observation({ desired: one, failed: [], conflicts: [] }), undefined, T0);
    expect(first.conditions[0]).toMatchObject({ type: "Ready", status: "True", lastTransitionTime: T0 });
    const again = nodeStatusContent(observation({ desired: one, failed: [], conflicts: [] }), first.conditions, T1);
    expect(again.conditions[0].lastTransitionTime).toBe(T0);
    expect(statusContentChanged(first, again)).toBe(false);
    const broken = nodeStatusContent(observation(), first.conditions, T1);
    expect(broken.conditions[0]).toMatchObject({ status: "False", lastTransitionTime: T1 });
    expect(statusContentChanged(first, broken)).toBe(true);
  });

  it("never claims an interface exists when the agent does not apply: every one is NotApplied with the reason", () => {
    const c = nodeStatusContent(
      observation({ notAppliedReason: "creating network namespaces needs root", links: undefined, failed: [], conflicts: [] }),
      undefined,
      T0,
    );
    expect(c.hostInterfaces.every((i) => i.state === "NotApplied" && i.error === "creating network namespaces needs root")).toBe(true);
    expect(c.applying).toBe(false);
    expect(c.summary.present).toBe(0);
    expect(c.conditions[0]).toMatchObject({ status: "False", reason: "NotApplied" });
  });

  it("marks wanted interfaces Missing with the error when the links could not be read", () => {
    const c = nodeStatusContent(
      observation({ links: undefined, failed: [], conflicts: [], reconcileError: "ip link show failed (exit 1): Cannot open network namespace" }),
      undefined,
      T0,
    );
    expect(c.hostInterfaces.map((i) => i.state)).toEqual(["Missing", "Missing", "Missing"]);
    expect(c.conditions).toMatchObject([{ reason: "ReconcileFailed" }, { status: "True", reason: "ReconcileFailed" }]);
  });
});

describe("heartbeatStale and networkCell", () => {
  const now = Date.parse("2025-01-01T00:10:00Z");
  it("flags a heartbeat older than 3 intervals", () => {
    expect(heartbeatStale({ heartbeat: "2025-01-01T00:08:29Z", heartbeatSeconds: 30 }, now)).toBe(true);
    expect(heartbeatStale({ heartbeat: "2025-01-01T00:08:29Z", heartbeatSeconds: 60 }, now)).toBe(false);
    expect(heartbeatStale(undefined, now)).toBe(true);
  });

  it("gives the interface's state, NoAgent without a status, and Missing for a network the agent has not seen", () => {
    const content = nodeStatusContent(observation(), undefined, T0);
    const status = { ...content, heartbeat: "2025-01-01T00:09:50Z" };
    expect(networkCell(status, "sig.1001", now)).toEqual({ state: "Failed", error: "Error: Unknown device type.", stale: false });
    expect(networkCell(status, "vx_ovl", now)).toEqual({ state: "Present", stale: false });
    expect(networkCell(status, "vx_new", now)).toMatchObject({ state: "Missing" });
    expect(networkCell(undefined, "vx_ovl", now)).toMatchObject({ state: "NoAgent", stale: true });
  });
});

describe("hostInterfaceColumns", () => {
  it("gives one column per host interface, ClusterNetworks first, networks without a VNI or host_device none", () => {
    const cn = {
      apiVersion: "danm.k8s.io/v1",
      kind: "ClusterNetwork",
      metadata: { name: "bh" },
      spec: { NetworkID: "bh", Options: { host_device: "bond1", vlan: 310, vxlan: 5 } },
    } as NetworkObject;
    const cols = hostInterfaceColumns([net("zz", { host_device: "ens5", vxlan: 600 }), net("plain", { host_device: "ens3" }), cn]);
    expect(cols.map((c) => [c.key, c.interfaceKind, c.vni])).toEqual([
      ["ClusterNetwork//bh/bh.310", "vlan", 310],
      ["ClusterNetwork//bh/vx_bh", "vxlan", 5],
      ["TenantNetwork/team-a/zz/vx_zz", "vxlan", 600],
    ]);
  });
});
