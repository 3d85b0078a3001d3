// §11.7 device handoff (which device id each interface gets, and the errors), the VF facts read
// from a prepared sysfs tree, and the netconf the sriov delegate gets.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { NetworkObject } from "../domain/api/network";
import { delegateConfig } from "./delegateConfig";
import { CniError, type DanmNetConf } from "./protocol";
import { assignDeviceIds, delegateDevice, sriovSettings, withDevice } from "./sriovDevices";
import { readVirtualFunction } from "./sriovFunction";
import { writeVfTree } from "./testdata/sriovSysfsTree";
import { buildEndpoint } from "./endpoint";

const POOL = "vendor.example/sriov_left";
const sriov = (name: string, pool: string | undefined = POOL, extra: Record<string, unknown> = {}): NetworkObject =>
  ({
    apiVersion: "danm.k8s.io/v1",
    kind: "ClusterNetwork",
    metadata: { name },
    spec: { NetworkID: name, NetworkType: "sriov", Options: { ...(pool ? { device_pool: pool } : {}), ...extra } },
  }) as NetworkObject;
const macvlan = {
  apiVersion: "danm.k8s.io/v1",
  kind: "DanmNet",
  metadata: { name: "mv", namespace: "team-a" },
  spec: { NetworkID: "mv", NetworkType: "macvlan", Options: { host_device: "ens3" } },
} as NetworkObject;
const pod = { namespace: "team-a", name: "web" };

function counting(devices: Record<string, string[]>) {
  const lookup = async () => {
    lookup.calls++;
    return new Map(Object.entries(devices));
  };
  lookup.calls = 0;
  return lookup;
}

describe("assignDeviceIds (§11.7)", () => {
  it("asks the kubelet once; each interface on a pool pops the last remaining id, in annotation order", async () => {
    const lookup = counting({ [POOL]: ["0000:3b:02.0", "0000:3b:02.1", "0000:3b:02.2"], "other/pool": ["0000:5e:02.0"] });
    const got = await assignDeviceIds(pod, [sriov("a"), macvlan, sriov("b"), sriov("c", "other/pool")], lookup);
    expect(got).toEqual(["0000:3b:02.2", undefined, "0000:3b:02.1", "0000:5e:02.0"]);
    expect(lookup.calls).toBe(1);
  });

  it("does not ask the kubelet when no interface needs a device", async () => {
    const lookup = counting({});
    expect(await assignDeviceIds(pod, [macvlan, undefined], lookup)).toEqual([undefined, undefined]);
    expect(lookup.calls).toBe(0);
  });

  it("exhausted pool: the interface beyond the devices fails and says how many to request", async () => {
    const got = await assignDeviceIds(pod, [sriov("a"), sriov("b")], counting({ [POOL]: ["0000:3b:02.0"] }));
    expect(got[0]).toBe("0000:3b:02.0");
    expect(got[1]).toBeInstanceOf(CniError);
    expect((got[1] as Error).message).toBe(
      `pod team-a/web, ClusterNetwork b: the pool ${POOL} is exhausted for this pod: the kubelet gave it 1 device of that pool and 2 interfaces use it: the pod must request one device per interface on that pool: resources.limits["${POOL}"]: 2 in one of its containers`,
    );
  });

  it("no devices at all, or none of the pool: errors naming pod, network, pool and the request", async () => {
    const [none] = await assignDeviceIds(pod, [sriov("a")], counting({}));
    expect((none as Error).message).toBe(
      `pod team-a/web, ClusterNetwork a: the kubelet gave the pod no device of pool ${POOL} (device_pool of the network); it has no devices at all: the pod must request one device per interface on that pool: resources.limits["${POOL}"]: 1 in one of its containers`,
    );
    const [other] = await assignDeviceIds(pod, [sriov("a")], counting({ "nvidia.com/gpu": ["GPU-1"] }));
    expect((other as Error).message).toContain("it has devices of nvidia.com/gpu only");
  });

  it("a kubelet that cannot be asked fails every sriov interface with its reason; an sriov network without a pool is refused", async () => {
    const got = await assignDeviceIds(pod, [sriov("a"), sriov("nopool", ""), macvlan], async () => {
      throw new CniError(5, "PodResources API at /x.sock: connect ENOENT");
    });
    expect((got[0] as CniError).message).toBe("pod team-a/web, ClusterNetwork a: PodResources API at /x.sock: connect ENOENT");
    expect((got[0] as CniError).code).toBe(5);
    expect((got[1] as Error).message).toContain("an sriov network needs Options.device_pool");
    expect(got[2]).toBeUndefined();
  });
});

