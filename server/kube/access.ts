// What a person may do, asked of the API server as that person (SelfSubjectAccessReview), and who a
// bearer token belongs to (TokenReview, as the console itself).
import { API_GROUP } from "../domain/api/meta";
import { kindInfo } from "../domain/api/kinds";
import { DANM_VERSION } from "./danmResources";
import type { Identity, KubeRest } from "./rest";

export interface ResourceAttributes {
  verb: string;
  group?: string;
  resource: string;
  namespace?: string;
  name?: string;
}

/** kubectl auth can-i, as the client's identity. */
export async function canI(kube: KubeRest, attrs: ResourceAttributes): Promise<boolean> {
  const review = await kube.call<{ status?: { allowed?: boolean } }>("/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", {
    method: "POST",
    body: { apiVersion: "authorization.k8s.io/v1", kind: "SelfSubjectAccessReview", spec: { resourceAttributes: { group: API_GROUP, ...attrs } } },
  });
  return review.status?.allowed === true;
}

/** The identity a bearer token authenticates as, or undefined when the API server rejects it. */
export async function reviewToken(console: KubeRest, token: string): Promise<Identity | undefined> {
  const review = await console.call<{ status?: { authenticated?: boolean; user?: { username?: string; groups?: string[] } } }>(
    "/apis/authentication.k8s.io/v1/tokenreviews",
    {
      method: "POST",
      body: { apiVersion: "authentication.k8s.io/v1", kind: "TokenReview", spec: { token } },
    },
  );
  const user = review.status?.user;
  if (!review.status?.authenticated || !user?.username) return undefined;
  return { user: user.username, groups: user.groups ?? [] };
}

/** REST path of a danm.k8s.io object or collection. Cluster-wide when a namespaced kind gets no namespace. */
export function danmPath(kind: string, namespace?: string, name?: string): string {
  const info = kindInfo(kind);
  if (!info) throw new Error(`unknown kind ${kind}`);
  const ns = info.scope === "Namespaced" && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : "";
  return `/apis/${API_GROUP}/${DANM_VERSION}${ns}/${info.plural}${name ? `/${encodeURIComponent(name)}` : ""}`;
}
