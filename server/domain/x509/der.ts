// The DER encoding (ITU-T X.690) of what an X.509 v3 certificate (RFC 5280) is made of, enough for
// tenet to issue its webhook's CA and serving certificate itself: Node.js can parse, verify and sign
// (crypto.X509Certificate, crypto.sign) but not build a certificate. Pure: the caller signs the
// to-be-signed bytes and hands the signature back to `certificate`.

/** One DER element: tag, definite length, contents. */
export function tlv(tag: number, contents: Uint8Array): Uint8Array {
  const n = contents.length;
  let header: number[];
  if (n < 0x80) header = [tag, n];
  else {
    const bytes: number[] = [];
    for (let rest = n; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256);
    header = [tag, 0x80 | bytes.length, ...bytes];
  }
  const out = new Uint8Array(header.length + n);
  out.set(header, 0);
  out.set(contents, header.length);
  return out;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const ascii = (s: string) => new TextEncoder().encode(s);

export const sequence = (...items: Uint8Array[]) => tlv(0x30, concat(items));
export const set = (...items: Uint8Array[]) => tlv(0x31, concat(items));
export const boolean = (value: boolean) => tlv(0x01, Uint8Array.of(value ? 0xff : 0x00));
export const octetString = (bytes: Uint8Array) => tlv(0x04, bytes);
export const utf8String = (s: string) => tlv(0x0c, ascii(s));
/** [n] EXPLICIT: a constructed context-specific tag around one element. */
export const explicit = (n: number, inner: Uint8Array) => tlv(0xa0 | n, inner);
/** [n] IMPLICIT on a primitive: the element's contents under a context-specific tag. */
export const implicitPrimitive = (n: number, contents: Uint8Array) => tlv(0x80 | n, contents);

/** A non-negative INTEGER from its big-endian magnitude (leading zeros dropped, a 0x00 added when the top bit is set). */
export function unsignedInteger(magnitude: Uint8Array): Uint8Array {
  let start = 0;
  while (start < magnitude.length - 1 && magnitude[start] === 0) start++;
  const bytes = magnitude.subarray(start);
  if (bytes.length === 0) return tlv(0x02, Uint8Array.of(0));
  return tlv(0x02, bytes[0]! & 0x80 ? concat([Uint8Array.of(0), bytes]) : bytes);
}

export const smallInteger = (n: number) => unsignedInteger(Uint8Array.of(...bigEndian(n)));

function bigEndian(n: number): number[] {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`DER INTEGER: ${n} is not a non-negative safe integer`);
  const bytes: number[] = [];
  for (let rest = n; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256);
  return bytes.length ? bytes : [0];
}

/** OBJECT IDENTIFIER from dotted form ("2.5.4.3"). */
export function oid(dotted: string): Uint8Array {
  const arcs = dotted.split(".").map(Number);
  if (arcs.length < 2 || arcs.some((a) => !Number.isSafeInteger(a) || a < 0) || arcs[0]! > 2 || (arcs[0]! < 2 && arcs[1]! > 39))
    throw new RangeError(`not an object identifier: ${dotted}`);
  const out: number[] = [];
  for (const arc of [arcs[0]! * 40 + arcs[1]!, ...arcs.slice(2)]) {
    const base128: number[] = [arc % 128];
    for (let rest = Math.floor(arc / 128); rest > 0; rest = Math.floor(rest / 128)) base128.unshift(0x80 | (rest % 128));
    out.push(...base128);
  }
  return tlv(0x06, Uint8Array.from(out));
}

/** BIT STRING of whole bytes (a signature, a public key): no unused bits. */
export const bitString = (bytes: Uint8Array) => tlv(0x03, concat([Uint8Array.of(0), bytes]));

/** BIT STRING of named bits (KeyUsage: bit 0 is the first, most significant bit), trailing zero bits removed as DER requires. */
export function namedBits(bits: readonly number[]): Uint8Array {
  if (bits.length === 0) return tlv(0x03, Uint8Array.of(0));
  const highest = Math.max(...bits);
  const bytes = new Uint8Array(Math.floor(highest / 8) + 1);
  for (const b of bits) bytes[Math.floor(b / 8)]! |= 0x80 >> (b % 8);
  const unused = 7 - (highest % 8);
  return tlv(0x03, concat([Uint8Array.of(unused), bytes]));
}

const two = (n: number) => String(n).padStart(2, "0");

/** RFC 5280 §4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050; whole seconds, UTC. */
export function time(at: Date): Uint8Array {
  const y = at.getUTCFullYear();
  const rest = `${two(at.getUTCMonth() + 1)}${two(at.getUTCDate())}${two(at.getUTCHours())}${two(at.getUTCMinutes())}${two(at.getUTCSeconds())}Z`;
  return y < 2050 && y >= 1950 ? tlv(0x17, ascii(`${two(y % 100)}${rest}`)) : tlv(0x18, ascii(`${String(y).padStart(4, "0")}${rest}`));
}

