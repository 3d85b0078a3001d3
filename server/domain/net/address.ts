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

// Dotted decimal, exactly four parts, each 0..255 written without leading zeros.
const V4_PART = /^(0|[1-9][0-9]{0,2})$/;
const V6_GROUP = /^[0-9a-fA-F]{1,4}$/;

function parseV4Value(text: string): bigint | undefined {
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  let value = 0n;
  for (const part of parts) {
    if (!V4_PART.test(part)) return undefined;
    const n = Number(part);
    if (n > 255) return undefined;
    value = (value << 8n) | BigInt(n);
  }
  return value;
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
