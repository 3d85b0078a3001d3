// IP addresses as numbers: strict parsing (style.md point 11) and RFC 5952 formatting.
// An address is its family plus its value as a bigint (32 bits for IPv4, 128 for IPv6).

export class AddressError extends Error {
  override name = "AddressError";
}

export type Family = 4 | 6;

export interface IpAddress {
  family: Family;
  value: bigint;
}

/** Number of bits of an address of this family. */
export function familyBits(family: Family): 32 | 128 {
  return family === 4 ? 32 : 128;
}

const V6_GROUP = /^[0-9a-fA-F]{1,4}$/;
const DIGIT_0 = 48;
const DOT = 46;

/**
 * A decimal number of `text` from `start` up to the first non-digit, at most three digits and no
 * leading zero ("0" itself is one): the number, or -1 when there is none. Its end is `start` plus its
 * length (`decimalLength`). One pass over char codes; IP fields are parsed on every admission.
 */
export function shortDecimal(text: string, start: number): number {
  let value = 0;
  let i = start;
  for (; i < text.length && i - start < 4; i++) {
    const digit = text.charCodeAt(i) - DIGIT_0;
    if (digit < 0 || digit > 9) break;
    value = value * 10 + digit;
  }
  const length = i - start;
  if (length === 0 || length > 3 || (length > 1 && text.charCodeAt(start) === DIGIT_0)) return -1;
  return value;
}

/** Characters of a number shortDecimal read: 1, 2 or 3. */
export const decimalLength = (n: number) => (n < 10 ? 1 : n < 100 ? 2 : 3);

/** Dotted decimal, exactly four parts, each 0..255 written without leading zeros; -1 when it is not one. */
function v4Number(text: string): number {
  let value = 0;
  let i = 0;
  for (let part = 0; part < 4; part++) {
    if (part > 0) {
      if (text.charCodeAt(i) !== DOT) return -1;
      i++;
    }
    const n = shortDecimal(text, i);
    if (n < 0 || n > 255) return -1;
    value = value * 256 + n;
    i += decimalLength(n);
  }
  return i === text.length ? value : -1;
}

function parseV4Value(text: string): bigint | undefined {
  const n = v4Number(text);
  return n < 0 ? undefined : BigInt(n);
}

/** Groups of one side of "::" (or of the whole address); the last may be an embedded IPv4 (two groups). */
function parseV6Groups(text: string, ipv4Allowed: boolean): bigint[] | undefined {
  if (text === "") return [];
  const parts = text.split(":");
  const groups: bigint[] = [];
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i];
    if (ipv4Allowed && i === parts.length - 1 && part.includes(".")) {
      const v4 = parseV4Value(part);
      if (v4 === undefined) return undefined;
      groups.push(v4 >> 16n, v4 & 0xffffn);
    } else if (V6_GROUP.test(part)) {
      groups.push(BigInt(parseInt(part, 16)));
    } else {
      return undefined;
    }
  }
  return groups;
}

function parseV6Value(text: string): bigint | undefined {
  const gap = text.indexOf("::");
  let groups: bigint[];
  if (gap < 0) {
    const all = parseV6Groups(text, true);
    if (!all || all.length !== 8) return undefined;
    groups = all;
  } else {
    const head = parseV6Groups(text.slice(0, gap), false);
    const tailText = text.slice(gap + 2);
    if (tailText.includes("::")) return undefined;
    const tail = parseV6Groups(tailText, true);
    if (!head || !tail) return undefined;
    // "::" stands for one or more zero groups (RFC 4291 §2.2).
    const zeros = 8 - head.length - tail.length;
    if (zeros < 1) return undefined;
    groups = [...head, ...new Array<bigint>(zeros).fill(0n), ...tail];
  }
  return groups.reduce((acc, g) => (acc << 16n) | g, 0n);
}

/** Parses an IPv4 (dotted decimal) or IPv6 (RFC 4291, no zone id) address; throws AddressError. */
export function parseIp(text: string): IpAddress {
  const ip = tryParseIp(text);
  if (!ip) throw new AddressError(`"${text}" is not a valid IP address`);
  return ip;
}

export function tryParseIp(text: string): IpAddress | undefined {
  if (typeof text !== "string") return undefined;
  if (text.includes(":")) {
    const value = parseV6Value(text);
    return value === undefined ? undefined : { family: 6, value };
  }
  const value = parseV4Value(text);
  return value === undefined ? undefined : { family: 4, value };
}

/** Dotted decimal for IPv4; RFC 5952 canonical text for IPv6. Throws AddressError if the value does not fit the family. */
export function formatIp(ip: IpAddress): string {
  const bits = familyBits(ip.family);
  if (ip.value < 0n || ip.value >= 1n << BigInt(bits)) {
    throw new AddressError(`value ${ip.value} is not an IPv${ip.family} address`);
  }
  if (ip.family === 4) {
    const v = Number(ip.value);
    return [v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff].join(".");
  }
  const groups: number[] = [];
  for (let i = 7; i >= 0; i--) groups.push(Number((ip.value >> BigInt(i * 16)) & 0xffffn));
  // RFC 5952 §4.2: compress the longest run of two or more zero groups, the first one on a tie.
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = (gs: number[]) => gs.map((g) => g.toString(16)).join(":");
  if (bestStart < 0) return hex(groups);
  return `${hex(groups.slice(0, bestStart))}::${hex(groups.slice(bestStart + bestLength))}`;
}
