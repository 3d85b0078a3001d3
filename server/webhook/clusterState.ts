import type { DanmEp } from "../domain/api/danmEp";
import type { TenantConfig } from "../domain/api/tenantConfig";

export type TenantConfigWrite = { ok: true; stored: TenantConfig } | { ok: false; conflict: boolean; message: string };

/**
 * What the webhook needs to know about the cluster. server/kube implements it with watch-backed
 * caches (a request never waits on a list); the offline validator with objects from files.
 */
export interface ClusterState {
  /** Caches synced: /readyz answers 200 only then. */
  ready(): boolean;
  /** The TenantConfig DANM uses: the first by name (danm-spec §3). */
  tenantConfig(): TenantConfig | undefined;
  /** Every DanmEp in the cluster, or undefined when they are not known yet. */
  danmEps(): readonly DanmEp[] | undefined;
  /** Optimistic-concurrency update (resourceVersion of the object passed). */
  updateTenantConfig(config: TenantConfig): Promise<TenantConfigWrite>;
  /** After a conflict: read the TenantConfig from the API server, bypassing the cache. */
  refreshTenantConfig(): Promise<void>;
  /** Whether a TenantNetwork of this name is stored (B-7); undefined when that cannot be told. */
  tenantNetworkExists?(namespace: string, name: string): Promise<boolean | undefined>;
}

/** ClusterState over plain objects: for the offline validator and for tests of the handler. */
export class StaticClusterState implements ClusterState {
  private configs: TenantConfig[];
  constructor(
    configs: TenantConfig[],
    private endpoints: readonly DanmEp[],
  ) {
    this.configs = [...configs].sort((a, b) => (a.metadata.name ?? "").localeCompare(b.metadata.name ?? ""));
  }
  ready() {
    return true;
  }
  tenantConfig() {
    return this.configs[0];
  }
  danmEps() {
    return this.endpoints;
  }
  async updateTenantConfig(config: TenantConfig): Promise<TenantConfigWrite> {
    const i = this.configs.findIndex((c) => c.metadata.name === config.metadata.name);
    if (i < 0) return { ok: false, conflict: false, message: `TenantConfig ${config.metadata.name} not found` };
    // one writer at a time (the handler serialises reservations), so there is nothing to conflict with
    this.configs[i] = config;
    return { ok: true, stored: config };
  }
  async refreshTenantConfig() {}
  /** Lists are replaced, never changed in place: the domain indexes a list by its identity. */
  addEndpoint(endpoint: DanmEp) {
    this.endpoints = [...this.endpoints, endpoint];
  }
  /** Adds or replaces a TenantConfig (the offline validator admits them in file order). */
  putTenantConfig(config: TenantConfig) {
    this.configs = [...this.configs.filter((c) => c.metadata.name !== config.metadata.name), config].sort((a, b) =>
      (a.metadata.name ?? "").localeCompare(b.metadata.name ?? ""),
    );
  }
}
