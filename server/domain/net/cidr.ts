// CIDR blocks: a network address plus a prefix length, IPv4 or IPv6.
import { AddressError, decimalLength, familyBits, formatIp, shortDecimal, tryParseIp, type Family, type IpAddress } from "./address";

// The address vocabulary is re-exported so callers doing network math need one import.
export { AddressError, formatIp, parseIp, tryParseIp, type Family, type IpAddress } from "./address";

export interface Cidr {
  family: Family;
  /** The network address: the address with its host bits masked off. */
  network: bigint;
  prefix: number;
  bits: 32 | 128;
}

/** The network masks of every prefix length, per family: built once, not on every containment check. */
const maskOf = (bits: number, prefix: number) => ((1n << BigInt(bits)) - 1n) ^ ((1n << BigInt(bits - prefix)) - 1n);
const MASKS_V4 = Array.from({ length: 33 }, (_, prefix) => maskOf(32, prefix));
const MASKS_V6 = Array.from({ length: 129 }, (_, prefix) => maskOf(128, prefix));

function networkMask(bits: number, prefix: number): bigint {
  return (bits === 32 ? MASKS_V4[prefix] : bits === 128 ? MASKS_V6[prefix] : undefined) ?? maskOf(bits, prefix);
}

/** Parses "a.b.c.d/nn" or "ipv6/nn". Host bits are tolerated and masked off (as DANM does). Throws AddressError. */
export function parseCidr(text: string): Cidr {
  const cidr = tryParseCidr(text);
  if (!cidr) throw new AddressError(`"${text}" is not a valid CIDR (expected an address, "/" and a prefix length)`);
  return cidr;
}

export function tryParseCidr(text: string): Cidr | undefined {
  if (typeof text !== "string") return undefined;
  const slash = text.indexOf("/");
  if (slash < 0) return undefined;
  // the prefix: digits without a leading zero, up to the end
  const prefix = shortDecimal(text, slash + 1);
  if (prefix < 0 || slash + 1 + decimalLength(prefix) !== text.length) return undefined;
  const ip = tryParseIp(text.slice(0, slash));
  if (!ip) return undefined;
  const bits = familyBits(ip.family);
  if (prefix > bits) return undefined;
  return { family: ip.family, network: ip.value & networkMask(bits, prefix), prefix, bits };
}

/** "network/prefix", the network address in canonical form. */
export function formatCidr(c: Cidr): string {
  return `${formatIp(firstAddress(c))}/${c.prefix}`;
}

/** Number of addresses in the block: 2^(bits − prefix). */
export function cidrSize(c: Cidr): bigint {
  return 1n << BigInt(c.bits - c.prefix);
}

/** The network address. */
export function firstAddress(c: Cidr): IpAddress {
  return { family: c.family, value: c.network };
}

/** The last address of the block (the broadcast address for IPv4). */
export function lastAddress(c: Cidr): IpAddress {
  return { family: c.family, value: c.network + cidrSize(c) - 1n };
}

/** Whether the address lies inside the block; always false for an address of the other family. */
export function cidrContains(c: Cidr, ip: IpAddress): boolean {
  return ip.family === c.family && (ip.value & networkMask(c.bits, c.prefix)) === c.network;
}

/** Whether every address of `inner` lies inside `outer`. */
export function cidrContainsCidr(outer: Cidr, inner: Cidr): boolean {
  return inner.family === outer.family && inner.prefix >= outer.prefix && (inner.network & networkMask(outer.bits, outer.prefix)) === outer.network;
}

/** The address `index` positions after the network address. Throws AddressError outside the block. */
export function addressAt(c: Cidr, index: bigint): IpAddress {
  if (index < 0n || index >= cidrSize(c)) throw new AddressError(`index ${index} is outside ${formatCidr(c)}`);
  return { family: c.family, value: c.network + index };
}

/** Position of the address relative to the network address (ip − network); may be negative or beyond the block. */
export function indexOf(c: Cidr, ip: IpAddress): bigint {
  if (ip.family !== c.family) throw new AddressError(`${formatIp(ip)} is not an IPv${c.family} address of ${formatCidr(c)}`);
  return ip.value - c.network;
}

/** "10.0.0.5/24" → "10.0.0.5"; text without "/" is returned unchanged. */
export function stripPrefix(text: string): string {
  const slash = text.indexOf("/");
  return slash < 0 ? text : text.slice(0, slash);
}
