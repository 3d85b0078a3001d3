// DANM's allocation bitmap (danm-spec §7), shared by IP pools and VNI ranges.
// N bits are stored in ceil(N/8) bytes; bit i is in byte floor(i/8) under mask 0x80 >> (i mod 8)
// (most significant bit first). The stored form is standard base64 with "=" padding.

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const SEXTET = new Int16Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) SEXTET[ALPHABET.charCodeAt(i)] = i;
const PAD = "=".charCodeAt(0);
const ZERO_CHAR = "A".charCodeAt(0);
const NOT_ZERO_CHAR = /[^A]/g;

const POPCOUNT = new Uint8Array(256);
for (let b = 1; b < 256; b++) POPCOUNT[b] = (b & 1) + POPCOUNT[b >> 1];

function sextet(code: number): number {
  return code < 128 ? SEXTET[code] : -1;
}

/** Strict standard base64 (padding required; line breaks ignored as Go's decoder does). */
function decodeBase64(text: string): Uint8Array | undefined {
  const s = text.includes("\n") || text.includes("\r") ? text.replace(/[\r\n]/g, "") : text;
  if (s.length === 0 || s.length % 4 !== 0) return undefined;
  const padding = s.endsWith("==") ? 2 : s.endsWith("=") ? 1 : 0;
  const bytes = new Uint8Array((s.length / 4) * 3 - padding);
  let out = 0;
  for (let i = 0; i < s.length; i += 4) {
    const last = i + 4 === s.length;
    if (s.charCodeAt(i) === ZERO_CHAR) {
      // "AAAA" is three zero bytes, and most of a bitmap: whole quads of them up to the next other
      // character (found by the regular expression engine) leave their bytes zero; never the last quad
      NOT_ZERO_CHAR.lastIndex = i;
      const other = NOT_ZERO_CHAR.test(s) ? NOT_ZERO_CHAR.lastIndex - 1 : s.length;
      const quads = Math.min((other - i) >> 2, (s.length - i) / 4 - 1);
      if (quads > 0) {
        out += 3 * quads;
        i += 4 * (quads - 1);
        continue;
      }
    }
    const a = sextet(s.charCodeAt(i));
    const b = sextet(s.charCodeAt(i + 1));
    const c3 = s.charCodeAt(i + 2);
    const d4 = s.charCodeAt(i + 3);
    const c = last && padding === 2 && c3 === PAD ? 0 : sextet(c3);
    const d = last && padding >= 1 && d4 === PAD ? 0 : sextet(d4);
    if (a < 0 || b < 0 || c < 0 || d < 0) return undefined;
    const triple = (a << 18) | (b << 12) | (c << 6) | d;
    bytes[out++] = triple >>> 16;
    if (out < bytes.length) bytes[out++] = (triple >>> 8) & 0xff;
    if (out < bytes.length) bytes[out++] = triple & 0xff;
  }
  return bytes;
}

const ENCODE = new Uint8Array(64);
for (let i = 0; i < 64; i++) ENCODE[i] = ALPHABET.charCodeAt(i);
const ASCII = new TextDecoder();

const ZERO_QUAD = "AAAA"; // three zero bytes

/** Standard base64 with padding. Runs of zero bytes, most of any allocation bitmap, cost a repeat. */
function encodeBase64(bytes: Uint8Array): string {
  // no closures here: tsx (esbuild keepNames) names each one on every call, which costs more than the loop
  let out = "";
  // at most 16 KiB (a multiple of 4: codes go out four at a time and are flushed when full)
  const codes = new Uint8Array(Math.min(16 * 1024, 4 * Math.ceil(bytes.length / 3) + 4));
  let n = 0;
  let zeros = 0;
  const whole = bytes.length - (bytes.length % 3);
  for (let i = 0; i < whole; i += 3) {
    const triple = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    if (triple === 0) {
      if (n > 0) out += ASCII.decode(codes.subarray(0, n));
      n = 0;
      zeros++;
      continue;
    }
    if (zeros > 0) out += ZERO_QUAD.repeat(zeros);
    zeros = 0;
    codes[n++] = ENCODE[triple >>> 18];
    codes[n++] = ENCODE[(triple >>> 12) & 63];
    codes[n++] = ENCODE[(triple >>> 6) & 63];
    codes[n++] = ENCODE[triple & 63];
    if (n === codes.length) {
      out += ASCII.decode(codes);
      n = 0;
    }
  }
  if (zeros > 0) out += ZERO_QUAD.repeat(zeros);
  const rest = bytes.length - whole;
  if (rest > 0) {
    const triple = (bytes[whole] << 16) | ((rest > 1 ? bytes[whole + 1] : 0) << 8);
    codes[n++] = ENCODE[triple >>> 18];
    codes[n++] = ENCODE[(triple >>> 12) & 63];
    codes[n++] = rest > 1 ? ENCODE[(triple >>> 6) & 63] : PAD;
    codes[n++] = PAD;
  }
  // base64 is ASCII, so UTF-8 decoding is the identity (TextDecoder runs in Node and browsers alike)
  if (n > 0) out += ASCII.decode(codes.subarray(0, n));
  return out;
}

