// What tenet's webhook certificate manager reads and writes: two Secrets in tenet's namespace (the
// serving certificate the webhook Pods mount, and the CA with its key, which only the controllers
// read) and the caBundle of the Mutating/ValidatingWebhookConfiguration.
import { AdmissionregistrationV1Api, CoreV1Api, type KubeConfig, type V1Secret } from "@kubernetes/client-node";
import { apiCall } from "./apiCall";
import { KubeError } from "./errors";

export interface StoredSecret {
  /** Decoded (UTF-8) values. */
  data: Record<string, string>;
  resourceVersion?: string;
  uid?: string;
}

export const WEBHOOK_CONFIGURATION_KINDS = ["MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"] as const;
export type WebhookConfigurationKind = (typeof WEBHOOK_CONFIGURATION_KINDS)[number];

export class WebhookTlsStore {
  private readonly core: CoreV1Api;
  private readonly admission: AdmissionregistrationV1Api;

  constructor(
    kc: KubeConfig,
    readonly namespace: string,
  ) {
    this.core = kc.makeApiClient(CoreV1Api);
    this.admission = kc.makeApiClient(AdmissionregistrationV1Api);
  }

  /** undefined when the Secret does not exist. */
  async getSecret(name: string): Promise<StoredSecret | undefined> {
    try {
      const s = await apiCall(() => this.core.readNamespacedSecret({ name, namespace: this.namespace }));
      const data = Object.fromEntries(Object.entries(s.data ?? {}).map(([k, v]) => [k, Buffer.from(v, "base64").toString("utf8")]));
      return { data, resourceVersion: s.metadata?.resourceVersion, uid: s.metadata?.uid };
    } catch (e) {
      if (e instanceof KubeError && e.status === 404) return undefined;
      throw e;
    }
  }

  /**
   * Creates the Secret, or replaces it when `previous` (what was read) is given: the API server
   * refuses the write with 409 if someone changed it since, and the caller tries again next pass.
   */
  async writeSecret(
    name: string,
    type: string,
    data: Record<string, string>,
    previous: StoredSecret | undefined,
    labels: Record<string, string>,
  ): Promise<StoredSecret> {
    const body: V1Secret = {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name, namespace: this.namespace, labels, ...(previous?.resourceVersion ? { resourceVersion: previous.resourceVersion } : {}) },
      type,
      data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v, "utf8").toString("base64")])),
    };
    const written = previous
      ? await apiCall(() => this.core.replaceNamespacedSecret({ name, namespace: this.namespace, body }))
      : await apiCall(() => this.core.createNamespacedSecret({ namespace: this.namespace, body }));
    return { data, resourceVersion: written.metadata?.resourceVersion, uid: written.metadata?.uid };
  }

  /** The caBundle (PEM) of every webhook of the configuration; undefined when the configuration does not exist. */
  async caBundles(kind: WebhookConfigurationKind, name: string): Promise<string[] | undefined> {
    try {
      const config = await apiCall(() =>
        kind === "MutatingWebhookConfiguration"
          ? this.admission.readMutatingWebhookConfiguration({ name })
          : this.admission.readValidatingWebhookConfiguration({ name }),
      );
      return (config.webhooks ?? []).map((w) => (w.clientConfig.caBundle ? Buffer.from(w.clientConfig.caBundle, "base64").toString("utf8") : ""));
    } catch (e) {
      if (e instanceof KubeError && e.status === 404) return undefined;
      throw e;
    }
  }

  /**
   * Sets the caBundle of every webhook of the configuration to `bundlePem`: read, change, replace
   * with the resourceVersion read. False when the configuration does not exist.
   */
  async setCaBundle(kind: WebhookConfigurationKind, name: string, bundlePem: string): Promise<boolean> {
    const caBundle = Buffer.from(bundlePem, "utf8").toString("base64");
    try {
      if (kind === "MutatingWebhookConfiguration") {
        const config = await apiCall(() => this.admission.readMutatingWebhookConfiguration({ name }));
        for (const w of config.webhooks ?? []) w.clientConfig.caBundle = caBundle;
        await apiCall(() => this.admission.replaceMutatingWebhookConfiguration({ name, body: config }));
      } else {
        const config = await apiCall(() => this.admission.readValidatingWebhookConfiguration({ name }));
        for (const w of config.webhooks ?? []) w.clientConfig.caBundle = caBundle;
        await apiCall(() => this.admission.replaceValidatingWebhookConfiguration({ name, body: config }));
      }
      return true;
    } catch (e) {
      if (e instanceof KubeError && e.status === 404) return false;
      throw e;
    }
  }
}
