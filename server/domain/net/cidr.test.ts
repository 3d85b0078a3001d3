import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { AddressError, parseIp } from "./address";
import {
  addressAt,
  cidrContains,
  cidrContainsCidr,
  cidrSize,
  firstAddress,
  formatCidr,
  indexOf,
  lastAddress,
  parseCidr,
  stripPrefix,
  tryParseCidr,
  tryParseIp,
} from "./cidr";
import { formatIp } from "./address";

describe("parseCidr", () => {
  it.each([
    ["10.0.0.0/24", "10.0.0.0/24"],
    ["10.0.0.77/24", "10.0.0.0/24"],
    ["172.20.4.9/9", "172.0.0.0/9"],
    ["0.0.0.0/0", "0.0.0.0/0"],
    ["1.2.3.4/0", "0.0.0.0/0"],
    ["10.0.0.5/31", "10.0.0.4/31"],
    ["10.0.0.5/32", "10.0.0.5/32"],
    ["fd00::/64", "fd00::/64"],
    ["FD00:20:4::1/64", "fd00:20:4::/64"],
    ["fd00::ffff/120", "fd00::ff00/120"],
    ["fd00::3/127", "fd00::2/127"],
    ["fd00::3/128", "fd00::3/128"],
    ["::/0", "::/0"],
    ["::ffff:10.0.0.1/120", "::ffff:a00:0/120"],
  ])("reads %s as %s, masking host bits", (text, expected) => {
    expect(formatCidr(parseCidr(text))).toBe(expected);
  });

  it.each([
    "",
    "10.0.0.0",
    "10.0.0.0/",
    "10.0.0.0/33",
    "10.0.0.0/024",
    "10.0.0.0/-1",
    "10.0.0.0/+8",
    "10.0.0.0/8/8",
    "10.0.0.0/ 8",
    "010.0.0.0/8",
    "10.0.0/8",
    "fd00::/129",
    "fd00::/0064",
    "fd00::%eth0/64",
    "/24",
    "fd00:::/64",
    "10.0.0.0/1e1",
  ])("rejects %j", (text) => {
    expect(tryParseCidr(text)).toBeUndefined();
    expect(() => parseCidr(text)).toThrow(AddressError);
  });

  it("keeps family, prefix and width", () => {
    expect(parseCidr("10.0.0.0/9")).toEqual({ family: 4, network: 0x0a000000n, prefix: 9, bits: 32 });
    expect(parseCidr("fd00::/105")).toEqual({ family: 6, network: 0xfd00n << 112n, prefix: 105, bits: 128 });
  });
});

