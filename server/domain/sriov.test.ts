import { describe, expect, it } from "vitest";
import type { DanmEp } from "./api/danmEp";
import type { NetworkObject } from "./api/network";
import type { TenantConfig } from "./api/tenantConfig";
import { parseSriovDevicePluginConfig, sriovPoolNames, sriovPoolStatuses, vfHolders, type PhysicalFunctionRead } from "./sriov";

const config = JSON.stringify({
  resourceList: [
    { resourcePrefix: "vendor.example", resourceName: "sriov_left", selectors: { pfNames: ["ens1f0"] } },
    { resourcePrefix: "vendor.example", resourceName: "sriov_right", selectors: [{ pfNames: ["ens1f1#0-1,3"] }] },
    { resourceName: "pool1", selectors: { vendors: ["8086"] } },
  ],
});

const ep = (ns: string, pod: string, host: string, deviceId: string | undefined, network = "fh", apiType = "ClusterNetwork"): DanmEp =>
  ({
    apiVersion: "danm.k8s.io/v1",
    kind: "DanmEp",
    metadata: { name: `${pod}-ep`, namespace: ns },
    spec: { Host: host, Pod: pod, NetworkName: network, apiType, Interface: { Name: "eth1", ...(deviceId ? { DeviceID: deviceId } : {}) } },
  }) as DanmEp;

const reading = (pf: string, addresses: string[]): PhysicalFunctionRead => ({
  ok: true,
  reading: { pf, totalVfs: 8, numVfs: addresses.length, vfs: addresses.map((pciAddress, index) => ({ index, pciAddress })) },
});

describe("parseSriovDevicePluginConfig", () => {
  it("maps <resourcePrefix>/<resourceName> to the pfNames of its selectors, with VF ranges and the intel.com default prefix", () => {
    const parsed = parseSriovDevicePluginConfig(config);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect([...parsed.pools]).toEqual([
      ["vendor.example/sriov_left", [{ pf: "ens1f0" }]],
      ["vendor.example/sriov_right", [{ pf: "ens1f1", vfIndexes: [0, 1, 3] }]],
      ["intel.com/pool1", []],
    ]);
  });

  it("says what is wrong with a broken file", () => {
    expect(parseSriovDevicePluginConfig("{")).toMatchObject({ ok: false, reason: expect.stringMatching(/^not JSON/) });
    expect(parseSriovDevicePluginConfig("{}")).toEqual({ ok: false, reason: 'has no "resourceList" array' });
    expect(parseSriovDevicePluginConfig(JSON.stringify({ resourceList: [{ resourceName: "p", selectors: { pfNames: ["a#3-1"] } }] }))).toEqual({
      ok: false,
      reason: 'resourceList[0]: pfNames entry "a#3-1": range "3-1" is inverted',
    });
  });
});

describe("sriovPoolNames", () => {
  it("takes the device-pool profiles of the TenantConfig (names with /) and every network's device_pool, once each", () => {
    const tc = {
      apiVersion: "danm.k8s.io/v1",
      kind: "TenantConfig",
      metadata: { name: "t" },
      hostDevices: [{ name: "ens4", vniType: "vlan", vniRange: "1-2" }, { name: "vendor.example/sriov_left" }],
    } as TenantConfig;
    const net = {
      apiVersion: "danm.k8s.io/v1",
      kind: "ClusterNetwork",
      metadata: { name: "fh" },
      spec: { NetworkType: "sriov", Options: { device_pool: "vendor.example/sriov_right" } },
    } as NetworkObject;
    const dup = { ...net, metadata: { name: "fh2" }, spec: { Options: { device_pool: "vendor.example/sriov_left" } } } as NetworkObject;
    expect(sriovPoolNames([tc], [net, dup])).toEqual(["vendor.example/sriov_left", "vendor.example/sriov_right"]);
  });
});

describe("sriovPoolStatuses", () => {
  const parsed = parseSriovDevicePluginConfig(config);
  const readings = new Map<string, PhysicalFunctionRead>([
    ["ens1f0", reading("ens1f0", ["0000:3b:02.0", "0000:3b:02.1", "0000:3b:02.2", "0000:3b:02.3"])],
    ["ens1f1", reading("ens1f1", ["0000:3c:02.0", "0000:3c:02.1", "0000:3c:02.2", "0000:3c:02.3"])],
  ]);

  it("counts total, allocated and free VFs and names the Pod holding each, only from DanmEps on this node", () => {
    const holders = vfHolders(
      [
        ep("team-a", "du-0", "node-1", "0000:3B:02.1"),
        ep("team-a", "du-1", "node-1", "0000:3c:02.3"),
        ep("team-b", "other", "node-2", "0000:3b:02.0"),
        ep("team-a", "plain", "node-1", undefined),
      ],
      "node-1",
    );
    const [left, right] = sriovPoolStatuses(["vendor.example/sriov_left", "vendor.example/sriov_right"], parsed, readings, holders);
    expect(left).toMatchObject({ name: "vendor.example/sriov_left", physicalFunctions: ["ens1f0"], total: 4, allocated: 1, free: 3 });
    expect(left.error).toBeUndefined();
    expect(left.vfs.filter((v) => v.pod)).toEqual([{ index: 1, pciAddress: "0000:3b:02.1", pod: "team-a/du-0", network: "ClusterNetwork fh" }]);
    // ens1f1#0-1,3: VF 2 is not in the pool
    expect(right.vfs.map((v) => v.index)).toEqual([0, 1, 3]);
    expect(right).toMatchObject({ total: 3, allocated: 1, free: 2 });
    expect(right.vfs[2]).toMatchObject({ pod: "team-a/du-1" });
  });

  it("reports a pool the config does not map, a PF sysfs lacks, and a missing config, each with the reason", () => {
    const broken = new Map<string, PhysicalFunctionRead>([["ens1f0", { ok: false, reason: "physical function ens1f0 has no sriov_numvfs" }]]);
    const [unmapped, unread] = sriovPoolStatuses(["vendor.example/nothing", "vendor.example/sriov_left"], parsed, broken, new Map(), "/etc/pcidp/config.json");
    expect(unmapped).toMatchObject({
      total: 0,
      allocated: 0,
      free: 0,
      error: "/etc/pcidp/config.json names no physical function (selectors.pfNames) for vendor.example/nothing",
    });
    expect(unread.error).toBe("physical function ens1f0 has no sriov_numvfs");
    expect(sriovPoolStatuses(["a/b"], undefined, readings, new Map())[0].error).toMatch(/no SR-IOV device plugin config/);
  });
});
