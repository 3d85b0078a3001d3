import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { Bitmap } from "../bitmap";
import { formatIp, parseIp, type Family } from "../net/address";
import { addressAt, cidrContains, cidrSize, parseCidr, stripPrefix, type Cidr } from "../net/cidr";
import { allocateAddresses, freeAddresses } from "./allocate";
import { defaultV4Pool, defaultV6PoolBounds, defaultV6PoolCidr, freshIpBitmap, type PoolOptions } from "./pool";

type Op = { kind: "dynamic" } | { kind: "static"; at: number } | { kind: "free"; pick: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.constant({ kind: "dynamic" as const }) },
  { weight: 2, arbitrary: fc.nat().map((at) => ({ kind: "static" as const, at })) },
  { weight: 2, arbitrary: fc.nat().map((pick) => ({ kind: "free" as const, pick })) },
);

interface Scenario {
  family: Family;
  options: PoolOptions;
  /** The block the bitmap covers. */
  range: Cidr;
  start: bigint;
  end: bigint;
}

/** A v4 network of /22 … /30 with a random pool inside and maybe a route gateway. */
const v4Scenario: fc.Arbitrary<Scenario> = fc
  .record({ prefix: fc.integer({ min: 22, max: 30 }), a: fc.nat(), b: fc.nat(), gateway: fc.option(fc.nat()), base: fc.integer({ min: 0, max: 255 }) })
  .map(({ prefix, a, b, gateway, base }) => {
    const range = parseCidr(`10.${base}.0.0/${prefix}`);
    const size = Number(cidrSize(range));
    const x = 1 + (a % (size - 2));
    const y = 1 + (b % (size - 2));
    const [lo, hi] = x === y ? [1, size - 2] : [Math.min(x, y), Math.max(x, y)];
    const at = (i: number) => formatIp(addressAt(range, BigInt(i)));
    const options: PoolOptions = { cidr: `10.${base}.0.0/${prefix}`, allocation_pool: { start: at(lo), end: at(hi) } };
    if (gateway !== null) options.routes = { "0.0.0.0/0": at(gateway % size) };
    return { family: 4 as const, options: defaultV4Pool(options), range, start: BigInt(lo), end: BigInt(hi) };
  });

/** An IPv6 /120 pool inside a /64 with a random range inside it. */
const v6Scenario: fc.Arbitrary<Scenario> = fc.record({ a: fc.integer({ min: 1, max: 254 }), b: fc.integer({ min: 1, max: 254 }) }).map(({ a, b }) => {
  const range = parseCidr("fd00:1::100/120");
  const [lo, hi] = a === b ? [1, 254] : [Math.min(a, b), Math.max(a, b)];
  const at = (i: number) => formatIp(addressAt(range, BigInt(i)));
  const options = defaultV6PoolBounds(defaultV6PoolCidr({ net6: "fd00:1::/64", allocation_pool_v6: { cidr: "fd00:1::100/120", start: at(lo), end: at(hi) } }));
  return { family: 6 as const, options, range, start: BigInt(lo), end: BigInt(hi) };
});

function run(scenario: Scenario, ops: Op[]): void {
  const { family, range } = scenario;
  const key = family === 4 ? "ip" : "ip6";
  const allocOf = (o: PoolOptions) => (family === 4 ? o.alloc : o.alloc6);
  // an IPv6 network starts without alloc6 (created at the first allocation): that is a fresh bitmap
  const fresh = freshIpBitmap(range, []).encode();
  const initial = allocOf(scenario.options) ?? fresh;
  const reserved = Bitmap.decode(initial);
  const size = Number(cidrSize(range));
  const held = new Map<bigint, string>(); // index → result string
  let o = scenario.options;

  for (const step of ops) {
    if (step.kind === "free") {
      if (held.size === 0) continue;
      const [index, text] = [...held][step.pick % held.size];
      const freed = freeAddresses(o, { [key]: text });
      expect(freed.changed).toBe(true);
      o = freed.options;
      held.delete(index);
      continue;
    }
    const request = step.kind === "dynamic" ? "dynamic" : formatIp(addressAt(range, BigInt(step.at % size)));
    const result = allocateAddresses(o, { [key]: request });
    if (!result.ok) {
      if (step.kind === "dynamic") {
        expect(result.error.rule).toBe("A-5");
        for (let i = scenario.start; i <= scenario.end; i++) expect(held.has(i) || reserved.isSet(Number(i))).toBe(true);
      } else {
        expect(result.error.rule).toBe("A-4");
        const index = BigInt(step.at % size);
        expect(held.has(index) || reserved.isSet(Number(index))).toBe(true);
      }
      continue;
    }
    const text = family === 4 ? result.ip : result.ip6;
    const ip = parseIp(stripPrefix(text));
    const index = ip.value - range.network;
    expect(cidrContains(range, ip)).toBe(true);
    expect(held.has(index)).toBe(false); // never handed out twice while held
    expect(reserved.isSet(Number(index))).toBe(false); // never a reserved address
    if (step.kind === "dynamic") {
      expect(index >= scenario.start && index <= scenario.end).toBe(true);
    } else {
      expect(formatIp(ip)).toBe(request);
    }
    held.set(index, text);
    o = result.options;
  }

  for (const text of held.values()) o = freeAddresses(o, { [key]: text }).options;
  expect(allocOf(o) ?? fresh).toBe(initial);
}

describe("allocation properties", () => {
  it("never hands out an IPv4 address twice, keeps to the pool and cidr, and freeing everything restores the bitmap", () => {
    fc.assert(fc.property(v4Scenario, fc.array(op, { maxLength: 60 }), run), { numRuns: 150 });
  });

  it("never hands out an IPv6 address twice, keeps to the pool, and freeing everything restores the bitmap", () => {
    fc.assert(fc.property(v6Scenario, fc.array(op, { maxLength: 60 }), run), { numRuns: 150 });
  });

  it("fills a small pool completely with dynamic requests before failing, whatever lastIp says", () => {
    fc.assert(
      fc.property(
        v4Scenario.filter((s) => s.range.prefix >= 27),
        fc.nat(),
        (scenario, last) => {
          const size = Number(cidrSize(scenario.range));
          const lastIp = formatIp(addressAt(scenario.range, BigInt(last % size)));
          let o: PoolOptions = { ...scenario.options, allocation_pool: { ...scenario.options.allocation_pool, lastIp } };
          const reserved = Bitmap.decode(o.alloc!);
          const free = Number(scenario.end - scenario.start + 1n) - reserved.countSet(Number(scenario.start), Number(scenario.end));
          for (let i = 0; i < free; i++) {
            const r = allocateAddresses(o, { ip: "dynamic" });
            expect(r.ok).toBe(true);
            if (r.ok) o = r.options;
          }
          expect(allocateAddresses(o, { ip: "dynamic" })).toMatchObject({ ok: false, error: { rule: "A-5" } });
        },
      ),
      { numRuns: 100 },
    );
  });
});
