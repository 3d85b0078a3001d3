import { describe, expect, it } from "vitest";
import type { TenantConfig } from "@/server/domain/api/tenantConfig";
import { checkTenantConfig } from "@/server/domain/rules/tenantConfig";
import { strandedByEdit, type VniHolding } from "@/server/domain/tenancy/rangeEdit";
import { freshVniBitmap, reserveVni } from "@/server/domain/tenancy/vni";
import {
  causesByPlace,
  checkDraft,
  configFrom,
  contentOf,
  draftFrom,
  draftProblems,
  draftProfiles,
  issuesByPlace,
  merge,
  newKey,
  placeOf,
  type Draft,
} from "./tenantConfigDraft";

/** The TenantConfig as stored: ens4/vlan with 1000 and 1001 reserved (by the webhook, for team-a's networks). */
function stored(): TenantConfig {
  let tc: TenantConfig = {
    apiVersion: "danm.k8s.io/v1",
    kind: "TenantConfig",
    metadata: { name: "tenet", resourceVersion: "812", uid: "u-1", labels: { owner: "netops" } },
    hostDevices: [
      { name: "ens4", vniType: "vlan", vniRange: "1000-1099", alloc: freshVniBitmap() },
      { name: "vendor.example/sriov_a", vniType: "vxlan", vniRange: "5-9", alloc: freshVniBitmap() },
      { name: "ens5" },
    ],
    networkIds: { ipvlan: "tnet", macvlan: "tmac" },
  };
  for (let i = 0; i < 2; i++) {
    const r = reserveVni(tc, "ens4", "vlan");
    if (!r.ok) throw new Error(r.reason);
    tc = r.config;
  }
  return tc;
}

const holdings: VniHolding[] = [
  { namespace: "team-a", name: "red", profile: "ens4", vniType: "vlan", vni: 1000 },
  { namespace: "team-a", name: "blue", profile: "ens4", vniType: "vlan", vni: 1001 },
];

/** The editor's checks, as TenantConfigEditor runs them on every keystroke. */
const localMessages = (d: Draft, creating = false) => checkDraft(d, creating ? undefined : stored()).messages;

describe("draftFrom and configFrom", () => {
  it("turns the stored object into rows and back, keeping metadata (resourceVersion) and leaving alloc to the webhook", () => {
    const tc = stored();
    const d = draftFrom(tc);
    expect(d.profiles.map(({ name, vniType, vniRange }) => ({ name, vniType, vniRange }))).toEqual([
      { name: "ens4", vniType: "vlan", vniRange: "1000-1099" },
      { name: "vendor.example/sriov_a", vniType: "vxlan", vniRange: "5-9" },
      { name: "ens5", vniType: "", vniRange: "" },
    ]);
    expect(d.networkIds.map(({ networkType, networkId }) => [networkType, networkId])).toEqual([
      ["ipvlan", "tnet"],
      ["macvlan", "tmac"],
    ]);
    expect(configFrom(d, tc)).toEqual({
      apiVersion: "danm.k8s.io/v1",
      kind: "TenantConfig",
      metadata: tc.metadata,
      hostDevices: [
        { name: "ens4", vniType: "vlan", vniRange: "1000-1099" },
        { name: "vendor.example/sriov_a", vniType: "vxlan", vniRange: "5-9" },
        { name: "ens5" },
      ],
      networkIds: { ipvlan: "tnet", macvlan: "tmac" },
    });
  });

  it("gives every row its own key, so rows keep their messages when others move", () => {
    const d = draftFrom(stored());
    const keys = [...d.profiles, ...d.networkIds].map((r) => r.key);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys).not.toContain(newKey());
  });

  it("starts a new TenantConfig named tenet, and sends trimmed text with empty fields left out", () => {
    const d = draftFrom(undefined);
    expect(d).toEqual({ name: "tenet", profiles: [], networkIds: [] });
    d.name = " tenet-lab ";
    d.profiles.push({ key: newKey(), name: " ens6 ", vniType: "", vniRange: "  " }, { key: newKey(), name: "ens7", vniType: "vxlan", vniRange: " 10-20 " });
    expect(configFrom(d, undefined)).toEqual({
      apiVersion: "danm.k8s.io/v1",
      kind: "TenantConfig",
      metadata: { name: "tenet-lab" },
      hostDevices: [{ name: "ens6" }, { name: "ens7", vniType: "vxlan", vniRange: "10-20" }],
    });
  });

  it("leaves hostDevices or networkIds out when the draft has none", () => {
    const d = draftFrom(stored());
    const onlyIds = configFrom({ ...d, profiles: [] }, stored());
    expect(onlyIds).not.toHaveProperty("hostDevices");
    expect(onlyIds.networkIds).toEqual({ ipvlan: "tnet", macvlan: "tmac" });
    expect(configFrom({ ...d, networkIds: [] }, stored())).not.toHaveProperty("networkIds");
  });

  it("does not change the stored object", () => {
    const tc = stored();
    const copy = structuredClone(tc);
    configFrom({ ...draftFrom(tc), name: "other", profiles: [] }, tc);
    expect(tc).toEqual(copy);
  });
});