describe("block arithmetic", () => {
  it.each([
    ["0.0.0.0/0", 1n << 32n, "0.0.0.0", "255.255.255.255"],
    ["10.128.0.0/9", 1n << 23n, "10.128.0.0", "10.255.255.255"],
    ["10.0.0.0/24", 256n, "10.0.0.0", "10.0.0.255"],
    ["10.0.0.6/31", 2n, "10.0.0.6", "10.0.0.7"],
    ["10.0.0.6/32", 1n, "10.0.0.6", "10.0.0.6"],
    ["::/0", 1n << 128n, "::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"],
    ["fd00::/105", 1n << 23n, "fd00::", "fd00::7f:ffff"],
    ["fd00::/127", 2n, "fd00::", "fd00::1"],
    ["fd00::/128", 1n, "fd00::", "fd00::"],
  ])("%s has %d addresses from %s to %s", (text, size, first, last) => {
    const c = parseCidr(text);
    expect(cidrSize(c)).toBe(size);
    expect(formatIp(firstAddress(c))).toBe(first);
    expect(formatIp(lastAddress(c))).toBe(last);
    expect(cidrContains(c, firstAddress(c))).toBe(true);
    expect(cidrContains(c, lastAddress(c))).toBe(true);
  });

  it("does not contain the neighbours of a block", () => {
    const c = parseCidr("10.0.1.0/24");
    expect(cidrContains(c, parseIp("10.0.0.255"))).toBe(false);
    expect(cidrContains(c, parseIp("10.0.2.0"))).toBe(false);
  });

  it("never contains an address of the other family", () => {
    expect(cidrContains(parseCidr("0.0.0.0/0"), parseIp("::1"))).toBe(false);
    expect(cidrContains(parseCidr("::/0"), parseIp("10.0.0.1"))).toBe(false);
    expect(cidrContainsCidr(parseCidr("::/0"), parseCidr("10.0.0.0/8"))).toBe(false);
  });

  it("places a /16 inside every /15 … /1 around it and inside none of /17 … /32", () => {
    const inner = parseCidr("172.16.0.0/16");
    for (let prefix = 15; prefix >= 0; prefix--) {
      expect(cidrContainsCidr(parseCidr(`172.16.0.0/${prefix}`), inner)).toBe(true);
    }
    for (let prefix = 17; prefix <= 32; prefix++) {
      expect(cidrContainsCidr(parseCidr(`172.16.0.0/${prefix}`), inner)).toBe(false);
    }
    expect(cidrContainsCidr(parseCidr("172.18.0.0/15"), inner)).toBe(false);
  });

  it("places an IPv6 /120 inside every shorter prefix of its address and next to none", () => {
    const inner = parseCidr("fd00:1::ab00/120");
    for (let prefix = 0; prefix <= 120; prefix++) expect(cidrContainsCidr(parseCidr(`fd00:1::ab00/${prefix}`), inner)).toBe(true);
    expect(cidrContainsCidr(parseCidr("fd00:1::ac00/120"), inner)).toBe(false);
    expect(cidrContainsCidr(parseCidr("fd00:1::ab80/121"), inner)).toBe(false);
  });

  it("counts indices from the network address", () => {
    const c = parseCidr("10.0.0.0/24");
    expect(formatIp(addressAt(c, 5n))).toBe("10.0.0.5");
    expect(indexOf(c, parseIp("10.0.0.200"))).toBe(200n);
    expect(() => addressAt(c, 256n)).toThrow(AddressError);
    expect(() => addressAt(c, -1n)).toThrow(AddressError);
    const v6 = parseCidr("fd00:20:4::/106");
    expect(formatIp(addressAt(v6, cidrSize(v6) - 2n))).toBe("fd00:20:4::3f:fffe");
    expect(indexOf(v6, parseIp("fd00:20:4::1:0"))).toBe(65536n);
  });
});

describe("stripPrefix", () => {
  it.each([
    ["10.0.0.5/24", "10.0.0.5"],
    ["10.0.0.5", "10.0.0.5"],
    ["fd00::5/64", "fd00::5"],
    ["", ""],
  ])("turns %j into %j", (text, expected) => {
    expect(stripPrefix(text)).toBe(expected);
  });

  it("is re-exported with the address parser for callers of cidr", () => {
    expect(tryParseIp("10.0.0.1")).toEqual({ family: 4, value: 0x0a000001n });
  });
});

describe("tryParseCidr by char codes", () => {
  /** The parser as it was: a regular expression for the prefix, the mask computed per call. */
  function byRegExp(text: string) {
    const slash = text.indexOf("/");
    if (slash < 0) return undefined;
    const ip = tryParseIp(text.slice(0, slash));
    const prefixText = text.slice(slash + 1);
    if (!ip || !/^(0|[1-9][0-9]{0,2})$/.test(prefixText)) return undefined;
    const bits = ip.family === 4 ? 32 : 128;
    const prefix = Number(prefixText);
    if (prefix > bits) return undefined;
    const mask = ((1n << BigInt(bits)) - 1n) ^ ((1n << BigInt(bits - prefix)) - 1n);
    return { family: ip.family, network: ip.value & mask, prefix, bits };
  }
  const address = fc.oneof(fc.ipV4(), fc.ipV6(), fc.constantFrom("10.0.0.01", "1.2.3", "", "::", "fd00::1"));
  const prefix = fc.oneof(fc.integer({ min: 0, max: 140 }).map(String), fc.constantFrom("", "00", "024", "1e1", "+8", "8 ", "/8", "64/"));

  it("reads what the regular expression version read, and contains what it contained", () => {
    fc.assert(
      fc.property(address, prefix, fc.ipV4(), fc.ipV6(), (a, p, v4, v6) => {
        const text = `${a}/${p}`;
        const cidr = tryParseCidr(text);
        expect(cidr, text).toEqual(byRegExp(text));
        if (!cidr) return;
        for (const ip of [tryParseIp(v4)!, tryParseIp(v6)!, firstAddress(cidr), lastAddress(cidr)]) {
          const expected = ip.family === cidr.family && (ip.value & (((1n << BigInt(cidr.bits)) - 1n) ^ (cidrSize(cidr) - 1n))) === cidr.network;
          expect(cidrContains(cidr, ip)).toBe(expected);
        }
      }),
      { numRuns: 3000 },
    );
  });
});
