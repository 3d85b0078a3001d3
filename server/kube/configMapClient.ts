// ConfigMaps read and replaced whole, as one identity: the same access pattern as DanmClient on an
// object that no admission webhook sees (bench/ipam.ts measures the webhook's share with it).
import { CoreV1Api, type KubeConfig, type V1ConfigMap } from "@kubernetes/client-node";
import { errorMessage, loadKubeConfig, statusCode } from "./config";
import { KubeError } from "./danmClient";

export type ConfigMap = V1ConfigMap & { metadata: { name: string; namespace: string } };

export class ConfigMapClient {
  private readonly api: CoreV1Api;

  constructor(kc: KubeConfig | string) {
    this.api = (typeof kc === "string" ? loadKubeConfig(kc) : kc).makeApiClient(CoreV1Api);
  }

  private async call<T>(run: () => Promise<unknown>): Promise<T> {
    try {
      return (await run()) as T;
    } catch (e) {
      throw new KubeError(statusCode(e), errorMessage(e));
    }
  }

  create(configMap: ConfigMap): Promise<ConfigMap> {
    return this.call(() => this.api.createNamespacedConfigMap({ namespace: configMap.metadata.namespace, body: configMap }));
  }

  get(namespace: string, name: string): Promise<ConfigMap> {
    return this.call(() => this.api.readNamespacedConfigMap({ namespace, name }));
  }

  /** Refused with 409 when metadata.resourceVersion is not the stored one. */
  replace(configMap: ConfigMap): Promise<ConfigMap> {
    return this.call(() => this.api.replaceNamespacedConfigMap({ namespace: configMap.metadata.namespace, name: configMap.metadata.name, body: configMap }));
  }

  async delete(namespace: string, name: string): Promise<void> {
    await this.call(() => this.api.deleteNamespacedConfigMap({ namespace, name }));
  }
}
