import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { Bitmap } from "../bitmap";
import { allocateAddresses } from "./allocate";
import { leakedAddresses } from "./leaks";
import { defaultV4Pool, defaultV6PoolBounds, defaultV6PoolCidr, type PoolOptions } from "./pool";

const v4 = (): PoolOptions => defaultV4Pool({ cidr: "10.0.0.0/24", routes: { "10.9.0.0/16": "10.0.0.1" } });

function allocate(o: PoolOptions, n: number) {
  const held: string[] = [];
  for (let i = 0; i < n; i++) {
    const r = allocateAddresses(o, { ip: "dynamic" });
    if (!r.ok) throw new Error(r.error.message);
    o = r.options;
    held.push(r.ip);
  }
  return { o, held };
}

describe("leakedAddresses", () => {
  it("a fresh network leaks nothing: network, broadcast and gateway bits are not leaks", () => {
    expect(leakedAddresses(v4(), [])).toEqual({ ip: [], ip6: [] });
  });

  it("allocated addresses held by endpoints are not leaks; the ones nobody holds are", () => {
    const { o, held } = allocate(v4(), 5);
    expect(
      leakedAddresses(
        o,
        held.map((ip) => ({ ip })),
      ),
    ).toEqual({ ip: [], ip6: [] });
    expect(
      leakedAddresses(
        o,
        held.slice(0, 3).map((ip) => ({ ip })),
      ).ip,
    ).toEqual(held.slice(3).map((a) => a.split("/")[0]));
  });

  it("IPv6 leaks are found in the pool's bitmap", () => {
    let o: PoolOptions = defaultV6PoolBounds(defaultV6PoolCidr({ net6: "fd00:1::/120" }));
    const r = allocateAddresses(o, { ip6: "dynamic" });
    if (!r.ok) throw new Error();
    o = r.options;
    expect(leakedAddresses(o, []).ip6).toEqual([r.ip6.split("/")[0]]);
    expect(leakedAddresses(o, [{ ip6: r.ip6 }]).ip6).toEqual([]);
  });

  it("a dual-stack network without alloc6 yet (created at the first IPv6 allocation) leaks no IPv6 address", () => {
    const o = defaultV6PoolBounds(defaultV6PoolCidr({ ...v4(), net6: "fd00:1::/64", routes6: { "fd01::/64": "fd00:1::1" } }));
    expect(o.alloc6).toBeUndefined();
    expect(leakedAddresses(o, [{ ip6: "fd00:1::7/64" }])).toEqual({ ip: [], ip6: [] });
  });

  it("a corrupt bitmap reports nothing rather than freeing what it cannot read", () => {
    expect(leakedAddresses({ ...v4(), alloc: "gA==" }, [])).toEqual({ ip: [], ip6: [] });
  });

  it("for any allocation, leaks are exactly the allocated addresses no endpoint holds", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 60 }), fc.array(fc.boolean(), { minLength: 60, maxLength: 60 }), (n, keep) => {
        const { o, held } = allocate(v4(), n);
        const holders = held.filter((_, i) => keep[i]);
        const expected = held
          .filter((_, i) => !keep[i])
          .map((a) => a.split("/")[0])
          .sort();
        return (
          JSON.stringify(
            leakedAddresses(
              o,
              holders.map((ip) => ({ ip })),
            ).ip.sort(),
          ) === JSON.stringify(expected)
        );
      }),
    );
  });

  it("Bitmap.findSet walks set bits in order across empty bytes", () => {
    const b = Bitmap.create(4096);
    for (const i of [3, 8, 1000, 4095]) b.set(i);
    const seen: number[] = [];
    for (let i = b.findSet(0); i >= 0; i = b.findSet(i + 1)) seen.push(i);
    expect(seen).toEqual([3, 8, 1000, 4095]);
  });
});
