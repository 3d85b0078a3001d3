// webhook.tls.source=tenet: the controllers' leader issues and rotates the admission webhook's
// certificates itself, with no cert-manager and no `helm upgrade`:
// - the CA (10 years by default) and its key live in the Secret tenet-webhook-ca, which only the
//   controllers may read; CAs it replaced stay trusted (key `previous.crt`) until they expire;
// - the serving certificate (1 year) for the webhook Service's names lives in tenet-webhook-tls,
//   which the webhook Pods mount (they reload it when the kubelet refreshes the volume);
// - every webhook of the Mutating/ValidatingWebhookConfiguration gets the trusted CAs as caBundle.
// Each certificate is renewed when a third of its lifetime is left (server/domain/x509/rotation.ts).
// A new CA reaches the caBundle before any certificate it signed reaches the webhook, so the API
// server trusts whatever certificate a webhook replica serves during a rotation.
import { X509Certificate } from "node:crypto";
import { Counter, Gauge, type Registry } from "prom-client";
import { planRotation, trustedCas, type CertificateFacts, type CertificateState } from "../domain/x509/rotation";
import type { StoredSecret, WebhookConfigurationKind } from "../kube/webhookTls";
import { WEBHOOK_CONFIGURATION_KINDS } from "../kube/webhookTls";
import { facts, inspectCa, inspectServing, issueCa, issueServing, splitPem, type CertificateAndKey } from "./certificateIssuer";
import type { Log } from "../log";

export interface WebhookTlsApi {
  namespace: string;
  getSecret(name: string): Promise<StoredSecret | undefined>;
  writeSecret(
    name: string,
    type: string,
    data: Record<string, string>,
    previous: StoredSecret | undefined,
    labels: Record<string, string>,
  ): Promise<StoredSecret>;
  caBundles(kind: WebhookConfigurationKind, name: string): Promise<string[] | undefined>;
  setCaBundle(kind: WebhookConfigurationKind, name: string, bundlePem: string): Promise<boolean>;
}

export interface WebhookCertificatesOptions {
  api: WebhookTlsApi;
  /** The webhook's Service (its DNS names go into the certificate). */
  service: string;
  /** Secret of the serving certificate (type kubernetes.io/tls: tls.crt, tls.key, ca.crt). */
  tlsSecret: string;
  /** Secret of the CA (tls.crt, tls.key, previous.crt). */
  caSecret: string;
  /** Name of the Mutating- and ValidatingWebhookConfiguration. */
  configuration: string;
  caValidityMs?: number;
  servingValidityMs?: number;
  /** More names for the serving certificate (tests: 127.0.0.1). */
  extraHosts?: string[];
  log: Log;
  /** An Event on the serving certificate's Secret. */
  event?: (secret: { name: string; uid?: string }, reason: string, message: string) => Promise<void>;
  registry?: Registry;
}

export interface EnsureResult {
  newCa?: string;
  newServing?: string;
  /** Configurations whose caBundle was changed. */
  bundlesSet: WebhookConfigurationKind[];
  /** Configurations that do not exist (yet): nothing to inject into. */
  configurationsMissing: WebhookConfigurationKind[];
}

export const DEFAULT_CA_VALIDITY_MS = 3650 * 86_400_000;
export const DEFAULT_SERVING_VALIDITY_MS = 365 * 86_400_000;
type TrustedCa = CertificateFacts & { pem: string };
const LABELS = { "app.kubernetes.io/name": "tenet", "app.kubernetes.io/component": "webhook", "app.kubernetes.io/managed-by": "tenet-controllers" };

export class WebhookCertificates {
  private readonly expiry?: Gauge<"certificate">;
  private readonly issued?: Counter<"certificate">;
  private readonly failures?: Counter;
  private timer?: NodeJS.Timeout;
  private stopped = false;

  constructor(private readonly o: WebhookCertificatesOptions) {
    if (o.registry) {
      this.expiry = new Gauge({
        name: "tenet_webhook_certificate_expiry_timestamp_seconds",
        help: "When the webhook's CA and serving certificate expire (webhook.tls.source=tenet); tenet renews each with a third of its lifetime left.",
        labelNames: ["certificate"] as const,
        registers: [o.registry],
      });
      this.issued = new Counter({
        name: "tenet_webhook_certificates_issued_total",
        help: "Webhook CAs and serving certificates tenet issued.",
        labelNames: ["certificate"] as const,
        registers: [o.registry],
      });
      this.failures = new Counter({
        name: "tenet_webhook_certificate_check_failures_total",
        help: "Checks of the webhook's certificates that failed (the API server refused a read or write).",
        registers: [o.registry],
      });
    }
  }

  /** The names the webhook Service answers to inside the cluster. */
  get hosts(): string[] {
    const ns = this.o.api.namespace;
    const svc = `${this.o.service}.${ns}.svc`;
    return [svc, `${svc}.cluster.local`, `${this.o.service}.${ns}`, ...(this.o.extraHosts ?? [])];
  }

