// One list+watch per resource type for the whole console process, whatever the number of open
// browser tabs. It keeps the objects and tells listeners what changed; after an API server restart
// or a "410 Gone" it lists again and reports the difference, so listeners never miss a change.
import { type KubeRest } from "./rest";
import { KubeError } from "./errors";
import type { Log } from "../log";

export type WatchEventType = "ADDED" | "MODIFIED" | "DELETED";

export interface WatchedObject {
  metadata: { name?: string; namespace?: string; resourceVersion?: string; uid?: string };
}

export interface SharedWatchOptions {
  path: string;
  /** Query parameters of both the list and the watch (a fieldSelector). */
  query?: Record<string, string>;
  /** What to keep of each object (default all of it): a watch that only signals changes keeps the metadata. */
  keep?: (obj: WatchedObject) => WatchedObject;
  restartDelayMs?: number;
  /** For an API that may go away (a CRD deleted): when a list answers 404, forget every object
   * (DELETED events), stop, and call this instead of listing again. */
  onNotServed?: () => void;
  log?: Log;
}

const keyOf = (o: WatchedObject) => `${o.metadata.namespace ?? ""}/${o.metadata.name ?? ""}`;

export class SharedWatch<T extends WatchedObject = WatchedObject> {
  private readonly objects = new Map<string, T>();
  private readonly listeners = new Set<(type: WatchEventType, obj: T) => void>();
  private abort = new AbortController();
  private stopped = false;
  private synced = false;
  private resourceVersion = "";
  private started?: Promise<void>;
  private firstSync?: { promise: Promise<void>; resolve: () => void };

  constructor(
    private readonly kube: KubeRest,
    private readonly options: SharedWatchOptions,
  ) {
    let resolve!: () => void;
    const promise = new Promise<void>((r) => (resolve = r));
    this.firstSync = { promise, resolve };
  }

  /** Starts (once) and resolves after the first complete list. */
  start(): Promise<void> {
    this.started ??= (void this.loop(), this.firstSync!.promise);
    return this.started;
  }

  isSynced() {
    return this.synced;
  }

  list(): T[] {
    return [...this.objects.values()];
  }

  onEvent(listener: (type: WatchEventType, obj: T) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  stop() {
    this.stopped = true;
    this.abort.abort();
  }

  private kept(obj: T): T {
    return this.options.keep ? (this.options.keep(obj) as T) : obj;
  }

  private emit(type: WatchEventType, obj: T) {
    for (const l of this.listeners) {
      try {
        l(type, obj);
      } catch (e) {
        this.options.log?.("watch listener failed", { path: this.options.path, error: (e as Error).message });
      }
    }
  }

  private async relist() {
    const list = await this.kube.call<{ metadata: { resourceVersion: string }; items: T[] }>(this.options.path, {
      query: this.options.query,
      signal: this.abort.signal,
    });
    const seen = new Set<string>();
    for (const received of list.items) {
      const item = this.kept(received);
      const key = keyOf(item);
      seen.add(key);
      const old = this.objects.get(key);
      this.objects.set(key, item);
      if (!old) this.emit("ADDED", item);
      else if (old.metadata.resourceVersion !== item.metadata.resourceVersion) this.emit("MODIFIED", item);
    }
    for (const [key, old] of this.objects) {
      if (!seen.has(key)) {
        this.objects.delete(key);
        this.emit("DELETED", old);
      }
    }
    this.resourceVersion = list.metadata.resourceVersion;
    this.synced = true;
    this.firstSync?.resolve();
  }

  private async loop() {
    let needList = true;
    while (!this.stopped) {
      try {
        if (needList) await this.relist();
        needList = false;
        await this.kube.watch(
          this.options.path,
          { ...this.options.query, resourceVersion: this.resourceVersion, timeoutSeconds: "300" },
          (e) => {
            if (e.type === "BOOKMARK") {
              this.resourceVersion = (e.object as WatchedObject).metadata.resourceVersion ?? this.resourceVersion;
              return;
            }
            if (e.type === "ERROR") {
              // 410 Gone: our resourceVersion is too old; list again.
              needList = true;
              throw new Error(`watch error: ${(e.object as { message?: string }).message ?? "unknown"}`);
            }
            const obj = this.kept(e.object as T);
            this.resourceVersion = obj.metadata.resourceVersion ?? this.resourceVersion;
            if (e.type === "DELETED") this.objects.delete(keyOf(obj));
            else this.objects.set(keyOf(obj), obj);
            this.emit(e.type as WatchEventType, obj);
          },
          this.abort.signal,
        );
      } catch (e) {
        if (this.stopped) return;
        if (needList && this.options.onNotServed && e instanceof KubeError && e.status === 404) {
          this.stop();
          for (const [key, old] of this.objects) {
            this.objects.delete(key);
            this.emit("DELETED", old);
          }
          this.options.onNotServed();
          this.firstSync?.resolve();
          return;
        }
        // 410 Gone, a closed connection or a restarted API server with a new history: a list is
        // cheap, exact, and reports what changed meanwhile.
        needList = true;
        this.options.log?.("watch interrupted; listing again", { path: this.options.path, error: (e as Error).message });
        await new Promise((r) => setTimeout(r, this.options.restartDelayMs ?? 500));
      }
    }
  }
}
