import { describe, expect, it } from "vitest";
import type { NetworkObject } from "../domain/api/network";
import { danmReservesAddresses, delegateConfig, staticIpam } from "./delegateConfig";
import { delegateArgs } from "./delegate";

const net = (spec: Record<string, unknown>, kind = "DanmNet"): NetworkObject =>
  ({ apiVersion: "danm.k8s.io/v1", kind, metadata: { name: "n1", namespace: "team-a" }, spec }) as NetworkObject;

describe("delegate netconf (danm-spec §11.6)", () => {
  it("macvlan: type set (quirk 15 fixed), master per §11.4, mode bridge, static IPAM with the addresses and routes", () => {
    const { type, conf } = delegateConfig({
      network: net({
        NetworkID: "sig",
        NetworkType: "MacVlan",
        Options: {
          host_device: "ens5",
          vlan: 2000,
          cidr: "10.60.0.0/24",
          routes: { "10.61.0.0/16": "10.60.0.1", bad: "10.60.0.1" },
          net6: "fd00::/64",
          routes6: { "fd01::/48": "fd00::1" },
        },
      }),
      addresses: { ip: "10.60.0.5/24", ip6: "fd00::5/64" },
      ipamByDanm: true,
      cniVersion: "1.0.0",
    });
    expect(type).toBe("macvlan");
    expect(conf).toEqual({
      cniVersion: "1.0.0",
      name: "sig",
      type: "macvlan",
      master: "sig.2000",
      mode: "bridge",
      ipam: {
        type: "static",
        addresses: [{ address: "10.60.0.5/24" }, { address: "fd00::5/64" }],
        routes: [
          { dst: "10.61.0.0/16", gw: "10.60.0.1" },
          { dst: "fd01::/48", gw: "fd00::1" },
        ],
      },
    });
  });
  it("ipvlan (also the empty type) goes to the ipvlan plugin in l2 mode; no real address → no ipam", () => {
    const { type, conf } = delegateConfig({
      network: net({ NetworkID: "bh", Options: { host_device: "bond1", vxlan: 77 } }),
      addresses: { ip: "none", ip6: "" },
      ipamByDanm: true,
      cniVersion: "1.0.0",
    });
    expect(type).toBe("ipvlan");
    expect(conf).toEqual({ cniVersion: "1.0.0", name: "bh", type: "ipvlan", master: "vx_bh", mode: "l2" });
  });
  it("a dynamic network without a host device, and sriov, are refused with the network named", () => {
    expect(() =>
      delegateConfig({ network: net({ NetworkID: "x", NetworkType: "macvlan", Options: {} }), addresses: {}, ipamByDanm: true, cniVersion: "1.0.0" }),
    ).toThrow("DanmNet team-a/n1: a macvlan network needs Options.host_device");
    expect(() =>
      delegateConfig({
        network: net({ NetworkID: "x", NetworkType: "sriov", Options: { device_pool: "a/b" } }),
        addresses: {},
        ipamByDanm: true,
        cniVersion: "1.0.0",
      }),
    ).toThrow(/PodResources/);
  });
  it("static delegates: the file's ipam is replaced only when DANM reserved a real address", () => {
    const file = JSON.stringify({ cniVersion: "0.4.0", name: "br", type: "bridge", bridge: "cni0", ipam: { type: "host-local", subnet: "10.93.0.0/24" } });
    const network = net({ NetworkID: "brnet", NetworkType: "bridge", Options: { cidr: "10.93.0.0/24" } });
    expect(delegateConfig({ network, addresses: { ip: "10.93.0.7/24" }, ipamByDanm: true, staticConf: file, cniVersion: "1.0.0" }).conf).toEqual({
      cniVersion: "0.4.0",
      name: "br",
      type: "bridge",
      bridge: "cni0",
      ipam: { type: "static", addresses: [{ address: "10.93.0.7/24" }] },
    });
    expect(delegateConfig({ network, addresses: { ip: "dynamic" }, ipamByDanm: false, staticConf: file, cniVersion: "1.0.0" }).conf.ipam).toEqual({
      type: "host-local",
      subnet: "10.93.0.0/24",
    });
    expect(() => delegateConfig({ network, addresses: {}, ipamByDanm: false, staticConfPath: "/etc/cni/net.d/brnet.conf", cniVersion: "1.0.0" })).toThrow(
      "DanmNet team-a/n1: the CNI configuration /etc/cni/net.d/brnet.conf of NetworkType bridge does not exist",
    );
  });
  it("static IPAM skips empty, none and literal requests", () => {
    expect(staticIpam({ ip: "dynamic", ip6: "none" }, {})).toBeUndefined();
    expect(staticIpam({ ip: "", ip6: "fd00::9/64" }, { routes: { "10.0.0.0/8": "10.1.0.1" } })).toEqual({
      type: "static",
      addresses: [{ address: "fd00::9/64" }],
    });
  });
});

describe("who reserves addresses (§11.2 e)", () => {
  it("always DANM for dynamic types", () => {
    expect(danmReservesAddresses(net({ NetworkType: "macvlan" }), {})).toBe(true);
    expect(danmReservesAddresses(net({}), {})).toBe(true);
  });
  it("for static types only with none, or an address of a family the network pools", () => {
    const flannel = (o: Record<string, unknown>) => net({ NetworkType: "flannel", Options: o });
    expect(danmReservesAddresses(flannel({}), { ip: "dynamic" })).toBe(false);
    expect(danmReservesAddresses(flannel({ cidr: "10.0.0.0/24" }), { ip: "dynamic" })).toBe(true);
    expect(danmReservesAddresses(flannel({}), { ip6: "none" })).toBe(true);
    expect(danmReservesAddresses(flannel({ net6: "fd00::/64" }), { ip6: "dynamic" })).toBe(false);
    expect(danmReservesAddresses(flannel({ allocation_pool_v6: { cidr: "fd00::/105" } }), { ip6: "fd00::5" })).toBe(true);
  });
});

describe("CNI_ARGS for delegates", () => {
  it("IgnoreUnknown=1 is added when the runtime left it out", () => {
    expect(delegateArgs("K8S_POD_NAME=a")).toBe("IgnoreUnknown=1;K8S_POD_NAME=a");
    expect(delegateArgs("IgnoreUnknown=1;K8S_POD_NAME=a")).toBe("IgnoreUnknown=1;K8S_POD_NAME=a");
    expect(delegateArgs("")).toBe("IgnoreUnknown=1");
  });
});
