import { CustomObjectsApi, type KubeConfig } from "@kubernetes/client-node";
import { kindInfo } from "../domain/api/kinds";
import { API_GROUP } from "../domain/api/meta";
import { apiCall } from "./apiCall";
import { loadKubeConfig } from "./config";
import { DANM_VERSION } from "./danmResources";

type Obj = { metadata: { name?: string; namespace?: string; resourceVersion?: string }; [k: string]: unknown };

/** Typed access to danm.k8s.io objects as one identity (a user's kubeconfig, or impersonated). */
export class DanmClient {
  private readonly api: CustomObjectsApi;

  constructor(kc: KubeConfig | string) {
    this.api = (typeof kc === "string" ? loadKubeConfig(kc) : kc).makeApiClient(CustomObjectsApi);
  }

  private target(kind: string, namespace?: string) {
    const info = kindInfo(kind);
    if (!info) throw new Error(`unknown kind ${kind}`);
    const ns = info.scope === "Namespaced" ? namespace : undefined;
    if (info.scope === "Namespaced" && !ns) throw new Error(`${kind} is namespaced: give a namespace`);
    return { group: API_GROUP, version: DANM_VERSION, plural: info.plural, namespace: ns };
  }

  /** Failures are KubeErrors; what the API server asks to be retried is retried (apiCall.ts). */
  private async call<T>(run: () => Promise<unknown>): Promise<T> {
    return (await apiCall(run)) as T;
  }

  create<T extends Obj>(kind: string, object: T, options: { dryRun?: boolean } = {}): Promise<T> {
    const t = this.target(kind, object.metadata.namespace);
    const dryRun = options.dryRun ? "All" : undefined;
    return this.call(() =>
      t.namespace
        ? this.api.createNamespacedCustomObject({ ...t, namespace: t.namespace, body: object, dryRun })
        : this.api.createClusterCustomObject({ ...t, body: object, dryRun }),
    );
  }

  get<T extends Obj>(kind: string, name: string, namespace?: string): Promise<T> {
    const t = this.target(kind, namespace);
    return this.call(() =>
      t.namespace ? this.api.getNamespacedCustomObject({ ...t, namespace: t.namespace, name }) : this.api.getClusterCustomObject({ ...t, name }),
    );
  }

  replace<T extends Obj>(kind: string, object: T, options: { dryRun?: boolean } = {}): Promise<T> {
    const t = this.target(kind, object.metadata.namespace);
    const name = object.metadata.name!;
    const dryRun = options.dryRun ? "All" : undefined;
    return this.call(() =>
      t.namespace
        ? this.api.replaceNamespacedCustomObject({ ...t, namespace: t.namespace, name, body: object, dryRun })
        : this.api.replaceClusterCustomObject({ ...t, name, body: object, dryRun }),
    );
  }

  async delete(kind: string, name: string, namespace?: string, options: { dryRun?: boolean } = {}): Promise<void> {
    const t = this.target(kind, namespace);
    const dryRun = options.dryRun ? "All" : undefined;
    await this.call(() =>
      t.namespace
        ? this.api.deleteNamespacedCustomObject({ ...t, namespace: t.namespace, name, dryRun })
        : this.api.deleteClusterCustomObject({ ...t, name, dryRun }),
    );
  }

  /** `fieldSelector` only on the kind's selectableFields (a server without them answers 400). */
  async list<T extends Obj>(kind: string, namespace?: string, options: { fieldSelector?: string } = {}): Promise<T[]> {
    const info = kindInfo(kind);
    const t = { group: API_GROUP, version: DANM_VERSION, plural: info!.plural, ...(options.fieldSelector ? { fieldSelector: options.fieldSelector } : {}) };
    const list = await this.call<{ items: T[] }>(() =>
      namespace && info!.scope === "Namespaced" ? this.api.listNamespacedCustomObject({ ...t, namespace }) : this.api.listClusterCustomObject(t),
    );
    return list.items;
  }
}
