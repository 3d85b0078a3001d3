// Issues and reads the webhook's CA and serving certificates (ECDSA P-256, SHA-256) with Node's
// crypto: the DER structure comes from server/domain/x509/der.ts, the keys and signatures from
// node:crypto, parsing and verification from crypto.X509Certificate.
import crypto, { X509Certificate } from "node:crypto";
import { certificate, name, pem, tbsCertificate } from "../domain/x509/der";
import type { CertificateFacts, ServingFacts } from "../domain/x509/rotation";

export interface CertificateAndKey {
  certPem: string;
  keyPem: string;
}

/** Back-dated so that a node whose clock is a little behind accepts a certificate issued just now: by an hour, or a hundredth of a short lifetime. */
const skew = (validityMs: number) => Math.min(60 * 60 * 1000, Math.floor(validityMs / 100));

function newKey() {
  return crypto.generateKeyPairSync("ec", { namedCurve: "prime256v1" });
}

function keyId(publicKey: crypto.KeyObject): Uint8Array {
  return crypto
    .createHash("sha1")
    .update(publicKey.export({ type: "spki", format: "der" }))
    .digest();
}

function serial(): Uint8Array {
  const bytes = crypto.randomBytes(16);
  bytes[0]! &= 0x7f;
  bytes[0]! |= 0x01; // positive and never shortened by a leading zero
  return bytes;
}

function sign(tbs: Uint8Array, key: crypto.KeyObject): string {
  return pem("CERTIFICATE", certificate(tbs, crypto.sign("sha256", tbs, key)));
}

/** A self-signed CA that may sign serving certificates (and nothing else: path length 0). */
export function issueCa(commonName: string, now: Date, validityMs: number): CertificateAndKey {
  const { publicKey, privateKey } = newKey();
  const id = keyId(publicKey);
  const subject = name(commonName, "tenet");
  const tbs = tbsCertificate({
    serial: serial(),
    issuer: subject,
    subject,
    notBefore: new Date(now.getTime() - skew(validityMs)),
    notAfter: new Date(now.getTime() + validityMs),
    subjectPublicKeyInfo: publicKey.export({ type: "spki", format: "der" }),
    subjectKeyId: id,
    authorityKeyId: id,
    ca: true,
  });
  return { certPem: sign(tbs, privateKey), keyPem: privateKey.export({ type: "pkcs8", format: "pem" }) as string };
}

/** A TLS server certificate for `hosts` (the first is the subject's CN), signed by `ca`; it never outlives the CA. */
export function issueServing(ca: CertificateAndKey, hosts: readonly string[], now: Date, validityMs: number): CertificateAndKey {
  if (hosts.length === 0) throw new Error("a serving certificate needs at least one host name");
  const caCert = new X509Certificate(ca.certPem);
  const caKey = crypto.createPrivateKey(ca.keyPem);
  const { publicKey, privateKey } = newKey();
  const notAfter = Math.min(now.getTime() + validityMs, Date.parse(caCert.validTo));
  const tbs = tbsCertificate({
    serial: serial(),
    issuer: subjectOf(caCert),
    subject: name(hosts[0]!),
    notBefore: new Date(now.getTime() - skew(validityMs)),
    notAfter: new Date(notAfter),
    subjectPublicKeyInfo: publicKey.export({ type: "spki", format: "der" }),
    subjectKeyId: keyId(publicKey),
    authorityKeyId: keyId(caCert.publicKey),
    ca: false,
    hosts,
  });
  return { certPem: sign(tbs, caKey), keyPem: privateKey.export({ type: "pkcs8", format: "pem" }) as string };
}

/**
 * The DER subject Name of a certificate, copied byte for byte (an issuer must match its CA's subject
 * exactly). Read from the certificate's own DER: TBSCertificate fields 1–6, skipping [0] version,
 * serial, signature algorithm, issuer and validity.
 */
function subjectOf(cert: X509Certificate): Uint8Array {
  const der = new Uint8Array(cert.raw);
  const read = (at: number) => {
    let len = der[at + 1]!;
    let header = 2;
    if (len & 0x80) {
      const n = len & 0x7f;
      len = 0;
      for (let i = 0; i < n; i++) len = len * 256 + der[at + 2 + i]!;
      header += n;
    }
    return { start: at, contentStart: at + header, end: at + header + len };
  };
  const tbs = read(read(0).contentStart);
  let at = tbs.contentStart;
  if (der[at] === 0xa0) at = read(at).end; // version
  for (let field = 0; field < 4; field++) at = read(at).end; // serial, signature, issuer, validity
  const subject = read(at);
  return der.slice(subject.start, subject.end);
}

/** The PEM certificates in a bundle, in order. */
export function splitPem(bundle: string): string[] {
  return bundle.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n?/g)?.map((c) => (c.endsWith("\n") ? c : `${c}\n`)) ?? [];
}

export function facts(cert: X509Certificate): CertificateFacts {
  return { notBefore: new Date(Date.parse(cert.validFrom)), notAfter: new Date(Date.parse(cert.validTo)), fingerprint: cert.fingerprint256 };
}

function keyMatches(cert: X509Certificate, keyPem: string): boolean {
  try {
    return cert.checkPrivateKey(crypto.createPrivateKey(keyPem));
  } catch {
    return false;
  }
}

/** The CA's facts; throws with the reason when the certificate cannot be read or is not a CA. */
export function inspectCa(ca: CertificateAndKey): CertificateFacts & { keyMatches: boolean } {
  const cert = new X509Certificate(ca.certPem);
  if (!cert.ca) throw new Error("the CA certificate is not a CA (basicConstraints)");
  return { ...facts(cert), keyMatches: keyMatches(cert, ca.keyPem) };
}

/** The serving certificate's facts against the current CA and the names the webhook must answer to. */
export function inspectServing(serving: CertificateAndKey, caCertPem: string | undefined, hosts: readonly string[]): ServingFacts {
  const cert = new X509Certificate(serving.certPem);
  let signedByCa = false;
  if (caCertPem) {
    const ca = new X509Certificate(caCertPem);
    signedByCa = cert.checkIssued(ca) && cert.verify(ca.publicKey);
  }
  const missingHosts = hosts.filter((h) =>
    /^\d+\.\d+\.\d+\.\d+$/.test(h) ? cert.checkIP(h) === undefined : cert.checkHost(h, { subject: "never", wildcards: false }) === undefined,
  );
  return { ...facts(cert), signedByCa, missingHosts, keyMatches: keyMatches(cert, serving.keyPem) };
}
