import { makeInformer, type KubeConfig, type KubernetesListObject, type KubernetesObject } from "@kubernetes/client-node";
import type { Log } from "../log";

export interface WatchCacheOptions<T extends KubernetesObject> {
  /** Watch path, e.g. /apis/danm.k8s.io/v1/danmeps */
  path: string;
  list: () => Promise<KubernetesListObject<T>>;
  log?: Log;
  /** Delay before the watch is restarted after an error. */
  restartDelayMs?: number;
}

/** A list+watch cache of one resource type that restarts itself after errors (API server restarts too). */
export class WatchCache<T extends KubernetesObject> {
  private readonly informer;
  private synced = false;
  private stopped = false;
  private readonly listeners = new Set<(type: "add" | "update" | "delete", obj: T) => void>();
  /** The last list(), kept until the next event: callers that index it by identity stay cheap. */
  private snapshot?: readonly T[];

  constructor(
    kc: KubeConfig,
    private readonly options: WatchCacheOptions<T>,
  ) {
    this.informer = makeInformer<T>(kc, options.path, options.list);
    for (const type of ["add", "update", "delete"] as const) {
      this.informer.on(type, (obj: T) => {
        this.snapshot = undefined;
        this.listeners.forEach((l) => l(type, obj));
      });
    }
    this.informer.on("error", (err: unknown) => {
      this.synced = false;
      if (this.stopped) return;
      options.log?.("watch failed; restarting", { path: options.path, error: (err as Error)?.message ?? String(err) });
      setTimeout(() => void this.start(), options.restartDelayMs ?? 1000).unref();
    });
  }

  async start(): Promise<void> {
    try {
      await this.informer.start();
      this.snapshot = undefined;
      this.synced = true;
    } catch (err) {
      if (this.stopped) return;
      this.options.log?.("list failed; retrying", { path: this.options.path, error: (err as Error)?.message ?? String(err) });
      await new Promise((r) => setTimeout(r, this.options.restartDelayMs ?? 1000));
      return this.start();
    }
  }

  async stop() {
    this.stopped = true;
    await this.informer.stop();
  }

  isSynced() {
    return this.synced;
  }

  list(): readonly T[] {
    this.snapshot ??= Object.freeze(this.informer.list());
    return this.snapshot;
  }

  get(name: string, namespace?: string): T | undefined {
    return this.informer.get(name, namespace);
  }

  onEvent(listener: (type: "add" | "update" | "delete", obj: T) => void) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
