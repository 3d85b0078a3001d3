import { CustomObjectsApi, type KubeConfig } from "@kubernetes/client-node";
import type { DanmEp } from "../domain/api/danmEp";
import { API_GROUP } from "../domain/api/meta";
import type { TenantConfig } from "../domain/api/tenantConfig";
import type { ClusterState, TenantConfigWrite } from "../webhook/clusterState";
import { kubeError } from "./errors";
import { danmCache, DANM_VERSION } from "./danmResources";
import type { WatchCache } from "./watchCache";
import type { Log } from "../log";

const byName = (a: TenantConfig, b: TenantConfig) => (a.metadata.name ?? "").localeCompare(b.metadata.name ?? "");
const rv = (o: TenantConfig | undefined) => Number(o?.metadata.resourceVersion ?? 0);

/**
 * The webhook's view of the cluster: watch-backed caches of TenantConfigs and DanmEps. Its calls
 * are not retried (apiCall.ts): they run inside an admission request, whose time the API server limits.
 */
export class KubeClusterState implements ClusterState {
  private readonly configs: WatchCache<TenantConfig & { metadata: { name: string } }>;
  private readonly endpoints: WatchCache<DanmEp & { metadata: { name: string } }>;
  private readonly api: CustomObjectsApi;
  /** Our own latest write or fresh read, newer than the cache until the watch catches up. */
  private latest?: TenantConfig;

  constructor(
    kc: KubeConfig,
    private readonly log?: Log,
  ) {
    this.api = kc.makeApiClient(CustomObjectsApi);
    this.configs = danmCache(kc, "tenantconfigs", log);
    this.endpoints = danmCache(kc, "danmeps", log);
  }

  async start() {
    await Promise.all([this.configs.start(), this.endpoints.start()]);
  }

  async stop() {
    await Promise.all([this.configs.stop(), this.endpoints.stop()]);
  }

  ready() {
    return this.configs.isSynced() && this.endpoints.isSynced();
  }

  tenantConfig(): TenantConfig | undefined {
    const cached = [...this.configs.list()].sort(byName)[0];
    const latest = this.latest;
    if (latest && (!cached || (cached.metadata.name === latest.metadata.name && rv(latest) > rv(cached)))) {
      // a deleted TenantConfig must not live on through our own last write
      if (!cached && this.configs.isSynced()) return undefined;
      return latest;
    }
    return cached;
  }

  danmEps(): readonly DanmEp[] | undefined {
    return this.endpoints.isSynced() ? this.endpoints.list() : undefined;
  }

  async updateTenantConfig(config: TenantConfig): Promise<TenantConfigWrite> {
    try {
      const stored = (await this.api.replaceClusterCustomObject({
        group: API_GROUP,
        version: DANM_VERSION,
        plural: "tenantconfigs",
        name: config.metadata.name!,
        body: config,
      })) as TenantConfig;
      this.latest = stored;
      return { ok: true, stored };
    } catch (e) {
      const error = kubeError(e);
      return { ok: false, conflict: error.status === 409, message: error.message };
    }
  }

  async tenantNetworkExists(namespace: string, name: string): Promise<boolean | undefined> {
    try {
      await this.api.getNamespacedCustomObject({ group: API_GROUP, version: DANM_VERSION, plural: "tenantnetworks", namespace, name });
      return true;
    } catch (e) {
      const error = kubeError(e);
      if (error.status === 404) return false;
      this.log?.("tenantnetwork lookup failed", { namespace, name, error: error.message });
      return undefined;
    }
  }

  async refreshTenantConfig() {
    const name = this.tenantConfig()?.metadata.name;
    if (!name) return;
    try {
      this.latest = (await this.api.getClusterCustomObject({ group: API_GROUP, version: DANM_VERSION, plural: "tenantconfigs", name })) as TenantConfig;
    } catch (e) {
      this.log?.("tenantconfig refresh failed", { error: kubeError(e).message });
    }
  }
}
