// CIDR blocks: a network address plus a prefix length, IPv4 or IPv6.
import { AddressError, familyBits, formatIp, tryParseIp, type Family, type IpAddress } from "./address";

// The address vocabulary is re-exported so callers doing network math need one import.
export { AddressError, formatIp, parseIp, tryParseIp, type Family, type IpAddress } from "./address";

export interface Cidr {
  family: Family;
  /** The network address: the address with its host bits masked off. */
  network: bigint;
  prefix: number;
  bits: 32 | 128;
}

const PREFIX = /^(0|[1-9][0-9]{0,2})$/;

function networkMask(bits: number, prefix: number): bigint {
  const all = (1n << BigInt(bits)) - 1n;
  return all ^ ((1n << BigInt(bits - prefix)) - 1n);
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
  const ip = tryParseIp(text.slice(0, slash));
  const prefixText = text.slice(slash + 1);
  if (!ip || !PREFIX.test(prefixText)) return undefined;
  const bits = familyBits(ip.family);
  const prefix = Number(prefixText);
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
