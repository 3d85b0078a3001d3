// The plugin's half of the IPAM metrics (docs/ipam.md "Metrics"): collects the records of this
// run's IPAM operations and, when the run ends, leaves them as ONE file in the node-local stats
// directory for the node agent to collect (server/agent/ipamStatsCollector.ts).
//
// Statistics must never fail or slow an ADD or DEL: the file is written once, synchronously (a few
// hundred bytes on a tmpfs, well under a millisecond), through a temporary name and a rename so the
// agent never reads half of it; any problem skips it. A missing directory means no agent collects on
// this node (the agent's DaemonSet creates it), so nothing is written and nothing said. An unusable
// directory, or one already holding MAX_PENDING_FILES files (the agent stopped collecting), costs one
// line on stderr and the run's statistics.
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import {
  decodeIpamRecord,
  encodeIpamStats,
  ipamStatsFileName,
  ipamStatsTempName,
  MAX_RECORDS_PER_FILE,
  type IpamOperationRecord,
} from "../domain/ipam/operationStats";

export const DEFAULT_IPAM_STATS_DIR = "/run/tenet/ipam-stats";
/** More files than this waiting in the directory: nobody collects them, stop adding. */
export const MAX_PENDING_FILES = 1000;

export class IpamStatsRecorder {
  private records: IpamOperationRecord[] = [];

  constructor(
    readonly dir: string,
    private readonly log: (line: string) => void,
    private readonly now: () => number = Date.now,
  ) {}

  /** NetworkIpam's `observe` option. Records that the agent would refuse are dropped here, so they cannot spoil the others. */
  readonly record = (record: IpamOperationRecord): void => {
    if (this.records.length >= MAX_RECORDS_PER_FILE) return;
    if (typeof decodeIpamRecord(record) === "string") return;
    this.records.push(record);
  };

  get pending(): readonly IpamOperationRecord[] {
    return this.records;
  }

  /** Writes the records gathered so far as one file and forgets them; the file's name, or undefined when nothing was written. Never throws. */
  flush(): string | undefined {
    if (this.records.length === 0) return undefined;
    const records = this.records;
    this.records = [];
    let entries: string[];
    try {
      entries = fs.readdirSync(this.dir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") this.log(`IPAM statistics not recorded: cannot read ${this.dir}: ${(e as Error).message}`);
      return undefined;
    }
    if (entries.length >= MAX_PENDING_FILES) {
      this.log(`IPAM statistics not recorded: ${this.dir} already holds ${entries.length} files (is the tenet node agent collecting them?)`);
      return undefined;
    }
    const name = ipamStatsFileName(this.now(), process.pid, randomBytes(4).toString("hex"));
    const temp = path.join(this.dir, ipamStatsTempName(name));
    try {
      fs.writeFileSync(temp, encodeIpamStats(records), { mode: 0o644 });
      fs.renameSync(temp, path.join(this.dir, name));
      return name;
    } catch (e) {
      this.log(`IPAM statistics not recorded: cannot write to ${this.dir}: ${(e as Error).message}`);
      try {
        fs.rmSync(temp, { force: true });
      } catch {
        // the agent removes stale temporary files
      }
      return undefined;
    }
  }
}