  /** One check: issue what is due, then make both configurations trust the current and earlier CAs. */
  async ensure(now = new Date()): Promise<EnsureResult> {
    const { api, log } = this.o;
    const caValidityMs = this.o.caValidityMs ?? DEFAULT_CA_VALIDITY_MS;
    const servingValidityMs = this.o.servingValidityMs ?? DEFAULT_SERVING_VALIDITY_MS;
    const caSecret = await api.getSecret(this.o.caSecret);
    const tlsSecret = await api.getSecret(this.o.tlsSecret);

    const state: CertificateState = { previousCas: [] };
    let ca: CertificateAndKey | undefined;
    if (!caSecret) state.caProblem = `Secret ${api.namespace}/${this.o.caSecret} does not exist yet`;
    else {
      try {
        ca = { certPem: caSecret.data["tls.crt"] ?? "", keyPem: caSecret.data["tls.key"] ?? "" };
        state.ca = inspectCa(ca);
      } catch (e) {
        ca = undefined;
        state.caProblem = `Secret ${api.namespace}/${this.o.caSecret} holds no readable CA (${(e as Error).message})`;
      }
    }
    let previous = readable(splitPem(caSecret?.data["previous.crt"] ?? ""));
    if (tlsSecret) {
      try {
        state.serving = inspectServing({ certPem: tlsSecret.data["tls.crt"] ?? "", keyPem: tlsSecret.data["tls.key"] ?? "" }, ca?.certPem, this.hosts);
      } catch (e) {
        state.servingProblem = `Secret ${api.namespace}/${this.o.tlsSecret} holds no readable certificate (${(e as Error).message})`;
      }
    } else state.servingProblem = `Secret ${api.namespace}/${this.o.tlsSecret} does not exist yet`;

    const plan = planRotation(state, { caValidityMs, servingValidityMs }, now);
    const result: EnsureResult = { bundlesSet: [], configurationsMissing: [] };

    if (plan.newCa) {
      // the CA it replaces stays trusted: the webhook may serve a certificate it signed for a while yet
      if (ca && state.ca) previous = [{ pem: ca.certPem, ...state.ca }, ...previous];
      ca = issueCa("tenet-webhook-ca", now, caValidityMs);
      const current = { pem: ca.certPem, ...facts(new X509Certificate(ca.certPem)) };
      previous = trustedCas(current, previous, now).slice(1);
      await api.writeSecret(
        this.o.caSecret,
        "Opaque",
        { "tls.crt": ca.certPem, "tls.key": ca.keyPem, "previous.crt": previous.map((p) => p.pem).join("") },
        caSecret,
        LABELS,
      );
      state.ca = { ...current, keyMatches: true };
      result.newCa = plan.newCa;
      this.issued?.inc({ certificate: "ca" });
      log("issued a new webhook CA", { reason: plan.newCa, notAfter: current.notAfter.toISOString(), secret: `${api.namespace}/${this.o.caSecret}` });
    }
    if (!ca || !state.ca) throw new Error("unreachable: no CA after planning");

    // before any certificate the new CA signed is served: every configuration trusts it
    const trusted = trustedCas({ pem: ca.certPem, ...state.ca }, previous, now);
    const bundle = trusted.map((c) => c.pem).join("");
    for (const kind of WEBHOOK_CONFIGURATION_KINDS) {
      const bundles = await api.caBundles(kind, this.o.configuration);
      if (bundles === undefined) {
        result.configurationsMissing.push(kind);
        continue;
      }
      if (bundles.every((b) => b === bundle)) continue;
      if (await api.setCaBundle(kind, this.o.configuration, bundle)) {
        result.bundlesSet.push(kind);
        log("set the webhook configuration's caBundle", { kind, name: this.o.configuration, cas: trusted.length });
      }
    }

    if (plan.newServing) {
      const serving = issueServing(ca, this.hosts, now, servingValidityMs);
      const written = await api.writeSecret(
        this.o.tlsSecret,
        "kubernetes.io/tls",
        { "tls.crt": serving.certPem, "tls.key": serving.keyPem, "ca.crt": ca.certPem },
        tlsSecret,
        LABELS,
      );
      const servingFacts = facts(new X509Certificate(serving.certPem));
      state.serving = { ...servingFacts, signedByCa: true, missingHosts: [], keyMatches: true };
      result.newServing = plan.newServing;
      this.issued?.inc({ certificate: "serving" });
      const message = `issued the webhook's serving certificate for ${this.hosts.join(", ")}, valid until ${servingFacts.notAfter.toISOString()}, because ${plan.newServing}`;
      log("issued a new webhook serving certificate", {
        reason: plan.newServing,
        notAfter: servingFacts.notAfter.toISOString(),
        secret: `${api.namespace}/${this.o.tlsSecret}`,
      });
      await this.o
        .event?.({ name: this.o.tlsSecret, uid: written.uid }, "WebhookCertificateIssued", message)
        .catch((e) => log("could not record an Event", { error: (e as Error).message }));
    }
    this.expiry?.set({ certificate: "ca" }, state.ca.notAfter.getTime() / 1000);
    if (state.serving) this.expiry?.set({ certificate: "serving" }, state.serving.notAfter.getTime() / 1000);
    return result;
  }

  /** Checks now and then every `intervalMs` (sooner after a failure) until stop(). */
  start(intervalMs: number, retryMs = 30_000) {
    this.stopped = false;
    const pass = async () => {
      let next = intervalMs;
      try {
        const r = await this.ensure();
        if (r.configurationsMissing.length) {
          this.o.log("webhook configuration missing: no caBundle to set", { name: this.o.configuration, kinds: r.configurationsMissing });
          next = Math.min(intervalMs, retryMs);
        }
      } catch (e) {
        this.failures?.inc();
        this.o.log("webhook certificate check failed", { error: (e as Error).message });
        next = Math.min(intervalMs, retryMs);
      }
      if (!this.stopped) this.timer = setTimeout(pass, next);
    };
    void pass();
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
  }
}

/** The readable certificates of a bundle, with their facts; unreadable ones are dropped. */
function readable(pems: string[]): TrustedCa[] {
  const out: TrustedCa[] = [];
  for (const pem of pems) {
    try {
      out.push({ pem, ...facts(new X509Certificate(pem)) });
    } catch {
      // a damaged entry is simply no longer trusted
    }
  }
  return out;
}
