// IP usage sampler (controllers process, leader only): every interval it reads every network's
// allocation bitmaps, counts the addresses in use per family (poolUsage) and writes the samples to
// the console's database, where the operator views draw history and exhaustion forecasts from.
//
// A network's sample is stored when its usage changed since its last stored sample, and at least
// once per `keepaliveMs` (default 1 h) while it stays the same: 5,000 networks sampled every minute
// for 30 days would otherwise be 216 million rows of mostly repeated numbers. A flat stretch thus
// keeps a point per hour and every change keeps its own point, which is what a forecast needs.
// Samples older than `retainMs` (default 30 days) are pruned.
import { NETWORK_KINDS, type NetworkObject } from "../domain/api/network";
import { poolUsage } from "../domain/ipam/allocate";
import type { Db } from "../db/client";
import { pruneUsage, recordUsage, type UsagePoint } from "../db/usage";
import type { KubeConfig } from "../kube/config";
import { DanmClient } from "../kube/danmClient";
import type { Log } from "../log";

export interface UsageSamplerOptions {
  kubeconfig: KubeConfig;
  db: Db;
  /** default 60 s */
  intervalMs?: number;
  /** default 1 h */
  keepaliveMs?: number;
  /** default 30 days */
  retainMs?: number;
  now?: () => number;
  log?: Log;
}

export const DEFAULT_SAMPLE_INTERVAL_MS = 60_000;
export const RETAIN_MS = 30 * 24 * 3_600_000;

export interface SamplePass {
  networks: number;
  recorded: number;
  pruned: number;
}

/** One network's usage as a stored point; undefined for an L2 network (nothing to count). */
export function usagePoint(net: NetworkObject): UsagePoint | undefined {
  const usage = poolUsage(net.spec?.Options ?? {});
  if (!usage.v4 && !usage.v6) return undefined;
  return {
    kind: net.kind,
    namespace: net.kind === "ClusterNetwork" ? "" : (net.metadata.namespace ?? ""),
    name: net.metadata.name ?? "",
    v4Used: usage.v4?.used ?? 0,
    v4Total: usage.v4?.total ?? 0,
    v6Used: BigInt(usage.v6?.used ?? 0),
    v6Total: usage.v6?.total ?? 0n,
  };
}

const keyOf = (p: UsagePoint) => `${p.kind}\u0000${p.namespace}\u0000${p.name}`;
const sameUsage = (a: UsagePoint, b: UsagePoint) => a.v4Used === b.v4Used && a.v4Total === b.v4Total && a.v6Used === b.v6Used && a.v6Total === b.v6Total;

export class UsageSampler {
  private readonly danm: DanmClient;
  private readonly now: () => number;
  private readonly last = new Map<string, { point: UsagePoint; at: number }>();
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;
  private stopped = false;

  constructor(private readonly options: UsageSamplerOptions) {
    this.danm = new DanmClient(options.kubeconfig);
    this.now = options.now ?? Date.now;
  }

  /** Samples every network once, stores what changed (or is due), prunes old samples. */
  async sampleOnce(): Promise<SamplePass> {
    const at = this.now();
    const networks = (await Promise.all(NETWORK_KINDS.map((k) => this.danm.list<NetworkObject & { metadata: { name?: string } }>(k)))).flat();
    const due: UsagePoint[] = [];
    const present = new Set<string>();
    for (const net of networks) {
      const point = usagePoint(net);
      if (!point) continue;
      const key = keyOf(point);
      present.add(key);
      const before = this.last.get(key);
      if (before && sameUsage(before.point, point) && at - before.at < (this.options.keepaliveMs ?? 3_600_000)) continue;
      due.push(point);
      this.last.set(key, { point, at });
    }
    // a deleted network (or one recreated later) starts afresh
    for (const key of [...this.last.keys()]) if (!present.has(key)) this.last.delete(key);
    await recordUsage(this.options.db, due, new Date(at));
    const pruned = await pruneUsage(this.options.db, new Date(at - (this.options.retainMs ?? RETAIN_MS)));
    return { networks: networks.length, recorded: due.length, pruned };
  }

  /** Samples now and then every interval until stop(). */
  start() {
    this.stopped = false;
    const pass = async () => {
      try {
        const r = await (this.running = this.sampleOnce());
        this.options.log?.("usage sampled", { ...r });
      } catch (e) {
        this.options.log?.("usage sampling failed", { error: (e as Error).message });
      }
      if (!this.stopped) this.timer = setTimeout(pass, this.options.intervalMs ?? DEFAULT_SAMPLE_INTERVAL_MS);
    };
    void pass();
  }

  async stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running?.catch(() => undefined);
  }
}
