import fs from "node:fs";
import { ApiextensionsV1Api, KubernetesObjectApi, PatchStrategy, type KubeConfig, type KubernetesObject } from "@kubernetes/client-node";
import YAML from "yaml";
import { apiCall } from "./apiCall";
import { KubeError } from "./errors";

export const FIELD_MANAGER = "tenet";

export function readManifestFile(file: string): KubernetesObject[] {
  return YAML.parseAllDocuments(fs.readFileSync(file, "utf8"))
    .map((d) => d.toJS() as KubernetesObject | null)
    .filter((o): o is KubernetesObject => !!o && typeof o === "object" && !!o.kind);
}

export class ApplyError extends Error {}

/** Server-side apply, in order; `dryRun` asks the API server to check without persisting. */
export async function applyObjects(
  kc: KubeConfig,
  objects: KubernetesObject[],
  options: { dryRun?: boolean; fieldManager?: string } = {},
): Promise<KubernetesObject[]> {
  const api = KubernetesObjectApi.makeApiClient(kc);
  const out: KubernetesObject[] = [];
  for (const object of objects) {
    try {
      out.push(
        await apiCall(() =>
          api.patch(object, undefined, options.dryRun ? "All" : undefined, options.fieldManager ?? FIELD_MANAGER, true, PatchStrategy.ServerSideApply),
        ),
      );
    } catch (e) {
      const ns = object.metadata?.namespace ? `${object.metadata.namespace}/` : "";
      throw new ApplyError(`${object.kind} ${ns}${object.metadata?.name}: ${(e as Error).message}`);
    }
  }
  return out;
}

/** Creates objects that do not exist yet and leaves existing ones alone (seed data). */
export async function createIfAbsent(kc: KubeConfig, objects: KubernetesObject[]): Promise<{ created: string[]; existing: string[] }> {
  const api = KubernetesObjectApi.makeApiClient(kc);
  const created: string[] = [];
  const existing: string[] = [];
  for (const object of objects) {
    const name = `${object.kind}/${object.metadata?.name}`;
    try {
      // read first: admission runs before the existence check, so a create of an existing object
      // would report the webhook's verdict on a duplicate instead of "already exists"
      await apiCall(() => api.read(object as KubernetesObject & { metadata: { name: string } }));
      existing.push(name);
      continue;
    } catch (e) {
      if (!(e instanceof KubeError && e.status === 404)) throw new ApplyError(`${name}: ${(e as Error).message}`);
    }
    try {
      await apiCall(() => api.create(object, undefined, undefined, FIELD_MANAGER));
      created.push(name);
    } catch (e) {
      if (e instanceof KubeError && e.status === 409) existing.push(name);
      else throw new ApplyError(`${name}: ${(e as Error).message}`);
    }
  }
  return { created, existing };
}

/** Waits until every CRD is Established, so its resources can be used. */
export async function waitForCrds(kc: KubeConfig, names: string[], timeoutMs = 60_000) {
  const api = kc.makeApiClient(ApiextensionsV1Api);
  const deadline = Date.now() + timeoutMs;
  for (const name of names) {
    for (;;) {
      const crd = await apiCall(() => api.readCustomResourceDefinition({ name }));
      if (crd.status?.conditions?.some((c) => c.type === "Established" && c.status === "True")) break;
      if (Date.now() > deadline) throw new ApplyError(`CRD ${name} not established after ${timeoutMs / 1000}s`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
