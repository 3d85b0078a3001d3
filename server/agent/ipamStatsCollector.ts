// The agent's half of the IPAM metrics (docs/ipam.md "Metrics"): every danm plugin run on this node
// that reserved or freed addresses left one JSON file in the stats directory (server/cni/ipamStats.ts);
// a sweep reads each file, removes it and adds its records to the agent's metrics. Sweeps run every
// few seconds and before each scrape, one at a time.
//
// A file is counted only when this agent removed it, so a file is never counted twice, even with two
// agents on one directory (an old and a new Pod during a rollout). A file that is not a valid stats
// file (malformed, too large, another version) is removed and counted in
// tenet_ipam_stats_files_rejected_total; temporary files of plugin runs killed between their write
// and their rename are removed once stale. Names the plugin never writes are left alone: the agent
// deletes nothing it did not expect, whatever directory it is pointed at.
import fs from "node:fs/promises";
import path from "node:path";
import { decodeIpamStats, isIpamStatsFileName, isIpamStatsTempName, MAX_STATS_FILE_BYTES } from "../domain/ipam/operationStats";
import type { AgentMetrics } from "./metrics";

/** A temporary file older than this belongs to a plugin run that died (a run writes it and renames it within a millisecond). */
export const STALE_TEMP_MS = 60_000;
/** A sweep handles at most this many files; the next sweep takes the rest. */
const MAX_FILES_PER_SWEEP = 5_000;

export interface SweepResult {
  files: number;
  records: number;
  rejected: number;
}

export interface IpamStatsCollectorOptions {
  dir: string;
  metrics: AgentMetrics;
  log?: (message: string, fields?: Record<string, unknown>) => void;
  now?: () => number;
}

export class IpamStatsCollector {
  private running?: Promise<SweepResult>;
  private timer?: NodeJS.Timeout;
  private warnedUnreadable = false;
  private readonly log: NonNullable<IpamStatsCollectorOptions["log"]>;

  constructor(private readonly options: IpamStatsCollectorOptions) {
    this.log = options.log ?? (() => {});
  }

  get dir(): string {
    return this.options.dir;
  }

  /** Creates the directory (the plugin writes only into an existing one) and sweeps every `intervalMs`. */
  async start(intervalMs = 5_000): Promise<void> {
    await fs.mkdir(this.options.dir, { recursive: true, mode: 0o755 });
    await this.sweep();
    this.timer = setInterval(() => void this.sweep(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Collects every file waiting now; a sweep asked for while one runs shares it. Never throws. */
  sweep(): Promise<SweepResult> {
    this.running ??= this.sweepOnce().finally(() => (this.running = undefined));
    return this.running;
  }

  private async sweepOnce(): Promise<SweepResult> {
    const result: SweepResult = { files: 0, records: 0, rejected: 0 };
    let names: string[];
    try {
      names = await fs.readdir(this.options.dir);
      this.warnedUnreadable = false;
    } catch (e) {
      if (!this.warnedUnreadable)
        this.log("cannot read the IPAM statistics directory; the danm plugin's IPAM metrics are not collected", {
          dir: this.options.dir,
          error: (e as Error).message,
        });
      this.warnedUnreadable = true;
      return result;
    }
    const now = (this.options.now ?? Date.now)();
    for (const name of names.sort().slice(0, MAX_FILES_PER_SWEEP)) {
      const file = path.join(this.options.dir, name);
      if (isIpamStatsTempName(name)) {
        await this.removeStaleTemp(file, now);
        continue;
      }
      if (!isIpamStatsFileName(name)) continue;
      const outcome = await this.collect(file);
      if (outcome === "skipped") continue;
      if (outcome === "rejected") {
        result.rejected++;
        continue;
      }
      result.files++;
      result.records += outcome;
    }
    return result;
  }

  /** One stats file: the number of records counted, "rejected", or "skipped" (gone, or not removable: left for a later sweep). */
  private async collect(file: string): Promise<number | "rejected" | "skipped"> {
    let text: string | undefined;
    let problem: string | undefined;
    try {
      const stat = await fs.stat(file);
      if (!stat.isFile()) return "skipped";
      if (stat.size > MAX_STATS_FILE_BYTES) problem = `${stat.size} bytes, at most ${MAX_STATS_FILE_BYTES}`;
      else text = await fs.readFile(file, "utf8");
    } catch {
      return "skipped";
    }
    // removed before counting: only the agent that removed it counts it
    try {
      await fs.unlink(file);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT")
        this.log("cannot remove an IPAM statistics file; it is not counted", { file, error: (e as Error).message });
      return "skipped";
    }
    const decoded = text === undefined ? undefined : decodeIpamStats(text);
    if (!decoded?.ok) {
      this.options.metrics.ipamStatsRejected.inc();
      this.log("removed an IPAM statistics file that is not one the danm plugin writes", {
        file,
        reason: problem ?? (decoded && !decoded.ok ? decoded.reason : "unreadable"),
      });
      return "rejected";
    }
    this.options.metrics.ipamStatsFiles.inc();
    for (const record of decoded.records) this.options.metrics.observeIpam(record);
    return decoded.records.length;
  }

  private async removeStaleTemp(file: string, now: number): Promise<void> {
    try {
      const stat = await fs.stat(file);
      if (now - stat.mtimeMs > STALE_TEMP_MS) await fs.unlink(file);
    } catch {
      // gone already, or renamed by its plugin run in the meantime
    }
  }
}
