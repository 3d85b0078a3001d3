// tenet's IPAM (danm-spec §10.5): reserves and frees the addresses of interfaces on one network
// object in the API server. All state lives in the network's spec.Options (DANM's bitmaps stay the
// only record, so DANM 4.x clients, the reconciler and kubectl keep working alongside); each change
// is a read, a pure computation (server/domain/ipam) and a replace carrying the resourceVersion read,
// done again from a fresh read when the API server answers 409 Conflict.
//
// Group commit (docs/ipam.md): the operations that callers of one NetworkIpam start on one network
// while a write of that network is in flight wait for it, then go together: one read-modify-write
// applies all of them (AllocationBatch decodes and encodes each bitmap once) and one write serves
// them all. The object returned by the last write is kept and used as the next batch's read; a
// conflict drops it. A batch whose outcome rests on that kept copy without a write confirming it (a
// refusal, or nothing to write) is computed again from a fresh read, so nobody is refused on stale
// state.
//
// Crash safety follows from the order of the writes, which callers must keep:
// - ADD: allocate, then create the DanmEp. A crash in between leaves an address held by no DanmEp
//   (the leak reconciler frees it), never an address held twice.
// - DEL: delete the DanmEp, then free. Freeing first would let a crash leave a DanmEp holding an
//   address that the bitmap already hands out again.
// A failed write other than a conflict may have been applied; it is never retried, so at worst it
// leaks the addresses of its batch too.
//
// Each read-modify-write may run inside a node-local lock per network (`exclusive`, nodeLock.ts), so
// processes of one node (the daemon and its successor during a rollout) take turns instead of
// refusing each other's writes; the retry then only meets writers on other nodes. Every operation
// ends by its deadline (the retry policy's, and the caller's, e.g. the ADD's budget), waiting for the
// batch and the lock included; each gets at least one attempt.
//
// Every operation is reported to the `observe` option when given (the daemon hands the reports to the
// node agent through ipamStats.ts): its outcome, duration, the 409 conflicts it met and its lock waits.
import type { NetworkKind, NetworkObject } from "../domain/api/network";
import { AllocationBatch, type AddressRequest, type AllocationError, type AllocationOp, type AllocationOpResult } from "../domain/ipam/allocate";
import { ipamOutcome, type IpamOperation, type IpamOperationRecord } from "../domain/ipam/operationStats";
import type { Family } from "../domain/net/address";
import {
  backoffBound,
  ConflictRetryExhausted,
  DEFAULT_CONFLICT_RETRY,
  isConflict,
  realEnvironment,
  type ConflictRetryPolicy,
  type RetryEnvironment,
} from "./conflictRetry";
import { NodeLockTimeout, type Exclusive } from "./nodeLock";
import { networkKey, networkLabel, type NetworkRef } from "../domain/networkRef";

export type { NetworkRef };

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

const withOptions = (net: NetworkObject, options: NonNullable<NetworkObject["spec"]>["Options"]): NetworkObject =>
  ({ ...net, spec: { ...net.spec, Options: options } }) as NetworkObject;

export interface IpamOptions {
  retry?: Partial<ConflictRetryPolicy>;
  environment?: RetryEnvironment;
  /** Runs each read-modify-write in a critical section shared with the node's other writers (nodeLock.ts `networkLocks`); none when absent. */
  exclusive?: Exclusive;
  /** A time (on the environment's clock) no operation may run past, besides the retry policy's own bound; read when an operation starts. */
  deadline?: () => number;
  /** Told about every allocate and free when it ends, whatever the outcome; must not throw. */
  observe?: (record: IpamOperationRecord) => void;
  /** Most operations one write serves; the rest wait for the next batch. */
  maxBatch?: number;
}

/** What a caller of the IPAM needs: the CNI code takes this, so each request can carry its own deadline. */
export interface AddressAllocator {
  allocate(network: NetworkRef, request: { ip?: AddressRequest; ip6?: AddressRequest }): Promise<InterfaceAddresses>;
  free(network: NetworkRef, addresses: { ip?: string; ip6?: string }): Promise<boolean>;
}

/** Per operation: its own deadline (environment clock) and where it is reported, instead of the IPAM's. */
export interface CallerOptions {
  deadline?: number;
  observe?: (record: IpamOperationRecord) => void;
}

/** One caller's operation waiting in, or taking part in, a batch. */
interface Pending {
  op: AllocationOp;
  operation: IpamOperation;
  started: number;
  /** No attempt starts for it after this (environment clock). */
  until: number;
  attempts: number;
  conflicts: number;
  lockWaitMs: number;
  settle(outcome: { result: AllocationOpResult } | { error: unknown }): void;
}

/** The operations of one network and the last copy of it this IPAM wrote or read. */
interface NetworkQueue {
  waiting: Pending[];
  busy: boolean;
  known?: NetworkObject;
}

