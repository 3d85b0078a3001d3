// SR-IOV inventory from a prepared sysfs tree in a temp dir, with DanmEps holding some VFs.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { DanmEp } from "../domain/api/danmEp";
import { parseSriovDevicePluginConfig, sriovPoolStatuses, vfHolders } from "../domain/sriov";
import { readPhysicalFunction, readPhysicalFunctions, simulatedVfAddress, writeSysfsTree } from "./sriovSysfs";

const root = fs.mkdtempSync(path.join(os.tmpdir(), "tenet-sysfs-"));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

writeSysfsTree(root, [
  { name: "ens1f0", bus: "3b", totalVfs: 16, numVfs: 8 },
  { name: "ens1f1", bus: "3c", totalVfs: 8, numVfs: 4 },
]);
fs.mkdirSync(path.join(root, "sys/class/net/eth0/device"), { recursive: true }); // a plain NIC

const ep = (pod: string, host: string, deviceId: string): DanmEp =>
  ({
    apiVersion: "danm.k8s.io/v1",
    kind: "DanmEp",
    metadata: { name: `${pod}-1`, namespace: "team-a" },
    spec: { Host: host, Pod: pod, NetworkName: "fronthaul", apiType: "ClusterNetwork", Interface: { Name: "eth1", DeviceID: deviceId } },
  }) as DanmEp;

describe("SR-IOV inventory from sysfs", () => {
  it("reads totalvfs, numvfs and each virtfn's PCI address", () => {
    const r = readPhysicalFunction(root, "ens1f1");
    expect(r).toEqual({
      ok: true,
      reading: { pf: "ens1f1", totalVfs: 8, numVfs: 4, vfs: [0, 1, 2, 3].map((index) => ({ index, pciAddress: simulatedVfAddress("3c", index) })) },
    });
    expect(simulatedVfAddress("3c", 9)).toBe("0000:3c:03.1");
  });

  it("says why a PF cannot be read", () => {
    expect(readPhysicalFunction(root, "ens9")).toMatchObject({
      ok: false,
      reason: expect.stringContaining("physical function ens9 does not exist on this node"),
    });
    expect(readPhysicalFunction(root, "eth0")).toMatchObject({ ok: false, reason: expect.stringContaining("eth0 is not SR-IOV capable") });
  });

  it("counts used and free VFs per pool and names the Pod holding each, from the DanmEps on this node", () => {
    const config = parseSriovDevicePluginConfig(
      JSON.stringify({
        resourceList: [
          { resourcePrefix: "vendor.example", resourceName: "sriov_left", selectors: { pfNames: ["ens1f0"] } },
          { resourcePrefix: "vendor.example", resourceName: "sriov_right", selectors: { pfNames: ["ens1f1", "ens9"] } },
        ],
      }),
    );
    const pools = ["vendor.example/sriov_left", "vendor.example/sriov_right"];
    const readings = readPhysicalFunctions(root, ["ens1f0", "ens1f1", "ens9"]);
    const holders = vfHolders(
      [
        ep("du-0", "node-1", simulatedVfAddress("3b", 2)),
        ep("du-1", "node-1", simulatedVfAddress("3b", 5)),
        ep("cu-0", "node-1", simulatedVfAddress("3c", 0)),
        ep("elsewhere", "node-2", simulatedVfAddress("3b", 0)),
      ],
      "node-1",
    );
    const [left, right] = sriovPoolStatuses(pools, config, readings, holders);
    expect(left).toMatchObject({ total: 8, allocated: 2, free: 6 });
    expect(left.error).toBeUndefined();
    expect(left.vfs.filter((v) => v.pod).map((v) => [v.index, v.pod])).toEqual([
      [2, "team-a/du-0"],
      [5, "team-a/du-1"],
    ]);
    expect(right).toMatchObject({
      physicalFunctions: ["ens1f1", "ens9"],
      total: 4,
      allocated: 1,
      free: 3,
      error: expect.stringContaining("ens9 does not exist"),
    });
    expect(right.vfs[0]).toEqual({ index: 0, pciAddress: "0000:3c:02.0", pod: "team-a/cu-0", network: "ClusterNetwork fronthaul" });
  });
});
