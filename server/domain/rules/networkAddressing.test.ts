import { describe, expect, it } from "vitest";
import type { NetworkOptions } from "../api/network";
import type { Issue } from "../issue";
import { defaultAddressing, validateAddressing } from "./networkAddressing";

const brief = (issues: Issue[]) => issues.map(({ rule, type, path }) => ({ rule, type, path }));
const valid = (options: NetworkOptions, sent?: NetworkOptions) => brief(validateAddressing(defaultAddressing(options), sent));

describe("defaultAddressing", () => {
  it("gives a usable IPv4 cidr a pool from its first to its last host and a fresh bitmap", () => {
    const o = defaultAddressing({ cidr: "10.0.0.0/24" });
    expect(o.allocation_pool).toEqual({ start: "10.0.0.1", end: "10.0.0.254", lastIp: "" });
    expect(o.alloc).toEqual(expect.any(String));
    expect(o.alloc).not.toBe("");
  });

  it("fills only empty fields: a given pool end, lastIp and bitmap are kept", () => {
    const o = defaultAddressing({ cidr: "10.0.0.0/24", allocation_pool: { start: "", end: "10.0.0.100", lastIp: "10.0.0.7" }, alloc: "kept" });
    expect(o.allocation_pool).toEqual({ start: "10.0.0.1", end: "10.0.0.100", lastIp: "10.0.0.7" });
    expect(o.alloc).toBe("kept");
  });

  it("leaves a cidr the rules refuse without a pool (IPv6 in cidr, larger than a /9, unparsable)", () => {
    for (const cidr of ["fd00::/64", "10.0.0.0/8", "10.0.0.0/33"]) expect(defaultAddressing({ cidr }), cidr).toEqual({ cidr });
  });

  it("gives an IPv6 network its first /112 as pool cidr, then its pool, but no bitmap (IPAM creates alloc6 at the first IPv6 allocation)", () => {
    const o = defaultAddressing({ net6: "fd00::/64" });
    expect(o.allocation_pool_v6).toEqual({ cidr: "fd00::/112", start: "fd00::1", end: "fd00::fffe", lastIp: "" });
    expect(o.alloc6).toBeUndefined();
    expect(defaultAddressing({ net6: "fd00::/64", allocation_pool_v6: { cidr: "fd00::/120" } }).allocation_pool_v6).toEqual({
      cidr: "fd00::/120",
      start: "fd00::1",
      end: "fd00::fe",
      lastIp: "",
    });
  });

  it("gives an IPv6 pool cidr the rules refuse no pool and no bitmap", () => {
    // outside net6 (N-18), too large (N-17), a /128 (N-17)
    for (const cidr of ["fd01::/120", "fd00::/64", "fd00::/128"]) {
      const o = defaultAddressing({ net6: "fd00::/64", allocation_pool_v6: { cidr } });
      expect(o.allocation_pool_v6, cidr).toEqual({ cidr, start: "", end: "", lastIp: "" });
      expect(o.alloc6, cidr).toBeUndefined();
    }
  });

  it("does not change the options it is given", () => {
    const given: NetworkOptions = { cidr: "10.0.0.0/24", net6: "fd00::/64" };
    defaultAddressing(given);
    expect(given).toEqual({ cidr: "10.0.0.0/24", net6: "fd00::/64" });
  });
});

describe("validateAddressing", () => {
  it("accepts defaulted dual-stack options with routes inside their subnets", () => {
    expect(valid({ cidr: "10.0.0.0/24", routes: { "10.1.0.0/16": "10.0.0.1" }, net6: "fd00::/64", routes6: { "::/0": "fd00::1" } })).toEqual([]);
  });

  it("N-7 looks at the options the user sent, not at the bitmaps the defaults added", () => {
    expect(valid({ cidr: "10.0.0.0/24" }, { cidr: "10.0.0.0/24" })).toEqual([]);
    expect(valid({ cidr: "10.0.0.0/24", alloc: "gAAAAAAAAAE=" }, { cidr: "10.0.0.0/24", alloc: "gAAAAAAAAAE=" })).toEqual([
      { rule: "N-7", type: "Forbidden", path: "spec.Options.alloc" },
    ]);
    // without the sent options (an UPDATE, the validating pass) N-7 does not apply
    expect(valid({ cidr: "10.0.0.0/24", alloc: "gAAAAAAAAAE=" })).toEqual([]);
  });

  it("reports every problem at once, in rule order", () => {
    expect(valid({ routes: { "0.0.0.0/0": "10.0.0.1" }, net6: "nonsense", allocation_pool: { start: "10.0.0.5", end: "" } })).toEqual([
      { rule: "N-1", type: "Forbidden", path: "spec.Options.routes" },
      { rule: "N-5", type: "Invalid", path: "spec.Options.net6" },
      { rule: "N-8", type: "Forbidden", path: "spec.Options.allocation_pool" },
    ]);
  });

  it("checks the IPv4 pool as defaulted: inside the cidr (N-11), end after start (N-12)", () => {
    expect(valid({ cidr: "10.0.0.0/24", allocation_pool: { start: "10.0.1.5", end: "" } })).toEqual([
      { rule: "N-11", type: "Invalid", path: "spec.Options.allocation_pool.start" },
    ]);
    expect(valid({ cidr: "10.0.0.0/24", allocation_pool: { start: "10.0.0.9", end: "10.0.0.9" } })).toEqual([
      { rule: "N-12", type: "Invalid", path: "spec.Options.allocation_pool.end" },
    ]);
    expect(valid({ cidr: "10.0.0.0/8" })).toEqual([{ rule: "N-10", type: "Invalid", path: "spec.Options.cidr" }]);
  });

  it("checks the IPv6 pool cidr (N-17, N-18) and, once it holds, the pool's order (N-19)", () => {
    expect(valid({ net6: "fd00::/64", allocation_pool_v6: { cidr: "fd00::/64" } })).toEqual([
      { rule: "N-17", type: "Invalid", path: "spec.Options.allocation_pool_v6.cidr" },
    ]);
    expect(valid({ net6: "fd00::/64", allocation_pool_v6: { cidr: "fd01::/120" } })).toEqual([
      { rule: "N-18", type: "Invalid", path: "spec.Options.allocation_pool_v6.cidr" },
    ]);
    expect(valid({ net6: "fd00::/64", allocation_pool_v6: { cidr: "fd00::/127" } })).toEqual([
      { rule: "N-19", type: "Invalid", path: "spec.Options.allocation_pool_v6.end" },
    ]);
  });
});
