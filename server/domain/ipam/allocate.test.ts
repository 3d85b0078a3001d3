import { describe, expect, it } from "vitest";
import { Bitmap } from "../bitmap";
import { allocateAddresses, freeAddresses, poolUsage, type AllocationError } from "./allocate";
import { parseCidr } from "../net/cidr";
import { defaultV4Pool, defaultV6PoolBounds, defaultV6PoolCidr, freshIpBitmap, type PoolOptions } from "./pool";

const v4net = (cidr = "10.0.0.0/24", extra: PoolOptions = {}) => defaultV4Pool({ cidr, ...extra });
const v6net = (net6 = "fd00::/64", extra: PoolOptions = {}) => defaultV6PoolBounds(defaultV6PoolCidr({ net6, ...extra }));
const dual = () => v6net("fd00:20:4::/64", v4net("172.20.4.0/24"));

function ok<T>(r: { ok: true; options: T; ip: string; ip6: string; changed: boolean } | { ok: false; error: AllocationError }) {
  if (!r.ok) throw new Error(`expected success, got ${r.error.rule}: ${r.error.message}`);
  return r;
}
function err(r: { ok: true } | { ok: false; error: AllocationError }): AllocationError {
  if (r.ok) throw new Error("expected an allocation error");
  return r.error;
}

describe("allocateAddresses: request types (danm-spec §10.2)", () => {
  it("allocates nothing and changes nothing for absent, empty and none requests", () => {
    const o = dual();
    const r = ok(allocateAddresses(o, { ip: undefined, ip6: "none" }));
    expect(r).toMatchObject({ ip: "", ip6: "none", changed: false });
    expect(r.options).toEqual(o);
    expect(ok(allocateAddresses(o, { ip: "", ip6: "" }))).toMatchObject({ ip: "", ip6: "", changed: false });
    expect(ok(allocateAddresses({}, { ip: "none", ip6: "none" }))).toMatchObject({ ip: "none", ip6: "none", changed: false });
  });

  it("hands out the first pool address with the cidr's prefix and records lastIp bare", () => {
    const r = ok(allocateAddresses(v4net(), { ip: "dynamic" }));
    expect(r).toMatchObject({ ip: "10.0.0.1/24", ip6: "", changed: true });
    expect(r.options.allocation_pool).toEqual({ start: "10.0.0.1", end: "10.0.0.254", lastIp: "10.0.0.1" });
  });

  it("prefixes IPv6 results with net6's prefix, not the pool cidr's", () => {
    const r = ok(allocateAddresses(dual(), { ip: "dynamic", ip6: "dynamic" }));
    expect(r).toMatchObject({ ip: "172.20.4.1/24", ip6: "fd00:20:4::1/64", changed: true });
    expect(r.options.allocation_pool_v6).toMatchObject({ cidr: "fd00:20:4::/112", lastIp: "fd00:20:4::1" });
  });

  it("grants a free static address, with or without a prefix, without moving lastIp", () => {
    const o = v4net();
    const r = ok(allocateAddresses(o, { ip: "10.0.0.77/24" }));
    expect(r.ip).toBe("10.0.0.77/24");
    expect(r.options.allocation_pool?.lastIp).toBe("");
    expect(Bitmap.decode(r.options.alloc!).isSet(77)).toBe(true);
    expect(ok(allocateAddresses(o, { ip: "10.0.0.78" })).ip).toBe("10.0.0.78/24");
  });

  it("grants a static address outside [start, end] but inside cidr", () => {
    const o = v4net("10.0.0.0/24", { allocation_pool: { start: "10.0.0.100", end: "10.0.0.110" } });
    expect(ok(allocateAddresses(o, { ip: "10.0.0.5" })).ip).toBe("10.0.0.5/24");
  });

  it("writes static IPv6 addresses canonically", () => {
    expect(ok(allocateAddresses(v6net(), { ip6: "FD00:0::00AB/64" })).ip6).toBe("fd00::ab/64");
  });

  it("never mutates its input", () => {
    const o = dual();
    const copy = structuredClone(o);
    ok(allocateAddresses(o, { ip: "dynamic", ip6: "fd00:20:4::9" }));
    expect(o).toEqual(copy);
  });
});

