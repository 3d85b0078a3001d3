// Properties of admitNetwork over arbitrary input (fast-check): it never throws, and its answer is
// always well formed: allowed with an object, or denied with at least one issue carrying a rule ID.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { DanmEp } from "../api/danmEp";
import type { TenantConfig } from "../api/tenantConfig";
import { Bitmap } from "../bitmap";
import type { IssueType } from "../issue";
import { freshVniBitmap, reserveVni } from "../tenancy/vni";
import { admitNetwork, type NetworkAdmissionContext, type NetworkAdmissionRequest, type NetworkOutcome } from "./network";
import type { Phase } from "./outcome";

const API_VERSION = "danm.k8s.io/v1";
const ISSUE_TYPES: IssueType[] = ["Required", "Invalid", "Forbidden", "NotSupported", "TooLong", "Conflict", "Internal"];
const RULE_ID = /^(N-(\d|1\d|2\d)|B-[1-6])$/;

function tenantConfig(hostDevices: { name: string; vniType?: string; vniRange?: string; alloc?: string }[], networkIds: Record<string, string>): TenantConfig {
  return {
    apiVersion: API_VERSION,
    kind: "TenantConfig",
    metadata: { name: "tconf" },
    hostDevices: hostDevices.map((p) => (p.vniType && p.alloc === undefined ? { ...p, alloc: freshVniBitmap() } : p)),
    networkIds,
  };
}
const FULL = (() => {
  const tc = tenantConfig([{ name: "ens6", vniType: "vlan", vniRange: "9" }], { ipvlan: "tnet" });
  const r = reserveVni(tc, "ens6", "vlan");
  if (!r.ok) throw new Error(r.reason);
  return r.config;
})();
const TENANT_CONFIGS: (TenantConfig | undefined)[] = [
  undefined,
  tenantConfig(
    [
      { name: "ens4", vniType: "vlan", vniRange: "1000-1999" },
      { name: "ens5", vniType: "vxlan", vniRange: "300-399,450" },
      { name: "bond2" },
      { name: "vendor.example/sriov_left", vniType: "vlan", vniRange: "3000-3099" },
    ],
    { flannel: "flannel-t1", ipvlan: "tnet", macvlan: "tnet-mac", sriov: "tnet-sr" },
  ),
  tenantConfig([{ name: "ens4", vniType: "vlan", vniRange: "1-2", alloc: "corrupt" }], {}),
  tenantConfig([{ name: "vendor.example/sriov_left", vniType: "vlan", vniRange: "10-20" }], { ipvlan: "a-very-long-network-id" }),
  FULL,
];

function danmEp(networkName: string, apiType: string | undefined, namespace: string): DanmEp {
  return {
    apiVersion: API_VERSION,
    kind: "DanmEp",
    metadata: { name: `ep-${networkName}-${apiType}-${namespace}`, namespace },
    spec: { NetworkName: networkName, apiType, Pod: "web-0" },
  } as DanmEp;
}
const DANM_EPS: DanmEp[] = ["n1", "n2"].flatMap((n) =>
  ["DanmNet", "TenantNetwork", "ClusterNetwork", undefined].flatMap((t) => ["ran-a", "ran-b"].map((ns) => danmEp(n, t, ns))),
);