export class Bitmap {
  private constructor(private readonly bytes: Uint8Array) {}

  /** All bits clear, ceil(bits/8) bytes; the logical length is bytes × 8. */
  static create(bits: number): Bitmap {
    if (!Number.isInteger(bits) || bits < 0) throw new RangeError(`a bitmap cannot have ${bits} bits`);
    return new Bitmap(new Uint8Array(Math.ceil(bits / 8)));
  }

  /** The stored form; an empty or undecodable string gives a bitmap of length 0 (never throws). */
  static decode(base64: string): Bitmap {
    const bytes = typeof base64 === "string" ? decodeBase64(base64) : undefined;
    return new Bitmap(bytes ?? new Uint8Array(0));
  }

  encode(): string {
    return encodeBase64(this.bytes);
  }

  /** Logical length in bits: bytes × 8. */
  get length(): number {
    return this.bytes.length * 8;
  }

  /** False for indices outside the bitmap. */
  isSet(i: number): boolean {
    if (!(i >= 0 && i < this.length)) return false;
    return (this.bytes[i >> 3] & (0x80 >> (i & 7))) !== 0;
  }

  set(i: number): void {
    this.check(i);
    this.bytes[i >> 3] |= 0x80 >> (i & 7);
  }

  clear(i: number): void {
    this.check(i);
    this.bytes[i >> 3] &= ~(0x80 >> (i & 7));
  }

  /** Number of set bits in [from, toInclusive], clamped to the bitmap. */
  countSet(from = 0, toInclusive = this.length - 1): number {
    let i = Math.max(0, Math.ceil(from));
    const to = Math.min(this.length - 1, Math.floor(toInclusive));
    let count = 0;
    while (i <= to) {
      if ((i & 7) === 0 && i + 7 <= to) {
        count += POPCOUNT[this.bytes[i >> 3]];
        i += 8;
      } else {
        if (this.isSet(i)) count++;
        i++;
      }
    }
    return count;
  }

  /** First clear index in [from, toInclusive] (clamped to the bitmap), or -1. Skips full bytes. */
  findClear(from: number, toInclusive: number): number {
    let i = Math.max(0, Math.ceil(from));
    const to = Math.min(this.length - 1, Math.floor(toInclusive));
    const bytes = this.bytes;
    while (i <= to) {
      if ((i & 7) === 0) {
        // Whole bytes at a time while they are full.
        let byte = i >> 3;
        const lastByte = to >> 3;
        while (byte < lastByte && bytes[byte] === 0xff) byte++;
        i = Math.max(i, byte * 8);
        if (i > to) break;
      }
      if ((bytes[i >> 3] & (0x80 >> (i & 7))) === 0) return i;
      i++;
    }
    return -1;
  }

  /** First set index at or after `from`, or -1. Skips empty bytes, so sparse bitmaps scan fast. */
  findSet(from: number): number {
    let i = Math.max(0, Math.ceil(from));
    const bytes = this.bytes;
    while (i < this.length) {
      if ((i & 7) === 0) {
        let byte = i >> 3;
        while (byte < bytes.length && bytes[byte] === 0) byte++;
        i = byte * 8;
        if (i >= this.length) break;
      }
      if ((bytes[i >> 3] & (0x80 >> (i & 7))) !== 0) return i;
      i++;
    }
    return -1;
  }

  clone(): Bitmap {
    return new Bitmap(this.bytes.slice());
  }

  private check(i: number): void {
    if (!Number.isInteger(i) || i < 0 || i >= this.length) throw new RangeError(`bit ${i} is outside a bitmap of ${this.length} bits`);
  }
}