describe("allocateAddresses: errors", () => {
  it("refuses IPv4 on a network without cidr (A-1)", () => {
    const e = err(allocateAddresses(v6net(), { ip: "dynamic" }));
    expect(e).toMatchObject({ rule: "A-1", family: 4 });
    expect(e.message).toMatch(/IP cannot be allocated for an L2 network/);
  });

  it("refuses IPv6 on a network without net6 (A-1)", () => {
    expect(err(allocateAddresses(v4net(), { ip6: "fd00::5" }))).toMatchObject({ rule: "A-1", family: 6 });
  });

  it("refuses IPv6 when no pool fits beside an IPv4 /9 (A-1)", () => {
    expect(err(allocateAddresses({ cidr: "10.0.0.0/9", net6: "fd00::/64" }, { ip6: "dynamic" }))).toMatchObject({ rule: "A-1", family: 6 });
  });

  it.each(["10.0.0.300", "010.0.0.5", "dyn", "10.0.0"])("refuses static %j as not a valid IP (A-2)", (ip) => {
    expect(err(allocateAddresses(v4net(), { ip }))).toMatchObject({ rule: "A-2", family: 4 });
  });

  it("refuses a static address outside cidr, naming both (A-3)", () => {
    const e = err(allocateAddresses(v4net(), { ip: "10.0.1.5" }));
    expect(e).toMatchObject({ rule: "A-3", family: 4 });
    expect(e.message).toContain("10.0.1.5");
    expect(e.message).toContain("10.0.0.0/24");
  });

  it("refuses a static IPv6 address outside net6 (A-3)", () => {
    expect(err(allocateAddresses(v6net(), { ip6: "fd01::5" }))).toMatchObject({ rule: "A-3", family: 6 });
  });

  it("refuses a static IPv6 address inside net6 but outside the pool cidr instead of granting it untracked (A-3, decision 16)", () => {
    const e = err(allocateAddresses(v6net(), { ip6: "fd00::1:0:0:5" }));
    expect(e).toMatchObject({ rule: "A-3", family: 6 });
    expect(e.message).toBe('fd00::1:0:0:5 is inside fd00::/64 but outside its allocation pool fd00::/112; pick an address inside fd00::/112 or use "dynamic"');
  });

  it("refuses a static address taken twice (A-4), with the documented wording", () => {
    const first = ok(allocateAddresses(v4net(), { ip: "10.0.0.5" }));
    const e = err(allocateAddresses(first.options, { ip: "10.0.0.5/24" }));
    expect(e).toEqual({ rule: "A-4", family: 4, message: '10.0.0.5 is already in use in 10.0.0.0/24; pick another address or use "dynamic"' });
  });

  it.each(["10.0.0.0", "10.0.0.255", "10.0.0.1"])("refuses the reserved address %s as in use (A-4)", (ip) => {
    const o = v4net("10.0.0.0/24", { routes: { "10.9.0.0/16": "10.0.0.1" } });
    expect(err(allocateAddresses(o, { ip }))).toMatchObject({ rule: "A-4" });
  });

  it("fails dynamic allocation when the pool is exhausted (A-5), while statics outside the pool still work", () => {
    let o: PoolOptions = v4net("10.0.0.0/29", { allocation_pool: { start: "10.0.0.2", end: "10.0.0.3" } });
    o = ok(allocateAddresses(o, { ip: "dynamic" })).options;
    o = ok(allocateAddresses(o, { ip: "dynamic" })).options;
    expect(err(allocateAddresses(o, { ip: "dynamic" }))).toMatchObject({ rule: "A-5", family: 4 });
    expect(ok(allocateAddresses(o, { ip: "10.0.0.6" })).ip).toBe("10.0.0.6/29");
  });

  it("reports a bitmap whose length does not match the range as corrupt (A-6)", () => {
    expect(err(allocateAddresses({ ...v4net(), alloc: "kA==" }, { ip: "dynamic" }))).toEqual({
      rule: "A-6",
      family: 4,
      message: "allocation bitmap of 10.0.0.0/24 is corrupt",
    });
    expect(err(allocateAddresses({ ...v4net(), alloc: "!!" }, { ip: "10.0.0.5" }))).toMatchObject({ rule: "A-6" });
    expect(err(allocateAddresses({ ...v6net(), alloc6: "kA==" }, { ip6: "dynamic" }))).toMatchObject({ rule: "A-6", family: 6 });
  });

  it("changes nothing when one family fails (atomic)", () => {
    const o = dual();
    expect(err(allocateAddresses(o, { ip: "dynamic", ip6: "fd01::1" }))).toMatchObject({ rule: "A-3", family: 6 });
    expect(err(allocateAddresses(o, { ip: "1.1.1.1", ip6: "dynamic" }))).toMatchObject({ rule: "A-3", family: 4 });
  });
});