describe("contentOf", () => {
  it("ignores row keys and reservations, so a VNI reserved meanwhile is not an unsaved change", () => {
    const before = stored();
    const r = reserveVni(before, "ens4", "vlan");
    if (!r.ok) throw new Error(r.reason);
    expect(contentOf(draftFrom(r.config))).toBe(contentOf(draftFrom(before)));
  });

  it("sees an edit of a range, an order, or a mapping", () => {
    const d = draftFrom(stored());
    const base = contentOf(d);
    expect(contentOf({ ...d, profiles: d.profiles.map((p, i) => (i === 0 ? { ...p, vniRange: "1000-1049" } : p)) })).not.toBe(base);
    expect(contentOf({ ...d, profiles: [...d.profiles].reverse() })).not.toBe(base);
    expect(contentOf({ ...d, networkIds: d.networkIds.slice(1) })).not.toBe(base);
    expect(contentOf({ ...d, profiles: d.profiles.map((p) => ({ ...p, name: ` ${p.name} ` })) })).toBe(base);
  });
});

describe("placeOf", () => {
  const d = draftFrom(stored());
  const [ens4, sriov] = d.profiles;
  const [ipvlan, macvlan] = d.networkIds;

  it("sorts profile paths onto the row and field", () => {
    expect(placeOf("hostDevices[0].vniRange", d)).toBe(`profile:${ens4.key}:vniRange`);
    expect(placeOf("hostDevices[1].name", d)).toBe(`profile:${sriov.key}:name`);
    expect(placeOf(".hostDevices[1].vniType", d)).toBe(`profile:${sriov.key}:vniType`);
    expect(placeOf("hostDevices[0].alloc", d)).toBe(`profile:${ens4.key}:row`);
    expect(placeOf("hostDevices[0]", d)).toBe(`profile:${ens4.key}:row`);
    expect(placeOf("hostDevices", d)).toBe("profiles");
    expect(placeOf("hostDevices[9].name", d)).toBe("profiles");
  });

  it("sorts NetworkID paths onto the mapping row, by NetworkType", () => {
    expect(placeOf('networkIds["macvlan"]', d)).toBe(`networkId:${macvlan.key}`);
    expect(placeOf("networkIds.ipvlan", d)).toBe(`networkId:${ipvlan.key}`);
    expect(placeOf('networkIds["sriov"]', d)).toBe("");
    expect(placeOf("metadata.name", d)).toBe("");
  });
});

