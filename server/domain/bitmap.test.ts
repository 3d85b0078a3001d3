import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { Bitmap } from "./bitmap";

describe("Bitmap layout (danm-spec §7)", () => {
  it("stores bit i in byte i/8, most significant bit first", () => {
    const b = Bitmap.create(16);
    b.set(0);
    b.set(9);
    b.set(15);
    expect(b.encode()).toBe(Buffer.from([0x80, 0x41]).toString("base64"));
  });

  it("rounds the length up to whole bytes", () => {
    expect(Bitmap.create(4).length).toBe(8);
    expect(Bitmap.create(8).length).toBe(8);
    expect(Bitmap.create(9).length).toBe(16);
    expect(Bitmap.create(0).length).toBe(0);
    expect(Bitmap.create(5001).length).toBe(5008);
  });

  it("encodes a fresh VNI profile (5001 bits, bit 0 set) as 836 characters", () => {
    const b = Bitmap.create(5001);
    b.set(0);
    const text = b.encode();
    expect(text).toHaveLength(836);
    expect(text.startsWith("gAAA")).toBe(true);
    expect(text.endsWith("AAA=")).toBe(true);
    expect(text).toBe(Buffer.concat([Buffer.from([0x80]), Buffer.alloc(625)]).toString("base64"));
  });

  it.each(["", "!!", "kA", "kA=", "k===", "====", "kA==kA==", "gA=A", "gAé=", "ZZZ=x"])("decodes %j to an empty bitmap", (text) => {
    expect(Bitmap.decode(text).length).toBe(0);
  });

  it("decodes reference values to their bytes", () => {
    const b = Bitmap.decode("kA==");
    expect(b.length).toBe(8);
    expect([0, 1, 2, 3, 4, 5, 6, 7].map((i) => b.isSet(i))).toEqual([true, false, false, true, false, false, false, false]);
    expect(Bitmap.decode("gAE=").length).toBe(16);
    expect(Bitmap.decode("wAAAAAAAAAE=").countSet()).toBe(3);
  });

  it("ignores line breaks as Go's decoder does", () => {
    expect(Bitmap.decode("gAAA\nAAAB\r\n").encode()).toBe("gAAAAAAB");
  });

  it("round-trips random bytes through base64, matching Node's encoder", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const text = Buffer.from(bytes).toString("base64");
        const b = Bitmap.decode(text);
        expect(b.length).toBe(bytes.length * 8);
        expect(b.encode()).toBe(text);
      }),
    );
  });

  it("encodes and decodes sparse bitmaps of any size as Node does (runs of zero bytes, output beyond 16 KiB)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 40_000 }), fc.array(fc.nat(), { maxLength: 40 }), (size, bits) => {
        const b = Bitmap.create(size * 8);
        for (const bit of bits) if (size > 0) b.set(bit % (size * 8));
        const bytes = new Uint8Array(size);
        for (const bit of bits) if (size > 0) bytes[(bit % (size * 8)) >> 3] |= 0x80 >> ((bit % (size * 8)) & 7);
        const text = Buffer.from(bytes).toString("base64");
        expect(b.encode()).toBe(text);
        const back = Bitmap.decode(text);
        expect(back.length).toBe(size * 8);
        for (let i = back.findSet(0); i >= 0; i = back.findSet(i + 1)) expect(b.isSet(i)).toBe(true);
        expect(back.countSet()).toBe(b.countSet());
      }),
      { numRuns: 200 },
    );
    const full = Bitmap.decode(Buffer.alloc(30_000, 0xa5).toString("base64"));
    expect(full.encode()).toBe(Buffer.alloc(30_000, 0xa5).toString("base64"));
  });
});

describe("Bitmap bits", () => {
  it("sets, clears and reads bits; reads outside as clear", () => {
    const b = Bitmap.create(16);
    b.set(3);
    expect(b.isSet(3)).toBe(true);
    b.clear(3);
    expect(b.isSet(3)).toBe(false);
    expect(b.isSet(-1)).toBe(false);
    expect(b.isSet(16)).toBe(false);
    expect(() => b.set(16)).toThrow(RangeError);
    expect(() => b.clear(-1)).toThrow(RangeError);
  });

  it("clones independently", () => {
    const a = Bitmap.create(8);
    const b = a.clone();
    b.set(1);
    expect(a.isSet(1)).toBe(false);
    expect(b.isSet(1)).toBe(true);
  });

  it("counts and finds like a naive scan over any range", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 24 }), fc.nat(), fc.nat(), (bytes, x, y) => {
        const b = Bitmap.decode(Buffer.from(bytes).toString("base64"));
        const n = b.length;
        const from = x % n;
        const to = from + (y % (n - from));
        let naiveCount = 0;
        let naiveClear = -1;
        for (let i = from; i <= to; i++) {
          if (b.isSet(i)) naiveCount++;
          else if (naiveClear < 0) naiveClear = i;
        }
        expect(b.countSet(from, to)).toBe(naiveCount);
        expect(b.findClear(from, to)).toBe(naiveClear);
      }),
    );
  });

  it("finds nothing in a full range and clamps ranges to the bitmap", () => {
    const b = Bitmap.decode("//8=");
    expect(b.findClear(0, 15)).toBe(-1);
    expect(b.findClear(-5, 100)).toBe(-1);
    expect(b.countSet()).toBe(16);
    expect(b.countSet(-3, 99)).toBe(16);
    expect(Bitmap.create(0).findClear(0, 0)).toBe(-1);
  });

  it("finds the single clear bit of a 2^23-bit bitmap quickly", () => {
    const bits = 2 ** 23;
    const b = Bitmap.decode(Buffer.alloc(bits / 8, 0xff).toString("base64"));
    b.clear(bits - 2);
    const started = performance.now();
    expect(b.findClear(1, bits - 1)).toBe(bits - 2);
    expect(b.countSet()).toBe(bits - 1);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(b.encode()).toHaveLength(Math.ceil(bits / 8 / 3) * 4);
  });
});
