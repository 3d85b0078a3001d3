// netwatcher's desired host interfaces and the plan against the node's links (danm-spec §12.2,
// design decision 12).
import { describe, expect, it } from "vitest";
import type { NetworkObject } from "./api/network";
import { desiredHostInterfaces, isValidInterfaceName, planHostInterfaces, vxlanEndpoints, type ActualInterface, type DesiredInterface } from "./hostInterfaces";

const net = (
  kind: "DanmNet" | "TenantNetwork" | "ClusterNetwork",
  name: string,
  NetworkID: string | undefined,
  options: { host_device?: string; vlan?: number; vxlan?: number },
  namespace = "team-a",
): NetworkObject =>
  ({
    apiVersion: "danm.k8s.io/v1",
    kind,
    metadata: kind === "ClusterNetwork" ? { name } : { name, namespace },
    spec: { NetworkID, NetworkType: "ipvlan", Options: options },
  }) as NetworkObject;

const link = (name: string, kind: string, over: Partial<ActualInterface> = {}): ActualInterface => ({ name, kind, ownedByTenet: false, up: true, ...over });
const eth0 = link("eth0", "");
const want = (name: string, kind: "vlan" | "vxlan", id: number, parent = "eth0", users = ["x"]): DesiredInterface => ({ name, kind, id, parent, users });

describe("desiredHostInterfaces (§12.2)", () => {
  it("names VLAN interfaces <NetworkID>.<vlan> and VxLAN interfaces vx_<NetworkID>", () => {
    expect(
      desiredHostInterfaces([
        net("DanmNet", "a", "sig", { host_device: "eth0", vlan: 200 }),
        net("ClusterNetwork", "core", "core", { host_device: "eth1", vxlan: 600 }),
      ]),
    ).toEqual([
      { name: "sig.200", kind: "vlan", id: 200, parent: "eth0", users: ["DanmNet team-a/a"] },
      { name: "vx_core", kind: "vxlan", id: 600, parent: "eth1", users: ["ClusterNetwork core"] },
    ]);
  });

  it("wants nothing without host_device, without a VNI, or without NetworkID (SR-IOV networks get nothing)", () => {
    expect(
      desiredHostInterfaces([
        net("DanmNet", "a", "sig", { vlan: 200 }),
        net("DanmNet", "b", "sig", { host_device: "eth0" }),
        net("DanmNet", "c", "sig", { host_device: "eth0", vlan: 0, vxlan: 0 }),
        net("DanmNet", "d", undefined, { host_device: "eth0", vxlan: 5 }),
      ]),
    ).toEqual([]);
  });

  it("gives one entry per shared interface, listing every user (reference counting)", () => {
    const d = desiredHostInterfaces([
      net("TenantNetwork", "x", "shared", { host_device: "eth0", vxlan: 700 }),
      net("TenantNetwork", "y", "shared", { host_device: "eth0", vxlan: 700 }, "team-b"),
    ]);
    expect(d).toEqual([{ name: "vx_shared", kind: "vxlan", id: 700, parent: "eth0", users: ["TenantNetwork team-a/x", "TenantNetwork team-b/y"] }]);
  });

  it("handles vlan and vxlan of one network independently", () => {
    expect(desiredHostInterfaces([net("DanmNet", "a", "both", { host_device: "eth0", vlan: 7, vxlan: 8 })]).map((d) => d.name)).toEqual(["both.7", "vx_both"]);
  });
});