describe("allocateAddresses: next-fit (design decisions 1–2)", () => {
  const pool = (lastIp: string) => v4net("10.0.0.0/28", { allocation_pool: { start: "10.0.0.4", end: "10.0.0.8", lastIp } });

  it("continues after lastIp rather than at the lowest free address", () => {
    let o: PoolOptions = pool("");
    const got: string[] = [];
    for (let i = 0; i < 3; i++) {
      const r = ok(allocateAddresses(o, { ip: "dynamic" }));
      got.push(r.ip);
      o = r.options;
    }
    o = freeAddresses(o, { ip: "10.0.0.4/28" }).options;
    got.push(ok(allocateAddresses(o, { ip: "dynamic" })).ip);
    expect(got).toEqual(["10.0.0.4/28", "10.0.0.5/28", "10.0.0.6/28", "10.0.0.7/28"]);
  });

  it("reads lastIp stored as ip/prefix", () => {
    expect(ok(allocateAddresses(pool("10.0.0.5/28"), { ip: "dynamic" })).ip).toBe("10.0.0.6/28");
  });

  it("wraps from the end back to start without skipping the first pool address", () => {
    expect(ok(allocateAddresses(pool("10.0.0.8"), { ip: "dynamic" })).ip).toBe("10.0.0.4/28");
    const taken = ok(allocateAddresses(pool("10.0.0.7"), { ip: "10.0.0.8" })).options;
    expect(ok(allocateAddresses(taken, { ip: "dynamic" })).ip).toBe("10.0.0.4/28");
  });

  it.each(["10.0.0.2", "10.0.0.14", "fd00::1", "garbage", "10.0.1.5"])("starts at start when lastIp %j lies outside the pool", (lastIp) => {
    expect(ok(allocateAddresses(pool(lastIp), { ip: "dynamic" })).ip).toBe("10.0.0.4/28");
  });

  it("never hands out an address outside [start, end] even on wrap-around", () => {
    let o: PoolOptions = pool("10.0.0.6");
    const got = new Set<string>();
    for (let i = 0; i < 5; i++) {
      const r = ok(allocateAddresses(o, { ip: "dynamic" }));
      got.add(r.ip);
      o = r.options;
    }
    expect([...got].sort()).toEqual(["10.0.0.4/28", "10.0.0.5/28", "10.0.0.6/28", "10.0.0.7/28", "10.0.0.8/28"]);
    expect(err(allocateAddresses(o, { ip: "dynamic" }))).toMatchObject({ rule: "A-5" });
  });

  it("continues after an IPv6 lastIp too", () => {
    const o = v6net("fd00::/120", { allocation_pool_v6: { lastIp: "fd00::41/64" } });
    expect(ok(allocateAddresses(o, { ip6: "dynamic" })).ip6).toBe("fd00::42/120");
  });
});

describe("allocateAddresses: legacy networks (danm-spec §10.5)", () => {
  it("initialises the IPv6 pool lazily and persists it with the allocation", () => {
    const r = ok(allocateAddresses<PoolOptions>({ cidr: "10.0.0.0/24", net6: "fd00:20:4::/64" }, { ip6: "dynamic" }));
    expect(r).toMatchObject({ ip: "", ip6: "fd00:20:4::1/64", changed: true });
    expect(r.options.allocation_pool_v6).toEqual({ cidr: "fd00:20:4::/112", start: "fd00:20:4::1", end: "fd00:20:4::fffe", lastIp: "fd00:20:4::1" });
    expect(Bitmap.decode(r.options.alloc6!).length).toBe(2 ** 16);
    expect(r.options.alloc).toBeUndefined();
  });

  it("defaults an IPv4 network without alloc before allocating", () => {
    const r = ok(allocateAddresses({ cidr: "10.0.0.0/30" }, { ip: "dynamic" }));
    expect(r.options).toEqual({ cidr: "10.0.0.0/30", allocation_pool: { start: "10.0.0.1", end: "10.0.0.2", lastIp: "10.0.0.1" }, alloc: "0A==" });
  });
});

