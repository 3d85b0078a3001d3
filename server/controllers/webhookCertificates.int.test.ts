// webhook.tls.source=tenet against the real API server: the controllers issue the webhook's CA and
// serving certificate into Secrets, set the caBundle of both webhook configurations, renew each when
// a third of its lifetime is left, and keep a replaced CA trusted. The proof that the certificates are
// right is kube-apiserver itself (Go's crypto/x509): a webhook configuration names a TLS server of
// this test by URL, and objects of a test namespace are created through it, before, during and after
// each rotation.
import { X509Certificate } from "node:crypto";
import https from "node:https";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { loadKubeConfig } from "../kube/config";
import { KubeRest } from "../kube/rest";
import { WebhookTlsStore } from "../kube/webhookTls";
import { issueServing, splitPem } from "./certificateIssuer";
import { WebhookCertificates } from "./webhookCertificates";

const cluster = inject("cluster");
const kc = loadKubeConfig(cluster.controlPlane.kubeconfigs.admin);
let admin: KubeRest;
const suffix = Math.random().toString(36).slice(2, 8);
const ns = `certs-${suffix}`;
const configuration = `tenet-certs-${suffix}`;
const store = new WebhookTlsStore(kc, ns);
const logs: string[] = [];
let calls = 0;
let server: https.Server;

/** Serves whatever certificate the test gives it and allows every AdmissionReview. */
function startServer(): Promise<number> {
  server = https.createServer({}, (req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      calls++;
      const review = JSON.parse(body) as { request: { uid: string } };
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview", response: { uid: review.request.uid, allowed: true } }));
    });
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port)));
}

function serve(secret: { data: Record<string, string> }) {
  server.setSecureContext({ cert: secret.data["tls.crt"], key: secret.data["tls.key"] });
}

/** Creates a ConfigMap through the webhook; the API server refuses it unless it trusts the served certificate. */
async function createThroughWebhook(name: string): Promise<string> {
  const before = calls;
  try {
    await admin.call(`/api/v1/namespaces/${ns}/configmaps`, { method: "POST", body: { apiVersion: "v1", kind: "ConfigMap", metadata: { name }, data: {} } });
  } catch (e) {
    return `refused: ${(e as Error).message}`;
  }
  return calls > before ? "accepted by the webhook" : "accepted without the webhook";
}

/** The API server picks up a changed webhook configuration within a moment: try for up to 10 s. */
async function eventually(name: string): Promise<string> {
  let last = "";
  for (let i = 0; i < 50; i++) {
    last = await createThroughWebhook(`${name}-${i}`);
    if (last === "accepted by the webhook") return last;
    await new Promise((r) => setTimeout(r, 200));
  }
  return last;
}

const ADMISSION = "/apis/admissionregistration.k8s.io/v1";

beforeAll(async () => {
  admin = await KubeRest.fromFile(cluster.controlPlane.kubeconfigs.admin);
  const port = await startServer();
  await admin.call("/api/v1/namespaces", {
    method: "POST",
    body: { apiVersion: "v1", kind: "Namespace", metadata: { name: ns, labels: { "tenet-cert-test": suffix } } },
  });
  const webhook = (phase: string) => ({
    name: `${phase}.certs.tenet.test`,
    admissionReviewVersions: ["v1"],
    clientConfig: { url: `https://127.0.0.1:${port}/${phase}` },
    rules: [{ apiGroups: [""], apiVersions: ["v1"], operations: ["CREATE"], resources: ["configmaps"], scope: "Namespaced" }],
    namespaceSelector: { matchLabels: { "tenet-cert-test": suffix } },
    failurePolicy: "Fail",
    sideEffects: "None",
    timeoutSeconds: 5,
  });
  await admin.call(`${ADMISSION}/mutatingwebhookconfigurations`, {
    method: "POST",
    body: {
      apiVersion: "admissionregistration.k8s.io/v1",
      kind: "MutatingWebhookConfiguration",
      metadata: { name: configuration },
      webhooks: [webhook("mutate")],
    },
  });
  await admin.call(`${ADMISSION}/validatingwebhookconfigurations`, {
    method: "POST",
    body: {
      apiVersion: "admissionregistration.k8s.io/v1",
      kind: "ValidatingWebhookConfiguration",
      metadata: { name: configuration },
      webhooks: [webhook("validate"), webhook("validate2")],
    },
  });
});

