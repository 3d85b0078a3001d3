// VNI ranges, reservation and release (danm-spec §3, §7, §9.3, §9.4) and the stale-reservation diff.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { admitNetwork } from "../admission/network";
import type { NetworkObject } from "../api/network";
import type { TenantConfig } from "../api/tenantConfig";
import { Bitmap } from "../bitmap";
import {
  findProfile,
  freshVniBitmap,
  MAX_VNI,
  parseVniRange,
  releaseVni,
  reservedVnis,
  reserveVni,
  staleVniReservations,
  VNI_BITMAP_BITS,
  vniHeldBy,
  type VniChange,
  type VniHolder,
} from "./vni";

const API_VERSION = "danm.k8s.io/v1";
type ProfileInput = { name: string; vniType?: string; vniRange?: string; alloc?: string };

function tenantConfig(hostDevices: ProfileInput[], networkIds: Record<string, string> = {}): TenantConfig {
  return {
    apiVersion: API_VERSION,
    kind: "TenantConfig",
    metadata: { name: "tconf", resourceVersion: "1" },
    hostDevices: hostDevices.map((p) => (p.vniType && p.alloc === undefined ? { ...p, alloc: freshVniBitmap() } : p)),
    networkIds,
  };
}

function ok(change: VniChange): { config: TenantConfig; vni: number } {
  if (!change.ok) throw new Error(`${change.rule}: ${change.reason}`);
  return change;
}

