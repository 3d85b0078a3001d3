// The issued certificates checked by OpenSSL's strict X.509 verification (Debian's openssl, which
// .ci/run installs), and the facts the rotation plan reads from them.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { inspectCa, inspectServing, issueCa, issueServing, splitPem } from "./certificateIssuer";

const DAY = 86_400_000;
const hosts = ["tenet-webhook.tenet-system.svc", "tenet-webhook.tenet-system.svc.cluster.local", "127.0.0.1"];

function opensslVerify(caPem: string, certPem: string, host: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tenet-x509-"));
  try {
    fs.writeFileSync(path.join(dir, "ca.pem"), caPem);
    fs.writeFileSync(path.join(dir, "cert.pem"), certPem);
    return execFileSync(
      "openssl",
      ["verify", "-x509_strict", "-purpose", "sslserver", "-verify_hostname", host, "-CAfile", path.join(dir, "ca.pem"), path.join(dir, "cert.pem")],
      { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] },
    ).trim();
  } catch (e) {
    return `failed: ${(e as { stdout?: string; stderr?: string }).stdout ?? ""}${(e as { stderr?: string }).stderr ?? ""}`;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe("issued webhook certificates", () => {
  const now = new Date();
  const ca = issueCa("tenet-webhook-ca", now, 3650 * DAY);
  const serving = issueServing(ca, hosts, now, 365 * DAY);

  it("pass OpenSSL's strict verification as a TLS server certificate for the Service's name", () => {
    expect(opensslVerify(ca.certPem, serving.certPem, "tenet-webhook.tenet-system.svc")).toMatch(/: OK$/);
    // and not for a name it was not issued for, nor under another CA
    expect(opensslVerify(ca.certPem, serving.certPem, "tenet-webhook.other.svc")).toMatch(/^failed: .*hostname mismatch/s);
    expect(opensslVerify(issueCa("other", now, DAY).certPem, serving.certPem, "tenet-webhook.tenet-system.svc")).toMatch(
      /^failed: .*unable to get local issuer certificate/s,
    );
  });

  it("read back with the facts the rotation plan needs", () => {
    expect(inspectCa(ca)).toMatchObject({ keyMatches: true });
    const facts = inspectServing(serving, ca.certPem, [...hosts, "tenet-webhook.tenet-system"]);
    expect(facts).toMatchObject({ signedByCa: true, keyMatches: true, missingHosts: ["tenet-webhook.tenet-system"] });
    expect(facts.notAfter.getTime() - now.getTime()).toBeLessThanOrEqual(365 * DAY);
    expect(facts.notAfter.getTime() - now.getTime()).toBeGreaterThan(365 * DAY - 1000);
    expect(inspectServing({ ...serving, keyPem: issueServing(ca, hosts, now, DAY).keyPem }, ca.certPem, hosts).keyMatches).toBe(false);
    expect(() => inspectCa(serving)).toThrow(/not a CA/);
  });

  it("never outlive their CA", () => {
    const shortCa = issueCa("short", now, 10 * DAY);
    const s = issueServing(shortCa, hosts, now, 365 * DAY);
    expect(inspectServing(s, shortCa.certPem, hosts).notAfter).toEqual(inspectCa(shortCa).notAfter);
  });

  it("split a bundle into its certificates", () => {
    expect(splitPem(`${ca.certPem}${serving.certPem}`)).toEqual([ca.certPem, serving.certPem]);
    expect(splitPem("")).toEqual([]);
  });
});