// --- a generator of network-shaped objects that reach deep into the pipeline ---
/** Mostly values that pass, sometimes values that break a rule. */
const mostly = <T>(good: T[], bad: T[]) => fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...good) }, { weight: 1, arbitrary: fc.constantFrom(...bad) });
const ipv4 = mostly(["10.0.0.10", "10.0.0.20", "10.0.0.200"], ["10.0.1.1", "10.0.0.255", "10.0.0", "fd00::1", ""]);
const ipv6 = mostly(["fd00::10", "fd00::20", "fd00::fe"], ["fd00::1:0", "fd01::1", "fd00::zz", "10.0.0.1", ""]);
const cidr = mostly(["10.0.0.0/24", "10.0.0.77/26", "10.0.0.0/30", "10.0.0.0/20"], ["10.0.0.4/31", "10.0.0.5/32", "10.0.0.0/8", "fd00::/64", "10.0.0/24", ""]);
const net6 = mostly(["fd00::/120", "fd00::/112", "fd00::/116"], ["fd00::/127", "fd00::1/128", "fd00::/106", "10.0.0.0/24", "fd00::/129", ""]);
const poolCidr = mostly(["fd00::/120", "fd00::/124"], ["fd00::/112", "fd00::/104", "fd01::/120", "fd00::/129", "10.0.0.0/24", ""]);
const bitmap = mostly([""], ["gAAAAAAAAAE=", "wAAAAAAAAAE=", "kA==", "not-base64", Bitmap.create(256).encode()]);
const routes = (gw: fc.Arbitrary<string>) => fc.dictionary(fc.constantFrom("10.1.0.0/16", "default", "fd00:21::/48", "a/b"), gw, { maxKeys: 2 });
const OPTION_FIELDS = {
  host_device: mostly(["ens4", "ens5", "bond2"], ["ens9", "vendor.example/sriov_left", ""]),
  device_pool: mostly(["vendor.example/sriov_left"], ["vendor.example/other", ""]),
  cidr,
  allocation_pool: fc.record({ start: ipv4, end: ipv4, lastIp: fc.constantFrom("", "10.0.0.5/24") }, { requiredKeys: [] }),
  alloc: bitmap,
  routes: routes(ipv4),
  net6,
  allocation_pool_v6: fc.record({ cidr: poolCidr, start: ipv6, end: ipv6, lastIp: fc.constant("") }, { requiredKeys: [] }),
  alloc6: bitmap,
  routes6: routes(ipv6),
  container_prefix: fc.constantFrom("eth", "sig"),
  rt_tables: fc.integer({ min: 0, max: 255 }),
  vlan: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 4094 })),
  vxlan: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 16777214 })),
};
/** A few option fields at a time, so that many objects pass every rule. */
const options = fc
  .tuple(fc.record(OPTION_FIELDS), fc.subarray(Object.keys(OPTION_FIELDS) as (keyof typeof OPTION_FIELDS)[], { maxLength: 5 }))
  .map(([all, keep]) => Object.fromEntries(keep.map((k) => [k, all[k]])));
const spec = fc.record(
  {
    NetworkID: mostly(["n1", "fronthaul1"], ["fronthaul01", "", "flannel-network"]),
    NetworkType: mostly(["ipvlan", "macvlan", "flannel", ""], ["IPVLAN", "sriov", "SRIOV", "Calico"]),
    AllowedTenants: mostly([[]], [["ran-a"]]),
    Options: options,
  },
  { requiredKeys: [] },
);
const networkLike = fc.record(
  {
    apiVersion: mostly([API_VERSION], ["v1"]),
    kind: mostly(["DanmNet", "TenantNetwork", "ClusterNetwork"], ["Pod"]),
    metadata: fc.record({ name: fc.constantFrom("n1", "n2"), namespace: fc.constantFrom("ran-a", "ran-b") }, { requiredKeys: [] }),
    spec,
  },
  { requiredKeys: ["kind", "apiVersion", "metadata"] },
);
/** Old objects that do not decode: right kind, but anything may be missing or of the wrong type. */
const brokenNetwork = fc.record(
  {
    kind: fc.constantFrom("DanmNet", "TenantNetwork", "ClusterNetwork"),
    metadata: fc.oneof(fc.constant(null), fc.anything(), fc.record({ name: fc.constantFrom("n1", "n2") })),
    spec: fc.anything(),
  },
  { requiredKeys: ["kind"] },
);
const networkOrJunk = fc.oneof(
  { weight: 6, arbitrary: networkLike },
  { weight: 2, arbitrary: brokenNetwork },
  { weight: 1, arbitrary: fc.anything() },
  { weight: 1, arbitrary: fc.object() },
);

const contextArb = fc.record({
  tenantConfig: fc.constantFrom(...TENANT_CONFIGS),
  danmEps: fc.subarray(DANM_EPS, { maxLength: 4 }),
  chooseProfile: fc.nat({ max: 5 }).map((n) => () => n),
}) as fc.Arbitrary<NetworkAdmissionContext>;
const phaseArb = fc.constantFrom<Phase>("mutate", "validate");

function expectWellFormed(outcome: NetworkOutcome, request: NetworkAdmissionRequest) {
  expect(typeof outcome.allowed).toBe("boolean");
  expect(Array.isArray(outcome.warnings)).toBe(true);
  if (outcome.allowed) {
    expect(outcome.issues).toEqual([]);
    expect(outcome.object).toBeDefined();
    expect(outcome.object!.kind).toBe((request.object as { kind: string }).kind);
    if (outcome.reserved) {
      const o = outcome.object!.spec!.Options!;
      expect(o[outcome.reserved.vniType]).toBe(outcome.reserved.vni);
      expect(outcome.tenantConfig).toBeDefined();
    }
  } else {
    expect(outcome.issues.length).toBeGreaterThanOrEqual(1);
    expect(outcome.object).toBeUndefined();
    expect(outcome.tenantConfig).toBeUndefined();
    for (const i of outcome.issues) {
      expect(i.rule).toMatch(RULE_ID);
      expect(ISSUE_TYPES).toContain(i.type);
      expect(typeof i.path === "string" && i.path.length > 0).toBe(true);
      expect(typeof i.detail === "string" && i.detail.length > 0).toBe(true);
    }
  }
}