/** Reserves until the profile answers with an error; returns the VNIs in the order handed out and that error. */
function reserveAll(config: TenantConfig, name: string, vniType: "vlan" | "vxlan") {
  const vnis: number[] = [];
  let tc = config;
  for (;;) {
    const r = reserveVni(tc, name, vniType);
    if (!r.ok) return { vnis, config: tc, failure: r };
    vnis.push(r.vni);
    tc = r.config;
  }
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/** The VNIs a vniRange denotes, in the order the parser yields them; undefined when it does not parse. */
function vnisOf(text: string): number[] | undefined {
  const r = parseVniRange(text);
  return r.ok ? [...r.range.values()] : undefined;
}

describe("parseVniRange (T-7)", () => {
  it.each<[string, number[]]>([
    ["2000", [2000]],
    ["300-305,450", [300, 301, 302, 303, 304, 305, 450]],
    ["450,300-302", [300, 301, 302, 450]],
    ["5,3-6,6", [3, 4, 5, 6]],
    ["10-12,13-14", [10, 11, 12, 13, 14]],
    ["7-7", [7]],
    ["0-2", [0, 1, 2]],
    ["4999-5000", [4999, 5000]],
  ])("reads %s as ascending unique VNIs", (text, vnis) => {
    expect(vnisOf(text)).toEqual(vnis);
    const r = parseVniRange(text);
    expect(r.ok && r.max).toBe(vnis[vnis.length - 1]);
  });

  it("reads 300-399,450 as 101 VNIs and knows which it holds", () => {
    expect(vnisOf("300-399,450")).toEqual([...range(300, 399), 450]);
    const r = parseVniRange("300-399,450");
    if (!r.ok) throw new Error(r.reason);
    expect([299, 300, 399, 400, 449, 450, 451].map((v) => r.range.has(v))).toEqual([false, true, true, false, false, true, false]);
  });

  it.each(["", ",", "1,", "a", "700-71a0", "1 - 2", " 1", "1-2-3", "-1", "1-", "+1", "1.5", "20-10", "0x10"])("refuses %j", (text) => {
    expect(parseVniRange(text).ok).toBe(false);
  });

  it("reports the maximum of a huge range for T-8 without expanding it", () => {
    const r = parseVniRange("1-4000000000");
    expect(r.ok && r.max).toBe(4000000000);
  });
});

describe("freshVniBitmap (§7)", () => {
  it("is 5001 bits with only bit 0 set, 836 base64 characters", () => {
    const text = freshVniBitmap();
    expect(text).toHaveLength(836);
    const bits = Bitmap.decode(text);
    expect(bits.length).toBeGreaterThanOrEqual(VNI_BITMAP_BITS);
    expect(bits.countSet()).toBe(1);
    expect(bits.isSet(0)).toBe(true);
  });
});

describe("reserveVni (§9.3)", () => {
  const tc = tenantConfig([
    { name: "ens4", vniType: "vlan", vniRange: "1000-1999" },
    { name: "ens5", vniType: "vxlan", vniRange: "300-399,450" },
    { name: "bond2" },
    { name: "ens4", vniType: "vxlan", vniRange: "600-601" },
  ]);

  it("hands out the range in ascending order, then reports B-4 naming the profile as exhausted", () => {
    const { vnis, failure } = reserveAll(tc, "ens5", "vxlan");
    expect(vnis).toEqual([...range(300, 399), 450]);
    expect(failure).toEqual({
      ok: false,
      rule: "B-4",
      reason: "the vxlan range 300-399,450 of profile ens5 in TenantConfig tconf is exhausted; ask a network administrator to widen it",
    });
  });

  it("scans in ascending order even when the range is written out of order", () => {
    const t = tenantConfig([{ name: "ens6", vniType: "vlan", vniRange: "900,100-101,50" }]);
    expect(reserveAll(t, "ens6", "vlan").vnis).toEqual([50, 100, 101, 900]);
  });

  it("never hands out VNI 0, whose bit is pre-set", () => {
    const t = tenantConfig([{ name: "ens6", vniType: "vlan", vniRange: "0-2" }]);
    expect(reserveAll(t, "ens6", "vlan").vnis).toEqual([1, 2]);
  });

  it("takes the lowest free VNI, refilling a hole left by a release", () => {
    let t = tc;
    for (let i = 0; i < 3; i++) t = ok(reserveVni(t, "ens4", "vlan")).config;
    t = ok(releaseVni(t, "ens4", "vlan", 1001)).config;
    expect(ok(reserveVni(t, "ens4", "vlan")).vni).toBe(1001);
    expect(ok(reserveVni(ok(reserveVni(t, "ens4", "vlan")).config, "ens4", "vlan")).vni).toBe(1003);
  });

  it("addresses a profile by (name, vniType): the same NIC keeps separate vlan and vxlan reservations", () => {
    const a = ok(reserveVni(tc, "ens4", "vxlan"));
    expect(a.vni).toBe(600);
    const b = ok(reserveVni(a.config, "ens4", "vlan"));
    expect(b.vni).toBe(1000);
    expect(reservedVnis(b.config.hostDevices![0])).toEqual([1000]);
    expect(reservedVnis(b.config.hostDevices![3])).toEqual([600]);
  });

  it("uses the first matching profile in list order", () => {
    const dup = tenantConfig([
      { name: "ens4", vniType: "vlan", vniRange: "10-11" },
      { name: "ens4", vniType: "vlan", vniRange: "20-21" },
    ]);
    expect(findProfile(dup, "ens4", "vlan")).toBe(0);
    const { vnis } = reserveAll(dup, "ens4", "vlan");
    expect(vnis).toEqual([10, 11]);
  });

  it("returns a new TenantConfig and leaves the given one alone", () => {
    const before = JSON.stringify(tc);
    const r = ok(reserveVni(tc, "ens4", "vlan"));
    expect(JSON.stringify(tc)).toBe(before);
    expect(r.config).not.toBe(tc);
    expect(r.config.hostDevices![1]).toBe(tc.hostDevices![1]);
    expect(r.config.metadata).toEqual(tc.metadata);
  });

  it.each<[string, string, "vlan" | "vxlan"]>([
    ["an unknown NIC", "ens9", "vlan"],
    ["a known NIC with another vniType", "ens5", "vlan"],
    ["a direct profile", "bond2", "vlan"],
  ])("reports B-5 for %s", (_, name, vniType) => {
    expect(reserveVni(tc, name, vniType)).toEqual({ ok: false, rule: "B-5", reason: `TenantConfig tconf has no ${vniType} profile for ${name}` });
    expect(releaseVni(tc, name, vniType, 1000)).toMatchObject({ ok: false, rule: "B-5" });
  });

  it.each<[string, string]>([
    ["missing", ""],
    ["not base64", "%%%%"],
    ["too short for 5001 bits", Bitmap.create(4096).encode()],
  ])("reports B-4 when the profile's alloc is %s (running without the webhook?)", (_, alloc) => {
    const t = tenantConfig([{ name: "ens6", vniType: "vlan", vniRange: "10-20", alloc }]);
    const r = reserveVni(t, "ens6", "vlan");
    expect(r).toMatchObject({ ok: false, rule: "B-4" });
    expect(!r.ok && r.reason).toContain("corrupt");
    expect(releaseVni(t, "ens6", "vlan", 10)).toMatchObject({ ok: false, rule: "B-4" });
  });

  it("reports B-4 for a stored profile whose vniRange cannot be read", () => {
    const t = tenantConfig([{ name: "ens6", vniType: "vlan", vniRange: "10-x" }]);
    expect(reserveVni(t, "ens6", "vlan")).toMatchObject({ ok: false, rule: "B-4" });
  });
});

describe("releaseVni (§9.4)", () => {
  const tc = tenantConfig([{ name: "ens5", vniType: "vxlan", vniRange: "300-399,450" }]);

  it("after reserving the whole range, releasing everything restores the fresh bitmap", () => {
    const { vnis, config } = reserveAll(tc, "ens5", "vxlan");
    let t = config;
    for (const v of vnis) t = ok(releaseVni(t, "ens5", "vxlan", v)).config;
    expect(t.hostDevices![0].alloc).toBe(freshVniBitmap());
    expect(t).toEqual(tc);
  });

  it("clears a bit that was already clear without complaint", () => {
    expect(ok(releaseVni(tc, "ens5", "vxlan", 350)).config.hostDevices![0].alloc).toBe(freshVniBitmap());
  });

  it("releases a VNI outside the profile's range too (ranges may shrink after a reservation)", () => {
    const t = tenantConfig([{ name: "ens5", vniType: "vxlan", vniRange: "300-310" }]);
    const held = ok(reserveVni(t, "ens5", "vxlan"));
    const narrowed = { ...held.config, hostDevices: [{ ...held.config.hostDevices![0], vniRange: "305-310" }] };
    expect(reservedVnis(ok(releaseVni(narrowed, "ens5", "vxlan", 300)).config.hostDevices![0])).toEqual([]);
  });

  it("refuses a VNI beyond the bitmap as corrupt (B-4)", () => {
    expect(releaseVni(tc, "ens5", "vxlan", 6000)).toMatchObject({ ok: false, rule: "B-4" });
  });
});

describe("vniHeldBy (§9.4 step 2)", () => {
  it.each([
    [
      { host_device: "ens4", vlan: 1000 },
      { profile: "ens4", vniType: "vlan", vni: 1000 },
    ],
    [
      { host_device: "ens5", vxlan: 300 },
      { profile: "ens5", vniType: "vxlan", vni: 300 },
    ],
    [
      { host_device: "ens5", vlan: 7, vxlan: 300 },
      { profile: "ens5", vniType: "vxlan", vni: 300 },
    ],
    [
      { device_pool: "vendor.example/sriov_left", vlan: 3000 },
      { profile: "vendor.example/sriov_left", vniType: "vlan", vni: 3000 },
    ],
    [{ host_device: "bond2" }, undefined],
    [{ host_device: "ens4", vlan: 0, vxlan: 0 }, undefined],
    [undefined, undefined],
  ])("%j holds %j", (options, held) => {
    expect(vniHeldBy(options)).toEqual(held);
  });
});

describe("TenantNetworks bound one after another against one profile (§9.2, §9.3)", () => {
  function tenantNetworkCreate(i: number, tc: TenantConfig) {
    return admitNetwork(
      {
        operation: "CREATE",
        phase: "mutate",
        object: {
          apiVersion: API_VERSION,
          kind: "TenantNetwork",
          metadata: { name: `tn-${i}`, namespace: "ran-a" },
          spec: { NetworkType: "ipvlan", Options: { cidr: "10.60.0.0/28" } },
        },
      },
      { tenantConfig: tc, danmEps: [], chooseProfile: () => 0 },
    );
  }

  it("40 TenantNetworks get 40 distinct VNIs from a profile with 40 free VNIs and the 41st is denied by B-4", () => {
    let tc = tenantConfig([{ name: "ens4", vniType: "vlan", vniRange: "1000-1029,2000-2009" }], { ipvlan: "tnet" });
    const handedOut: number[] = [];
    for (let i = 0; i < 40; i++) {
      const outcome = tenantNetworkCreate(i, tc);
      expect(outcome.allowed).toBe(true);
      const vlan = (outcome.object as NetworkObject).spec!.Options!.vlan!;
      expect(outcome.reserved).toEqual({ profile: "ens4", vniType: "vlan", vni: vlan });
      handedOut.push(vlan);
      tc = outcome.tenantConfig!; // what the webhook persists before answering
    }
    expect(new Set(handedOut).size).toBe(40);
    expect(handedOut).toEqual([...range(1000, 1029), ...range(2000, 2009)]);
    expect(reservedVnis(tc.hostDevices![0])).toEqual([...handedOut].sort((a, b) => a - b));

    const last = tenantNetworkCreate(40, tc);
    expect(last.allowed).toBe(false);
    expect(last.issues.map(({ rule, type, path }) => ({ rule, type, path }))).toEqual([{ rule: "B-4", type: "Internal", path: "spec.Options.vlan" }]);
    expect(last.issues[0].detail).toContain("the vlan range 1000-1029,2000-2009 of profile ens4 in TenantConfig tconf is exhausted");
    expect(last.tenantConfig).toBeUndefined();
  });

  it("two creates decided against the same stale copy get the same VNI: the write must be conditional (resourceVersion)", () => {
    // models why the webhook writes with optimistic concurrency and re-decides on conflict (§9.3 steps 4–5)
    const tc = tenantConfig([{ name: "ens4", vniType: "vlan", vniRange: "1000-1039" }], { ipvlan: "tnet" });
    const a = tenantNetworkCreate(1, tc);
    const b = tenantNetworkCreate(2, tc);
    expect(a.reserved!.vni).toBe(b.reserved!.vni);
    const rebased = tenantNetworkCreate(2, a.tenantConfig!);
    expect(rebased.reserved!.vni).toBe(1001);
  });
});

describe("staleVniReservations (reconciler, decision 3)", () => {
  const tc = (() => {
    let t = tenantConfig([
      { name: "ens4", vniType: "vlan", vniRange: "1000-1999" },
      { name: "ens5", vniType: "vxlan", vniRange: "300-399" },
      { name: "bond2" },
    ]);
    for (const [name, type, n] of [
      ["ens4", "vlan", 3],
      ["ens5", "vxlan", 2],
    ] as const)
      for (let i = 0; i < n; i++) t = ok(reserveVni(t, name, type)).config;
    return t;
  })();

  it("finds the reservations no TenantNetwork holds", () => {
    const holders = [
      vniHeldBy({ host_device: "ens4", vlan: 1000 })!,
      vniHeldBy({ host_device: "ens4", vlan: 1002 })!,
      vniHeldBy({ host_device: "ens5", vxlan: 301 })!,
    ];
    expect(staleVniReservations(tc, holders)).toEqual([
      { profile: "ens4", vniType: "vlan", vni: 1001 },
      { profile: "ens5", vniType: "vxlan", vni: 300 },
    ]);
  });

  it("a holder of the same number on another profile or vniType does not hold it", () => {
    const holders = [
      { profile: "ens5", vniType: "vlan" as const, vni: 300 },
      { profile: "ens4", vniType: "vxlan" as const, vni: 300 },
      { profile: "ens6", vniType: "vxlan" as const, vni: 301 },
    ];
    expect(
      staleVniReservations(tc, holders)
        .filter((s) => s.profile === "ens5")
        .map((s) => s.vni),
    ).toEqual([300, 301]);
  });

  it("finds nothing when every reservation is held, and everything when nothing is", () => {
    const all: VniHolder[] = [
      ...[1000, 1001, 1002].map((vni) => ({ profile: "ens4", vniType: "vlan" as const, vni })),
      ...[300, 301].map((vni) => ({ profile: "ens5", vniType: "vxlan" as const, vni })),
    ];
    expect(staleVniReservations(tc, all)).toEqual([]);
    expect(staleVniReservations(tc, [])).toHaveLength(5);
  });

  it("ignores holders of VNIs that are not reserved, and profiles without a vniType", () => {
    expect(
      staleVniReservations(tenantConfig([{ name: "bond2" }, { name: "ens4", vniType: "vlan", vniRange: "1-9" }]), [
        { profile: "ens4", vniType: "vlan", vni: 5 },
      ]),
    ).toEqual([]);
  });

  it("releasing every stale reservation leaves exactly the held ones", () => {
    const holders = [{ profile: "ens4", vniType: "vlan" as const, vni: 1001 }];
    let t = tc;
    for (const s of staleVniReservations(tc, holders)) t = ok(releaseVni(t, s.profile, s.vniType, s.vni)).config;
    expect(reservedVnis(t.hostDevices![0])).toEqual([1001]);
    expect(reservedVnis(t.hostDevices![1])).toEqual([]);
    expect(staleVniReservations(t, holders)).toEqual([]);
  });
});

describe("reserve/release property (fast-check)", () => {
  /** A random vniRange text over 1..5000 and the VNIs it denotes. */
  const vniRangeArb = fc
    .uniqueArray(
      fc.oneof(
        fc.integer({ min: 1, max: MAX_VNI }).map((v) => [v, v] as const),
        fc.tuple(fc.integer({ min: 1, max: MAX_VNI }), fc.integer({ min: 0, max: 12 })).map(([a, n]) => [a, Math.min(MAX_VNI, a + n)] as const),
      ),
      {
        minLength: 1,
        maxLength: 6,
        selector: (r) => r[0],
      },
    )
    .map((parts) => ({
      text: parts.map(([a, b]) => (a === b ? `${a}` : `${a}-${b}`)).join(","),
      vnis: [...new Set(parts.flatMap(([a, b]) => range(a, b)))].sort((x, y) => x - y),
    }));
  const stepArb = fc.oneof(fc.constant({ op: "reserve" as const }), fc.record({ op: fc.constant("release" as const), pick: fc.nat() }));

  it("random interleavings never hand out a VNI twice, always give the lowest free one, and releasing all restores the fresh bitmap", () => {
    fc.assert(
      fc.property(vniRangeArb, fc.array(stepArb, { maxLength: 120 }), ({ text, vnis }, steps) => {
        const fresh = tenantConfig([{ name: "ens4", vniType: "vlan", vniRange: text }]);
        let tc = fresh;
        const held = new Set<number>();
        for (const step of steps) {
          if (step.op === "reserve") {
            const r = reserveVni(tc, "ens4", "vlan");
            const free = vnis.filter((v) => !held.has(v));
            if (free.length === 0) {
              expect(r).toMatchObject({ ok: false, rule: "B-4" });
              continue;
            }
            const { vni, config } = ok(r);
            expect(held.has(vni)).toBe(false);
            expect(vni).toBe(free[0]);
            held.add(vni);
            tc = config;
          } else if (held.size > 0) {
            const vni = [...held][step.pick % held.size];
            tc = ok(releaseVni(tc, "ens4", "vlan", vni)).config;
            held.delete(vni);
          }
          expect(reservedVnis(tc.hostDevices![0])).toEqual([...held].sort((a, b) => a - b));
        }
        for (const vni of held) tc = ok(releaseVni(tc, "ens4", "vlan", vni)).config;
        expect(tc.hostDevices![0].alloc).toBe(freshVniBitmap());
        expect(staleVniReservations(tc, [])).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });
});