describe("VFs in sysfs", () => {
  let root = "";
  beforeAll(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), "tenet-sysfs-"));
    writeVfTree(root, [
      {
        name: "ens1f0",
        pciAddress: "0000:3b:00.0",
        mac: "3c:fd:fe:00:00:01",
        vfs: [
          { pciAddress: "0000:3b:02.0", driver: "iavf", netdev: "ens1f0v0", mac: "02:11:22:33:44:55" },
          { pciAddress: "0000:3b:02.1", driver: "vfio-pci" },
        ],
      },
    ]);
    fs.mkdirSync(path.join(root, "sys/devices/pci0000:00/0000:00:1f.0"), { recursive: true });
    fs.symlinkSync("../../../devices/pci0000:00/0000:00:1f.0", path.join(root, "sys/bus/pci/devices/0000:00:1f.0"));
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  it("reads PF, VF index, driver, netdev and MAC", () => {
    expect(readVirtualFunction(root, "0000:3b:02.0")).toEqual({
      pciAddress: "0000:3b:02.0",
      pf: "ens1f0",
      vfIndex: 0,
      driver: "iavf",
      netdev: "ens1f0v0",
      mac: "02:11:22:33:44:55",
    });
    expect(readVirtualFunction(root, "0000:3b:02.1")).toEqual({ pciAddress: "0000:3b:02.1", pf: "ens1f0", vfIndex: 1, driver: "vfio-pci" });
  });

  it("refuses what is not a VF on this node, saying why", () => {
    expect(() => readVirtualFunction(root, "0000:3b:07.0")).toThrow(/PCI device 0000:3b:07.0 does not exist on this node/);
    expect(() => readVirtualFunction(root, "0000:00:1f.0")).toThrow(/is not an SR-IOV virtual function/);
    expect(() => readVirtualFunction(root, "GPU-1")).toThrow(/is not a PCI address/);
  });

  it("the delegate device carries the PF as master; without sysfs only the deviceID (DEL after the VF went away)", () => {
    const conf = { sysfsRoot: root } as DanmNetConf;
    expect(delegateDevice(conf, "0000:3b:02.0")).toEqual({ deviceID: "0000:3b:02.0", master: "ens1f0", driver: "iavf" });
    expect(delegateDevice(conf, "0000:3b:09.0")).toEqual({ deviceID: "0000:3b:09.0" });
    expect(delegateDevice(conf, undefined)).toBeUndefined();
  });
});

describe("settings, DanmEp and delegate netconf", () => {
  it("netconf wins over the environment, which wins over the defaults", () => {
    expect(
      sriovSettings({ podResourcesSocket: "/a.sock", sysfsRoot: "/r" } as DanmNetConf, { DANM_PODRESOURCES_SOCKET: "/b.sock", DANM_SYSFS_ROOT: "/s" }),
    ).toEqual({ podResourcesSocket: "/a.sock", sysfsRoot: "/r" });
    expect(sriovSettings({} as DanmNetConf, { DANM_PODRESOURCES_SOCKET: "/b.sock" })).toEqual({ podResourcesSocket: "/b.sock", sysfsRoot: "/" });
    expect(sriovSettings({} as DanmNetConf, {})).toEqual({ podResourcesSocket: "/var/lib/kubelet/pod-resources/kubelet.sock", sysfsRoot: "/" });
  });

  it("the DanmEp records DeviceID and the MAC when known", () => {
    const ep = buildEndpoint({
      id: "e",
      pod: { ...pod, uid: "u", labels: {}, annotations: {} },
      network: sriov("a"),
      request: { kind: "ClusterNetwork", name: "a", ip: "dynamic" },
      ifName: "eth0",
      addresses: { ip: "10.0.0.2/24", ip6: "" },
      host: "n",
      sandboxId: "s",
      netns: "/ns",
    });
    expect(withDevice(ep, { pciAddress: "0000:3b:02.0", pf: "ens1f0", mac: "02:11:22:33:44:55" }).spec!.Interface).toEqual({
      Name: "eth0",
      Address: "10.0.0.2/24",
      AddressIPv6: "",
      DeviceID: "0000:3b:02.0",
      MacAddress: "02:11:22:33:44:55",
    });
    expect(withDevice(ep, { pciAddress: "0000:3b:02.1", pf: "ens1f0" }).spec!.Interface).not.toHaveProperty("MacAddress");
    expect(withDevice(ep, undefined)).toBe(ep);
  });

  it("the sriov delegate gets deviceID, master, vlan and the addresses; no VF is a clear error", () => {
    const net = sriov("sig", POOL, { vlan: 3001, cidr: "10.0.0.0/24", routes: { "10.9.0.0/16": "10.0.0.1" } });
    const { type, conf } = delegateConfig({
      network: net,
      addresses: { ip: "10.0.0.7/24", ip6: "none" },
      ipamByDanm: true,
      cniVersion: "1.0.0",
      device: { deviceID: "0000:3b:02.0", master: "ens1f0" },
    });
    expect(type).toBe("sriov");
    expect(conf).toEqual({
      cniVersion: "1.0.0",
      name: "sig",
      type: "sriov",
      deviceID: "0000:3b:02.0",
      master: "ens1f0",
      vlan: 3001,
      ipam: { type: "static", addresses: [{ address: "10.0.0.7/24" }], routes: [{ dst: "10.9.0.0/16", gw: "10.0.0.1" }] },
    });
    const l2 = delegateConfig({
      network: sriov("l2"),
      addresses: { ip: "none", ip6: "" },
      ipamByDanm: true,
      cniVersion: "1.0.0",
      device: { deviceID: "0000:3b:02.1" },
    });
    expect(l2.conf).toEqual({ cniVersion: "1.0.0", name: "l2", type: "sriov", deviceID: "0000:3b:02.1" });
    expect(() => delegateConfig({ network: net, addresses: {}, ipamByDanm: true, cniVersion: "1.0.0" })).toThrow(
      `ClusterNetwork sig: an SR-IOV interface needs the VF the kubelet handed the Pod (PodResources API) from device pool ${POOL}, and none was given`,
    );
  });
});
