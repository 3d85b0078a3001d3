// AllocationBatch: many operations on one network's options with one decode and one encode per
// family (group commit). Its outcome must be exactly that of the operations applied one by one.
import { describe, expect, it } from "vitest";
import { AllocationBatch, allocateAddresses, freeAddresses, type AllocationOp } from "./allocate";
import { defaultV4Pool, defaultV6PoolBounds, defaultV6PoolCidr, type PoolOptions } from "./pool";

const v4net = (cidr = "10.0.0.0/28") => defaultV4Pool({ cidr });
const dual = (): PoolOptions => defaultV6PoolBounds(defaultV6PoolCidr({ net6: "fd00:20:4::/120", ...v4net("172.20.4.0/28") }));

/** The same operations one at a time through the single-operation functions. */
function oneByOne(o: PoolOptions, ops: AllocationOp[]) {
  let options = o;
  const results = ops.map((op) => {
    if ("allocate" in op) {
      const r = allocateAddresses(options, op.allocate);
      if (!r.ok) return { ok: false as const, rule: r.error.rule };
      options = r.options;
      return { ok: true as const, ip: r.ip, ip6: r.ip6 };
    }
    const r = freeAddresses(options, op.free);
    options = r.options;
    return { ok: true as const, ip: "", ip6: "" };
  });
  return { options, results };
}

function batched(o: PoolOptions, ops: AllocationOp[]) {
  const batch = new AllocationBatch(o);
  const results = ops.map((op) => {
    const r = batch.apply(op);
    return r.ok ? { ok: true as const, ip: r.ip, ip6: r.ip6 } : { ok: false as const, rule: r.error.rule };
  });
  return { options: batch.result().options, results };
}

describe("AllocationBatch", () => {
  it("gives the same addresses, refusals and final options as the operations one by one", () => {
    const ops: AllocationOp[] = [
      { allocate: { ip: "dynamic", ip6: "dynamic" } },
      { allocate: { ip: "172.20.4.5", ip6: "dynamic" } },
      { allocate: { ip: "172.20.4.5" } }, // taken by the operation before, in the same batch
      { free: { ip: "172.20.4.1/28", ip6: "fd00:20:4::1/120" } },
      { allocate: { ip: "dynamic", ip6: "fd00:20:4::1" } },
      { allocate: { ip: "dynamic", ip6: "10.0.0.1" } }, // A-3 on IPv6: the IPv4 half must not stay reserved
      ...Array.from({ length: 14 }, () => ({ allocate: { ip: "dynamic" } })), // runs into A-5
    ];
    const expected = oneByOne(dual(), ops);
    const got = batched(dual(), ops);
    expect(got.results).toEqual(expected.results);
    expect(got.options).toEqual(expected.options);
    expect(got.results.filter((r) => !r.ok).map((r) => (r as { rule: string }).rule)).toEqual([
      "A-4",
      "A-3",
      ...Array(got.results.filter((r) => !r.ok).length - 2).fill("A-5"),
    ]);
  });

  it("undoes the IPv4 half of an allocation whose IPv6 half is refused, lastIp included", () => {
    const batch = new AllocationBatch(dual());
    const before = batch.allocate({ ip: "dynamic" });
    expect(before).toMatchObject({ ok: true, ip: "172.20.4.1/28" });
    expect(batch.allocate({ ip: "dynamic", ip6: "fd00:99::1" })).toMatchObject({ ok: false, error: { rule: "A-3", family: 6 } });
    expect(batch.allocate({ ip: "dynamic" })).toMatchObject({ ok: true, ip: "172.20.4.2/28" });
    expect(batch.result().options.allocation_pool?.lastIp).toBe("172.20.4.2");
  });

  it("never re-encodes a bitmap no operation changed, and never mutates its input", () => {
    const o = dual();
    const frozen = JSON.stringify(o);
    const batch = new AllocationBatch(o);
    batch.allocate({ ip: "dynamic" });
    batch.allocate({ ip: "dynamic", ip6: "none" });
    const { options, changed } = batch.result();
    expect(changed).toBe(true);
    expect(options.alloc6).toBe(o.alloc6);
    expect(options.allocation_pool_v6).toBe(o.allocation_pool_v6);
    expect(options.alloc).not.toBe(o.alloc);
    expect(JSON.stringify(o)).toBe(frozen);
  });

  it("reports no change when every operation was refused or a no-op", () => {
    const o = v4net();
    const batch = new AllocationBatch(o);
    expect(batch.allocate({ ip: "10.9.9.9" }).ok).toBe(false);
    expect(batch.free({ ip: "10.0.0.9/28" })).toBe(false); // not reserved
    expect(batch.allocate({ ip: "none" })).toMatchObject({ ok: true, changed: false });
    expect(batch.result()).toEqual({ options: o, changed: false });
  });

  it("creates alloc6 at the first IPv6 allocation of a network stored without it (§10.5)", () => {
    const withoutBitmap: PoolOptions = { ...dual(), alloc6: undefined };
    const batch = new AllocationBatch(withoutBitmap);
    expect(batch.free({ ip6: "fd00:20:4::1" })).toBe(false);
    expect(batch.allocate({ ip6: "dynamic" })).toMatchObject({ ok: true, ip6: "fd00:20:4::1/120" });
    expect(batch.allocate({ ip6: "dynamic" })).toMatchObject({ ok: true, ip6: "fd00:20:4::2/120" });
    const { options } = batch.result();
    expect(options.alloc6).toBeTruthy();
    expect(allocateAddresses(options, { ip6: "fd00:20:4::2" })).toMatchObject({ ok: false, error: { rule: "A-4" } });
  });
});