const DEFAULT_MAX_BATCH = 512;

export class NetworkIpam implements AddressAllocator {
  private readonly policy: ConflictRetryPolicy;
  private readonly env: RetryEnvironment;
  private readonly exclusive?: Exclusive;
  private readonly deadline?: () => number;
  private readonly observe?: (record: IpamOperationRecord) => void;
  private readonly maxBatch: number;
  private readonly queues = new Map<string, NetworkQueue>();

  constructor(
    private readonly store: NetworkStore,
    options: IpamOptions = {},
  ) {
    this.policy = { ...DEFAULT_CONFLICT_RETRY, ...options.retry };
    this.env = options.environment ?? realEnvironment;
    this.exclusive = options.exclusive;
    this.deadline = options.deadline;
    this.observe = options.observe;
    this.maxBatch = Math.max(1, options.maxBatch ?? DEFAULT_MAX_BATCH);
  }

  /** Reserves the addresses of one interface, both families or neither (§10.2–§10.5). */
  async allocate(network: NetworkRef, request: { ip?: AddressRequest; ip6?: AddressRequest }, caller: CallerOptions = {}): Promise<InterfaceAddresses> {
    const r = await this.enqueue(network, { allocate: request }, "allocate", caller);
    return { ip: r.ip, ip6: r.ip6 };
  }

  /**
   * Frees the addresses of one interface (§10.5); addresses outside the network's bitmaps (external
   * IPAM), "none" and "" are left alone. True when something was freed.
   */
  async free(network: NetworkRef, addresses: { ip?: string; ip6?: string }, caller: CallerOptions = {}): Promise<boolean> {
    return (await this.enqueue(network, { free: addresses }, "free", caller)).changed;
  }

  /**
   * The same IPAM as one caller sees it (one CNI request): every operation bounded by `deadline()`
   * (read when it starts) and reported to `observe` instead of the IPAM's own.
   */
  forCaller(deadline: () => number, observe?: (record: IpamOperationRecord) => void): AddressAllocator {
    return {
      allocate: (network, request) => this.allocate(network, request, { deadline: deadline(), observe }),
      free: (network, addresses) => this.free(network, addresses, { deadline: deadline(), observe }),
    };
  }

  private enqueue(network: NetworkRef, op: AllocationOp, operation: IpamOperation, caller: CallerOptions): Promise<AllocationOpResult & { ok: true }> {
    const label = networkLabel(network);
    const started = this.env.now();
    const until = Math.min(started + this.policy.deadlineMs, caller.deadline ?? this.deadline?.() ?? Infinity);
    return new Promise((resolve, reject) => {
      const pending: Pending = {
        op,
        operation,
        started,
        until,
        attempts: 0,
        conflicts: 0,
        lockWaitMs: 0,
        settle: (outcome) => {
          let failure: IpamError | undefined;
          let error: unknown;
          if ("result" in outcome) {
            const r = outcome.result;
            if (r.ok) resolve(r);
            else {
              const { rule, family, message } = r.error;
              failure = new IpamError(`${label}: ${message} (${rule})`, label, { rule, family });
              reject(failure);
            }
          } else {
            error = outcome.error;
            if (error instanceof IpamError) failure = error;
            reject(error);
          }
          this.report(network, pending, outcome, failure, caller.observe ?? this.observe);
        },
      };
      const key = networkKey(network);
      let queue = this.queues.get(key);
      if (!queue) this.queues.set(key, (queue = { waiting: [], busy: false }));
      queue.waiting.push(pending);
      if (!queue.busy) void this.drain(network, key, queue);
    });
  }

  private report(
    network: NetworkRef,
    p: Pending,
    outcome: { result: AllocationOpResult } | { error: unknown },
    failure: IpamError | undefined,
    observe: ((record: IpamOperationRecord) => void) | undefined,
  ): void {
    if (!observe) return;
    const seconds = Math.max(0, this.env.now() - p.started) / 1000;
    const ok = "result" in outcome && outcome.result.ok;
    const result = ok ? "ok" : ipamOutcome(failure ? { rule: failure.rule, timedOut: failure.details.timedOut } : {});
    try {
      observe({
        kind: network.kind,
        namespace: network.namespace ?? "",
        network: network.name,
        operation: p.operation,
        outcome: result,
        seconds,
        conflicts: p.conflicts,
        lockWaitSeconds: Math.min(seconds, Math.max(0, p.lockWaitMs) / 1000),
      });
    } catch {
      // statistics never change what the operation returns
    }
  }

  /** Serves the network's queue batch after batch until it is empty. */
  private async drain(network: NetworkRef, key: string, queue: NetworkQueue): Promise<void> {
    queue.busy = true;
    try {
      while (queue.waiting.length) await this.commitBatch(network, queue);
    } finally {
      queue.busy = false;
      if (queue.waiting.length) void this.drain(network, key, queue);
      else if (this.queues.get(key) === queue) this.queues.delete(key);
    }
  }

