// admitTenantConfig: danm-spec §8.4 (T-1 … T-10) and its mutation (fresh VNI bitmaps; decision 4 on UPDATE).
import { describe, expect, it } from "vitest";
import type { TenantConfig } from "../api/tenantConfig";
import { Bitmap } from "../bitmap";
import type { Issue, IssueType } from "../issue";
import { freshVniBitmap, reservedVnis, reserveVni } from "../tenancy/vni";
import { admitTenantConfig } from "./tenantConfig";

type Json = Record<string, unknown>;
type Expected = { rule: string; type: IssueType; path: string };

const API_VERSION = "danm.k8s.io/v1";

function config(members: Json, name = "tconf"): Json {
  return { apiVersion: API_VERSION, kind: "TenantConfig", metadata: { name }, ...members };
}

/** The example of danm-spec §3. */
const EXAMPLE = config({
  hostDevices: [
    { name: "ens4", vniType: "vlan", vniRange: "1000-1999" },
    { name: "ens5", vniType: "vxlan", vniRange: "300-399,450" },
    { name: "bond2" },
    { name: "vendor.example/sriov_left", vniType: "vlan", vniRange: "3000-3099" },
  ],
  networkIds: { flannel: "flannel-t1", ipvlan: "tnet" },
});

const brief = (issues: Issue[]): Expected[] => issues.map(({ rule, type, path }) => ({ rule, type, path }));
const deny = (rule: string, type: IssueType, path: string): Expected => ({ rule, type, path });
const profile = (p: Json) => config({ hostDevices: [p] });

interface Case {
  name: string;
  object: unknown;
  operation?: "CREATE" | "UPDATE";
  denied?: Expected[];
}