describe("the editor's checks", () => {
  it("find nothing wrong with the stored object", () => {
    expect(localMessages(draftFrom(stored()))).toEqual({});
  });

  it("name the rule (T-*) on the field it concerns", () => {
    const d = draftFrom(stored());
    const [ens4, sriov, ens5] = d.profiles;
    const edited: Draft = {
      ...d,
      profiles: [
        { ...ens4, vniRange: "" }, // T-4: vniType without vniRange
        { ...sriov, vniRange: "9-5x" }, // T-7: unreadable range
        { ...ens5, name: " " }, // T-3: no name
        { key: newKey(), name: "ens8", vniType: "vlan", vniRange: "4000-6000" }, // T-8: above 5000
      ],
      networkIds: [...d.networkIds, { key: newKey(), networkType: "sriov", networkId: "much-too-long" }], // T-10
    };
    const m = localMessages(edited);
    const rules = (place: keyof typeof m) => (m[place] ?? []).map((s) => /\((T-\d+)\)$/.exec(s)?.[1]);
    expect(rules(`profile:${ens4.key}:vniRange`)).toEqual(["T-4"]);
    expect(rules(`profile:${sriov.key}:vniRange`)).toEqual(["T-7"]);
    expect(rules(`profile:${ens5.key}:name`)).toEqual(["T-3"]);
    expect(rules(`profile:${edited.profiles[3].key}:vniRange`)).toEqual(["T-8"]);
    expect(rules(`networkId:${edited.networkIds[2].key}`)).toEqual(["T-10"]);
    expect(m[`profile:${sriov.key}:vniRange`]![0]).toContain("9-5x");
    expect(Object.keys(m)).toHaveLength(5);
  });

  it("say a TenantConfig needs profiles or mappings (T-2) above the profiles", () => {
    const m = localMessages({ name: "tenet", profiles: [], networkIds: [] }, true);
    expect(m).toEqual({ profiles: [expect.stringMatching(/hostDevices or networkIds \(T-2\)$/)] });
  });

  it("put an empty mapping (T-9) on the row being filled in", () => {
    const d = draftFrom(stored());
    const blank = { key: newKey(), networkType: "", networkId: "" };
    const m = localMessages({ ...d, networkIds: [...d.networkIds, blank] });
    expect(m[`networkId:${blank.key}`]).toEqual([expect.stringContaining("(T-9)")]);
  });

  it("warn about a profile listed twice and a NetworkType mapped twice (ignoring case), on the later row", () => {
    const d = draftFrom(stored());
    const again = { key: newKey(), name: "ens4 ", vniType: "vlan" as const, vniRange: "2000-2099" };
    const direct = { key: newKey(), name: "ens4", vniType: "" as const, vniRange: "" };
    const upper = { key: newKey(), networkType: "IPVLAN", networkId: "other" };
    const m = draftProblems({ ...d, profiles: [...d.profiles, again, direct], networkIds: [...d.networkIds, upper] });
    expect(m).toEqual({
      [`profile:${again.key}:name`]: ["ens4 (vlan) is listed above already; tenants only ever get the first one."],
      [`networkId:${upper.key}`]: ["IPVLAN is mapped above already (NetworkTypes are compared ignoring case); only one of the two can apply."],
    });
  });
});

describe("causesByPlace", () => {
  it("puts the cluster's causes on the rows they name and the rest at the top with their field", () => {
    const d = draftFrom(stored());
    const m = causesByPlace(
      [
        { field: "hostDevices[0].vniRange", message: 'Invalid value: "x": bad range (T-7)' },
        { field: 'networkIds["ipvlan"]', reason: "FieldValueTooLong" },
        { field: "metadata.name", message: "already exists" },
        { message: "the webhook is unavailable" },
      ],
      d,
    );
    expect(m).toEqual({
      [`profile:${d.profiles[0].key}:vniRange`]: ['Invalid value: "x": bad range (T-7)'],
      [`networkId:${d.networkIds[0].key}`]: ["FieldValueTooLong"],
      "": ["metadata.name: already exists", "the webhook is unavailable"],
    });
  });
});

describe("stranding warnings in the editor", () => {
  it("land on the vniRange of the narrowed profile, naming the networks that hold the VNIs", () => {
    const tc = stored();
    const d = draftFrom(tc);
    // move ens4 below the SR-IOV pool and narrow it past 1000 and 1001: the warning follows the row, not the index
    const narrowed = { ...d, profiles: [d.profiles[1], { ...d.profiles[0], vniRange: "1002-1099" }, d.profiles[2]] };
    const warnings = strandedByEdit(tc.hostDevices!, draftProfiles(narrowed), holdings);
    expect(warnings).toHaveLength(1);
    expect(placeOf(warnings[0].path, narrowed)).toBe(`profile:${d.profiles[0].key}:vniRange`);
    expect(warnings[0].stranded.map((v) => v.vni)).toEqual([1000, 1001]);
    expect(warnings[0].message).toContain("team-a/red");
    expect(warnings[0].message).toContain("team-a/blue");
  });

  it("land above the profiles when a profile holding VNIs is removed", () => {
    const tc = stored();
    const d = draftFrom(tc);
    const removed = { ...d, profiles: d.profiles.slice(1) };
    const warnings = strandedByEdit(tc.hostDevices!, draftProfiles(removed), holdings);
    expect(warnings.map((w) => [w.kind, placeOf(w.path, removed)])).toEqual([["profileRemoved", "profiles"]]);
  });

  it("stay quiet for an edit that keeps every reserved VNI in range", () => {
    const tc = stored();
    const d = draftFrom(tc);
    const widened = { ...d, profiles: d.profiles.map((p, i) => (i === 0 ? { ...p, vniRange: "900-1999" } : p)) };
    expect(strandedByEdit(tc.hostDevices!, draftProfiles(widened), holdings)).toEqual([]);
  });
});