  /** One batch: read (or the kept copy) → apply every operation → one write; again on 409 with the newcomers. */
  private async commitBatch(network: NetworkRef, queue: NetworkQueue): Promise<void> {
    const label = networkLabel(network);
    const batch: Pending[] = [];
    let conflictsInRow = 0;
    for (;;) {
      // newcomers join a batch that is retried; operations out of time or attempts leave it
      batch.push(...queue.waiting.splice(0, this.maxBatch - batch.length));
      const now = this.env.now();
      for (let i = batch.length - 1; i >= 0; i--) {
        const p = batch[i];
        if (p.attempts === 0 || (now < p.until && p.attempts < this.policy.maxAttempts)) continue;
        batch.splice(i, 1);
        const exhausted = new ConflictRetryExhausted(label, p.attempts, now - p.started);
        p.settle({
          error: p.conflicts
            ? new IpamError(exhausted.message, label, { status: 409, attempts: p.attempts, timedOut: true, cause: exhausted })
            : new IpamError(`${label}: ran out of time after ${p.attempts} attempts; giving up, try again`, label, { timedOut: true }),
        });
      }
      if (batch.length === 0) return;
      for (const p of batch) p.attempts++;
      const attemptStarted = this.env.now();
      const waitUntil = Math.min(...batch.map((p) => p.until));
      try {
        const results = await this.attempt(network, queue, batch, waitUntil, attemptStarted);
        batch.forEach((p, i) => p.settle({ result: results[i] }));
        return;
      } catch (e) {
        if (isConflict(e)) {
          queue.known = undefined;
          conflictsInRow++;
          for (const p of batch) p.conflicts++;
          const remaining = waitUntil - this.env.now();
          if (remaining > 0)
            await this.env.sleep(Math.min(remaining, this.env.random() * backoffBound(this.policy, conflictsInRow, this.env.now() - attemptStarted)));
          continue;
        }
        if (e instanceof NodeLockTimeout) {
          // the lock was not obtained by the first deadline of the batch: those out of time leave, the others try again
          const failure = () => new IpamError(`${label}: ${e.message}; giving up, try again`, label, { timedOut: true, cause: e });
          const now2 = this.env.now();
          for (let i = batch.length - 1; i >= 0; i--) {
            if (now2 < batch[i].until) continue;
            batch[i].settle({ error: failure() });
            batch.splice(i, 1);
          }
          continue;
        }
        queue.known = undefined;
        for (const p of batch) p.settle({ error: e });
        return;
      }
    }
  }

  /** The read-modify-write of one batch (inside the node lock when there is one); the operations' results in order. */
  private async attempt(network: NetworkRef, queue: NetworkQueue, batch: Pending[], waitUntil: number, started: number): Promise<AllocationOpResult[]> {
    const label = networkLabel(network);
    const readModifyWrite = async (): Promise<AllocationOpResult[]> => {
      for (;;) {
        const kept = queue.known;
        let net: NetworkObject;
        if (kept) net = kept;
        else {
          try {
            net = await this.store.get(network.kind, network.name, network.namespace);
          } catch (e) {
            throw storeError(label, "read", e);
          }
        }
        const work = new AllocationBatch(net.spec?.Options ?? {});
        const results = batch.map((p) => work.apply(p.op));
        const { options, changed } = work.result();
        if (!changed || results.some((r) => !r.ok)) {
          // a refusal or "nothing to do" must rest on a fresh read, never on the kept copy alone
          if (kept) {
            queue.known = undefined;
            continue;
          }
          if (!changed) {
            queue.known = net;
            return results;
          }
        }
        try {
          // the copy keeps the resourceVersion read: the API server refuses it with 409 if the network changed since
          queue.known = await this.store.replace(network.kind, withOptions(net, options));
        } catch (e) {
          throw isConflict(e) ? e : storeError(label, "updated", e);
        }
        return results;
      }
    };
    const exclusive = this.exclusive;
    if (!exclusive) return readModifyWrite();
    return exclusive(
      network,
      label,
      () => {
        const waited = this.env.now() - started;
        for (const p of batch) p.lockWaitMs += waited;
        return readModifyWrite();
      },
      waitUntil - this.env.now(),
    ).catch((e) => {
      // a lock never obtained was waited for all the same
      if (e instanceof NodeLockTimeout) for (const p of batch) p.lockWaitMs += this.env.now() - started;
      throw e;
    });
  }
}

function storeError(label: string, doing: string, e: unknown): IpamError {
  const status = (e as { status?: unknown } | null)?.status;
  const reason = status === 404 ? "does not exist" : `could not be ${doing}: ${e instanceof Error ? e.message : String(e)}`;
  return new IpamError(`${label} ${reason}`, label, { status: typeof status === "number" ? status : undefined, cause: e });
}
