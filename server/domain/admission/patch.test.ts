// jsonPatch / applyPatch: the webhook's JSON patch (danm-spec §9.5, decision 9).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { TenantConfig } from "../api/tenantConfig";
import { freshVniBitmap } from "../tenancy/vni";
import { admitNetwork, type NetworkAdmissionContext } from "./network";
import { applyPatch, jsonPatch, type PatchOperation } from "./patch";

type Json = Record<string, unknown>;

describe("jsonPatch", () => {
  it("is empty for equal documents", () => {
    const doc = { spec: { NetworkID: "fh", Options: { cidr: "10.0.0.0/24", routes: { "10.1.0.0/16": "10.0.0.1" } }, AllowedTenants: ["a", "b"] } };
    expect(jsonPatch(doc, structuredClone(doc))).toEqual([]);
  });

  it("uses add for a member absent from the received object (never replace)", () => {
    expect(jsonPatch({ spec: { Options: { cidr: "10.0.0.0/26" } } }, { spec: { Options: { cidr: "10.0.0.0/26", alloc: "gAAAAAAAAAE=" } } })).toEqual([
      { op: "add", path: "/spec/Options/alloc", value: "gAAAAAAAAAE=" },
    ]);
  });

  it("adds a whole missing parent in one operation instead of descending into it", () => {
    expect(jsonPatch({ spec: {} }, { spec: { Options: { host_device: "ens4", vlan: 1000 } } })).toEqual([
      { op: "add", path: "/spec/Options", value: { host_device: "ens4", vlan: 1000 } },
    ]);
    expect(jsonPatch({ kind: "DanmNet" }, { kind: "DanmNet", spec: { NetworkType: "ipvlan" } })).toEqual([
      { op: "add", path: "/spec", value: { NetworkType: "ipvlan" } },
    ]);
  });

  it("uses add (which replaces) for a changed value, with the full new value", () => {
    expect(jsonPatch({ spec: { NetworkType: "MacVLAN" } }, { spec: { NetworkType: "macvlan" } })).toEqual([
      { op: "add", path: "/spec/NetworkType", value: "macvlan" },
    ]);
    expect(jsonPatch({ a: [1, 2, 3] }, { a: [1, 2] })).toEqual([{ op: "add", path: "/a", value: [1, 2] }]);
    expect(jsonPatch({ a: { b: 1 } }, { a: [1] })).toEqual([{ op: "add", path: "/a", value: [1] }]);
    expect(jsonPatch({ a: null }, { a: { b: 1 } })).toEqual([{ op: "add", path: "/a", value: { b: 1 } }]);
  });

  it("removes members the admitted object no longer has", () => {
    expect(jsonPatch({ spec: { Options: { alloc: "x", cidr: "10.0.0.0/24" } } }, { spec: { Options: { cidr: "10.0.0.0/24" } } })).toEqual([
      { op: "remove", path: "/spec/Options/alloc" },
    ]);
  });

  it("treats a member set to undefined as absent", () => {
    expect(jsonPatch({ a: 1, b: undefined }, { a: 1, c: undefined })).toEqual([]);
    expect(jsonPatch({ a: undefined }, { a: 2 })).toEqual([{ op: "add", path: "/a", value: 2 }]);
  });

  it("escapes / in keys as ~1 (routes are keyed by CIDR) and ~ as ~0", () => {
    const from = { spec: { Options: { routes: {} } } };
    const to = { spec: { Options: { routes: { "10.1.0.0/16": "10.0.0.1", "a~b": "x", "~1": "y" } } } };
    expect(jsonPatch(from, to).map((op) => op.path)).toEqual(["/spec/Options/routes/10.1.0.0~116", "/spec/Options/routes/a~0b", "/spec/Options/routes/~01"]);
    expect(applyPatch(from, jsonPatch(from, to))).toEqual(to);
    expect(jsonPatch(to, from).map((op) => op.path)).toEqual(["/spec/Options/routes/10.1.0.0~116", "/spec/Options/routes/a~0b", "/spec/Options/routes/~01"]);
  });

  it.each(["toString", "constructor", "valueOf", "hasOwnProperty"])("diffs a member named %s like any other (own members only)", (key) => {
    const from = JSON.parse(`{"${key}": 1}`) as Json;
    expect(jsonPatch(from, {})).toEqual([{ op: "remove", path: `/${key}` }]);
    expect(jsonPatch({}, from)).toEqual([{ op: "add", path: `/${key}`, value: 1 }]);
    expect(applyPatch({}, jsonPatch({}, from))).toEqual(from);
  });

  it("treats a member named __proto__ as data: patching it neither descends into nor changes any prototype", () => {
    const to = JSON.parse('{"routes": {"__proto__": {"polluted": "yes"}}}') as Json;
    const from = { routes: {} };
    const ops = jsonPatch(from, to);
    expect(ops).toEqual([{ op: "add", path: "/routes/__proto__", value: { polluted: "yes" } }]);
    const out = applyPatch(from, ops);
    expect(({} as Json).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(out.routes)).toBe(Object.prototype);
    expect(Object.keys(out.routes)).toEqual(["__proto__"]);
    expect(jsonPatch(out, to)).toEqual([]);
  });

  it("escapes the empty key as an empty reference token", () => {
    expect(jsonPatch({}, { "": 1 })).toEqual([{ op: "add", path: "/", value: 1 }]);
    expect(applyPatch({}, [{ op: "add", path: "/", value: 1 }])).toEqual({ "": 1 });
  });
});

