// The k8s.cni.cncf.io NetworkAttachmentDefinition API (Multus), used only where the cluster serves
// it (danm-spec §12.1, §12.3): whether it is served, listing, and the node agent's `master` rewrite.
import { NAD_API, type NetworkAttachmentDefinition } from "../domain/networkAttachmentDefinition";
import { type KubeRest } from "./rest";
import { KubeError } from "./errors";

/** REST path of a NAD or of the NADs (all namespaces without a namespace). */
export function nadPath(namespace?: string, name?: string): string {
  const ns = namespace ? `/namespaces/${encodeURIComponent(namespace)}` : "";
  return `/apis/${NAD_API.group}/${NAD_API.version}${ns}/${NAD_API.plural}${name ? `/${encodeURIComponent(name)}` : ""}`;
}

/** Whether the cluster serves the NAD API (its CRD is installed): true, or why not. */
export async function nadApiServed(kube: KubeRest): Promise<true | string> {
  try {
    await kube.call(nadPath(), { query: { limit: "1" } });
    return true;
  } catch (e) {
    if (e instanceof KubeError && e.status === 404)
      return `the cluster does not serve ${NAD_API.group}/${NAD_API.version} ${NAD_API.plural} (no NetworkAttachmentDefinition CRD)`;
    throw e;
  }
}

/** Every NAD the client may list; none when the cluster does not serve the API. */
export async function listNetworkAttachmentDefinitions(kube: KubeRest): Promise<NetworkAttachmentDefinition[]> {
  try {
    return (await kube.call<{ items: Omit<NetworkAttachmentDefinition, "kind">[] }>(nadPath())).items.map((i) => ({
      ...i,
      kind: "NetworkAttachmentDefinition" as const,
    }));
  } catch (e) {
    if (e instanceof KubeError && e.status === 404) return [];
    throw e;
  }
}

const MAX_CONFLICTS = 5;

/**
 * Replaces a NAD with `change(nad)` (an UPDATE carrying the resourceVersion it was computed from).
 * When someone else changed it meanwhile (409), reads it again and asks `change` again, so writers
 * computing the same change never fight: the later one finds nothing left to do. `change` returns
 * undefined when nothing is to be written. Resolves to whether this call wrote.
 */
export async function updateNetworkAttachmentDefinition(
  kube: KubeRest,
  nad: NetworkAttachmentDefinition,
  change: (nad: NetworkAttachmentDefinition) => NetworkAttachmentDefinition | undefined,
): Promise<boolean> {
  const { namespace, name } = nad.metadata;
  let current: NetworkAttachmentDefinition | undefined = nad;
  for (let attempt = 1; ; attempt++) {
    const next = current && change(current);
    if (!next) return false;
    try {
      await kube.call(nadPath(namespace, name), { method: "PUT", body: { ...next, apiVersion: `${NAD_API.group}/${NAD_API.version}`, kind: NAD_API.kind } });
      return true;
    } catch (e) {
      if (!(e instanceof KubeError) || e.status !== 409 || attempt >= MAX_CONFLICTS) throw e;
      current = await kube.call<NetworkAttachmentDefinition>(nadPath(namespace, name)).catch((g: unknown) => {
        if (g instanceof KubeError && g.status === 404) return undefined;
        throw g;
      });
    }
  }
}
