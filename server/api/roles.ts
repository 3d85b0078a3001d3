// What the signed-in person is, as Kubernetes RBAC says (SelfSubjectAccessReview as that person),
// never from our database.
import { canI } from "../kube/access";
import type { Identity, KubeRest } from "../kube/rest";

export interface Roles {
  /** may edit the TenantConfig and ClusterNetworks */
  netadmin: boolean;
  /** may read every namespace's DanmEps (IP usage across the cluster) */
  operator: boolean;
  /** namespaces where the person may create TenantNetworks */
  tenantNamespaces: string[];
}

const TTL_MS = 10_000;
const cache = new Map<string, { at: number; value: Promise<Roles> }>();
const keyOf = (id: Identity) => `${id.user}\u0000${[...id.groups].sort().join("\u0000")}`;

/**
 * @param asUser the API client impersonating the person
 * @param namespaces candidate namespaces (tenant namespaces of the cluster, listed by the console)
 */
export function rolesOf(identity: Identity, asUser: KubeRest, namespaces: () => Promise<string[]>, now = Date.now()): Promise<Roles> {
  const key = keyOf(identity);
  const hit = cache.get(key);
  if (hit && now - hit.at < TTL_MS) return hit.value;
  const value = (async () => {
    const [netadmin, operator, nsList] = await Promise.all([
      canI(asUser, { verb: "update", resource: "tenantconfigs" }),
      canI(asUser, { verb: "list", resource: "danmeps" }),
      namespaces(),
    ]);
    const allowed = await Promise.all(nsList.map((namespace) => canI(asUser, { verb: "create", resource: "tenantnetworks", namespace })));
    return { netadmin, operator, tenantNamespaces: nsList.filter((_, i) => allowed[i]) };
  })();
  cache.set(key, { at: now, value });
  value.catch(() => cache.delete(key));
  return value;
}

const getCache = new Map<string, { at: number; value: Promise<boolean> }>();

/** May this person `get` the object (of danm.k8s.io unless `group` says otherwise)? Cached for a few seconds per person and object scope. */
export function mayGet(identity: Identity, asUser: KubeRest, resource: string, namespace: string, group?: string, now = Date.now()): Promise<boolean> {
  const key = `${keyOf(identity)}\u0001${group ?? ""}\u0001${resource}\u0001${namespace}`;
  const hit = getCache.get(key);
  if (hit && now - hit.at < TTL_MS) return hit.value;
  const value = canI(asUser, { verb: "get", resource, namespace: namespace || undefined, ...(group !== undefined ? { group } : {}) });
  getCache.set(key, { at: now, value });
  value.catch(() => getCache.delete(key));
  if (getCache.size > 10_000) getCache.clear();
  return value;
}
