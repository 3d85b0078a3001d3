// core/v1 Events: what the controllers record about the objects they fix, and read back (as
// `kubectl describe` lists them).
import { CoreV1Api, type KubeConfig } from "@kubernetes/client-node";
import { apiCall } from "./apiCall";

export interface EventTarget {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
  uid?: string;
}

/** A core/v1 Event about an object, as `kubectl describe` shows them. */
export async function recordEvent(kc: KubeConfig, target: EventTarget, reason: string, message: string, component = "tenet-controllers"): Promise<void> {
  const namespace = target.namespace || "default";
  const now = new Date();
  await apiCall(() =>
    kc.makeApiClient(CoreV1Api).createNamespacedEvent({
      namespace,
      body: {
        metadata: { generateName: `${target.name}.`, namespace },
        involvedObject: { apiVersion: target.apiVersion, kind: target.kind, name: target.name, namespace: target.namespace, uid: target.uid },
        reason,
        message,
        type: "Normal",
        source: { component },
        reportingComponent: component,
        firstTimestamp: now,
        lastTimestamp: now,
        count: 1,
      },
    }),
  );
}

/** Events about an object (as `kubectl describe` lists them), newest last. */
export async function eventsAbout(kc: KubeConfig, target: { kind: string; name: string; namespace?: string }): Promise<{ reason: string; message: string }[]> {
  const list = await apiCall(() =>
    kc.makeApiClient(CoreV1Api).listNamespacedEvent({
      namespace: target.namespace || "default",
      fieldSelector: `involvedObject.kind=${target.kind},involvedObject.name=${target.name}`,
    }),
  );
  return list.items.map((e) => ({ reason: e.reason ?? "", message: e.message ?? "" }));
}
