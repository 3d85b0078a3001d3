import { describe, expect, it } from "vitest";
import { planRotation, renewalDue, trustedCas, type CertificateState } from "./rotation";

const DAY = 86_400_000;
const t0 = new Date(Date.UTC(2026, 0, 1));
const at = (days: number) => new Date(t0.getTime() + days * DAY);
const policy = { caValidityMs: 3650 * DAY, servingValidityMs: 365 * DAY };
const ca = (from: number, to: number, fingerprint = "ca1") => ({ notBefore: at(from), notAfter: at(to), fingerprint, keyMatches: true });
const serving = (from: number, to: number, more: Partial<{ signedByCa: boolean; missingHosts: string[]; keyMatches: boolean }> = {}) => ({
  notBefore: at(from),
  notAfter: at(to),
  fingerprint: "s",
  signedByCa: true,
  missingHosts: [],
  keyMatches: true,
  ...more,
});
const sound = (): CertificateState => ({ ca: ca(0, 3650), previousCas: [], serving: serving(0, 365) });

describe("planRotation", () => {
  it("issues both when nothing exists, saying why", () => {
    expect(
      planRotation({ previousCas: [], caProblem: "Secret tenet-system/tenet-webhook-ca does not exist yet", servingProblem: "no tls" }, policy, t0),
    ).toEqual({ newCa: "Secret tenet-system/tenet-webhook-ca does not exist yet", newServing: "the CA is new" });
  });

  it("issues nothing while both are sound and not yet two thirds through their lifetime", () => {
    expect(planRotation(sound(), policy, at(1))).toEqual({});
    expect(planRotation(sound(), policy, at(243))).toEqual({});
  });

  it("renews the serving certificate with a third of its lifetime left", () => {
    expect(planRotation(sound(), policy, at(244))).toEqual({ newServing: "the serving certificate expires in 121 days" });
    expect(planRotation(sound(), policy, at(400))).toEqual({ newServing: "the serving certificate has expired" });
  });

  it("replaces a serving certificate that is not the CA's, misses a name or has a foreign key", () => {
    expect(planRotation({ ...sound(), serving: serving(0, 365, { signedByCa: false }) }, policy, at(1)).newServing).toMatch(/not signed by the current CA/);
    expect(planRotation({ ...sound(), serving: serving(0, 365, { missingHosts: ["tenet-webhook.ns.svc"] }) }, policy, at(1)).newServing).toBe(
      "the serving certificate does not cover tenet-webhook.ns.svc",
    );
    expect(planRotation({ ...sound(), serving: serving(0, 365, { keyMatches: false }) }, policy, at(1)).newServing).toMatch(/private key does not belong/);
    expect(planRotation({ ...sound(), serving: undefined, servingProblem: "unreadable" }, policy, at(1))).toEqual({ newServing: "unreadable" });
  });

  it("renews the CA before a full serving certificate would outlive it, or a third before its end, and then the serving certificate too", () => {
    // a third of 3650 days is 1216 days: due from day 2434
    expect(planRotation(sound(), policy, at(2433)).newCa).toBeUndefined();
    expect(planRotation(sound(), policy, at(2434))).toEqual({ newCa: "the CA expires in 1216 days", newServing: "the CA is new" });
    // a short-lived CA: due when less than one serving lifetime is left
    const short = { ...sound(), ca: ca(0, 500) };
    expect(planRotation(short, policy, at(100)).newCa).toBeUndefined();
    expect(planRotation(short, policy, at(136)).newCa).toBe("the CA expires in 364 days");
    expect(planRotation({ ...sound(), ca: { ...ca(0, 3650), keyMatches: false } }, policy, at(1)).newCa).toMatch(/private key does not belong/);
    // close to the end, in hours and minutes
    expect(planRotation(short, policy, new Date(at(500).getTime() - 5.5 * 3_600_000)).newCa).toBe("the CA expires in 5 hours");
    expect(planRotation(short, policy, new Date(at(500).getTime() - 90 * 60_000)).newCa).toBe("the CA expires in 90 minutes");
  });
});

describe("renewalDue", () => {
  it("is due exactly when less than a third of the lifetime is left", () => {
    const c = { notBefore: at(0), notAfter: at(300), fingerprint: "x" };
    expect(renewalDue(c, at(200))).toBe(false);
    expect(renewalDue(c, new Date(at(200).getTime() + 1))).toBe(true);
  });
});

describe("trustedCas", () => {
  it("keeps the current CA first, then unexpired earlier ones newest first, without duplicates", () => {
    const current = ca(1000, 4650, "new");
    const older = [ca(0, 3650, "old"), ca(-4000, 500, "expired"), ca(1000, 4650, "new"), ca(500, 4000, "middle")];
    expect(trustedCas(current, older, at(1000)).map((c) => c.fingerprint)).toEqual(["new", "middle", "old"]);
    expect(trustedCas(current, older, at(3700)).map((c) => c.fingerprint)).toEqual(["new", "middle"]);
  });
});