export const OID = {
  commonName: "2.5.4.3",
  organization: "2.5.4.10",
  ecdsaWithSha256: "1.2.840.10045.4.3.2",
  basicConstraints: "2.5.29.19",
  keyUsage: "2.5.29.15",
  extKeyUsage: "2.5.29.37",
  subjectAltName: "2.5.29.17",
  subjectKeyIdentifier: "2.5.29.14",
  authorityKeyIdentifier: "2.5.29.35",
  serverAuth: "1.3.6.1.5.5.7.3.1",
} as const;

/** KeyUsage bit numbers (RFC 5280 §4.2.1.3). */
export const KEY_USAGE = { digitalSignature: 0, keyCertSign: 5, cRLSign: 6 } as const;

export function name(commonName: string, organization?: string): Uint8Array {
  const rdn = (type: string, value: string) => set(sequence(oid(type), utf8String(value)));
  return sequence(...(organization ? [rdn(OID.organization, organization)] : []), rdn(OID.commonName, commonName));
}

function extension(id: string, critical: boolean, value: Uint8Array): Uint8Array {
  return sequence(oid(id), ...(critical ? [boolean(true)] : []), octetString(value));
}

/** IPv4 dotted quad → 4 bytes, or undefined (IPv6 SANs are not needed by the webhook). */
function ipv4Bytes(host: string): Uint8Array | undefined {
  const parts = host.split(".");
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) return undefined;
  return Uint8Array.from(parts.map(Number));
}

export interface CertificateFields {
  /** Positive, at most 20 bytes (RFC 5280 §4.1.2.2). */
  serial: Uint8Array;
  issuer: Uint8Array;
  subject: Uint8Array;
  notBefore: Date;
  notAfter: Date;
  /** The DER SubjectPublicKeyInfo, as crypto.KeyObject.export({type: "spki", format: "der"}) gives it. */
  subjectPublicKeyInfo: Uint8Array;
  subjectKeyId: Uint8Array;
  authorityKeyId?: Uint8Array;
  /** A CA may sign certificates; a serving certificate may only authenticate a TLS server. */
  ca: boolean;
  /** DNS names and IPv4 addresses of a serving certificate. */
  hosts?: readonly string[];
}

/** The TBSCertificate of an X.509 v3 certificate signed with ECDSA-SHA256. */
export function tbsCertificate(f: CertificateFields): Uint8Array {
  if (f.serial.length === 0 || f.serial.length > 20 || f.serial[0]! & 0x80)
    throw new RangeError("serial: must be 1 to 20 bytes with the top bit clear (positive)");
  const extensions: Uint8Array[] = [
    extension(OID.basicConstraints, true, f.ca ? sequence(boolean(true), smallInteger(0)) : sequence()),
    extension(OID.keyUsage, true, namedBits(f.ca ? [KEY_USAGE.digitalSignature, KEY_USAGE.keyCertSign, KEY_USAGE.cRLSign] : [KEY_USAGE.digitalSignature])),
    extension(OID.subjectKeyIdentifier, false, octetString(f.subjectKeyId)),
  ];
  if (f.authorityKeyId) extensions.push(extension(OID.authorityKeyIdentifier, false, sequence(implicitPrimitive(0, f.authorityKeyId))));
  if (!f.ca) extensions.push(extension(OID.extKeyUsage, false, sequence(oid(OID.serverAuth))));
  if (f.hosts?.length) {
    const names = f.hosts.map((h) => {
      const ip = ipv4Bytes(h);
      return ip ? implicitPrimitive(7, ip) : implicitPrimitive(2, ascii(h));
    });
    extensions.push(extension(OID.subjectAltName, false, sequence(...names)));
  }
  return sequence(
    explicit(0, smallInteger(2)),
    unsignedInteger(f.serial),
    sequence(oid(OID.ecdsaWithSha256)),
    f.issuer,
    sequence(time(f.notBefore), time(f.notAfter)),
    f.subject,
    f.subjectPublicKeyInfo,
    explicit(3, sequence(...extensions)),
  );
}

/** The Certificate: the TBSCertificate, its algorithm and the DER ECDSA signature over it. */
export function certificate(tbs: Uint8Array, signature: Uint8Array): Uint8Array {
  return sequence(tbs, sequence(oid(OID.ecdsaWithSha256)), bitString(signature));
}

/** PEM armour ("CERTIFICATE"). */
export function pem(label: string, der: Uint8Array): string {
  let binary = "";
  for (const byte of der) binary += String.fromCharCode(byte);
  const b64 = btoa(binary);
  return `-----BEGIN ${label}-----\n${b64.replace(/.{1,64}/g, "$&\n")}-----END ${label}-----\n`;
}