const cases: Case[] = [
  // T-1
  { name: "the §3 example TenantConfig is accepted by T-1", object: EXAMPLE },
  {
    name: "a ConfigMap sent to the TenantConfig webhook is denied by T-1",
    object: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x" } },
    denied: [deny("T-1", "NotSupported", "kind")],
  },
  { name: "a body that is not an object is denied by T-1", object: "tconf", denied: [deny("T-1", "NotSupported", "kind")] },
  {
    name: "a TenantConfig with its fields under spec is denied by T-1 (they live at the top level)",
    object: config({ spec: { hostDevices: [{ name: "ens4" }] } }),
    denied: [deny("T-1", "NotSupported", "(object)")],
  },
  {
    name: "a TenantConfig profile with an unknown field vni_range is denied by T-1",
    object: profile({ name: "ens4", vni_range: "1-2" }),
    denied: [deny("T-1", "NotSupported", "hostDevices[0]")],
  },
  {
    name: "a TenantConfig with a numeric vniRange is denied by T-1",
    object: profile({ name: "ens4", vniType: "vlan", vniRange: 1000 }),
    denied: [deny("T-1", "Invalid", "hostDevices[0].vniRange")],
  },
  {
    name: "a TenantConfig profile without name is denied by T-1",
    object: profile({ vniType: "vlan", vniRange: "1" }),
    denied: [deny("T-1", "Invalid", "hostDevices[0].name")],
  },
  // T-2
  { name: "a TenantConfig without hostDevices and networkIds is denied by T-2", object: config({}), denied: [deny("T-2", "Required", "hostDevices")] },
  {
    name: "a TenantConfig with empty hostDevices and networkIds is denied by T-2",
    object: config({ hostDevices: [], networkIds: {} }),
    denied: [deny("T-2", "Required", "hostDevices")],
  },
  { name: "a TenantConfig with networkIds only is accepted by T-2", object: config({ networkIds: { flannel: "flannel-t1" } }) },
  { name: "a TenantConfig with hostDevices only is accepted by T-2", object: profile({ name: "bond2" }) },
  // T-3
  {
    name: "a TenantConfig profile with an empty name is denied by T-3",
    object: profile({ name: "" }),
    denied: [deny("T-3", "Required", "hostDevices[0].name")],
  },
  { name: "a TenantConfig profile named like a device pool is accepted by T-3", object: profile({ name: "vendor.example/sriov_left" }) },
  // T-4
  {
    name: "a TenantConfig profile with vniType and no vniRange is denied by T-4",
    object: profile({ name: "ens4", vniType: "vlan" }),
    denied: [deny("T-4", "Required", "hostDevices[0].vniRange")],
  },
  {
    name: "a TenantConfig profile with vniRange and no vniType is denied by T-4",
    object: profile({ name: "ens4", vniRange: "10-20" }),
    denied: [deny("T-4", "Required", "hostDevices[0].vniType")],
  },
  { name: "a TenantConfig profile with neither vniType nor vniRange is accepted by T-4", object: profile({ name: "ens4" }) },
  // T-5
  {
    name: "a TenantConfig profile with vniType geneve is denied by T-5",
    object: profile({ name: "ens4", vniType: "geneve", vniRange: "10-20" }),
    denied: [deny("T-5", "NotSupported", "hostDevices[0].vniType")],
  },
  {
    name: "a TenantConfig profile with vniType VLAN in capitals is denied by T-5",
    object: profile({ name: "ens4", vniType: "VLAN", vniRange: "10-20" }),
    denied: [deny("T-5", "NotSupported", "hostDevices[0].vniType")],
  },
  { name: "a TenantConfig profile with vniType vxlan is accepted by T-5", object: profile({ name: "ens4", vniType: "vxlan", vniRange: "10-20" }) },
  // T-6
  {
    name: "a TenantConfig create with a profile alloc is denied by T-6",
    object: profile({ name: "ens4", vniType: "vlan", vniRange: "10-20", alloc: freshVniBitmap() }),
    denied: [deny("T-6", "Forbidden", "hostDevices[0].alloc")],
  },
  {
    name: "a TenantConfig update with a profile alloc is accepted by T-6",
    operation: "UPDATE",
    object: profile({ name: "ens4", vniType: "vlan", vniRange: "10-20", alloc: freshVniBitmap() }),
  },
  // T-7
  {
    name: "a TenantConfig profile with vniRange 700-71a0 is denied by T-7",
    object: profile({ name: "ens4", vniType: "vlan", vniRange: "700-71a0" }),
    denied: [deny("T-7", "Invalid", "hostDevices[0].vniRange")],
  },
  {
    name: "a TenantConfig profile with whitespace in vniRange is denied by T-7",
    object: profile({ name: "ens4", vniType: "vlan", vniRange: "2000-2100, 2200" }),
    denied: [deny("T-7", "Invalid", "hostDevices[0].vniRange")],
  },
  {
    name: "a TenantConfig profile with an empty element in vniRange is denied by T-7",
    object: profile({ name: "ens4", vniType: "vlan", vniRange: "2000,,2001" }),
    denied: [deny("T-7", "Invalid", "hostDevices[0].vniRange")],
  },
  {
    name: "a TenantConfig profile with an inverted range 20-10 is denied by T-7 (tenet refuses it rather than read it as empty)",
    object: profile({ name: "ens4", vniType: "vlan", vniRange: "20-10" }),
    denied: [deny("T-7", "Invalid", "hostDevices[0].vniRange")],
  },
  {
    name: "a TenantConfig profile with a negative VNI is denied by T-7",
    object: profile({ name: "ens4", vniType: "vlan", vniRange: "-5" }),
    denied: [deny("T-7", "Invalid", "hostDevices[0].vniRange")],
  },
  {
    name: "a TenantConfig profile with vniRange 2000-2500,2601,2650-2700 is accepted by T-7",
    object: profile({ name: "ens4", vniType: "vlan", vniRange: "2000-2500,2601,2650-2700" }),
  },
  // T-8
  {
    name: "a TenantConfig profile with vniRange 4990-5001 is denied by T-8",
    object: profile({ name: "ens4", vniType: "vxlan", vniRange: "4990-5001" }),
    denied: [deny("T-8", "Invalid", "hostDevices[0].vniRange")],
  },
  {
    name: "a TenantConfig profile with a single VNI 16000000 is denied by T-8 (the limit applies to VxLAN too)",
    object: profile({ name: "ens4", vniType: "vxlan", vniRange: "1,16000000" }),
    denied: [deny("T-8", "Invalid", "hostDevices[0].vniRange")],
  },
  { name: "a TenantConfig profile with vniRange 4990-5000 is accepted by T-8", object: profile({ name: "ens4", vniType: "vxlan", vniRange: "4990-5000" }) },
  // T-9
  {
    name: "a TenantConfig with an empty networkIds key is denied by T-9",
    object: config({ networkIds: { "": "tnet" } }),
    denied: [deny("T-9", "Required", 'networkIds[""]')],
  },
  {
    name: "a TenantConfig with an empty networkIds value is denied by T-9",
    object: config({ networkIds: { ipvlan: "" } }),
    denied: [deny("T-9", "Required", 'networkIds["ipvlan"]')],
  },
  { name: "a TenantConfig with a networkIds value of 10 characters is accepted by T-9 and T-10", object: config({ networkIds: { sriov: "sriov-left" } }) },
  // T-10
  {
    name: "a TenantConfig mapping ipvlan to an 11-character NetworkID is denied by T-10",
    object: config({ networkIds: { ipvlan: "tenant-ipvl" } }),
    denied: [deny("T-10", "TooLong", 'networkIds["ipvlan"]')],
  },
  {
    name: "a TenantConfig mapping MacVlan to an 11-character NetworkID is denied by T-10 (keys compared case-insensitively)",
    object: config({ networkIds: { MacVlan: "tenant-macv" } }),
    denied: [deny("T-10", "TooLong", 'networkIds["MacVlan"]')],
  },
  {
    name: "a TenantConfig mapping flannel to a long NetworkID is accepted by T-10 (static types are not limited)",
    object: config({ networkIds: { flannel: "flannel-for-every-tenant" } }),
  },
];

