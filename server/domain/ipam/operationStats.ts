// What the danm plugin reports about its IPAM operations, and how it hands the reports to the node
// agent (docs/ipam.md "Metrics"). The plugin is a short-lived process per ADD/DEL and cannot be
// scraped, so each run that reserved or freed addresses leaves ONE small JSON file in a node-local
// directory; the agent reads, counts and deletes the files and exports the totals as Prometheus
// metrics. This module is the file's format: what a record holds, how an outcome is classified, how
// files are named, and the decoder the agent trusts nothing without.

/** NetworkIpam.allocate / NetworkIpam.free. */
export const IPAM_OPERATIONS = ["allocate", "free"] as const;
export type IpamOperation = (typeof IPAM_OPERATIONS)[number];

/**
 * ok; exhausted: the pool has no free address (rule A-5); refused: the request broke another
 * allocation rule (static address in use or outside the network, L2 network: A-1…A-4; the tenant's
 * request, not the system, is at fault); timeout: the operation ran out of time waiting for the node
 * lock or losing to other writers (409 every time); error: anything else (the API server refused
 * or could not be reached, the network is gone, its allocation state is corrupt: A-6).
 */
export const IPAM_OUTCOMES = ["ok", "exhausted", "refused", "timeout", "error"] as const;
export type IpamOutcome = (typeof IPAM_OUTCOMES)[number];

const NETWORK_KINDS = ["DanmNet", "TenantNetwork", "ClusterNetwork"] as const;

export interface IpamOperationRecord {
  kind: (typeof NETWORK_KINDS)[number];
  /** "" for ClusterNetworks. */
  namespace: string;
  network: string;
  operation: IpamOperation;
  outcome: IpamOutcome;
  /** From the operation's start to its end, waiting for the node lock and backing off after conflicts included. */
  seconds: number;
  /** Writes the API server refused with 409 Conflict because another writer changed the network first. */
  conflicts: number;
  /** Of `seconds`, the time spent waiting for the node lock (all attempts together). */
  lockWaitSeconds: number;
}

/** The version field of a stats file; the agent rejects files of another version. */
export const IPAM_STATS_VERSION = 1;
/** A plugin run has a few interfaces, each allocated once and maybe freed on rollback: more records than this is not a plugin's file. */
export const MAX_RECORDS_PER_FILE = 256;
/** Larger files are rejected unread (a record is ~200 bytes). */
export const MAX_STATS_FILE_BYTES = 64 * 1024;

/** How an IPAM failure counts: the IpamError's rule and whether it ran out of time (undefined error = ok). */
export function ipamOutcome(error: { rule?: string; timedOut?: boolean } | undefined): IpamOutcome {
  if (!error) return "ok";
  if (error.rule === "A-5") return "exhausted";
  if (error.rule && error.rule !== "A-6") return "refused";
  if (error.timedOut) return "timeout";
  return "error";
}

export function encodeIpamStats(records: readonly IpamOperationRecord[]): string {
  return JSON.stringify({ v: IPAM_STATS_VERSION, records }) + "\n";
}

export type DecodedIpamStats = { ok: true; records: IpamOperationRecord[] } | { ok: false; reason: string };

const isName = (v: unknown, max: number): v is string => typeof v === "string" && v.length <= max && !/[\s"\\]/.test(v);
const isSeconds = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v) && v >= 0 && v < 86_400;
const isCount = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v) && v >= 0 && v < 1_000_000;

/** One record checked field by field: the record, or what is wrong with it ("record i: …"). */
export function decodeIpamRecord(raw: unknown, i = 0): IpamOperationRecord | string {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return `record ${i} is not an object`;
  const r = raw as Record<string, unknown>;
  if (!(NETWORK_KINDS as readonly unknown[]).includes(r.kind)) return `record ${i}: kind ${JSON.stringify(r.kind)} is not a network kind`;
  if (!isName(r.namespace, 63) || (r.kind === "ClusterNetwork") !== (r.namespace === ""))
    return `record ${i}: namespace ${JSON.stringify(r.namespace)} does not fit a ${String(r.kind)}`;
  if (!isName(r.network, 253) || r.network === "") return `record ${i}: network ${JSON.stringify(r.network)} is not a name`;
  if (!(IPAM_OPERATIONS as readonly unknown[]).includes(r.operation))
    return `record ${i}: operation ${JSON.stringify(r.operation)} is not one of ${IPAM_OPERATIONS.join(", ")}`;
  if (!(IPAM_OUTCOMES as readonly unknown[]).includes(r.outcome))
    return `record ${i}: outcome ${JSON.stringify(r.outcome)} is not one of ${IPAM_OUTCOMES.join(", ")}`;
  if (!isSeconds(r.seconds)) return `record ${i}: seconds ${JSON.stringify(r.seconds)} is not a duration`;
  if (!isSeconds(r.lockWaitSeconds) || r.lockWaitSeconds > r.seconds + 0.001)
    return `record ${i}: lockWaitSeconds ${JSON.stringify(r.lockWaitSeconds)} is not a duration within the operation's`;
  if (!isCount(r.conflicts)) return `record ${i}: conflicts ${JSON.stringify(r.conflicts)} is not a count`;
  return {
    kind: r.kind as IpamOperationRecord["kind"],
    namespace: r.namespace,
    network: r.network,
    operation: r.operation as IpamOperation,
    outcome: r.outcome as IpamOutcome,
    seconds: r.seconds,
    conflicts: r.conflicts,
    lockWaitSeconds: r.lockWaitSeconds,
  };
}

/** A stats file's text → its records, or why the whole file is refused (nothing of a bad file is counted). */
export function decodeIpamStats(text: string): DecodedIpamStats {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ok: false, reason: "not JSON" };
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return { ok: false, reason: "not a JSON object" };
  const { v, records } = raw as { v?: unknown; records?: unknown };
  if (v !== IPAM_STATS_VERSION) return { ok: false, reason: `version ${JSON.stringify(v)}, expected ${IPAM_STATS_VERSION}` };
  if (!Array.isArray(records)) return { ok: false, reason: "records is not a list" };
  if (records.length > MAX_RECORDS_PER_FILE) return { ok: false, reason: `${records.length} records, at most ${MAX_RECORDS_PER_FILE}` };
  const decoded: IpamOperationRecord[] = [];
  for (let i = 0; i < records.length; i++) {
    const r = decodeIpamRecord(records[i], i);
    if (typeof r === "string") return { ok: false, reason: r };
    decoded.push(r);
  }
  return { ok: true, records: decoded };
}

/**
 * "<ms since epoch>-<pid>-<random>.json": unique per plugin run, sorting by time. The plugin writes
 * it under a name starting with "." first and renames it, so a reader never sees half a file.
 */
export function ipamStatsFileName(nowMs: number, pid: number, random: string): string {
  return `${Math.floor(nowMs)}-${pid}-${random}.json`;
}

export function isIpamStatsFileName(name: string): boolean {
  return /^\d+-\d+-[0-9a-z]+\.json$/.test(name);
}

/** The temporary name a file is written under before the rename (never read by the agent; removed by it once stale). */
export function ipamStatsTempName(finalName: string): string {
  return `.${finalName}.tmp`;
}

export function isIpamStatsTempName(name: string): boolean {
  return name.startsWith(".") && name.endsWith(".json.tmp");
}
