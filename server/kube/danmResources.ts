import { CustomObjectsApi, type KubeConfig, type KubernetesListObject, type KubernetesObject } from "@kubernetes/client-node";
import { API_GROUP } from "../domain/api/meta";
import { WatchCache } from "./watchCache";
import type { Log } from "../log";

export const DANM_VERSION = "v1";

/** A cluster-wide list+watch cache of one danm.k8s.io resource. */
export function danmCache<T extends KubernetesObject>(kc: KubeConfig, plural: string, log?: Log): WatchCache<T> {
  const api = kc.makeApiClient(CustomObjectsApi);
  return new WatchCache<T>(kc, {
    path: `/apis/${API_GROUP}/${DANM_VERSION}/${plural}`,
    list: () => api.listClusterCustomObject({ group: API_GROUP, version: DANM_VERSION, plural }) as Promise<KubernetesListObject<T>>,
    log,
  });
}
