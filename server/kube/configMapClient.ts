// ConfigMaps read and replaced whole, as one identity: the same access pattern as DanmClient on an
// object that no admission webhook sees (bench/ipam.ts measures the webhook's share with it).
import { CoreV1Api, type KubeConfig, type V1ConfigMap } from "@kubernetes/client-node";
import { apiCall } from "./apiCall";
import { loadKubeConfig } from "./config";

export type ConfigMap = V1ConfigMap & { metadata: { name: string; namespace: string } };

export class ConfigMapClient {
  private readonly api: CoreV1Api;

  constructor(kc: KubeConfig | string) {
    this.api = (typeof kc === "string" ? loadKubeConfig(kc) : kc).makeApiClient(CoreV1Api);
  }

  create(configMap: ConfigMap): Promise<ConfigMap> {
    return apiCall(() => this.api.createNamespacedConfigMap({ namespace: configMap.metadata.namespace, body: configMap }) as Promise<ConfigMap>);
  }

  get(namespace: string, name: string): Promise<ConfigMap> {
    return apiCall(() => this.api.readNamespacedConfigMap({ namespace, name }) as Promise<ConfigMap>);
  }

  /** Refused with 409 when metadata.resourceVersion is not the stored one. */
  replace(configMap: ConfigMap): Promise<ConfigMap> {
    return apiCall(
      () =>
        this.api.replaceNamespacedConfigMap({ namespace: configMap.metadata.namespace, name: configMap.metadata.name, body: configMap }) as Promise<ConfigMap>,
    );
  }

  async delete(namespace: string, name: string): Promise<void> {
    await apiCall(() => this.api.deleteNamespacedConfigMap({ namespace, name }));
  }
}
