import { describe, expect, it } from "vitest";
import { Bitmap } from "../bitmap";
import { AddressError, parseIp } from "../net/address";
import { parseCidr } from "../net/cidr";
import {
  defaultV4Pool,
  defaultV6PoolBounds,
  defaultV6PoolCidr,
  freshIpBitmap,
  MAX_BITMAP_BITS,
  DEFAULT_V6_POOL_PREFIX,
  maxV6PoolPrefix,
  MIN_V4_PREFIX,
  type PoolOptions,
} from "./pool";
import { allocateAddresses } from "./allocate";

describe("freshIpBitmap reference values (danm-spec §7)", () => {
  it.each([
    ["10.0.0.0/30", "kA=="],
    ["10.0.0.0/29", "gQ=="],
    ["10.0.0.0/28", "gAE="],
    ["10.0.0.0/26", "gAAAAAAAAAE="],
  ])("a fresh %s encodes as %s", (cidr, encoded) => {
    expect(freshIpBitmap(parseCidr(cidr), []).encode()).toBe(encoded);
  });

  it("a /26 after its first dynamic allocation (.1) encodes as wAAAAAAAAAE=", () => {
    const result = allocateAddresses(defaultV4Pool<PoolOptions>({ cidr: "10.0.0.0/26" }), { ip: "dynamic" });
    expect(result).toMatchObject({ ok: true, ip: "10.0.0.1/26" });
    expect(result.ok && result.options.alloc).toBe("wAAAAAAAAAE=");
  });

  it("a /24 with a route gateway at .1 encodes with that bit reserved", () => {
    const o = defaultV4Pool<PoolOptions>({ cidr: "10.0.0.0/24", routes: { "10.1.0.0/16": "10.0.0.1" } });
    expect(o.alloc).toBe("wAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAE=");
  });

  it("reserves only gateways inside the range", () => {
    const b = freshIpBitmap(parseCidr("10.0.0.0/29"), [parseIp("10.0.0.3"), parseIp("10.0.1.3"), parseIp("fd00::3")]);
    expect(b.countSet()).toBe(3);
    expect(b.isSet(3)).toBe(true);
  });

  it("holds at most 2^23 bits", () => {
    expect(freshIpBitmap(parseCidr("10.0.0.0/9"), []).length).toBe(MAX_BITMAP_BITS);
    expect(freshIpBitmap(parseCidr("fd00::/105"), []).length).toBe(MAX_BITMAP_BITS);
    expect(() => freshIpBitmap(parseCidr("10.0.0.0/8"), [])).toThrow(AddressError);
    expect(() => freshIpBitmap(parseCidr("fd00::/104"), [])).toThrow(AddressError);
  });

  it("reserves the single address of a /32 and both of a /31", () => {
    expect(freshIpBitmap(parseCidr("10.0.0.5/32"), []).encode()).toBe("gA==");
    expect(freshIpBitmap(parseCidr("10.0.0.4/31"), []).encode()).toBe("wA==");
  });
});

describe("maxV6PoolPrefix (danm-spec §10.6)", () => {
  it("is /105 without IPv4", () => {
    expect(maxV6PoolPrefix(undefined)).toBe(105);
  });

  it.each([30, 29, 24, 20, 16, 12, 11])("is /106 beside an IPv4 /%i", (prefix) => {
    expect(maxV6PoolPrefix(parseCidr(`10.0.0.0/${prefix}`))).toBe(106);
  });

  it("is /107 beside an IPv4 /10", () => {
    expect(maxV6PoolPrefix(parseCidr("10.0.0.0/10"))).toBe(107);
  });

  it("is undefined beside an IPv4 /9, which takes the whole capacity", () => {
    expect(maxV6PoolPrefix(parseCidr(`10.0.0.0/${MIN_V4_PREFIX}`))).toBeUndefined();
  });
});

describe("defaultV4Pool", () => {
  it("fills start, end and alloc with the stored shape {start, end, lastIp}", () => {
    expect(defaultV4Pool<PoolOptions>({ cidr: "10.60.0.0/25" })).toEqual({
      cidr: "10.60.0.0/25",
      allocation_pool: { start: "10.60.0.1", end: "10.60.0.126", lastIp: "" },
      alloc: freshIpBitmap(parseCidr("10.60.0.0/25"), []).encode(),
    });
  });

  it("keeps a user's pool bounds and lastIp and never rebuilds a non-empty alloc", () => {
    const o = { cidr: "172.20.4.0/24", allocation_pool: { start: "172.20.4.20", end: "", lastIp: "172.20.4.30" }, alloc: "kA==" };
    const out = defaultV4Pool(o);
    expect(out.allocation_pool).toEqual({ start: "172.20.4.20", end: "172.20.4.254", lastIp: "172.20.4.30" });
    expect(out.alloc).toBe("kA==");
    expect(o.allocation_pool.end).toBe("");
  });

  it("masks host bits of cidr and ignores gateways that do not parse", () => {
    const out = defaultV4Pool<PoolOptions>({ cidr: "10.0.0.77/30", routes: { "0.0.0.0/0": "bogus" } });
    expect(out.allocation_pool).toEqual({ start: "10.0.0.77", end: "10.0.0.78", lastIp: "" });
    expect(out.alloc).toBe("kA==");
  });

  it("gives a /32 a default pool outside it and a /31 an inverted one (N-11, N-12 deny them)", () => {
    expect(defaultV4Pool<PoolOptions>({ cidr: "10.0.0.5/32" }).allocation_pool).toEqual({ start: "10.0.0.6", end: "10.0.0.4", lastIp: "" });
    expect(defaultV4Pool<PoolOptions>({ cidr: "255.255.255.255/32" }).allocation_pool).toEqual({ start: "0.0.0.0", end: "255.255.255.254", lastIp: "" });
    expect(defaultV4Pool<PoolOptions>({ cidr: "10.0.0.4/31" }).allocation_pool).toEqual({ start: "10.0.0.5", end: "10.0.0.4", lastIp: "" });
  });
});

