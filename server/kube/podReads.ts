// Pods and their sandbox failures as the signed-in person may read them (the console's client
// impersonates them): core/v1 lists, in one namespace or cluster-wide. A refusal (403) answers
// undefined, so a view can show what it has without the Pods' side.
import type { EventFacts, PodFacts } from "../domain/podAttachments";
import { SANDBOX_FAILURE_REASON } from "../domain/podAttachments";
import { type KubeRest } from "./rest";
import { KubeError } from "./errors";

const collection = (plural: string, namespace?: string) => `/api/v1${namespace ? `/namespaces/${encodeURIComponent(namespace)}` : ""}/${plural}`;

/** The field selector of the Events that say a Pod's sandbox (its network) could not be set up. */
export const SANDBOX_FAILURES_SELECTOR = `involvedObject.kind=Pod,reason=${SANDBOX_FAILURE_REASON},type=Warning`;

/** The list path and selector of core/v1 kinds the console watches for live updates. */
export const CORE_WATCHES = {
  Pod: { path: collection("pods"), query: {} as Record<string, string>, resource: "pods" },
  Event: { path: collection("events"), query: { fieldSelector: SANDBOX_FAILURES_SELECTOR } as Record<string, string>, resource: "events" },
} as const;

async function listOrForbidden<T>(kube: KubeRest, path: string, query: Record<string, string> = {}): Promise<T[] | undefined> {
  try {
    return (await kube.call<{ items: T[] }>(path, { query })).items;
  } catch (e) {
    if (e instanceof KubeError && e.status === 403) return undefined;
    throw e;
  }
}

/** Pods in `namespace` (every namespace without one); undefined when the person may not list them. */
export function listPods(kube: KubeRest, namespace?: string): Promise<PodFacts[] | undefined> {
  return listOrForbidden<PodFacts>(kube, collection("pods", namespace));
}

/** Warning Events FailedCreatePodSandbox about Pods in `namespace`; undefined when the person may not list Events. */
export function listSandboxFailures(kube: KubeRest, namespace?: string): Promise<EventFacts[] | undefined> {
  return listOrForbidden<EventFacts>(kube, collection("events", namespace), { fieldSelector: SANDBOX_FAILURES_SELECTOR });
}
