// admitNetworkDeletion: danm-spec §8.5 (D-1 … D-4), the "in use" rule of §4 and VNI release of §9.4.
import { describe, expect, it } from "vitest";
import type { DanmEp } from "../api/danmEp";
import type { TenantConfig } from "../api/tenantConfig";
import { Bitmap } from "../bitmap";
import type { IssueType } from "../issue";
import { freshVniBitmap, reservedVnis, reserveVni } from "../tenancy/vni";
import { admitNetworkDeletion, type DeletionContext, type DeletionOutcome } from "./deletion";

type Json = Record<string, unknown>;
type Kind = "DanmNet" | "TenantNetwork" | "ClusterNetwork";

const API_VERSION = "danm.k8s.io/v1";
const json = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

function network(kind: Kind, name: string, options: Json = {}, spec: Json = {}, namespace = "ran-a"): Json {
  const metadata = kind === "ClusterNetwork" ? { name } : { name, namespace };
  return json({ apiVersion: API_VERSION, kind, metadata, spec: { NetworkID: name.slice(0, 10), NetworkType: "ipvlan", ...spec, Options: options } });
}

function danmEp(networkName: string, apiType: string | undefined, namespace = "ran-a", pod = "web-0"): DanmEp {
  return json({
    apiVersion: API_VERSION,
    kind: "DanmEp",
    metadata: { name: `ep-${pod}`, namespace },
    spec: { NetworkName: networkName, apiType, Pod: pod, Interface: { Name: "eth1" } },
  }) as DanmEp;
}

/** ens4/vlan 1000-1999 with 1000 and 1001 reserved; ens5/vxlan 300-399,450 with 300 reserved; a device pool with 3000. */
function tenantConfig(): TenantConfig {
  let tc: TenantConfig = {
    apiVersion: API_VERSION,
    kind: "TenantConfig",
    metadata: { name: "tconf", resourceVersion: "7" },
    hostDevices: [
      { name: "ens4", vniType: "vlan", vniRange: "1000-1999", alloc: freshVniBitmap() },
      { name: "ens5", vniType: "vxlan", vniRange: "300-399,450", alloc: freshVniBitmap() },
      { name: "bond2" },
      { name: "vendor.example/sriov_left", vniType: "vlan", vniRange: "3000-3099", alloc: freshVniBitmap() },
    ],
  };
  for (const [name, type] of [
    ["ens4", "vlan"],
    ["ens4", "vlan"],
    ["ens5", "vxlan"],
    ["vendor.example/sriov_left", "vlan"],
  ] as const) {
    const r = reserveVni(tc, name, type);
    if (!r.ok) throw new Error(r.reason);
    tc = r.config;
  }
  return tc;
}

const TC = tenantConfig();
const reserved = (tc: TenantConfig | undefined) =>
  Object.fromEntries((tc?.hostDevices ?? []).filter((p) => p.vniType).map((p) => [`${p.name}/${p.vniType}`, reservedVnis(p)]));

function remove(oldObject: unknown, context: Partial<DeletionContext> = {}): DeletionOutcome {
  return admitNetworkDeletion(oldObject, { danmEps: [], tenantConfig: TC, ...context });
}

function expectDenied(outcome: DeletionOutcome, rule: string, type: IssueType, path: string) {
  expect(outcome.issues.map(({ rule, type, path }) => ({ rule, type, path }))).toEqual([{ rule, type, path }]);
  expect(outcome.allowed).toBe(false);
  expect(outcome.tenantConfig).toBeUndefined();
  expect(outcome.released).toBeUndefined();
}

function expectAllowedUntouched(outcome: DeletionOutcome) {
  expect(outcome.issues).toEqual([]);
  expect(outcome.allowed).toBe(true);
  expect(outcome.tenantConfig).toBeUndefined();
  expect(outcome.released).toBeUndefined();
}

