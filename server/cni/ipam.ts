// The CNI plugin's IPAM (danm-spec §10.5): reserves and frees the addresses of one interface on one
// network object in the API server. All state lives in the network's spec.Options; each change is a
// read, a pure computation (server/domain/ipam) and a replace carrying the resourceVersion read, done
// again from a fresh read when the API server answers 409 Conflict.
//
// Crash safety (issue 6) follows from the order of the writes, which callers must keep:
// - ADD: allocate, then create the DanmEp. A crash in between leaves an address held by no DanmEp
//   (the leak reconciler frees it), never an address held twice.
// - DEL: delete the DanmEp, then free. Freeing first would let a crash leave a DanmEp holding an
//   address that the bitmap already hands out again.
// A failed write other than a conflict may have been applied; it is never retried, so at worst it
// leaks the address too.
//
// The plugin runs each read-modify-write inside a node-local lock per network (`exclusive`,
// nodeLock.ts), so the runs of one node take turns instead of refusing each other's writes; the
// retry then only meets writers on other nodes. Every operation ends by a deadline (the retry
// policy's, and the caller's `deadline`, e.g. the ADD's budget), waiting for the lock included.
//
// Every operation is reported to the `observe` option when given (main.ts hands the reports to the
// node agent through ipamStats.ts): its outcome, duration, the 409 conflicts it met and its lock waits.
import type { NetworkKind, NetworkObject } from "../domain/api/network";
import { allocateAddresses, freeAddresses, type AddressRequest, type AllocationError } from "../domain/ipam/allocate";
import { ipamOutcome, type IpamOperation, type IpamOperationRecord } from "../domain/ipam/operationStats";
import type { Family } from "../domain/net/address";
import { ConflictRetryExhausted, DEFAULT_CONFLICT_RETRY, isConflict, realEnvironment, retryOnConflict, type ConflictRetryPolicy, type RetryEnvironment } from "./conflictRetry";
import { NodeLockTimeout, type Exclusive } from "./nodeLock";
import { networkLabel, type NetworkRef } from "../domain/networkRef";

/** Where networks are read and written; DanmClient is one. A refused stale write throws an error whose `status` is 409. */
export interface NetworkStore {
  get(kind: NetworkKind, name: string, namespace?: string): Promise<NetworkObject>;
  replace(kind: NetworkKind, object: NetworkObject): Promise<NetworkObject>;
}

/** Per family: "addr/prefix" as stored in a DanmEp's Interface.Address / AddressIPv6, "none", or "". */
export interface InterfaceAddresses {
  ip: string;
  ip6: string;
}

export class IpamError extends Error {
  constructor(
    message: string,
    /** "DanmNet team-b/internal", "ClusterNetwork external". */
    readonly network: string,
    readonly details: {
      /** A-1…A-6 when the allocation rules refused the request. */
      rule?: AllocationError["rule"];
      family?: Family;
      /** HTTP status when the API server refused a read or write. */
      status?: number;
      /** Attempts made when concurrent writers kept winning. */
      attempts?: number;
      /** The operation ran out of time (conflicts or the node lock); trying again later may succeed. */
      timedOut?: boolean;
      cause?: unknown;
    } = {},
  ) {
    super(message, { cause: details.cause });
  }
  get rule() {
    return this.details.rule;
  }
}


const withOptions = (net: NetworkObject, options: NonNullable<NetworkObject["spec"]>["Options"]): NetworkObject => ({ ...net, spec: { ...net.spec, Options: options } }) as NetworkObject;

export interface IpamOptions {
  retry?: Partial<ConflictRetryPolicy>;
  environment?: RetryEnvironment;
  /** Runs each read-modify-write in a critical section shared with the node's other writers (nodeLock.ts `networkLocks`); none when absent. */
  exclusive?: Exclusive;
  /** A time (on the environment's clock) no operation may run past, besides the retry policy's own bound; read when an operation starts. */
  deadline?: () => number;
  /** Told about every allocate and free when it ends, whatever the outcome; must not throw. */
  observe?: (record: IpamOperationRecord) => void;
}

export class NetworkIpam {
  private readonly policy: ConflictRetryPolicy;
  private readonly env: RetryEnvironment;
  private readonly exclusive?: Exclusive;
  private readonly deadline?: () => number;
  private readonly observe?: (record: IpamOperationRecord) => void;

  constructor(
    private readonly store: NetworkStore,
    options: IpamOptions = {},
  ) {
    this.policy = { ...DEFAULT_CONFLICT_RETRY, ...options.retry };
    this.env = options.environment ?? realEnvironment;
    this.exclusive = options.exclusive;
    this.deadline = options.deadline;
    this.observe = options.observe;
  }