afterAll(async () => {
  for (const path of [
    `${ADMISSION}/mutatingwebhookconfigurations/${configuration}`,
    `${ADMISSION}/validatingwebhookconfigurations/${configuration}`,
    `/api/v1/namespaces/${ns}`,
  ])
    await admin?.call(path, { method: "DELETE" }).catch(() => {});
  await admin?.close();
  server?.close();
});

const fingerprints = (pem: string) => splitPem(pem).map((c) => new X509Certificate(c).fingerprint256);

describe("webhook certificates issued and rotated by tenet", () => {
  it("issues, injects, renews and rotates so that kube-apiserver trusts the webhook throughout", { timeout: 90_000 }, async () => {
    // a serving certificate of 10 s, renewed for real once 2/3 of it have passed (no simulated clock:
    // the API server checks what is served against the real time)
    const options = {
      api: store,
      service: "tenet-webhook",
      tlsSecret: "tenet-webhook-tls",
      caSecret: "tenet-webhook-ca",
      configuration,
      extraHosts: ["127.0.0.1"],
      log: (m: string) => logs.push(m),
    };
    const manager = new WebhookCertificates({ ...options, caValidityMs: 3_600_000, servingValidityMs: 10_000 });

    // before: no caBundle, so the API server does not trust the test's server
    expect(await store.getSecret("tenet-webhook-tls")).toBeUndefined();
    expect(await createThroughWebhook("before")).toMatch(/refused: .*(certificate|x509|tls)/i);

    const issued = await manager.ensure();
    expect(issued.newCa).toBe(`Secret ${ns}/tenet-webhook-ca does not exist yet`);
    expect(issued.newServing).toBe("the CA is new");
    expect(issued.bundlesSet).toEqual(["MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"]);
    const ca1 = (await store.getSecret("tenet-webhook-ca"))!;
    const tls1 = (await store.getSecret("tenet-webhook-tls"))!;
    // nothing due right after: nothing written
    expect(await manager.ensure()).toEqual({ bundlesSet: [], configurationsMissing: [] });
    expect((await store.getSecret("tenet-webhook-tls"))!.resourceVersion).toBe(tls1.resourceVersion);
    expect((await store.getSecret("tenet-webhook-ca"))!.resourceVersion).toBe(ca1.resourceVersion);

    const serving1 = new X509Certificate(tls1.data["tls.crt"]!);
    expect(serving1.subjectAltName).toBe(
      `DNS:tenet-webhook.${ns}.svc, DNS:tenet-webhook.${ns}.svc.cluster.local, DNS:tenet-webhook.${ns}, IP Address:127.0.0.1`,
    );
    expect(serving1.verify(new X509Certificate(ca1.data["tls.crt"]!).publicKey)).toBe(true);
    expect(tls1.data["ca.crt"]).toBe(ca1.data["tls.crt"]);
    expect(await store.caBundles("ValidatingWebhookConfiguration", configuration)).toEqual([ca1.data["tls.crt"], ca1.data["tls.crt"]]);
    serve(tls1);
    expect(await eventually("issued")).toBe("accepted by the webhook");

    // a third of the serving lifetime left: a new serving certificate from the same CA, the bundle unchanged
    let renewed = await manager.ensure();
    for (let i = 0; !renewed.newServing && i < 100; i++) {
      await new Promise((r) => setTimeout(r, 200));
      renewed = await manager.ensure();
    }
    expect(renewed.newServing).toMatch(/^the serving certificate expires in/);
    expect(renewed.newCa).toBeUndefined();
    expect(renewed.bundlesSet).toEqual([]);
    const tls2 = (await store.getSecret("tenet-webhook-tls"))!;
    expect(tls2.data["tls.crt"]).not.toBe(tls1.data["tls.crt"]);
    serve(tls2);
    expect(await eventually("renewed")).toBe("accepted by the webhook");

    // the CA due: asked for serving certificates that would outlive the 1-hour CA, the manager replaces
    // the CA, and both configurations trust the new and the old CA
    const rotated = await new WebhookCertificates({ ...options, caValidityMs: 3_600_000, servingValidityMs: 7_200_000 }).ensure();
    expect(rotated.newCa).toBe("the CA expires in 59 minutes");
    expect(rotated.newServing).toBe("the CA is new");
    const ca2 = (await store.getSecret("tenet-webhook-ca"))!;
    expect(ca2.data["previous.crt"]).toBe(ca1.data["tls.crt"]);
    const bundle = (await store.caBundles("MutatingWebhookConfiguration", configuration))![0]!;
    expect(fingerprints(bundle)).toEqual([...fingerprints(ca2.data["tls.crt"]!), ...fingerprints(ca1.data["tls.crt"]!)]);
    // a replica that still serves a certificate of the old CA (its volume not yet refreshed) is trusted
    const ofOldCa = issueServing({ certPem: ca1.data["tls.crt"]!, keyPem: ca1.data["tls.key"]! }, ["127.0.0.1"], new Date(), 60_000);
    serve({ data: { "tls.crt": ofOldCa.certPem, "tls.key": ofOldCa.keyPem } });
    expect(await eventually("old-ca-served")).toBe("accepted by the webhook");
    const tls3 = (await store.getSecret("tenet-webhook-tls"))!;
    serve(tls3);
    expect(await eventually("new-served")).toBe("accepted by the webhook");
    expect(new X509Certificate(tls3.data["tls.crt"]!).verify(new X509Certificate(ca2.data["tls.crt"]!).publicKey)).toBe(true);
    expect(logs).toContain("issued a new webhook CA");
  });

  it("replaces a damaged Secret and drops a replaced CA from the bundle once it has expired", { timeout: 30_000 }, async () => {
    const manager = new WebhookCertificates({
      api: store,
      service: "tenet-webhook",
      tlsSecret: "tenet-webhook-tls",
      caSecret: "tenet-webhook-ca",
      configuration,
      extraHosts: ["127.0.0.1"],
      log: (m) => logs.push(m),
    });
    // the CA of the first test (1 hour) is past due under a 10-year policy: replaced by a long-lived one
    const fresh = await manager.ensure();
    expect(fresh.newCa).toBe("the CA expires in 59 minutes");
    const tls = (await store.getSecret("tenet-webhook-tls"))!;
    await store.writeSecret("tenet-webhook-tls", "kubernetes.io/tls", { "tls.crt": "not a certificate", "tls.key": "" }, tls, {});
    const repaired = await manager.ensure();
    expect(repaired.newCa).toBeUndefined();
    expect(repaired.newServing).toMatch(new RegExp(`^Secret ${ns}/tenet-webhook-tls holds no readable certificate`));
    serve((await store.getSecret("tenet-webhook-tls"))!);
    expect(await eventually("repaired")).toBe("accepted by the webhook");

    // two hours on, the 1-hour CAs of the first test have expired: the bundle holds only the current CA
    const ca = (await store.getSecret("tenet-webhook-ca"))!;
    expect(fingerprints(ca.data["previous.crt"]!)).toHaveLength(2);
    const later = new Date(Date.now() + 2 * 3_600_000);
    await manager.ensure(later);
    const bundles = await store.caBundles("ValidatingWebhookConfiguration", configuration);
    expect(bundles!.map(fingerprints)).toEqual([fingerprints(ca.data["tls.crt"]!), fingerprints(ca.data["tls.crt"]!)]);
  });

  it("reports configurations that do not exist instead of failing, and still issues the certificates", async () => {
    const manager = new WebhookCertificates({
      api: store,
      service: "tenet-webhook",
      tlsSecret: "other-tls",
      caSecret: "other-ca",
      configuration: `absent-${suffix}`,
      log: () => {},
    });
    const r = await manager.ensure();
    expect(r.configurationsMissing).toEqual(["MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"]);
    expect(r.newServing).toBe("the CA is new");
    expect((await store.getSecret("other-tls"))!.data["tls.crt"]).toMatch(/^-----BEGIN CERTIFICATE-----/);
  });
});