describe("admitNetwork properties (fast-check)", () => {
  it("never throws for arbitrary values (fc.anything) and answers allowed-with-object or denied-with-issues", () => {
    fc.assert(
      fc.property(fc.anything(), fc.constantFrom<"CREATE" | "UPDATE">("CREATE", "UPDATE"), phaseArb, (object, operation, phase) => {
        const request: NetworkAdmissionRequest = { operation, phase, object };
        const outcome = admitNetwork(request, { danmEps: DANM_EPS, tenantConfig: TENANT_CONFIGS[1] });
        expectWellFormed(outcome, request);
        expect(outcome.allowed).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it("never throws for arbitrary objects (fc.object) as object and oldObject", () => {
    fc.assert(
      fc.property(fc.object(), fc.option(fc.object(), { nil: undefined }), phaseArb, (object, oldObject, phase) => {
        const request: NetworkAdmissionRequest = { operation: oldObject ? "UPDATE" : "CREATE", phase, object, oldObject };
        expectWellFormed(admitNetwork(request, { danmEps: DANM_EPS, tenantConfig: TENANT_CONFIGS[1] }), request);
      }),
      { numRuns: 300 },
    );
  });

  it("never throws for network-shaped objects, with any old object and cluster state, and answers well formed", () => {
    fc.assert(
      fc.property(networkLike, fc.option(networkOrJunk, { nil: undefined }), phaseArb, contextArb, (object, oldObject, phase, context) => {
        const request: NetworkAdmissionRequest = { operation: oldObject === undefined ? "CREATE" : "UPDATE", phase, object, oldObject };
        expectWellFormed(admitNetwork(request, context), request);
      }),
      { numRuns: 500 },
    );
  });

  it("the network-shaped generator reaches every stage: many objects are admitted, denials span addressing, identity and binding", () => {
    const outcomes = fc
      .sample(fc.tuple(networkLike, contextArb), { numRuns: 1000, seed: 42 })
      .map(([object, context]) => admitNetwork({ operation: "CREATE", phase: "mutate", object }, context));
    const allowed = outcomes.filter((o) => o.allowed).length;
    expect(allowed).toBeGreaterThan(150);
    const firstRules = new Set(outcomes.filter((o) => !o.allowed).map((o) => o.issues[0].rule));
    for (const rule of ["N-0", "N-2", "N-7", "N-11", "N-21", "N-23", "N-24", "B-1"]) expect(firstRules).toContain(rule);
    expect(outcomes.some((o) => o.reserved)).toBe(true);
  });

  it("an UPDATE whose stored oldObject lacks metadata does not throw while DanmEps exist (regression)", () => {
    const object = { apiVersion: API_VERSION, kind: "DanmNet", metadata: { name: "n1", namespace: "ran-a" }, spec: { NetworkID: "n1" } };
    for (const oldObject of [{ kind: "DanmNet" }, { kind: "DanmNet", metadata: null }, { kind: "DanmNet", metadata: "x", spec: 5 }]) {
      const request: NetworkAdmissionRequest = { operation: "UPDATE", phase: "mutate", object, oldObject };
      expectWellFormed(admitNetwork(request, { danmEps: DANM_EPS }), request);
    }
  });

  it("what the mutating pass admits on CREATE, the validating pass admits unchanged and without reserving", () => {
    fc.assert(
      fc.property(networkLike, contextArb, (object, context) => {
        const mutated = admitNetwork({ operation: "CREATE", phase: "mutate", object }, context);
        fc.pre(mutated.allowed);
        const validated = admitNetwork({ operation: "CREATE", phase: "validate", object: mutated.object }, context);
        expect(validated.issues).toEqual([]);
        expect(validated.object).toEqual(mutated.object);
        expect(validated.tenantConfig).toBeUndefined();
        expect(validated.reserved).toBeUndefined();
      }),
      { numRuns: 600 },
    );
  });

  it("an admitted network sent back unchanged as an UPDATE of itself is admitted unchanged (defaulting is idempotent)", () => {
    fc.assert(
      fc.property(networkLike, contextArb, phaseArb, (object, context, phase) => {
        const created = admitNetwork({ operation: "CREATE", phase: "mutate", object }, context);
        fc.pre(created.allowed);
        const again = admitNetwork({ operation: "UPDATE", phase, object: created.object, oldObject: created.object }, context);
        expect(again.issues).toEqual([]);
        expect(again.object).toEqual(created.object);
        expect(again.warnings).toEqual([]);
        expect(again.tenantConfig).toBeUndefined();
      }),
      { numRuns: 600 },
    );
  });
});
