import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { AddressError, formatIp, parseIp, tryParseIp } from "./address";

const VALID_V4: [string, bigint][] = [
  ["0.0.0.0", 0n],
  ["255.255.255.255", 0xffffffffn],
  ["10.0.0.1", 0x0a000001n],
  ["192.168.1.254", 0xc0a801fen],
  ["1.2.3.4", 0x01020304n],
  ["100.64.0.0", 0x64400000n],
];

const INVALID = [
  "",
  "010.1.1.1",
  "10.01.1.1",
  "1.1.1.00",
  "1.2.3",
  "1.2.3.4.5",
  "256.1.1.1",
  "1.1.1.256",
  "0x0a.1.1.1",
  "0xa.0.0.1",
  "1.2.3.-4",
  "1.2.3.4 ",
  " 1.2.3.4",
  "1..2.3",
  "1.2.3.4.",
  "+1.2.3.4",
  "1e2.1.1.1",
  "１.2.3.4",
  "10.0.0.5/24",
  ":::",
  "1::2::3",
  "::1::",
  "fe80::1%eth0",
  "fe80::1%1",
  "1:2:3:4:5:6:7:8:9",
  "1:2:3:4:5:6:7",
  "1:2:3:4:5:6:7:8::",
  "::1:2:3:4:5:6:7:8",
  "12345::",
  "g::1",
  ":1::",
  "1:",
  ":1",
  "1::2:",
  "::1.2.3",
  "::1.2.3.04",
  "::256.1.1.1",
  "1.2.3.4::",
  "::1.2.3.4:5",
  "1:2:3:4:5:6:7:1.2.3.4",
  "[::1]",
  "::ffff:1.2.3.4.5",
];

describe("parseIp", () => {
  it.each(VALID_V4)("accepts %s as IPv4", (text, value) => {
    expect(parseIp(text)).toEqual({ family: 4, value });
  });

  it.each([
    ["::", 0n],
    ["::1", 1n],
    ["1::", 1n << 112n],
    ["2001:db8::1", 0x20010db8000000000000000000000001n],
    ["2001:DB8:0:0:0:0:0:1", 0x20010db8000000000000000000000001n],
    ["1:2:3:4:5:6:7:8", 0x00010002000300040005000600070008n],
    ["1:2:3:4:5:6:7::", 0x00010002000300040005000600070000n],
    ["::2:3:4:5:6:7:8", 0x00000002000300040005000600070008n],
    ["::ffff:10.1.2.3", 0xffff0a010203n],
    ["::1.2.3.4", 0x01020304n],
    ["1:2:3:4:5:6:1.2.3.4", 0x00010002000300040005000601020304n],
    ["fd00:20:4::3f:fffe", 0xfd0000200004000000000000003ffffen],
    ["ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", (1n << 128n) - 1n],
    ["0:0:0:0:0:0:0:0", 0n],
  ])("accepts %s as IPv6", (text, value) => {
    expect(parseIp(text)).toEqual({ family: 6, value });
  });

  it.each(INVALID)("rejects %j", (text) => {
    expect(tryParseIp(text)).toBeUndefined();
    expect(() => parseIp(text)).toThrow(AddressError);
  });

  it("names the text in its error", () => {
    expect(() => parseIp("010.1.1.1")).toThrow(/"010\.1\.1\.1"/);
  });
});

describe("formatIp", () => {
  it.each([
    ["2001:DB8:0:0:0:0:0:1", "2001:db8::1"],
    ["2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"],
    ["2001:0:0:1:0:0:0:1", "2001:0:0:1::1"],
    ["2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"],
    ["2001:db8::0:1", "2001:db8::1"],
    ["0:0:0:0:0:0:0:0", "::"],
    ["0:0:0:0:0:0:0:1", "::1"],
    ["1:0:0:0:0:0:0:0", "1::"],
    ["2001:0db8:0000:0000:0000:ff00:0042:8329", "2001:db8::ff00:42:8329"],
    ["1:0:0:2:0:0:0:3", "1:0:0:2::3"],
    ["1:0:0:2:0:0:3:4", "1::2:0:0:3:4"],
    ["::ffff:10.1.2.3", "::ffff:a01:203"],
    ["ABCD:EF01:2345:6789:ABCD:EF01:2345:6789", "abcd:ef01:2345:6789:abcd:ef01:2345:6789"],
  ])("writes %s as %s (RFC 5952)", (text, canonical) => {
    expect(formatIp(parseIp(text))).toBe(canonical);
  });

  it.each(VALID_V4)("round-trips %s", (text) => {
    expect(formatIp(parseIp(text))).toBe(text);
  });

  it("refuses values beyond the family", () => {
    expect(() => formatIp({ family: 4, value: 1n << 32n })).toThrow(AddressError);
    expect(() => formatIp({ family: 6, value: -1n })).toThrow(AddressError);
  });

  it("round-trips every IPv4 value through text", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 32n) - 1n }), (value) => {
        expect(parseIp(formatIp({ family: 4, value }))).toEqual({ family: 4, value });
      }),
    );
  });

  it("round-trips every IPv6 value through canonical text, which is a fixed point", () => {
    // Bias towards zero groups so compression is exercised.
    const group = fc.oneof(fc.constant(0n), fc.constant(0n), fc.bigInt({ min: 0n, max: 0xffffn }));
    fc.assert(
      fc.property(fc.array(group, { minLength: 8, maxLength: 8 }), (groups) => {
        const value = groups.reduce((acc, g) => (acc << 16n) | g, 0n);
        const text = formatIp({ family: 6, value });
        expect(parseIp(text)).toEqual({ family: 6, value });
        expect(formatIp(parseIp(text.toUpperCase()))).toBe(text);
        expect(text).not.toMatch(/(^|:)0+[0-9a-f]/); // no leading zeros in a group
        expect(text.split("::").length).toBeLessThanOrEqual(2);
      }),
    );
  });
});

describe("IPv4 parsing by char codes", () => {
  /** The parser as it was: split on dots, a regular expression per part. */
  function bySplit(text: string): bigint | undefined {
    const parts = text.split(".");
    if (parts.length !== 4) return undefined;
    let value = 0n;
    for (const part of parts) {
      if (!/^(0|[1-9][0-9]{0,2})$/.test(part) || Number(part) > 255) return undefined;
      value = (value << 8n) | BigInt(Number(part));
    }
    return value;
  }
  const v4ish = fc.string({ unit: fc.constantFrom("0", "1", "2", "5", "9", ".", ".", "a", " ", "-", "+", "e"), maxLength: 18 });
  const octet = fc.oneof(fc.integer({ min: 0, max: 300 }).map(String), fc.constantFrom("00", "01", "0255", "1000", ""));

  it("accepts and refuses what the split parser did", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          v4ish,
          fc.array(octet, { minLength: 3, maxLength: 5 }).map((p) => p.join(".")),
        ),
        (text) => {
          expect(tryParseIp(text)?.value, text).toBe(bySplit(text));
        },
      ),
      { numRuns: 5000 },
    );
  });
});