describe("admitTenantConfig: each rule accepts and denies (danm-spec §8.4)", () => {
  it.each(cases)("$name", ({ object, operation, denied }) => {
    const outcome = admitTenantConfig(operation ?? "CREATE", object);
    if (denied) {
      expect(brief(outcome.issues)).toEqual(denied);
      expect(outcome.allowed).toBe(false);
      expect(outcome.object).toBeUndefined();
    } else {
      expect(outcome.issues).toEqual([]);
      expect(outcome.allowed).toBe(true);
      expect(outcome.object).toBeDefined();
    }
  });

  it("every rule T-1 … T-10 has an accepted and a denied case in the table", () => {
    const rules = Array.from({ length: 10 }, (_, i) => `T-${i + 1}`);
    const deniedBy = new Set(cases.flatMap((c) => (c.denied ?? []).map((d) => d.rule)));
    const acceptedBy = new Set(cases.filter((c) => !c.denied).flatMap((c) => c.name.match(/T-\d+/g) ?? []));
    expect(rules.filter((r) => !deniedBy.has(r) || !acceptedBy.has(r))).toEqual([]);
  });

  it("the validating pass of a CREATE accepts the alloc the mutating pass wrote (T-6 is for the user's object)", () => {
    const mutated = admitTenantConfig("CREATE", EXAMPLE).object!;
    const validated = admitTenantConfig("CREATE", mutated, undefined, "validate");
    expect(validated.issues).toEqual([]);
    expect(validated.object).toEqual(mutated);
    expect(brief(admitTenantConfig("CREATE", mutated).issues).map((i) => i.rule)).toEqual(["T-6", "T-6", "T-6"]);
  });

  it("reports every problem of every profile at once, each with its index", () => {
    const outcome = admitTenantConfig(
      "CREATE",
      config({
        hostDevices: [
          { name: "ens4", vniType: "vlan", vniRange: "1-10" },
          { name: "", vniType: "geneve", vniRange: "x" },
          { name: "ens6", vniType: "vxlan" },
        ],
        networkIds: { ipvlan: "much-too-long", flannel: "" },
      }),
    );
    expect(brief(outcome.issues)).toEqual([
      deny("T-3", "Required", "hostDevices[1].name"),
      deny("T-5", "NotSupported", "hostDevices[1].vniType"),
      deny("T-7", "Invalid", "hostDevices[1].vniRange"),
      deny("T-4", "Required", "hostDevices[2].vniRange"),
      deny("T-10", "TooLong", 'networkIds["ipvlan"]'),
      deny("T-9", "Required", 'networkIds["flannel"]'),
    ]);
  });
});

