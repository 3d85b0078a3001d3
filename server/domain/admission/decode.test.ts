// decodeStrictly copies what a schema accepts without zod: the copy must be zod's result exactly
// (values, members, their order) and never stand for a value zod refuses.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { ClusterNetwork, DanmNet, TenantNetwork } from "../api/network";
import { TenantConfig } from "../api/tenantConfig";
import { decodedCopy, decodeStrictly } from "./decode";

/** The copy, if any, against zod's own answer; counts how often the copy answered. */
function compare(schema: z.ZodType, value: unknown, tally: { copied: number; refused: number }) {
  const copy = decodedCopy(schema, value);
  const parsed = schema.safeParse(value);
  if (!parsed.success) tally.refused++;
  if (!copy) return;
  tally.copied++;
  expect(parsed.success, JSON.stringify(value)).toBe(true);
  expect(copy.value).toStrictEqual(parsed.data);
  // member order too: it decides the order of patch operations
  expect(JSON.stringify(copy.value)).toBe(JSON.stringify(parsed.data));
  expect(copy.value).not.toBe(value);
}

// mostly right, sometimes wrong, sometimes absent: wrong values from JSON and a few non-JSON ones
const odd = fc.oneof(fc.jsonValue({ maxDepth: 1 }), fc.constantFrom(undefined, NaN, Infinity, -0, 1.5, 2 ** 60, -1, 70000, Object.create(null), new Date(0)));
const maybe = <T>(a: fc.Arbitrary<T>) => fc.oneof({ weight: 60, arbitrary: a }, { weight: 1, arbitrary: odd });
const shuffled = (entries: [string, unknown][], order: number[]) =>
  Object.fromEntries(
    entries
      .map((e, i) => [order[i % order.length] ?? 0, e] as const)
      .sort((a, b) => a[0] - b[0])
      .map(([, e]) => e),
  );
/** An object from optional members, in a random order, now and then with a member no schema has. */
const object = (members: Record<string, fc.Arbitrary<unknown>>) =>
  fc
    .tuple(
      fc.record(Object.fromEntries(Object.entries(members).map(([k, a]) => [k, maybe(a)])), { requiredKeys: [] }),
      fc.array(fc.nat(), { minLength: 1, maxLength: 12 }),
      fc.oneof({ weight: 40, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.constantFrom("extra", "__proto__", "Cidr", "toString") }),
    )
    .map(([record, order, extra]) => {
      const entries = Object.entries(record).filter(([, v]) => v !== undefined || Math.random() < 0.02);
      if (extra !== null) entries.push([extra, "x"]);
      const out = shuffled(entries, order);
      if (extra === "__proto__") Object.defineProperty(out, "__proto__", { value: "x", enumerable: true, writable: true, configurable: true });
      return out;
    });
const text = fc.oneof(fc.constantFrom("10.0.0.0/24", "fd00::/64", "ens4", "", "a~b/c"), fc.string({ maxLength: 5 }));
const id = (max: number) => fc.oneof({ weight: 20, arbitrary: fc.integer({ min: 0, max }) }, { weight: 1, arbitrary: fc.constantFrom(max + 1, -1, 0.5) });
const stringMap = fc.dictionary(fc.oneof(text, fc.constantFrom("__proto__", "10.1.0.0/16")), maybe(text), { maxKeys: 3 });
const metadata = object({ name: text, namespace: text, uid: text, resourceVersion: text, labels: stringMap, annotations: stringMap, generateName: text });
const options = object({
  host_device: text,
  device_pool: text,
  cidr: text,
  allocation_pool: object({ start: text, end: text, lastIp: text }),
  alloc: text,
  routes: stringMap,
  net6: text,
  allocation_pool_v6: object({ cidr: text, start: text, end: text, lastIp: text }),
  alloc6: text,
  routes6: stringMap,
  container_prefix: text,
  rt_tables: id(255),
  vlan: id(4094),
  vxlan: id(16777215),
});
const spec = object({ NetworkID: text, NetworkType: text, AllowedTenants: fc.array(maybe(text), { maxLength: 3 }), Options: options });
const network = (kind: string) =>
  object({ apiVersion: fc.constant("danm.k8s.io/v1"), kind: fc.constant(kind), metadata, spec }).map((o) => ({
    apiVersion: "danm.k8s.io/v1",
    kind,
    metadata: { name: "n" },
    ...o,
  }));
const tenantConfig = object({
  apiVersion: fc.constant("danm.k8s.io/v1"),
  kind: fc.constant("TenantConfig"),
  metadata,
  hostDevices: fc.array(maybe(object({ name: text, vniType: text, vniRange: text, alloc: text })), { maxLength: 3 }),
  networkIds: stringMap,
}).map((o) => ({ apiVersion: "danm.k8s.io/v1", kind: "TenantConfig", metadata: {}, ...o }));

describe("decodeStrictly's copy", () => {
  for (const [name, schema, arb] of [
    ["DanmNet", DanmNet, network("DanmNet")],
    ["TenantNetwork", TenantNetwork, network("TenantNetwork")],
    ["ClusterNetwork", ClusterNetwork, network("ClusterNetwork")],
    ["TenantConfig", TenantConfig, tenantConfig],
  ] as const) {
    it(`is zod's result for every ${name} zod accepts, and stands for none it refuses`, () => {
      const tally = { copied: 0, refused: 0 };
      fc.assert(
        fc.property(arb, (value) => compare(schema, value, tally)),
        { numRuns: 1500 },
      );
      // both sides were exercised
      expect(tally.copied).toBeGreaterThan(100);
      expect(tally.refused).toBeGreaterThan(100);
    });
  }

  it("leaves a record with a symbol key to zod, which refuses it", () => {
    const labels = { a: "b", [Symbol("s")]: "c" };
    const value = { apiVersion: "danm.k8s.io/v1", kind: "TenantNetwork", metadata: { name: "n", labels } };
    expect(decodedCopy(TenantNetwork, value)).toBeUndefined();
    expect(decodeStrictly(TenantNetwork, value, "N-0").ok).toBe(TenantNetwork.safeParse(value).success);
  });

  it("never stands for a value a refinement of an object, record, literal or optional member refuses", () => {
    const notX = (v: unknown) => v !== "x" && (typeof v !== "object" || v === null || (v as { a?: unknown }).a !== "x");
    const cases: [z.ZodType, unknown][] = [
      [z.strictObject({ a: z.string() }).refine(notX), { a: "x" }],
      [z.looseObject({ a: z.string() }).refine(notX), { a: "x" }],
      [z.record(z.string(), z.string()).refine(notX), { a: "x" }],
      [z.literal("x").refine(notX), "x"],
      [z.strictObject({ a: z.string().optional().refine(notX) }), { a: "x" }],
      [z.array(z.strictObject({ a: z.string() }).refine(notX)), [{ a: "x" }]],
    ];
    for (const [schema, value] of cases) {
      expect(schema.safeParse(value).success).toBe(false);
      expect(decodedCopy(schema, value)).toBeUndefined();
      expect(decodeStrictly(schema, value, "N-0").ok).toBe(false);
    }
  });

  it("leaves refusals, with zod's words, to zod", () => {
    const r = decodeStrictly(
      TenantNetwork,
      { apiVersion: "danm.k8s.io/v1", kind: "TenantNetwork", metadata: {}, spec: { Options: { vlan: 5000, cidrs: "x" } } },
      "N-0",
    );
    expect(r.ok).toBe(false);
    expect(!r.ok && r.issues.map((i) => i.path)).toEqual(["spec.Options.vlan", "spec.Options"]);
  });
});