function defaultedV6(o: PoolOptions): PoolOptions {
  return defaultV6PoolBounds(defaultV6PoolCidr(o));
}

describe("IPv6 pool defaulting (danm-spec §8.3, §10.6)", () => {
  it("gives net6 /64 its first /112 (65,536 addresses), with or without IPv4 beside it, instead of the /105 or /106 storage limit", () => {
    for (const cidr of [undefined, "10.0.0.0/30", "10.0.0.0/24", "10.0.0.0/11", "10.0.0.0/10"]) {
      expect(defaultedV6({ cidr, net6: "fd00::/64" }).allocation_pool_v6, `beside ${cidr ?? "no IPv4"}`).toEqual({
        cidr: "fd00::/112",
        start: "fd00::1",
        end: "fd00::fffe",
        lastIp: "",
      });
    }
    // its bitmap is 8 KiB, 10,924 characters of base64, like an IPv4 /16's (the limit's /106: 699,052)
    expect(freshIpBitmap(parseCidr("fd00::/112"), []).encode().length).toBe(10924);
    expect(DEFAULT_V6_POOL_PREFIX).toBe(112);
  });

  it("leaves a larger pool, up to the storage limit, to whoever sets allocation_pool_v6.cidr", () => {
    const out = defaultedV6({ cidr: "10.0.0.0/24", net6: "fd00::/64", allocation_pool_v6: { cidr: "fd00::/106" } });
    expect(out.allocation_pool_v6).toEqual({ cidr: "fd00::/106", start: "fd00::1", end: "fd00::3f:fffe", lastIp: "" });
  });

  it("leaves the pool cidr empty beside an IPv4 /9 (N-17 denies it)", () => {
    const out = defaultV6PoolCidr<PoolOptions>({ cidr: "10.0.0.0/9", net6: "fd00::/64" });
    expect(out.allocation_pool_v6).toEqual({ cidr: "", start: "", end: "", lastIp: "" });
    expect(defaultV6PoolBounds(out).alloc6).toBeUndefined();
  });

  it("uses a net6 /120 itself as the pool", () => {
    const out = defaultedV6({ cidr: "10.0.0.0/24", net6: "fd00::ab00/120" });
    expect(out.allocation_pool_v6).toEqual({ cidr: "fd00::ab00/120", start: "fd00::ab01", end: "fd00::abfe", lastIp: "" });
    expect(out.alloc6).toBeUndefined(); // created at the first IPv6 allocation
  });

  it("completes the §2.3 backhaul example", () => {
    const out = defaultedV6(
      defaultV4Pool<PoolOptions>({
        cidr: "172.20.4.0/24",
        allocation_pool: { start: "172.20.4.20", end: "172.20.4.200" },
        routes: { "172.21.0.0/16": "172.20.4.1" },
        net6: "fd00:20:4::/64",
        routes6: { "fd00:21::/48": "fd00:20:4::1" },
      }),
    );
    expect(out.allocation_pool).toEqual({ start: "172.20.4.20", end: "172.20.4.200", lastIp: "" });
    // danm-spec's example shows the /106 of its default; tenet's default pool is the first /112
    expect(out.allocation_pool_v6).toEqual({ cidr: "fd00:20:4::/112", start: "fd00:20:4::1", end: "fd00:20:4::fffe", lastIp: "" });
    const v4 = Bitmap.decode(out.alloc!);
    expect([0, 1, 255].every((i) => v4.isSet(i))).toBe(true);
    expect(v4.countSet()).toBe(3);
    // alloc6 is created at the first IPv6 allocation, with ::0, the gateway ::1 and the last address reserved
    expect(out.alloc6).toBeUndefined();
    const first = allocateAddresses(out, { ip6: "dynamic" });
    if (!first.ok) throw new Error(first.error.message);
    expect(first.ip6).toBe("fd00:20:4::2/64");
    const v6 = Bitmap.decode(first.options.alloc6!);
    expect(v6.length).toBe(2 ** 16);
    expect([0, 1, 2, 2 ** 16 - 1].every((i) => v6.isSet(i))).toBe(true);
    expect(v6.countSet()).toBe(4);
  });

  it("keeps a user's pool cidr, bounds and alloc6", () => {
    const o = { net6: "fd00::/64", allocation_pool_v6: { cidr: "fd00::100/120", start: "fd00::110" }, alloc6: "gAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAE=" };
    const out = defaultedV6(o);
    expect(out.allocation_pool_v6).toEqual({ cidr: "fd00::100/120", start: "fd00::110", end: "fd00::1fe", lastIp: "" });
    expect(out.alloc6).toBe(o.alloc6);
    expect(o.allocation_pool_v6).toEqual({ cidr: "fd00::100/120", start: "fd00::110" });
  });
});
