// coordination.k8s.io Leases: the controllers' leader election (server/controllers/leaderElection.ts)
// reads and writes one.
import { CoordinationV1Api, type KubeConfig, type V1Lease } from "@kubernetes/client-node";
import { apiCall } from "./apiCall";
import { KubeError } from "./errors";

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

/** MicroTime needs six fractional digits; client-node would send milliseconds, which the API server refuses. */
function microTime(d: Date | undefined): Date | undefined {
  return d === undefined ? undefined : (d.toISOString().replace(/\.(\d{3})Z$/, ".$1000Z") as unknown as Date);
}

/** coordination.k8s.io Leases: read, and write with the resourceVersion read (409 when someone else did). */
export class LeaseStore {
  private readonly api: CoordinationV1Api;
  constructor(
    kc: KubeConfig,
    private readonly namespace: string,
    private readonly name: string,
  ) {
    this.api = kc.makeApiClient(CoordinationV1Api);
  }

  async read(): Promise<LeaseRecord | undefined> {
    try {
      return toRecord(await apiCall(() => this.api.readNamespacedLease({ namespace: this.namespace, name: this.name })));
    } catch (e) {
      if (e instanceof KubeError && e.status === 404) return undefined;
      throw e;
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
      await apiCall(() =>
        record.resourceVersion
          ? this.api.replaceNamespacedLease({ namespace: this.namespace, name: this.name, body })
          : this.api.createNamespacedLease({ namespace: this.namespace, body }),
      ),
    );
  }
}
