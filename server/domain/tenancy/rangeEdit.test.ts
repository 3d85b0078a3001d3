// Range edits of the TenantConfig against the VNIs already reserved and held by TenantNetworks.
import { describe, expect, it } from "vitest";
import type { InterfaceProfile, TenantConfig } from "../api/tenantConfig";
import { profileVnis, rangeSize, strandedByEdit, vniHoldings, type VniHolding } from "./rangeEdit";
import { freshVniBitmap, reserveVni } from "./vni";

/** A TenantConfig whose profiles have `count` VNIs reserved each, the way the webhook reserves them. */
function reserved(profiles: (InterfaceProfile & { count?: number })[]): InterfaceProfile[] {
  let tc: TenantConfig = {
    apiVersion: "danm.k8s.io/v1",
    kind: "TenantConfig",
    metadata: { name: "tenet" },
    hostDevices: profiles.map(({ count: _count, ...p }) => (p.vniType ? { ...p, alloc: freshVniBitmap() } : p)),
  };
  for (const p of profiles) {
    for (let i = 0; i < (p.count ?? 0); i++) {
      const r = reserveVni(tc, p.name, p.vniType as "vlan" | "vxlan");
      if (!r.ok) throw new Error(r.reason);
      tc = r.config;
    }
  }
  return tc.hostDevices!;
}

const holding = (namespace: string, name: string, profile: string, vniType: "vlan" | "vxlan", vni: number): VniHolding => ({
  namespace,
  name,
  profile,
  vniType,
  vni,
});
const withoutAlloc = (ps: InterfaceProfile[]) => ps.map(({ alloc: _alloc, ...p }) => p);

describe("vniHoldings", () => {
  it("reads the VNI and profile each TenantNetwork holds, and skips networks without one", () => {
    const holdings = vniHoldings([
      { metadata: { namespace: "team-a", name: "signalling" }, spec: { Options: { host_device: "ens4", vlan: 1000 } } },
      { metadata: { namespace: "team-a", name: "fronthaul" }, spec: { Options: { device_pool: "vendor.example/sriov_left", vlan: 3000 } } },
      { metadata: { namespace: "team-b", name: "media" }, spec: { Options: { host_device: "ens5", vxlan: 300 } } },
      { metadata: { namespace: "team-b", name: "direct" }, spec: { Options: { host_device: "bond2" } } },
      { metadata: { namespace: "team-b", name: "empty" } },
    ]);
    expect(holdings).toEqual([
      holding("team-a", "signalling", "ens4", "vlan", 1000),
      holding("team-a", "fronthaul", "vendor.example/sriov_left", "vlan", 3000),
      holding("team-b", "media", "ens5", "vxlan", 300),
    ]);
  });
});

describe("profileVnis", () => {
  it("lists reserved VNIs with their holders, and held VNIs the bitmap lost, in ascending order", () => {
    const [ens4] = reserved([{ name: "ens4", vniType: "vlan", vniRange: "1000-1009", count: 2 }]);
    const vnis = profileVnis(ens4, [
      holding("team-a", "signalling", "ens4", "vlan", 1001),
      holding("team-b", "stray", "ens4", "vlan", 1500),
      holding("team-b", "other-profile", "ens5", "vlan", 1000),
      holding("team-b", "other-type", "ens4", "vxlan", 1000),
    ]);
    expect(vnis).toEqual([
      { vni: 1000, reserved: true, holders: [], inRange: true },
      { vni: 1001, reserved: true, holders: [{ namespace: "team-a", name: "signalling" }], inRange: true },
      { vni: 1500, reserved: false, holders: [{ namespace: "team-b", name: "stray" }], inRange: false },
    ]);
  });

  it("gives profiles without a vniType no VNIs", () => {
    expect(profileVnis({ name: "bond2" }, [holding("team-a", "x", "bond2", "vlan", 5)])).toEqual([]);
  });

  it("counts the VNIs a range offers", () => {
    expect(rangeSize("300-399,450")).toBe(101);
    expect(rangeSize("700-71a0")).toBe(0);
  });
});

