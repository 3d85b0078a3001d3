// NetworkAttachmentDefinitions as netwatcher reads them (danm-spec §12.3, NAD-1..NAD-4), and the
// host interfaces they want next to the danm kinds (design decision 12).
import { describe, expect, it } from "vitest";
import type { NetworkObject } from "./api/network";
import { desiredHostInterfaces, planHostInterfaces, type ActualInterface } from "./hostInterfaces";
import {
  NAD_HOST_DEVICE_ANNOTATION,
  NAD_MASTER_ANNOTATION,
  nadIssuesMessage,
  nadMasterRewrite,
  readNad,
  type NetworkAttachmentDefinition,
} from "./networkAttachmentDefinition";
import { hostInterfaceColumns } from "./nodeNetworkStatus";

const nad = (name: string, config: unknown, annotations?: Record<string, string>): NetworkAttachmentDefinition => ({
  apiVersion: "k8s.cni.cncf.io/v1",
  kind: "NetworkAttachmentDefinition",
  metadata: { name, namespace: "team-a", ...(annotations ? { annotations } : {}) },
  spec: { config: typeof config === "string" ? config : JSON.stringify(config) },
});
const danmNet = (name: string, NetworkID: string, options: { host_device?: string; vlan?: number; vxlan?: number }): NetworkObject =>
  ({
    apiVersion: "danm.k8s.io/v1",
    kind: "DanmNet",
    metadata: { name, namespace: "team-a" },
    spec: { NetworkID, NetworkType: "macvlan", Options: options },
  }) as NetworkObject;

const vxlanConfig = { cniVersion: "0.3.1", name: "sig", type: "macvlan", master: "eth0", vxlan: 600, ipam: { type: "host-local", subnet: "10.5.0.0/24" } };

describe("readNad (§12.3)", () => {
  it("maps name to NetworkID, type to NetworkType, master to host_device and the integer vlan/vxlan keys to VNIs", () => {
    expect(readNad(nad("a", vxlanConfig))).toMatchObject({ use: "network", networkId: "sig", networkType: "macvlan", hostDevice: "eth0", vlan: 0, vxlan: 600 });
    expect(readNad(nad("b", { name: "bh", type: "ipvlan", master: "bond1", vlan: 200 }))).toMatchObject({
      use: "network",
      networkId: "bh",
      hostDevice: "bond1",
      vlan: 200,
      vxlan: 0,
    });
  });

  it("ignores conflists and configs without type (NAD-1)", () => {
    expect(readNad(nad("l", { cniVersion: "0.4.0", name: "sig", plugins: [{ type: "macvlan", master: "eth0", vxlan: 600 }] }))).toEqual({
      use: "ignored",
      reason: expect.stringContaining("conflist"),
    });
    expect(readNad(nad("t", { name: "sig", master: "eth0", vxlan: 600 }))).toEqual({ use: "ignored", reason: expect.stringContaining("no type") });
  });

  it("reports what cannot be used, naming the object, the field and the rule", () => {
    const bad = (config: unknown) => {
      const n = nad("bad", config);
      const r = readNad(n);
      if (r.use !== "invalid") throw new Error(`expected invalid, got ${r.use}`);
      return nadIssuesMessage(n, r.issues);
    };
    expect(bad("{not json")).toMatch(/^NetworkAttachmentDefinition team-a\/bad: spec\.config: Invalid value: spec\.config is not JSON .*\(NAD-1\)$/);
    expect(bad("[1]")).toContain("must be a JSON object (one CNI config) (NAD-1)");
    expect(bad({ ...vxlanConfig, vxlan: "600" })).toBe(
      'NetworkAttachmentDefinition team-a/bad: spec.config.vxlan: Invalid value: "600": vxlan must be a whole number from 1 to 16777215 (0 or absent: none) (NAD-2)',
    );
    expect(bad({ ...vxlanConfig, vxlan: undefined, vlan: 4095 })).toContain(
      "spec.config.vlan: Invalid value: 4095: vlan must be a whole number from 1 to 4094",
    );
    expect(bad({ ...vxlanConfig, vlan: 7 })).toContain(
      "spec.config.vxlan: Forbidden: vlan and vxlan cannot both be set: master can name only one host interface (NAD-3)",
    );
    expect(bad({ ...vxlanConfig, name: undefined })).toContain("spec.config.name: Required value: name is the NetworkID");
    expect(bad({ ...vxlanConfig, master: undefined })).toContain("spec.config.master: Required value");
    expect(bad({ ...vxlanConfig, master: 3 })).toContain("spec.config.master: Invalid value: 3");
    expect(readNad({ ...nad("e", {}), spec: {} })).toMatchObject({ use: "invalid", issues: [{ rule: "NAD-1", path: "spec.config" }] });
  });

  it("a config without vlan or vxlan wants nothing and needs no name or master", () => {
    const n = nad("plain", { type: "macvlan" });
    expect(readNad(n)).toMatchObject({ use: "network", vlan: 0, vxlan: 0 });
    expect(desiredHostInterfaces([n])).toEqual([]);
    expect(nadMasterRewrite(n)).toBeUndefined();
  });
});