describe("D-1: the stored object must decode strictly", () => {
  it("a DanmNet oldObject with an unknown option is denied by D-1", () => {
    const outcome = remove(network("DanmNet", "fh", { vlna: 1 }));
    expectDenied(outcome, "D-1", "NotSupported", "spec.Options");
  });

  it("an oldObject that is not a network is denied by D-1", () => {
    expectDenied(remove({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x" } }), "D-1", "NotSupported", "kind");
    expectDenied(remove(null), "D-1", "NotSupported", "kind");
  });

  it("a well-formed DanmNet nobody uses is deleted without a patch or a TenantConfig change", () => {
    expectAllowedUntouched(remove(network("DanmNet", "fh", { cidr: "10.0.0.0/24" })));
  });
});

describe("D-2: DanmEps must be known", () => {
  it("a deletion while DanmEps cannot be listed is denied by D-2", () => {
    const outcome = remove(network("DanmNet", "fh"), { danmEps: undefined });
    expectDenied(outcome, "D-2", "Internal", "metadata.name");
    expect(outcome.issues[0].detail).toContain("cannot tell whether Pods still use DanmNet ran-a/fh");
  });

  it("an empty list of DanmEps is known: the deletion is allowed", () => {
    expectAllowedUntouched(remove(network("DanmNet", "fh"), { danmEps: [] }));
  });
});

describe("D-3: a network in use cannot be deleted (§4)", () => {
  it.each<[string, Kind, string, DanmEp[]]>([
    ["DanmNet used by a DanmEp of apiType DanmNet in its namespace", "DanmNet", "fh", [danmEp("fh", "DanmNet")]],
    ["DanmNet used by a legacy DanmEp with empty apiType (decision 7)", "DanmNet", "fh", [danmEp("fh", "")]],
    ["DanmNet used by a legacy DanmEp without apiType (decision 7)", "DanmNet", "fh", [danmEp("fh", undefined)]],
    ["TenantNetwork used by a DanmEp of apiType TenantNetwork in its namespace", "TenantNetwork", "sig", [danmEp("sig", "TenantNetwork")]],
    ["ClusterNetwork used by a DanmEp in another namespace", "ClusterNetwork", "oam", [danmEp("oam", "ClusterNetwork", "ran-b")]],
  ])("%s is denied by D-3", (_, kind, name, danmEps) => {
    const outcome = remove(network(kind, name), { danmEps });
    expectDenied(outcome, "D-3", "Forbidden", "metadata.name");
    expect(outcome.issues[0].detail).toContain(`is in use by Pod ${danmEps[0].metadata.namespace}/web-0 (interface eth1)`);
  });

  it.each<[string, Kind, string, DanmEp[]]>([
    ["DanmNet whose only DanmEp is in another namespace", "DanmNet", "fh", [danmEp("fh", "DanmNet", "ran-b")]],
    ["DanmNet whose only DanmEp is of a TenantNetwork of the same name", "DanmNet", "fh", [danmEp("fh", "TenantNetwork")]],
    ["DanmNet whose only DanmEp is of a ClusterNetwork of the same name", "DanmNet", "fh", [danmEp("fh", "ClusterNetwork")]],
    ["TenantNetwork whose only DanmEp has an empty apiType (that means DanmNet)", "TenantNetwork", "sig", [danmEp("sig", undefined)]],
    ["TenantNetwork whose only DanmEp is in another namespace", "TenantNetwork", "sig", [danmEp("sig", "TenantNetwork", "ran-b")]],
    ["ClusterNetwork whose only DanmEp is of a DanmNet of the same name", "ClusterNetwork", "oam", [danmEp("oam", "DanmNet")]],
    ["ClusterNetwork whose DanmEps name other networks", "ClusterNetwork", "oam", [danmEp("oam2", "ClusterNetwork"), danmEp("Oam", "ClusterNetwork")]],
  ])("%s is deleted (not in use)", (_, kind, name, danmEps) => {
    const outcome = remove(network(kind, name, {}, kind === "TenantNetwork" ? { NetworkType: "flannel" } : {}), { danmEps });
    expect(outcome.issues).toEqual([]);
    expect(outcome.allowed).toBe(true);
  });

  it("counts further users in the message", () => {
    const danmEps = [danmEp("fh", "DanmNet", "ran-a", "a"), danmEp("fh", "DanmNet", "ran-a", "b"), danmEp("fh", "DanmNet", "ran-a", "c")];
    const outcome = remove(network("DanmNet", "fh"), { danmEps });
    expect(outcome.issues[0].detail).toBe("DanmNet ran-a/fh is in use by Pod ran-a/a (interface eth1) and 2 more endpoints; delete those Pods first");
  });

  it("an in-use TenantNetwork keeps its VNI: D-3 denies before anything is released", () => {
    const outcome = remove(network("TenantNetwork", "sig", { host_device: "ens4", vlan: 1000 }), { danmEps: [danmEp("sig", "TenantNetwork")] });
    expectDenied(outcome, "D-3", "Forbidden", "metadata.name");
  });
});

describe("D-4: a dynamic TenantNetwork gives its VNI back (§9.4)", () => {
  it("a TenantNetwork deletion releases its vlan from the host_device profile", () => {
    const outcome = remove(network("TenantNetwork", "sig", { host_device: "ens4", vlan: 1001 }));
    expect(outcome.allowed).toBe(true);
    expect(outcome.issues).toEqual([]);
    expect(outcome.released).toEqual({ profile: "ens4", vniType: "vlan", vni: 1001 });
    expect(reserved(outcome.tenantConfig)).toEqual({ "ens4/vlan": [1000], "ens5/vxlan": [300], "vendor.example/sriov_left/vlan": [3000] });
    // the input TenantConfig is left alone; persisting is the caller's job
    expect(reserved(TC)["ens4/vlan"]).toEqual([1000, 1001]);
  });

  it("a vxlan TenantNetwork releases from the vxlan profile", () => {
    const outcome = remove(network("TenantNetwork", "sig", { host_device: "ens5", vxlan: 300 }, { NetworkType: "macvlan" }));
    expect(outcome.released).toEqual({ profile: "ens5", vniType: "vxlan", vni: 300 });
    expect(reserved(outcome.tenantConfig)["ens5/vxlan"]).toEqual([]);
  });

  it("an sriov TenantNetwork releases from its device_pool profile", () => {
    const outcome = remove(network("TenantNetwork", "sig", { device_pool: "vendor.example/sriov_left", vlan: 3000 }, { NetworkType: "SRIOV" }));
    expect(outcome.released).toEqual({ profile: "vendor.example/sriov_left", vniType: "vlan", vni: 3000 });
    expect(reserved(outcome.tenantConfig)["vendor.example/sriov_left/vlan"]).toEqual([]);
  });

  it("a TenantNetwork with both VNIs releases the vxlan one (§9.4 step 2)", () => {
    const outcome = remove(network("TenantNetwork", "sig", { host_device: "ens5", vlan: 1000, vxlan: 300 }));
    expect(outcome.released).toEqual({ profile: "ens5", vniType: "vxlan", vni: 300 });
  });

  it("releasing a VNI that is not reserved is allowed and leaves the bitmap as it was", () => {
    const outcome = remove(network("TenantNetwork", "sig", { host_device: "ens4", vlan: 1500 }));
    expect(outcome.allowed).toBe(true);
    expect(outcome.tenantConfig!.hostDevices![0].alloc).toBe(TC.hostDevices![0].alloc);
  });

  it("the released VNI is the next one handed out", () => {
    const outcome = remove(network("TenantNetwork", "sig", { host_device: "ens4", vlan: 1000 }));
    const again = reserveVni(outcome.tenantConfig!, "ens4", "vlan");
    expect(again).toMatchObject({ ok: true, vni: 1000 });
  });

  it("a TenantNetwork deletion against a corrupt profile bitmap is denied by D-4", () => {
    const corrupt: TenantConfig = { ...TC, hostDevices: TC.hostDevices!.map((p, i) => (i === 0 ? { ...p, alloc: "not base64!" } : p)) };
    const outcome = remove(network("TenantNetwork", "sig", { host_device: "ens4", vlan: 1000 }), { tenantConfig: corrupt });
    expectDenied(outcome, "D-4", "Internal", "spec.Options.vlan");
    expect(outcome.issues[0].detail).toContain("vlan 1000 of TenantNetwork ran-a/sig could not be freed");
  });

  it("a TenantNetwork deletion against a truncated profile bitmap is denied by D-4", () => {
    const short: TenantConfig = { ...TC, hostDevices: TC.hostDevices!.map((p, i) => (i === 1 ? { ...p, alloc: Bitmap.create(512).encode() } : p)) };
    expectDenied(
      remove(network("TenantNetwork", "sig", { host_device: "ens5", vxlan: 300 }), { tenantConfig: short }),
      "D-4",
      "Internal",
      "spec.Options.vxlan",
    );
  });

  it("a profile that no longer exists only warns (B-5 on release: data inconsistency, deletion allowed)", () => {
    const outcome = remove(network("TenantNetwork", "sig", { host_device: "ens9", vlan: 1000 }));
    expect(outcome.allowed).toBe(true);
    expect(outcome.tenantConfig).toBeUndefined();
    expect(outcome.warnings).toEqual(["TenantConfig tconf has no vlan profile ens9 any more; vlan 1000 was not released"]);
  });

  it("a profile whose vniType changed counts as gone: (name, vniType) addresses the reservation", () => {
    const outcome = remove(network("TenantNetwork", "sig", { host_device: "ens4", vxlan: 1000 }));
    expect(outcome.allowed).toBe(true);
    expect(outcome.tenantConfig).toBeUndefined();
    expect(outcome.warnings).toHaveLength(1);
  });

  it("with no TenantConfig at all the deletion is allowed with a warning (tenet's choice; danm-spec D-4 denies)", () => {
    const outcome = remove(network("TenantNetwork", "sig", { host_device: "ens4", vlan: 1000 }), { tenantConfig: undefined });
    expect(outcome.allowed).toBe(true);
    expect(outcome.tenantConfig).toBeUndefined();
    expect(outcome.warnings).toEqual(["no TenantConfig exists; vlan 1000 of TenantNetwork ran-a/sig had nothing to be released from"]);
  });
});

describe("deletions that never touch the TenantConfig", () => {
  it.each<[string, Json]>([
    ["a static (flannel) TenantNetwork carrying a vlan", network("TenantNetwork", "sig", { host_device: "ens4", vlan: 1000 }, { NetworkType: "flannel" })],
    ["a static TenantNetwork whose type is in upper case", network("TenantNetwork", "sig", { vlan: 1000 }, { NetworkType: "Calico" })],
    ["a dynamic TenantNetwork without a VNI", network("TenantNetwork", "sig", { host_device: "bond2" })],
    ["a DanmNet with a vlan", network("DanmNet", "fh", { host_device: "ens4", vlan: 1000 })],
    ["a ClusterNetwork with a vxlan", network("ClusterNetwork", "oam", { host_device: "ens5", vxlan: 300 })],
  ])("%s is deleted with no release", (_, object) => {
    expectAllowedUntouched(remove(object));
    expectAllowedUntouched(remove(object, { tenantConfig: undefined }));
  });
});