describe("applyPatch", () => {
  it("adds, replaces and removes, creating nothing but the target member", () => {
    const doc = { spec: { Options: { cidr: "10.0.0.0/24", alloc: "old" } } };
    const ops: PatchOperation[] = [
      { op: "add", path: "/spec/Options/alloc", value: "new" },
      { op: "add", path: "/spec/NetworkType", value: "ipvlan" },
      { op: "remove", path: "/spec/Options/cidr" },
    ];
    expect(applyPatch(doc, ops)).toEqual({ spec: { Options: { alloc: "new" }, NetworkType: "ipvlan" } });
  });

  it("leaves its input and the operation values alone", () => {
    const doc = { spec: { Options: { routes: { "10.1.0.0/16": "10.0.0.1" } } } };
    const value = { start: "10.0.0.1" };
    const before = structuredClone(doc);
    const out = applyPatch(doc, [{ op: "add", path: "/spec/Options/allocation_pool", value }]);
    expect(doc).toEqual(before);
    (out.spec.Options as Json).allocation_pool = "changed";
    expect(value).toEqual({ start: "10.0.0.1" });
  });
});

/** A random JSON object and a second one sharing parts of its structure, so patches descend and remove. */
const keyArb = fc.oneof(
  fc.constantFrom("spec", "Options", "cidr", "routes", "10.1.0.0/16", "a~b", "~1", "/", "", "vlan", "toString", "constructor", "__proto__"),
  fc.string({ maxLength: 6 }),
);
// What arrives in an AdmissionReview has been through JSON: fc.jsonValue can produce -0, which JSON
// cannot carry (it reads back as 0), so values are normalised by a round trip.
const wireValueArb = fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.parse(JSON.stringify(v)) as unknown);
const jsonObjectArb = fc.dictionary(keyArb, wireValueArb, { maxKeys: 6 });

type Pick = 0 | 1 | 2 | 3;
function blend(a: unknown, b: unknown, picks: Pick[], at = { i: 0 }): unknown {
  const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
  if (!isObject(a) || !isObject(b)) return picks[at.i++ % picks.length] % 2 === 0 ? a : b;
  const out: Json = {};
  const put = (key: string, value: unknown) => Object.defineProperty(out, key, { value, writable: true, enumerable: true, configurable: true });
  for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
    const pick = picks[at.i++ % picks.length];
    if (pick === 0 && Object.hasOwn(a, key)) put(key, a[key]);
    else if (pick === 1 && Object.hasOwn(b, key)) put(key, b[key]);
    else if (pick === 2 && Object.hasOwn(a, key) && Object.hasOwn(b, key)) put(key, blend(a[key], b[key], picks, at));
    // pick 3: leave the member out
  }
  return out;
}
const pairArb = fc
  .tuple(jsonObjectArb, jsonObjectArb, fc.array(fc.constantFrom<Pick>(0, 1, 2, 3), { minLength: 1, maxLength: 40 }))
  .map(([from, other, picks]) => ({ from, to: blend(from, other, picks) as Json }));

