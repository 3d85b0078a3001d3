// When tenet issues a new webhook CA or serving certificate, and which CAs the webhook
// configurations must trust (webhook.tls.source=tenet, docs/install.md). Pure: the facts about the
// certificates in the Secrets come in, the decision goes out.

export interface CertificateFacts {
  notBefore: Date;
  notAfter: Date;
  /** SHA-256 fingerprint, to tell certificates apart. */
  fingerprint: string;
}

export interface ServingFacts extends CertificateFacts {
  /** Signed by the current CA's key. */
  signedByCa: boolean;
  /** Names the webhook Service answers to that the certificate does not cover. */
  missingHosts: string[];
  /** The private key in the Secret belongs to the certificate. */
  keyMatches: boolean;
}

export interface CertificateState {
  /** The current CA, undefined when its Secret is missing or cannot be read (then `caProblem` says why). */
  ca?: CertificateFacts & { keyMatches: boolean };
  caProblem?: string;
  /** CAs replaced earlier, still trusted until they expire (their certificates may still be served). */
  previousCas: CertificateFacts[];
  serving?: ServingFacts;
  servingProblem?: string;
}

export interface RotationPolicy {
  caValidityMs: number;
  servingValidityMs: number;
}

export interface RotationPlan {
  /** A new CA replaces the current one (which joins the previous CAs). */
  newCa?: string;
  /** A new serving certificate, signed by the (new) current CA. */
  newServing?: string;
}

/** A certificate is renewed once less than a third of its lifetime is left. */
export function renewalDue(c: CertificateFacts, now: Date): boolean {
  const lifetime = c.notAfter.getTime() - c.notBefore.getTime();
  return c.notAfter.getTime() - now.getTime() < lifetime / 3;
}

/** "121 days", "5 hours", "59 minutes": whole units, rounded down. */
function days(ms: number): string {
  const [unit, size] = ms >= 2 * 86_400_000 ? ["days", 86_400_000] : ms >= 2 * 3_600_000 ? ["hours", 3_600_000] : ["minutes", 60_000];
  return `${Math.max(0, Math.floor(ms / size))} ${unit}`;
}

/** What to issue now; an empty plan when both certificates are sound and not yet due. */
export function planRotation(state: CertificateState, policy: RotationPolicy, now: Date): RotationPlan {
  const plan: RotationPlan = {};
  const { ca, serving } = state;
  if (!ca) plan.newCa = state.caProblem ?? "there is no CA yet";
  else if (!ca.keyMatches) plan.newCa = "the CA's private key does not belong to its certificate";
  else if (ca.notAfter <= now) plan.newCa = "the CA has expired";
  // a CA must outlive every certificate it signs: renew it when a full serving certificate would outlive it
  else if (renewalDue(ca, now) || ca.notAfter.getTime() - now.getTime() < policy.servingValidityMs)
    plan.newCa = `the CA expires in ${days(ca.notAfter.getTime() - now.getTime())}`;

  if (plan.newCa) plan.newServing = "the CA is new";
  else if (!serving) plan.newServing = state.servingProblem ?? "there is no serving certificate yet";
  else if (!serving.keyMatches) plan.newServing = "the serving certificate's private key does not belong to it";
  else if (!serving.signedByCa) plan.newServing = "the serving certificate was not signed by the current CA";
  else if (serving.missingHosts.length) plan.newServing = `the serving certificate does not cover ${serving.missingHosts.join(", ")}`;
  else if (serving.notAfter <= now) plan.newServing = "the serving certificate has expired";
  else if (renewalDue(serving, now)) plan.newServing = `the serving certificate expires in ${days(serving.notAfter.getTime() - now.getTime())}`;
  return plan;
}

/**
 * The CAs the API server must trust: the current one and every earlier one that has not expired,
 * newest first, without duplicates. The previous CAs stay because a webhook replica may still serve
 * a certificate they signed until the kubelet has refreshed its Secret volume.
 */
export function trustedCas<T extends CertificateFacts>(current: T, previous: readonly T[], now: Date): T[] {
  const seen = new Set([current.fingerprint]);
  const kept = [current];
  for (const c of [...previous].sort((a, b) => b.notAfter.getTime() - a.notAfter.getTime())) {
    if (c.notAfter <= now || seen.has(c.fingerprint)) continue;
    seen.add(c.fingerprint);
    kept.push(c);
  }
  return kept;
}