describe("planHostInterfaces", () => {
  it("creates what is missing and leaves what matches", () => {
    const plan = planHostInterfaces(
      [want("vx_a", "vxlan", 1), want("vx_b", "vxlan", 2)],
      [eth0, link("vx_a", "vxlan", { id: 1, parent: "eth0", ownedByTenet: true })],
    );
    expect(plan).toEqual({ create: [want("vx_b", "vxlan", 2)], remove: [], bringUp: [], conflicts: [] });
  });

  it("removes owned interfaces no network wants, and nothing else", () => {
    const stale = link("vx_old", "vxlan", { id: 9, parent: "eth0", ownedByTenet: true });
    const foreign = link("vx_theirs", "vxlan", { id: 10, parent: "eth0" });
    expect(planHostInterfaces([], [eth0, stale, foreign])).toEqual({ create: [], remove: [stale], bringUp: [], conflicts: [] });
  });

  it("reports an existing foreign interface with the wanted name as a conflict and does not touch it", () => {
    const plan = planHostInterfaces([want("vx_a", "vxlan", 1)], [eth0, link("vx_a", "vxlan", { id: 1, parent: "eth0" })]);
    expect(plan.create).toEqual([]);
    expect(plan.remove).toEqual([]);
    expect(plan.conflicts).toEqual([
      { name: "vx_a", users: ["x"], reason: expect.stringContaining("was not created by tenet; it is left alone (with the same parameters") },
    ]);
  });

  it("replaces an owned interface whose parameters changed, and brings up an owned one that is down", () => {
    const old = link("vx_a", "vxlan", { id: 1, parent: "eth0", ownedByTenet: true });
    const down = link("vx_b", "vxlan", { id: 2, parent: "eth0", ownedByTenet: true, up: false });
    const plan = planHostInterfaces([want("vx_a", "vxlan", 5), want("vx_b", "vxlan", 2)], [eth0, old, down]);
    expect(plan).toEqual({ create: [want("vx_a", "vxlan", 5)], remove: [old], bringUp: [want("vx_b", "vxlan", 2)], conflicts: [] });
  });

  it("reports a missing host_device, an invalid name and clashing definitions", () => {
    const plan = planHostInterfaces(
      [
        want("vx_a", "vxlan", 1, "eth9"),
        want("toolongnetid.4000", "vlan", 4000),
        want("vx_c", "vxlan", 3, "eth0", ["A"]),
        want("vx_c", "vxlan", 4, "eth0", ["B"]),
      ],
      [eth0],
    );
    expect(plan.create).toEqual([]);
    expect(plan.conflicts.map((c) => [c.name, c.reason])).toEqual([
      ["vx_a", expect.stringContaining('host_device "eth9" does not exist')],
      ["toolongnetid.4000", expect.stringContaining("not a valid Linux interface name")],
      ["vx_c", "vx_c is wanted with different parameters: vxlan 3 on eth0 by A; vxlan 4 on eth0 by B; nothing is changed until they agree"],
    ]);
    expect(plan.conflicts[2].users).toEqual(["A", "B"]);
  });

  it("keeps a shared interface until its last user is gone", () => {
    const a = net("TenantNetwork", "x", "shared", { host_device: "eth0", vxlan: 700 });
    const b = net("TenantNetwork", "y", "shared", { host_device: "eth0", vxlan: 700 });
    const existing = [eth0, link("vx_shared", "vxlan", { id: 700, parent: "eth0", ownedByTenet: true })];
    expect(planHostInterfaces(desiredHostInterfaces([b]), existing).remove).toEqual([]);
    expect(planHostInterfaces(desiredHostInterfaces([]), existing).remove.map((r) => r.name)).toEqual(["vx_shared"]);
    expect(planHostInterfaces(desiredHostInterfaces([a, b]), [eth0]).create).toHaveLength(1);
  });
});

describe("isValidInterfaceName", () => {
  it("accepts up to 15 bytes without separators", () => {
    expect(isValidInterfaceName("abcdefghij.4094")).toBe(true);
    expect(isValidInterfaceName("abcdefghijk.4094")).toBe(false);
    expect(["", ".", "..", "a/b", "a:b", "a b", 'a"b', "a#b"].filter(isValidInterfaceName)).toEqual([]);
  });
});

describe("vxlanEndpoints (§12.2)", () => {
  const v4 = { family: "inet" as const, address: "10.0.0.1", scope: "global" };
  const v6 = { family: "inet6" as const, address: "fd00::1", scope: "global" };
  const ll = { family: "inet6" as const, address: "fe80::1", scope: "link" };
  it("uses the first global IPv4 with group 239.0.0.0 + VNI", () => {
    expect(vxlanEndpoints(600, [ll, v6, v4, { ...v4, address: "10.0.0.2" }])).toEqual({ local: "10.0.0.1", group: "239.0.2.88" });
    expect(vxlanEndpoints(16777214, [v4])).toEqual({ local: "10.0.0.1", group: "239.255.255.254" });
  });
  it("falls back to the first global IPv6 with group ff02:: + VNI", () => {
    expect(vxlanEndpoints(600, [ll, v6])).toEqual({ local: "fd00::1", group: "ff02::258" });
    expect(vxlanEndpoints(16777214, [v6])).toEqual({ local: "fd00::1", group: "ff02::ff:fffe" });
  });
  it("gives nothing without a global address", () => {
    expect(vxlanEndpoints(600, [ll, { family: "inet", address: "127.0.0.1", scope: "host" }])).toBeUndefined();
  });
});