describe("lazy alloc6 (danm-spec §10.5; the webhook leaves it out)", () => {
  it("is created at the first IPv6 allocation over the pool cidr, with routes6 gateways reserved and start, end and lastIp kept", () => {
    const o = v6net("fd00::/64", {
      routes6: { "fd01::/64": "fd00::5" },
      allocation_pool_v6: { cidr: "fd00::/120", start: "fd00::4", end: "fd00::9", lastIp: "fd00::6" },
    });
    expect(o.alloc6).toBeUndefined();
    const r = ok(allocateAddresses(o, { ip6: "dynamic" }));
    // next-fit after lastIp ::6; the gateway ::5 was never a candidate
    expect(r.ip6).toBe("fd00::7/64");
    expect(r.options.allocation_pool_v6).toEqual({ cidr: "fd00::/120", start: "fd00::4", end: "fd00::9", lastIp: "fd00::7" });
    const bits = Bitmap.decode(r.options.alloc6!);
    expect(bits.length).toBe(256);
    expect([0, 5, 7, 255].every((i) => bits.isSet(i))).toBe(true);
    expect(bits.countSet()).toBe(4);
  });

  it("is not created by an IPv4-only allocation on a dual-stack network, nor by a free", () => {
    const o = dual();
    const r = ok(allocateAddresses(o, { ip: "dynamic", ip6: "none" }));
    expect(r.options.alloc6).toBeUndefined();
    expect(freeAddresses(o, { ip6: "fd00:20:4::2" })).toEqual({ options: o, changed: false });
  });

  it("refuses a static address that is a routes6 gateway of a network without alloc6 (A-4)", () => {
    const o = v6net("fd00::/64", { routes6: { "fd01::/64": "fd00::1" }, allocation_pool_v6: { cidr: "fd00::/120" } });
    const r = allocateAddresses(o, { ip6: "fd00::1" });
    expect(r.ok ? undefined : r.error.rule).toBe("A-4");
  });
});

describe("freeAddresses (danm-spec §10.5)", () => {
  it("clears the bits of addresses in cidr and in the IPv6 pool cidr", () => {
    const o = dual();
    const r = ok(allocateAddresses(o, { ip: "dynamic", ip6: "dynamic" }));
    const freed = freeAddresses(r.options, { ip: r.ip, ip6: r.ip6 });
    expect(freed.changed).toBe(true);
    expect(freed.options.alloc).toBe(o.alloc);
    // o has no alloc6 yet (created at the first allocation): freeing leaves a fresh bitmap
    expect(o.alloc6).toBeUndefined();
    expect(freed.options.alloc6).toBe(freshIpBitmap(parseCidr(o.allocation_pool_v6!.cidr!), []).encode());
    expect(r.options.alloc).not.toBe(o.alloc);
  });

  it.each([
    { ip: "" },
    { ip: "none", ip6: "none" },
    { ip: "dynamic" },
    { ip: "bogus/24" },
    { ip: "192.168.0.1/24", ip6: "fd01::1/64" },
    { ip6: "fd00:20:4::1:0:0:1" },
    { ip: "10.0.0.9" },
  ])("ignores %j", (addrs) => {
    const o = dual();
    const r = freeAddresses(o, addrs);
    expect(r.changed).toBe(false);
    expect(r.options).toEqual(o);
  });

  it("never clears the network and last addresses", () => {
    const o = v4net("10.0.0.0/24");
    expect(freeAddresses(o, { ip: "10.0.0.0/24" }).changed).toBe(false);
    expect(freeAddresses(o, { ip: "10.0.0.255" }).changed).toBe(false);
  });

  it("ignores networks whose bitmap is missing or corrupt", () => {
    expect(freeAddresses({ cidr: "10.0.0.0/24" }, { ip: "10.0.0.1" }).changed).toBe(false);
    expect(freeAddresses({ ...v4net(), alloc: "kA==" }, { ip: "10.0.0.1" }).changed).toBe(false);
  });
});

describe("poolUsage", () => {
  it("counts [start, end] and the reserved bits inside it", () => {
    let o: PoolOptions = dual();
    o = { ...o, routes: { "10.0.0.0/8": "172.20.4.1" }, alloc: undefined };
    o = defaultV4Pool(o);
    o = ok(allocateAddresses(o, { ip: "dynamic", ip6: "dynamic" })).options;
    expect(poolUsage(o)).toEqual({
      v4: { total: 254, used: 2, free: 252 },
      v6: { total: 2n ** 16n - 2n, used: 1, free: 2n ** 16n - 3n },
    });
  });

  it("counts a dual-stack network without alloc6 yet as nothing allocated, its gateways reserved", () => {
    const o = v6net("fd00::/64", { cidr: "10.0.0.0/24", routes6: { "fd01::/64": "fd00::1" }, allocation_pool_v6: { cidr: "fd00::/120" } });
    expect(o.alloc6).toBeUndefined();
    expect(poolUsage(o).v6).toEqual({ total: 254n, used: 1, free: 253n });
    expect(poolUsage(ok(allocateAddresses(o, { ip6: "dynamic" })).options).v6).toEqual({ total: 254n, used: 2, free: 252n });
  });

  it("leaves out absent or unreadable families", () => {
    expect(poolUsage({})).toEqual({});
    expect(poolUsage({ cidr: "10.0.0.0/24", alloc: "kA==" })).toEqual({});
    expect(poolUsage({ cidr: "10.0.0.0/30" })).toEqual({ v4: { total: 2, used: 0, free: 2 } });
  });
});
