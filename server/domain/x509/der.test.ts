import { X509Certificate, createPublicKey, generateKeyPairSync, sign } from "node:crypto";
import { describe, expect, it } from "vitest";
import { certificate, namedBits, oid, pem, smallInteger, tbsCertificate, time, tlv, unsignedInteger, name } from "./der";

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

describe("DER primitives (X.690)", () => {
  it("encodes short and long definite lengths", () => {
    expect(hex(tlv(0x04, new Uint8Array(3)))).toBe("0403000000");
    expect(hex(tlv(0x04, new Uint8Array(200))).slice(0, 6)).toBe("0481c8");
    expect(hex(tlv(0x04, new Uint8Array(300))).slice(0, 8)).toBe("0482012c");
  });

  it("encodes INTEGERs minimally and never negative", () => {
    expect(hex(smallInteger(0))).toBe("020100");
    expect(hex(smallInteger(2))).toBe("020102");
    expect(hex(smallInteger(127))).toBe("02017f");
    expect(hex(smallInteger(128))).toBe("02020080");
    expect(hex(smallInteger(256))).toBe("02020100");
    expect(hex(unsignedInteger(Uint8Array.of(0, 0, 0x81)))).toBe("02020081");
    expect(() => smallInteger(-1)).toThrow(/non-negative/);
  });

  it("encodes OBJECT IDENTIFIERs with base-128 arcs", () => {
    expect(hex(oid("2.5.4.3"))).toBe("0603550403");
    expect(hex(oid("1.2.840.10045.4.3.2"))).toBe("06082a8648ce3d040302");
    expect(hex(oid("1.3.6.1.5.5.7.3.1"))).toBe("06082b06010505070301");
    expect(() => oid("1")).toThrow(/not an object identifier/);
    expect(() => oid("1.40")).toThrow(/not an object identifier/);
  });

  it("encodes named bits without trailing zero bits (KeyUsage)", () => {
    expect(hex(namedBits([0]))).toBe("03020780"); // digitalSignature
    expect(hex(namedBits([0, 5, 6]))).toBe("03020186"); // + keyCertSign, cRLSign
    expect(hex(namedBits([8]))).toBe("0303070080");
  });

  it("uses UTCTime through 2049 and GeneralizedTime from 2050 (RFC 5280 §4.1.2.5)", () => {
    expect(
      Buffer.from(time(new Date(Date.UTC(2049, 11, 31, 23, 59, 59))))
        .subarray(2)
        .toString(),
    ).toBe("491231235959Z");
    expect(time(new Date(Date.UTC(2049, 0, 1)))[0]).toBe(0x17);
    expect(
      Buffer.from(time(new Date(Date.UTC(2050, 0, 2, 3, 4, 5))))
        .subarray(2)
        .toString(),
    ).toBe("20500102030405Z");
    expect(time(new Date(Date.UTC(2050, 0, 1)))[0]).toBe(0x18);
  });
});

describe("a certificate built from these parts", () => {
  it("is read back by OpenSSL (through node:crypto) with every field as built", () => {
    const { publicKey, privateKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
    const subject = name("example CA", "tenet");
    const tbs = tbsCertificate({
      serial: Uint8Array.of(0x12, 0x34),
      issuer: subject,
      subject,
      notBefore: new Date(Date.UTC(2026, 0, 1)),
      notAfter: new Date(Date.UTC(2060, 0, 1)),
      subjectPublicKeyInfo: publicKey.export({ type: "spki", format: "der" }),
      subjectKeyId: Uint8Array.of(1, 2, 3),
      authorityKeyId: Uint8Array.of(1, 2, 3),
      ca: true,
      hosts: ["ca.example", "10.1.2.3"],
    });
    const cert = new X509Certificate(pem("CERTIFICATE", certificate(tbs, sign("sha256", tbs, privateKey))));
    expect(cert.serialNumber.toLowerCase()).toBe("1234");
    expect(cert.subject).toBe("O=tenet\nCN=example CA");
    expect(cert.issuer).toBe(cert.subject);
    expect(new Date(cert.validFrom).toISOString()).toBe("2026-01-01T00:00:00.000Z");
    expect(new Date(cert.validTo).toISOString()).toBe("2060-01-01T00:00:00.000Z");
    expect(cert.ca).toBe(true);
    expect(cert.subjectAltName).toBe("DNS:ca.example, IP Address:10.1.2.3");
    expect(cert.verify(createPublicKey(publicKey.export({ type: "spki", format: "pem" })))).toBe(true);
    expect(cert.checkPrivateKey(privateKey)).toBe(true);
  });

  it("refuses a serial that would read as negative or is too long", () => {
    const base = {
      issuer: name("x"),
      subject: name("x"),
      notBefore: new Date(),
      notAfter: new Date(),
      subjectPublicKeyInfo: new Uint8Array(),
      subjectKeyId: new Uint8Array(),
      ca: false,
    };
    expect(() => tbsCertificate({ ...base, serial: Uint8Array.of(0x80) })).toThrow(/serial/);
    expect(() => tbsCertificate({ ...base, serial: new Uint8Array(21).fill(1) })).toThrow(/serial/);
  });
});
