// Live updates: one shared watch per resource type for the whole process; each subscriber gets only
// the changes to objects it may `get` (checked as that person, cached briefly).
import { EventEmitter, on } from "node:events";
import { kindInfo } from "../domain/api/kinds";
import { API_GROUP } from "../domain/api/meta";
import { danmPath } from "../kube/access";
import { CORE_WATCHES } from "../kube/podReads";
import type { KubeRest } from "../kube/rest";
import { SharedWatch, type WatchedObject } from "../kube/sharedWatch";
import { createLogger } from "../log";

/** The identity the shared watches run as: a read-only user the console impersonates (RBAC: tenet:console-watch). */
export const WATCH_IDENTITY = { user: "tenet:console-watch", groups: ["tenet:console-watch"] };

/** The shared watches' trouble (a list refused, a stream that ended) goes to the console's log. */
const watchLog = createLogger("console");

export const LIVE_KINDS = ["TenantNetwork", "ClusterNetwork", "DanmNet", "TenantConfig", "DanmEp", "NodeNetworkStatus", "Pod", "Event"] as const;
export type LiveKind = (typeof LIVE_KINDS)[number];

/** Only who changed: a cluster's Pods are many, and no view reads them from this watch. */
const identityOnly = (o: WatchedObject): WatchedObject => ({
  metadata: { name: o.metadata.name, namespace: o.metadata.namespace, resourceVersion: o.metadata.resourceVersion, uid: o.metadata.uid },
});

/** Where a kind is watched and which resource a person must be allowed to `get` to hear of a change. Events: only Pods' sandbox failures. */
export function liveSource(kind: LiveKind): {
  path: string;
  query?: Record<string, string>;
  keep?: (o: WatchedObject) => WatchedObject;
  group: string;
  resource: string;
} {
  if (kind === "Pod" || kind === "Event") return { ...CORE_WATCHES[kind], keep: identityOnly, group: "" };
  return { path: danmPath(kind), group: API_GROUP, resource: kindInfo(kind)!.plural };
}

export interface LiveChange {
  kind: LiveKind;
  namespace: string;
  name: string;
  type: "ADDED" | "MODIFIED" | "DELETED";
}

export class LiveHub {
  private readonly watches = new Map<LiveKind, SharedWatch>();
  private readonly events = new EventEmitter();
  readonly watcher: KubeRest;

  constructor(kube: KubeRest) {
    this.watcher = kube.as(WATCH_IDENTITY);
    this.events.setMaxListeners(0);
  }

  /** The shared watch of `kind`, started on first use. */
  watch(kind: LiveKind): SharedWatch {
    let w = this.watches.get(kind);
    if (!w) {
      const { path, query, keep } = liveSource(kind);
      w = new SharedWatch(this.watcher, { path, query, keep, log: watchLog.warn });
      w.onEvent((type, obj: WatchedObject) =>
        this.events.emit("change", { kind, type, namespace: obj.metadata.namespace ?? "", name: obj.metadata.name ?? "" } satisfies LiveChange),
      );
      this.watches.set(kind, w);
      void w.start();
    }
    return w;
  }

  /** Ends the live streams of a session (it signed out here). */
  endSession(sessionId: string) {
    this.events.emit(`end:${sessionId}`);
  }

  /**
   * A signal that aborts with `signal`, when the session signs out on this replica (endSession) or
   * when it expires; dispose() when the stream ends.
   */
  sessionSignal(session: { id: string; expiresAt: Date }, signal: AbortSignal): { signal: AbortSignal; dispose(): void } {
    const stop = new AbortController();
    const end = () => stop.abort();
    const expiry = setTimeout(end, Math.max(0, Math.min(session.expiresAt.getTime() - Date.now(), 2 ** 31 - 1)));
    this.events.once(`end:${session.id}`, end);
    signal.addEventListener("abort", end, { once: true });
    if (signal.aborted) end();
    return {
      signal: stop.signal,
      dispose: () => {
        clearTimeout(expiry);
        this.events.off(`end:${session.id}`, end);
        signal.removeEventListener("abort", end);
      },
    };
  }

  startAll() {
    for (const k of LIVE_KINDS) this.watch(k);
  }

  /** Every change from now on, until `signal` aborts. */
  async *changes(signal: AbortSignal): AsyncGenerator<LiveChange> {
    this.startAll();
    for await (const [change] of on(this.events, "change", { signal })) yield change as LiveChange;
  }

  stop() {
    for (const w of this.watches.values()) w.stop();
  }
}