  /** Reserves the addresses of one interface, both families or neither (§10.2–§10.5). */
  allocate(network: NetworkRef, request: { ip?: AddressRequest; ip6?: AddressRequest }): Promise<InterfaceAddresses> {
    return this.update(network, "allocate", (net) => {
      const result = allocateAddresses(net.spec?.Options ?? {}, request);
      if (!result.ok) {
        const { rule, family, message } = result.error;
        throw new IpamError(`${networkLabel(network)}: ${message} (${rule})`, networkLabel(network), { rule, family });
      }
      return { next: result.changed ? withOptions(net, result.options) : undefined, value: { ip: result.ip, ip6: result.ip6 } };
    });
  }

  /**
   * Frees the addresses of one interface (§10.5); addresses outside the network's bitmaps (external
   * IPAM), "none" and "" are left alone. True when something was freed.
   */
  free(network: NetworkRef, addresses: { ip?: string; ip6?: string }): Promise<boolean> {
    return this.update(network, "free", (net) => {
      const result = freeAddresses(net.spec?.Options ?? {}, addresses);
      return { next: result.changed ? withOptions(net, result.options) : undefined, value: result.changed };
    });
  }

  /** Read → compute → replace with the resourceVersion read (no write when `next` is undefined), again on 409. */
  private async update<T>(network: NetworkRef, operation: IpamOperation, compute: (net: NetworkObject) => { next?: NetworkObject; value: T }): Promise<T> {
    const label = networkLabel(network);
    const started = this.env.now();
    const until = Math.min(started + this.policy.deadlineMs, this.deadline?.() ?? Infinity);
    let conflicts = 0;
    let lockWaitMs = 0;
    const readModifyWrite = async () => {
      let net: NetworkObject;
      try {
        net = await this.store.get(network.kind, network.name, network.namespace);
      } catch (e) {
        throw storeError(label, "read", e);
      }
      const { next, value } = compute(net);
      if (!next) return value;
      try {
        // `next` keeps the resourceVersion read: the API server refuses it with 409 if the network changed since
        await this.store.replace(network.kind, next);
      } catch (e) {
        if (isConflict(e)) conflicts++;
        throw isConflict(e) ? e : storeError(label, "updated", e);
      }
      return value;
    };
    const exclusive = this.exclusive;
    const attempt = exclusive
      ? () => {
          const waiting = this.env.now();
          return exclusive(
            network,
            label,
            () => {
              lockWaitMs += this.env.now() - waiting;
              return readModifyWrite();
            },
            until - this.env.now(),
          ).catch((e) => {
            // a lock never obtained was waited for all the same
            if (e instanceof NodeLockTimeout) lockWaitMs += this.env.now() - waiting;
            throw e;
          });
        }
      : readModifyWrite;
    let failure: IpamError | undefined;
    let failed = false;
    try {
      return await retryOnConflict(label, attempt, { ...this.policy, deadlineMs: Math.max(0, until - started) }, this.env);
    } catch (e) {
      failed = true;
      if (e instanceof ConflictRetryExhausted) failure = new IpamError(e.message, label, { status: 409, attempts: e.attempts, timedOut: true, cause: e });
      else if (e instanceof NodeLockTimeout) failure = new IpamError(`${label}: ${e.message}; giving up, try again`, label, { timedOut: true, cause: e });
      else if (e instanceof IpamError) failure = e;
      throw failure ?? e;
    } finally {
      if (this.observe) {
        const seconds = Math.max(0, this.env.now() - started) / 1000;
        const outcome = failed ? ipamOutcome(failure ? { rule: failure.rule, timedOut: failure.details.timedOut } : {}) : "ok";
        try {
          this.observe({ kind: network.kind, namespace: network.namespace ?? "", network: network.name, operation, outcome, seconds, conflicts, lockWaitSeconds: Math.min(seconds, Math.max(0, lockWaitMs) / 1000) });
        } catch {
          // statistics never change what the operation returns
        }
      }
    }
  }
}

function storeError(label: string, doing: string, e: unknown): IpamError {
  const status = (e as { status?: unknown } | null)?.status;
  const reason = status === 404 ? "does not exist" : `could not be ${doing}: ${e instanceof Error ? e.message : String(e)}`;
  return new IpamError(`${label} ${reason}`, label, { status: typeof status === "number" ? status : undefined, cause: e });
}