describe("master rewrite (NAD-4)", () => {
  it("rewrites master to the host interface, records the lower device, and keeps the rest of the config", () => {
    const rewritten = nadMasterRewrite(nad("a", vxlanConfig))!;
    expect(JSON.parse(rewritten.spec!.config!)).toEqual({ ...vxlanConfig, master: "vx_sig" });
    expect(rewritten.metadata.annotations).toEqual({ [NAD_HOST_DEVICE_ANNOTATION]: "eth0", [NAD_MASTER_ANNOTATION]: "vx_sig" });
    expect(JSON.parse(nadMasterRewrite(nad("v", { name: "bh", type: "ipvlan", master: "bond1", vlan: 200 }))!.spec!.config!).master).toBe("bh.200");
  });

  it("the rewritten NAD wants exactly what the original wanted, so nothing is deleted by the rewrite, and a second rewrite changes nothing", () => {
    const original = nad("a", vxlanConfig);
    const rewritten = nadMasterRewrite(original)!;
    expect(desiredHostInterfaces([rewritten])).toEqual(desiredHostInterfaces([original]));
    expect(desiredHostInterfaces([rewritten])).toEqual([
      { name: "vx_sig", kind: "vxlan", id: 600, parent: "eth0", users: ["NetworkAttachmentDefinition team-a/a"] },
    ]);
    expect(nadMasterRewrite(rewritten)).toBeUndefined();
  });

  it("a master the user changed after the rewrite is the new lower device; a NetworkID change moves the interface and rewrites again", () => {
    const rewritten = nadMasterRewrite(nad("a", vxlanConfig))!;
    const config = JSON.parse(rewritten.spec!.config!);
    const moved = { ...rewritten, spec: { config: JSON.stringify({ ...config, master: "eth1" }) } };
    expect(desiredHostInterfaces([moved])).toMatchObject([{ name: "vx_sig", parent: "eth1" }]);
    expect(nadMasterRewrite(moved)!.metadata.annotations).toMatchObject({ [NAD_HOST_DEVICE_ANNOTATION]: "eth1", [NAD_MASTER_ANNOTATION]: "vx_sig" });

    const renamed = { ...rewritten, spec: { config: JSON.stringify({ ...config, name: "sig2" }) } };
    expect(desiredHostInterfaces([renamed])).toMatchObject([{ name: "vx_sig2", parent: "eth0" }]);
    expect(JSON.parse(nadMasterRewrite(renamed)!.spec!.config!).master).toBe("vx_sig2");
  });

  it("a master naming the NAD's own interface without our record is refused: it would be its own lower device", () => {
    for (const annotations of [undefined, { [NAD_HOST_DEVICE_ANNOTATION]: "eth0", [NAD_MASTER_ANNOTATION]: "vx_other" }]) {
      const n = nad("a", { ...vxlanConfig, master: "vx_sig" }, annotations);
      const r = readNad(n);
      expect(r.use).toBe("invalid");
      if (r.use === "invalid")
        expect(nadIssuesMessage(n, r.issues)).toContain(
          'spec.config.master: Invalid value: "vx_sig": master names this NAD\'s own host interface and the lower device it was made on is not recorded',
        );
      expect(desiredHostInterfaces([n])).toEqual([]);
    }
    // a master naming another interface is a lower device like any other
    expect(desiredHostInterfaces([nad("b", { ...vxlanConfig, master: "vx_other" })])).toMatchObject([{ name: "vx_sig", parent: "vx_other" }]);
  });

  it("ignored and invalid NADs are never rewritten", () => {
    expect(nadMasterRewrite(nad("l", { name: "sig", plugins: [{ type: "macvlan" }] }))).toBeUndefined();
    expect(nadMasterRewrite(nad("x", { ...vxlanConfig, vlan: 3 }))).toBeUndefined();
  });
});

describe("NADs next to the danm kinds (design decision 12)", () => {
  const eth0: ActualInterface = { name: "eth0", kind: "", ownedByTenet: false, up: true };

  it("a NAD and a DanmNet with the same parameters share one interface", () => {
    const d = desiredHostInterfaces([nad("n", vxlanConfig), danmNet("d", "sig", { host_device: "eth0", vxlan: 600 })]);
    expect(d).toEqual([{ name: "vx_sig", kind: "vxlan", id: 600, parent: "eth0", users: ["DanmNet team-a/d", "NetworkAttachmentDefinition team-a/n"] }]);
    expect(planHostInterfaces(d, [eth0]).create).toHaveLength(1);
  });

  it("with different parameters both are reported as a conflict and nothing is planned", () => {
    const d = desiredHostInterfaces([nad("n", vxlanConfig), danmNet("d", "sig", { host_device: "eth0", vxlan: 601 })]);
    const plan = planHostInterfaces(d, [eth0]);
    expect(plan).toMatchObject({ create: [], remove: [], bringUp: [] });
    expect(plan.conflicts).toEqual([
      {
        name: "vx_sig",
        users: ["DanmNet team-a/d", "NetworkAttachmentDefinition team-a/n"],
        reason: expect.stringContaining("wanted with different parameters"),
      },
    ]);
  });

  it("the Nodes view gets a column with the NAD as the interface's source", () => {
    expect(hostInterfaceColumns([nad("n", vxlanConfig)])).toEqual([
      {
        key: "NetworkAttachmentDefinition/team-a/n/vx_sig",
        networkKind: "NetworkAttachmentDefinition",
        namespace: "team-a",
        network: "n",
        interface: "vx_sig",
        interfaceKind: "vxlan",
        vni: 600,
        parent: "eth0",
      },
    ]);
  });
});
