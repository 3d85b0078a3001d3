import { describe, expect, it } from "vitest";
import { hostInterfaceOf } from "./AssignedDetails";
import { ALL_NAMESPACES, networkHref } from "./networkLinks";
import { rowWindow } from "./VirtualRows";
import { holderHref } from "../usage/AddressMap";

describe("networkHref", () => {
  it("links a TenantNetwork or DanmNet to its namespace, escaping names", () => {
    expect(networkHref({ kind: "TenantNetwork", namespace: "team-a", name: "red" })).toBe("/networks/TenantNetwork/team-a/red");
    expect(networkHref({ kind: "DanmNet", namespace: "team-b", name: "a b/c?d" }, "team-a")).toBe("/networks/DanmNet/team-b/a%20b%2Fc%3Fd");
  });

  it("links a ClusterNetwork under _ and keeps the namespace the tenant came from", () => {
    expect(networkHref({ kind: "ClusterNetwork", name: "oam" })).toBe("/networks/ClusterNetwork/_/oam");
    expect(networkHref({ kind: "ClusterNetwork", name: "oam" }, "team-a")).toBe("/networks/ClusterNetwork/_/oam?ns=team-a");
    expect(networkHref({ kind: "ClusterNetwork", name: "oam" }, ALL_NAMESPACES)).toBe("/networks/ClusterNetwork/_/oam");
  });
});

describe("holderHref", () => {
  it("links an address holder to its Pod's row on the network page, in the Pod's namespace for a ClusterNetwork", () => {
    expect(holderHref({ kind: "TenantNetwork", namespace: "team-a", name: "red" }, "team-a/web-1")).toBe("/networks/TenantNetwork/team-a/red#pod-team-a-web-1");
    expect(holderHref({ kind: "ClusterNetwork", name: "oam" }, "team-b/db-0")).toBe("/networks/ClusterNetwork/_/oam?ns=team-b#pod-team-b-db-0");
  });
});

describe("hostInterfaceOf", () => {
  it("names the VLAN sub-interface of a host NIC and the VxLAN interface, as the node agent creates them", () => {
    expect(hostInterfaceOf({ NetworkID: "backhaul", Options: { host_device: "bond1", vlan: 310 } })).toBe("backhaul.310");
    expect(hostInterfaceOf({ NetworkID: "overlay", Options: { host_device: "ens5", vxlan: 600 } })).toBe("vx_overlay");
  });

  it("names none without a NetworkID, for an SR-IOV VLAN (set on the VF), or without a VNI", () => {
    expect(hostInterfaceOf({ Options: { host_device: "bond1", vlan: 310 } })).toBeUndefined();
    expect(hostInterfaceOf({ NetworkID: "fh", Options: { device_pool: "vendor.example/sriov_a", vlan: 520 } })).toBeUndefined();
    expect(hostInterfaceOf({ NetworkID: "oam", Options: { host_device: "ens3" } })).toBeUndefined();
    expect(hostInterfaceOf(undefined)).toBeUndefined();
  });
});

describe("rowWindow", () => {
  it("renders every row of a list that fits", () => {
    expect(rowWindow(5, 40, 600, 0)).toEqual({ total: 200, first: 0, last: 5 });
    expect(rowWindow(0, 40, 600, 0)).toEqual({ total: 0, first: 0, last: 0 });
  });

  it("renders the rows in view and 8 either side, not the whole list", () => {
    // 10 000 rows of 40 px, 600 px tall, scrolled to row 500
    const w = rowWindow(10_000, 40, 600, 500 * 40);
    expect(w).toEqual({ total: 400_000, first: 492, last: 523 });
    expect(w.last - w.first).toBeLessThan(40);
  });

  it("shows the end of a list that shrank under a window scrolled further down", () => {
    // scrolled to row 5000, then a filter leaves 30 rows
    const w = rowWindow(30, 40, 600, 5000 * 40);
    expect(w.last).toBe(30);
    expect(w.first).toBeLessThanOrEqual(30 - 600 / 40);
  });

  it("covers the viewport at any scroll position", () => {
    for (const scrollTop of [0, 13, 399, 4000, 39_400, 39_999]) {
      const { first, last } = rowWindow(1000, 40, 600, scrollTop);
      const top = Math.min(scrollTop, 1000 * 40 - 600);
      expect(first * 40).toBeLessThanOrEqual(top);
      expect(last * 40).toBeGreaterThanOrEqual(Math.min(1000 * 40, top + 600));
    }
  });
});