describe("jsonPatch properties (fast-check)", () => {
  it("applyPatch(from, jsonPatch(from, to)) deep-equals to for random JSON objects", () => {
    fc.assert(
      fc.property(jsonObjectArb, jsonObjectArb, (from, to) => {
        expect(applyPatch(from, jsonPatch(from, to))).toEqual(to);
      }),
      { numRuns: 300 },
    );
  });

  it("applyPatch(from, jsonPatch(from, to)) deep-equals to for objects sharing structure", () => {
    fc.assert(
      fc.property(pairArb, ({ from, to }) => {
        const ops = jsonPatch(from, to);
        expect(applyPatch(from, ops)).toEqual(to);
        for (const op of ops) expect(["add", "remove"]).toContain(op.op);
      }),
      { numRuns: 300 },
    );
  });

  it("gives the operations, in the order, of the plain recursive walk it replaced", () => {
    const pointer = (key: string) => key.replace(/~/g, "~0").replace(/\//g, "~1");
    const isPlain = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
    const walk = (from: unknown, to: unknown, base = ""): PatchOperation[] => {
      if (isPlain(from) && isPlain(to)) {
        const ops: PatchOperation[] = [];
        for (const key of Object.keys(to)) {
          const path = `${base}/${pointer(key)}`;
          if (to[key] === undefined) continue;
          if (!Object.hasOwn(from, key) || from[key] === undefined) ops.push({ op: "add", path, value: to[key] });
          else ops.push(...walk(from[key], to[key], path));
        }
        for (const key of Object.keys(from))
          if (from[key] !== undefined && (!Object.hasOwn(to, key) || to[key] === undefined)) ops.push({ op: "remove", path: `${base}/${pointer(key)}` });
        return ops;
      }
      if (from === to || (typeof from === "object" && from !== null && typeof to === "object" && to !== null && JSON.stringify(from) === JSON.stringify(to)))
        return [];
      return [{ op: "add", path: base, value: to }];
    };
    fc.assert(
      fc.property(pairArb, ({ from, to }) => {
        expect(jsonPatch(from, to)).toEqual(walk(from, to));
        expect(jsonPatch(to, from, "/spec")).toEqual(walk(to, from, "/spec"));
      }),
      { numRuns: 500 },
    );
  });

  it("a document patched against itself needs no operations, and the patch survives a JSON round trip", () => {
    fc.assert(
      fc.property(pairArb, ({ from, to }) => {
        expect(jsonPatch(from, structuredClone(from))).toEqual([]);
        const wire = JSON.parse(JSON.stringify(jsonPatch(from, to))) as PatchOperation[];
        expect(applyPatch(from, wire)).toEqual(to);
      }),
      { numRuns: 200 },
    );
  });
});

// --- the patch sets of danm-spec §9.5, computed as the webhook does: jsonPatch(received, admitted) ---

const API_VERSION = "danm.k8s.io/v1";
const tconf = (hostDevices: TenantConfig["hostDevices"], networkIds: Record<string, string>): TenantConfig => ({
  apiVersion: API_VERSION,
  kind: "TenantConfig",
  metadata: { name: "tconf" },
  hostDevices: hostDevices!.map((p) => (p.vniType ? { ...p, alloc: freshVniBitmap() } : p)),
  networkIds,
});
const TC = tconf([{ name: "ens4", vniType: "vlan", vniRange: "1000-1999" }], { flannel: "flannel-t1" });
const net = (kind: string, spec: Json, name = "n1"): Json => ({
  apiVersion: API_VERSION,
  kind,
  metadata: kind === "ClusterNetwork" ? { name } : { name, namespace: "ran-a" },
  spec,
});
const POOL = { start: "10.0.0.10", end: "10.0.0.20", lastIp: "" };

function patchOf(object: Json, context: Partial<NetworkAdmissionContext> = {}, oldObject?: Json) {
  const outcome = admitNetwork(
    { operation: oldObject ? "UPDATE" : "CREATE", phase: "mutate", object, oldObject },
    { danmEps: [], tenantConfig: TC, chooseProfile: () => 0, ...context },
  );
  if (!outcome.allowed) throw new Error(JSON.stringify(outcome.issues));
  const ops = jsonPatch(object, outcome.object);
  expect(applyPatch(object, ops)).toEqual(outcome.object);
  return ops.map((op) => op.path).sort();
}

describe("patches of admitted networks (danm-spec §9.5)", () => {
  it("DanmNet with cidr, no pool, no NetworkType → alloc, NetworkType, allocation_pool", () => {
    expect(patchOf(net("DanmNet", { NetworkID: "fh", Options: { cidr: "10.0.0.0/24" } }))).toEqual([
      "/spec/NetworkType",
      "/spec/Options/alloc",
      "/spec/Options/allocation_pool",
    ]);
  });

  it("ClusterNetwork UPDATE with alloc and pool already present, no NetworkType → NetworkType only", () => {
    const stored = net("ClusterNetwork", {
      NetworkID: "oam",
      Options: {
        cidr: "10.0.0.0/24",
        allocation_pool: { start: "10.0.0.1", end: "10.0.0.254", lastIp: "" },
        alloc: "wAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAE=",
      },
    });
    expect(patchOf(stored, {}, stored)).toEqual(["/spec/NetworkType"]);
  });

  it("L2 ClusterNetwork with NetworkType set → no patch", () => {
    expect(patchOf(net("ClusterNetwork", { NetworkID: "oam", NetworkType: "ipvlan", Options: { host_device: "ens4", vlan: 10 } }))).toEqual([]);
  });

  it("TenantNetwork ipvlan with host_device matching a vlan profile, pool given → alloc, vlan", () => {
    expect(
      patchOf(net("TenantNetwork", { NetworkID: "tn", NetworkType: "ipvlan", Options: { host_device: "ens4", cidr: "10.0.0.0/24", allocation_pool: POOL } })),
    ).toEqual(["/spec/Options/alloc", "/spec/Options/vlan"]);
  });

  it("TenantNetwork macvlan without device, pool given → alloc, vlan, host_device", () => {
    expect(patchOf(net("TenantNetwork", { NetworkID: "tn", NetworkType: "macvlan", Options: { cidr: "10.0.0.0/24", allocation_pool: POOL } }))).toEqual([
      "/spec/Options/alloc",
      "/spec/Options/host_device",
      "/spec/Options/vlan",
    ]);
  });

  it("TenantNetwork flannel with a mapping → NetworkID only", () => {
    expect(patchOf(net("TenantNetwork", { NetworkType: "flannel", Options: {} }))).toEqual(["/spec/NetworkID"]);
  });

  it("UPDATEs of a dual-stack network never rewrite alloc or alloc6: changed by IPAM, or kept while other fields change", () => {
    const ipam = { requester: { username: "ipam" }, ipamIdentities: { users: ["ipam"], groups: [] } };
    const options = {
      cidr: "10.0.0.0/24",
      net6: "fd00::/64",
      allocation_pool: { start: "10.0.0.1", end: "10.0.0.254", lastIp: "" },
      allocation_pool_v6: { cidr: "fd00::/106", start: "fd00::1", end: "fd00::3f:fffe", lastIp: "" },
    };
    const alloc6 = Buffer.alloc(2 ** 22 / 8);
    alloc6[0] = 0xc0;
    alloc6[alloc6.length - 1] = 0x01;
    const stored = net("DanmNet", {
      NetworkID: "dual",
      NetworkType: "ipvlan",
      Options: { ...options, alloc: "wAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAE=", alloc6: alloc6.toString("base64") },
    });
    alloc6[0] = 0xe0;
    const allocated = net("DanmNet", {
      NetworkID: "dual",
      NetworkType: "ipvlan",
      Options: {
        ...options,
        allocation_pool_v6: { ...options.allocation_pool_v6, lastIp: "fd00::2" },
        alloc: "4AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAE=",
        alloc6: alloc6.toString("base64"),
      },
    });
    expect(patchOf(allocated, ipam, stored)).toEqual([]);
    const relabelled = { ...allocated, metadata: { ...(allocated.metadata as Json), labels: { team: "a" } } };
    expect(patchOf(relabelled, ipam, allocated)).toEqual([]);
  });

  it("network with only net6 → allocation_pool_v6 (alloc6 waits for the first IPv6 allocation)", () => {
    expect(patchOf(net("DanmNet", { NetworkID: "fh", NetworkType: "ipvlan", Options: { net6: "fd00::/120" } }))).toEqual(["/spec/Options/allocation_pool_v6"]);
  });

  it("a TenantNetwork without Options gets them added whole (no replace under a missing parent)", () => {
    const received = net("TenantNetwork", { NetworkID: "tn", NetworkType: "ipvlan" });
    expect(patchOf(received)).toEqual(["/spec/Options"]);
  });

  it("a mixed-case NetworkType is patched to lowercase", () => {
    expect(patchOf(net("DanmNet", { NetworkID: "fh", NetworkType: "IPVLAN", Options: {} }))).toEqual(["/spec/NetworkType"]);
  });
});