describe("strandedByEdit", () => {
  const before = reserved([
    { name: "ens4", vniType: "vlan", vniRange: "1000-1999", count: 3 },
    { name: "ens5", vniType: "vxlan", vniRange: "300-399,450", count: 1 },
    { name: "bond2" },
  ]);
  const holdings = [
    holding("team-a", "signalling", "ens4", "vlan", 1000),
    holding("team-a", "media", "ens5", "vxlan", 300),
    holding("team-b", "voice", "ens4", "vlan", 1002),
  ];

  it("says nothing when every reservation stays inside its range", () => {
    const after = before.map((p) => (p.name === "ens4" ? { ...p, vniRange: "1000-1002,1500-1600" } : p));
    expect(strandedByEdit(before, after, holdings)).toEqual([]);
  });

  it("names each reserved VNI the new range leaves out, and the TenantNetwork holding it, at the edited field", () => {
    const after = before.map((p) => (p.name === "ens4" ? { ...p, vniRange: "1001-1999" } : p));
    const warnings = strandedByEdit(before, after, holdings);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ profile: "ens4", vniType: "vlan", path: "hostDevices[0].vniRange", kind: "outsideRange" });
    expect(warnings[0].stranded.map((v) => [v.vni, v.holders])).toEqual([[1000, [{ namespace: "team-a", name: "signalling" }]]]);
    expect(warnings[0].message).toContain("1000 (held by TenantNetwork team-a/signalling)");
    expect(warnings[0].message).toContain("outside the new range 1001-1999");
  });

  it("uses the old profile's reservations when the edit omits alloc (decision 4), and reports reservations nobody holds", () => {
    const after = withoutAlloc(before).map((p) => (p.name === "ens4" ? { ...p, vniRange: "1500-1999" } : p));
    const [w] = strandedByEdit(before, after, holdings);
    expect(w.stranded.map((v) => v.vni)).toEqual([1000, 1001, 1002]);
    expect(w.stranded[1]).toMatchObject({ reserved: true, holders: [] });
    expect(w.message).toContain("1001 (reserved but held by no TenantNetwork)");
  });

  it("reports a TenantNetwork holding a VNI even when the bitmap has no bit for it", () => {
    const after = before.map((p) => (p.name === "ens5" ? { ...p, vniRange: "300-399" } : p));
    const warnings = strandedByEdit(before, after, [...holdings, holding("team-b", "legacy", "ens5", "vxlan", 450)]);
    expect(warnings.map((w) => [w.path, w.stranded.map((v) => [v.vni, v.reserved])])).toEqual([["hostDevices[1].vniRange", [[450, false]]]]);
  });

  it("tells VNIs this edit strands from ones already outside the old range", () => {
    const edited = before.map((p) => (p.name === "ens4" ? { ...p, vniRange: "1002-1999" } : p));
    const [w] = strandedByEdit(
      edited,
      edited.map((p) => (p.name === "ens4" ? { ...p, vniRange: "1500-1999" } : p)),
      holdings,
    );
    expect(w.stranded.map((v) => [v.vni, v.alreadyOutside])).toEqual([
      [1000, true],
      [1001, true],
      [1002, false],
    ]);
    expect(w.message).toMatch(/VNI 1002 .* would fall outside the new range 1500-1999; 2 VNIs .* are already outside it/);
  });

  it("warns when a profile holding reservations is removed or loses its vniType, at hostDevices", () => {
    const after = [{ name: "ens4" }, before[2]];
    const warnings = strandedByEdit(before, after, holdings);
    expect(warnings.map((w) => [w.profile, w.vniType, w.kind, w.path, w.stranded.length])).toEqual([
      ["ens4", "vlan", "profileRemoved", "hostDevices", 3],
      ["ens5", "vxlan", "profileRemoved", "hostDevices", 1],
    ]);
  });

  it("does not warn about removing a profile nothing was reserved from", () => {
    const empty = reserved([{ name: "ens6", vniType: "vlan", vniRange: "10-20" }]);
    expect(strandedByEdit(empty, [], [])).toEqual([]);
  });

  it("leaves unparseable ranges to rule T-7 and only judges the first profile of a (name, vniType)", () => {
    expect(
      strandedByEdit(
        before,
        before.map((p) => (p.name === "ens4" ? { ...p, vniRange: "1000-19x9" } : p)),
        holdings,
      ),
    ).toEqual([]);
    const duplicate = [...before, { name: "ens4", vniType: "vlan", vniRange: "5-6" }];
    expect(strandedByEdit(before, duplicate, holdings)).toEqual([]);
  });

  it("matches profiles by name and vniType: changing vlan to vxlan strands the vlan reservations", () => {
    const after = before.map((p) => (p.name === "ens4" ? { name: "ens4", vniType: "vxlan", vniRange: "1000-1999" } : p));
    const warnings = strandedByEdit(before, after, holdings);
    expect(warnings.map((w) => [w.profile, w.vniType, w.kind])).toEqual([["ens4", "vlan", "profileRemoved"]]);
  });
});
