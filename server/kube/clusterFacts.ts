// What the reconcilers read and write besides danm.k8s.io objects: Pods, Events and Leases.
import { CoordinationV1Api, CoreV1Api, type KubeConfig, type V1Lease } from "@kubernetes/client-node";
import { errorMessage, statusCode } from "./config";
import { KubeError } from "./danmClient";

async function call<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    throw new KubeError(statusCode(e), errorMessage(e));
  }
}

/** namespace/name → uid of every Pod in the cluster. */
export async function podUids(kc: KubeConfig): Promise<Map<string, string>> {
  const list = await call(() => kc.makeApiClient(CoreV1Api).listPodForAllNamespaces({}));
  return new Map(list.items.map((p) => [`${p.metadata?.namespace}/${p.metadata?.name}`, p.metadata?.uid ?? ""]));
}

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
  await call(() =>
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

export interface LeaseRecord {
  holder?: string;
  renewTime?: Date;
  durationSeconds: number;
  transitions: number;
  resourceVersion?: string;
}

function toRecord(lease: V1Lease): LeaseRecord {
  return {
    holder: lease.spec?.holderIdentity ?? undefined,
    renewTime: lease.spec?.renewTime ? new Date(lease.spec.renewTime) : undefined,
    durationSeconds: lease.spec?.leaseDurationSeconds ?? 15,
    transitions: lease.spec?.leaseTransitions ?? 0,
    resourceVersion: lease.metadata?.resourceVersion,
  };
}

/** coordination.k8s.io Leases: read, and write with the resourceVersion read (409 when someone else did). */
/** MicroTime needs six fractional digits; client-node would send milliseconds, which the API server refuses. */
function microTime(d: Date | undefined): Date | undefined {
  return d === undefined ? undefined : (d.toISOString().replace(/\.(\d{3})Z$/, ".$1000Z") as unknown as Date);
}

export class LeaseStore {
  private readonly api: CoordinationV1Api;
  constructor(kc: KubeConfig, private readonly namespace: string, private readonly name: string) {
    this.api = kc.makeApiClient(CoordinationV1Api);
  }

  async read(): Promise<LeaseRecord | undefined> {
    try {
      return toRecord(await this.api.readNamespacedLease({ namespace: this.namespace, name: this.name }));
    } catch (e) {
      if (statusCode(e) === 404) return undefined;
      throw new KubeError(statusCode(e), errorMessage(e));
    }
  }

  async write(record: LeaseRecord, acquired: boolean): Promise<LeaseRecord> {
    const body: V1Lease = {
      metadata: { name: this.name, namespace: this.namespace, resourceVersion: record.resourceVersion },
      spec: {
        holderIdentity: record.holder,
        leaseDurationSeconds: record.durationSeconds,
        renewTime: microTime(record.renewTime),
        leaseTransitions: record.transitions,
        ...(acquired ? { acquireTime: microTime(record.renewTime) } : {}),
      },
    };
    return toRecord(
      await call(() => (record.resourceVersion ? this.api.replaceNamespacedLease({ namespace: this.namespace, name: this.name, body }) : this.api.createNamespacedLease({ namespace: this.namespace, body }))),
    );
  }
}

/** Events about an object (as `kubectl describe` lists them), newest last. */
export async function eventsAbout(kc: KubeConfig, target: { kind: string; name: string; namespace?: string }): Promise<{ reason: string; message: string }[]> {
  const list = await call(() => kc.makeApiClient(CoreV1Api).listNamespacedEvent({ namespace: target.namespace || "default", fieldSelector: `involvedObject.kind=${target.kind},involvedObject.name=${target.name}` }));
  return list.items.map((e) => ({ reason: e.reason ?? "", message: e.message ?? "" }));
}