describe("admitTenantConfig: mutation (§8.4)", () => {
  const created = (object: Json) => {
    const outcome = admitTenantConfig("CREATE", object);
    if (!outcome.allowed) throw new Error(JSON.stringify(outcome.issues));
    return outcome.object!;
  };

  it("gives every profile with a vniType a fresh 5001-bit bitmap: 836 characters, gAAA…AAA=, only bit 0 set", () => {
    const tc = created(EXAMPLE);
    const withVni = tc.hostDevices!.filter((p) => p.vniType);
    expect(withVni).toHaveLength(3);
    for (const p of withVni) {
      expect(p.alloc).toHaveLength(836);
      expect(p.alloc!.startsWith("gAAA")).toBe(true);
      expect(p.alloc!.endsWith("AAA=")).toBe(true);
      const bits = Bitmap.decode(p.alloc!);
      expect(bits.length).toBeGreaterThanOrEqual(5001);
      expect(bits.countSet()).toBe(1);
      expect(bits.isSet(0)).toBe(true);
    }
  });

  it("never gives a profile without vniType an alloc, and changes nothing else", () => {
    const tc = created(EXAMPLE);
    expect(tc.hostDevices![2]).toEqual({ name: "bond2" });
    expect(tc.networkIds).toEqual({ flannel: "flannel-t1", ipvlan: "tnet" });
    expect(tc.hostDevices!.map(({ alloc: _, ...rest }) => rest)).toEqual(EXAMPLE.hostDevices);
  });

  it("leaves a TenantConfig without hostDevices without hostDevices", () => {
    expect(created(config({ networkIds: { flannel: "f" } }))).toEqual(config({ networkIds: { flannel: "f" } }));
  });

  describe("UPDATE", () => {
    /** The stored object with 1000, 1001 and 1002 of ens4 reserved and 300 of ens5. */
    const stored = (() => {
      let tc: TenantConfig = created(EXAMPLE);
      for (const [name, type] of [
        ["ens4", "vlan"],
        ["ens4", "vlan"],
        ["ens4", "vlan"],
        ["ens5", "vxlan"],
      ] as const) {
        const r = reserveVni(tc, name, type);
        if (!r.ok) throw new Error(r.reason);
        tc = r.config;
      }
      return tc;
    })();

    it("an update that omits alloc keeps the old object's reservations (decision 4)", () => {
      const outcome = admitTenantConfig("UPDATE", EXAMPLE, stored);
      expect(outcome.allowed).toBe(true);
      expect(outcome.object!.hostDevices!.map((p) => p.alloc)).toEqual(stored.hostDevices!.map((p) => p.alloc));
      expect(reservedVnis(outcome.object!.hostDevices![0])).toEqual([1000, 1001, 1002]);
      expect(outcome.warnings).toEqual([]);
    });

    it("an update that carries alloc keeps its own alloc", () => {
      const sent = { ...stored, hostDevices: stored.hostDevices!.map((p, i) => (i === 0 ? { ...p, alloc: freshVniBitmap() } : p)) };
      const outcome = admitTenantConfig("UPDATE", sent, stored);
      expect(reservedVnis(outcome.object!.hostDevices![0])).toEqual([]);
      expect(reservedVnis(outcome.object!.hostDevices![1])).toEqual([300]);
    });

    it("an update adding a profile gives the new profile a fresh bitmap", () => {
      const sent = config({ ...EXAMPLE, hostDevices: [...(EXAMPLE.hostDevices as Json[]), { name: "ens6", vniType: "vxlan", vniRange: "600-699" }] });
      const outcome = admitTenantConfig("UPDATE", sent, stored);
      expect(outcome.object!.hostDevices![4].alloc).toBe(freshVniBitmap());
      expect(reservedVnis(outcome.object!.hostDevices![0])).toEqual([1000, 1001, 1002]);
    });

    it("a profile whose vniType changed starts from a fresh bitmap: reservations belong to (name, vniType)", () => {
      const sent = config({ hostDevices: [{ name: "ens4", vniType: "vxlan", vniRange: "1000-1999" }] });
      const outcome = admitTenantConfig("UPDATE", sent, stored);
      expect(outcome.object!.hostDevices![0].alloc).toBe(freshVniBitmap());
    });

    it("warns when a range edit strands reservations outside the new vniRange", () => {
      const sent = config({ ...EXAMPLE, hostDevices: [{ name: "ens4", vniType: "vlan", vniRange: "1001-1999" }, ...(EXAMPLE.hostDevices as Json[]).slice(1)] });
      const outcome = admitTenantConfig("UPDATE", sent, stored);
      expect(outcome.allowed).toBe(true);
      expect(reservedVnis(outcome.object!.hostDevices![0])).toEqual([1000, 1001, 1002]);
      expect(outcome.warnings).toEqual(["hostDevices ens4/vlan: 1 reserved VNI(s) now outside vniRange (1000); the TenantNetworks holding them keep them"]);
    });

    it("warns when a profile with reservations is removed, and not for one without", () => {
      const sent = config({ hostDevices: [{ name: "ens5", vniType: "vxlan", vniRange: "300-399,450" }] });
      const outcome = admitTenantConfig("UPDATE", sent, stored);
      expect(outcome.warnings).toEqual([
        "hostDevices ens4/vlan removed while 3 VNI(s) are reserved from it (1000, 1001, 1002); their TenantNetworks keep them",
      ]);
    });

    it("a range edit that strands nothing gives no warning", () => {
      const sent = config({
        ...EXAMPLE,
        hostDevices: [{ name: "ens4", vniType: "vlan", vniRange: "1000-1002,1500" }, ...(EXAMPLE.hostDevices as Json[]).slice(1)],
      });
      expect(admitTenantConfig("UPDATE", sent, stored).warnings).toEqual([]);
    });

    it("still validates: an update breaking T-8 is denied", () => {
      const sent = config({ hostDevices: [{ name: "ens4", vniType: "vlan", vniRange: "1000-9999" }] });
      expect(brief(admitTenantConfig("UPDATE", sent, stored).issues)).toEqual([deny("T-8", "Invalid", "hostDevices[0].vniRange")]);
    });
  });
});
