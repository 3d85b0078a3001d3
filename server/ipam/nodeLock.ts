// Node-local serialisation of the plugin's IPAM writes (docs/ipam.md). Every plugin run is its own
// process; runs on one node that allocate on the same network take turns through a lock file, so
// they stop refusing each other's writes with 409 Conflict. Conflicts then come only from other
// nodes and the reconciler, which the optimistic retry in ipam.ts handles.
//
// The lock is an optimisation, never what keeps an address from being handed out twice (that is
// the resourceVersion of every write): when the lock directory cannot be used the runs go on
// without it, and the rare race below only lets two runs in at once, which then behave exactly as
// without the lock.
//
// Node.js has no flock(2), so the lock is a file created with O_EXCL (open "wx") holding the
// holder's pid and its start time (field 22 of /proc/<pid>/stat, clock ticks since boot). A waiter
// that finds the holder gone, a zombie, or the pid now belonging to a process started at another
// time removes the file and tries again; a SIGKILLed holder therefore delays the others by one stale
// check (at most STALE_CHECK_MS), never more. A file without a record (its creator died between the
// open and the write) is stale once it is EMPTY_GRACE_MS old. The race: two waiters that both found
// the same holder dead each remove "the" lock file; if a third process created a new one between
// the first removal and the second, the second removes a live lock (its inode and mtime are checked
// just before, which narrows the window to a few microseconds).
//
// Waiters queue in arrival order, so that none starves while newcomers keep taking the lock: each
// adds an entry "<monotonic ns>-<pid>-<start>-<n>" to the directory "<lock file>.queue" (the
// monotonic clock is the same for every process of the host) and only the first live entry tries
// the lock file; an entry whose process died is removed by the waiters behind it, its own process
// removes it once it holds the lock or gives up. The lock file alone still decides who holds it.
//
// The record is only meaningful to processes of one PID namespace: the lock directory must not be
// shared with containers (the plugin runs in the host's namespaces, the default is under /run).
import fs from "node:fs";
import path from "node:path";

export const DEFAULT_LOCK_DIR = "/run/tenet/ipam";
/** How often a waiter checks whether the holder is still alive. */
export const STALE_CHECK_MS = 100;
/** A lock file still without a record after this long was left by a creator that died mid-way. */
export const EMPTY_GRACE_MS = 2_000;
/** The first waiter in line tries the lock file this often. */
const HEAD_POLL_MS = 1;
/** The others look at the queue every POLL_PER_PLACE_MS × their place in line (jittered), at most QUEUE_POLL_MAX_MS. */
const POLL_PER_PLACE_MS = 8;
const QUEUE_POLL_MAX_MS = 100;
/** Waiters this close to the front check whether the waiters ahead of them are alive. */
const CHECKED_PLACES = 8;

export interface LockHolder {
  pid: number;
  /** /proc/<pid>/stat field 22 (starttime). */
  start: number;
}

/** /proc/<pid>/stat field 22, or undefined when the process does not exist or has exited (zombie). */
export function processStartTime(pid: number): number | undefined {
  let text: string;
  try {
    text = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return undefined;
  }
  // "pid (comm) state ppid ...": comm may contain spaces and parentheses, so split after the last ")"
  const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
  // fields[0] is field 3 (state), so field n is fields[n - 3]
  if (fields[0] === "Z" || fields[0] === "X") return undefined;
  const start = Number(fields[19]);
  return Number.isFinite(start) ? start : undefined;
}

let self: LockHolder | undefined;
function selfHolder(): LockHolder {
  if (!self || self.pid !== process.pid) self = { pid: process.pid, start: processStartTime(process.pid) ?? 0 };
  return self;
}

/** Whether the process a lock record names is the one that wrote it and still runs. */
export function holderAlive(holder: LockHolder): boolean {
  return processStartTime(holder.pid) === holder.start;
}

export function formatRecord(holder: LockHolder): string {
  return `${holder.pid} ${holder.start}\n`;
}

export function parseRecord(text: string): LockHolder | undefined {
  const m = /^(\d+) (\d+)\n/.exec(text);
  return m ? { pid: Number(m[1]), start: Number(m[2]) } : undefined;
}

/** The lock file of one network: "<dir>/DanmNet_team-a_internal.lock" ("_" cannot occur in Kubernetes names). */
export function networkLockFile(dir: string, network: { kind: string; name: string; namespace?: string }): string {
  return path.join(dir, `${network.kind}_${network.namespace ?? ""}_${network.name}.lock`);
}

/** Waiting for the lock took longer than allowed. */
export class NodeLockTimeout extends Error {
  constructor(
    readonly what: string,
    readonly file: string,
    readonly holder: LockHolder | undefined,
    readonly waitedMs: number,
  ) {
    super(
      `waited ${(waitedMs / 1000).toFixed(1)} s for the other danm runs on this node that write ${what}${holder ? ` (lock ${file} held by pid ${holder.pid})` : ""}`,
    );
  }
}

/** The lock directory or file cannot be used at all (permissions, read-only or full file system). */
export class NodeLockUnusable extends Error {
  constructor(
    readonly file: string,
    cause: unknown,
  ) {
    super(`lock file ${file} cannot be used: ${(cause as Error)?.message ?? cause}`, { cause });
  }
}

const code = (e: unknown) => (e as { code?: string } | null)?.code;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface FileIdentity {
  ino: bigint;
  mtimeNs: bigint;
}

function identityOf(st: fs.BigIntStats): FileIdentity {
  return { ino: st.ino, mtimeNs: st.mtimeNs };
}

/** Locks this process holds, removed if it exits while holding them (a hard stop, an uncaught error). */
const held = new Set<NodeLock>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on("exit", () => {
    for (const lock of held) lock.release();
    for (const entry of queued) leaveQueue(entry);
  });
}

export class NodeLock {
  private released = false;

  constructor(
    readonly file: string,
    private readonly identity: FileIdentity,
  ) {
    held.add(this);
    installExitHook();
  }

  /** Removes the lock file if it is still the one this holder created. */
  release(): void {
    if (this.released) return;
    this.released = true;
    held.delete(this);
    try {
      const st = fs.statSync(this.file, { bigint: true });
      if (st.ino === this.identity.ino && st.mtimeNs === this.identity.mtimeNs) fs.unlinkSync(this.file);
    } catch {
      // already gone (a waiter wrongly judged it stale, or the directory was removed)
    }
  }
}

/** Creates the lock file with this process's record; undefined when another process holds it. */
function tryCreate(file: string): NodeLock | undefined {
  let fd: number;
  try {
    fd = fs.openSync(file, "wx", 0o644);
  } catch (e) {
    if (code(e) === "EEXIST") return undefined;
    if (code(e) !== "ENOENT") throw new NodeLockUnusable(file, e);
    // the directory does not exist (yet, or any more)
    try {
      fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o755 });
      fd = fs.openSync(file, "wx", 0o644);
    } catch (again) {
      if (code(again) === "EEXIST") return undefined;
      throw new NodeLockUnusable(file, again);
    }
  }
  try {
    fs.writeSync(fd, formatRecord(selfHolder()));
    return new NodeLock(file, identityOf(fs.fstatSync(fd, { bigint: true })));
  } catch (e) {
    fs.rmSync(file, { force: true });
    throw new NodeLockUnusable(file, e);
  } finally {
    fs.closeSync(fd);
  }
}

/** The record of the current lock file; undefined when there is none or it has no record yet. */
export function readHolder(file: string): LockHolder | undefined {
  try {
    return parseRecord(fs.readFileSync(file, "utf8"));
  } catch {
    return undefined;
  }
}

/** Removes the lock file when its holder is dead; true when the lock may be free now. */
function removeIfStale(file: string): boolean {
  let text: string;
  let seen: FileIdentity;
  let fd: number;
  try {
    fd = fs.openSync(file, "r");
  } catch (e) {
    return code(e) === "ENOENT";
  }
  try {
    const st = fs.fstatSync(fd, { bigint: true });
    seen = identityOf(st);
    text = fs.readFileSync(fd, "utf8");
  } finally {
    fs.closeSync(fd);
  }
  const holder = parseRecord(text);
  if (holder ? holderAlive(holder) : Date.now() - Number(seen.mtimeNs / 1_000_000n) < EMPTY_GRACE_MS) return false;
  try {
    const now = identityOf(fs.statSync(file, { bigint: true }));
    if (now.ino === seen.ino && now.mtimeNs === seen.mtimeNs) fs.unlinkSync(file);
  } catch {
    // removed by someone else meanwhile
  }
  return true;
}

export interface AcquireOptions {
  /** Give up after this long (the first try is made even when it is 0). */
  waitMs: number;
  /** What the lock protects, for the timeout's message: "DanmNet team-a/internal". */
  what: string;
}

/** Queue entries of this process not yet removed (removed on exit too). */
const queued = new Set<string>();
let entries = 0;

function joinQueue(queue: string): string {
  const me = selfHolder();
  const entry = path.join(queue, `${process.hrtime.bigint().toString().padStart(20, "0")}-${me.pid}-${me.start}-${entries++}`);
  const create = () => fs.closeSync(fs.openSync(entry, "wx", 0o644));
  try {
    try {
      create();
    } catch (e) {
      if (code(e) !== "ENOENT") throw e;
      fs.mkdirSync(queue, { recursive: true, mode: 0o755 });
      create();
    }
  } catch (e) {
    throw new NodeLockUnusable(queue, e);
  }
  queued.add(entry);
  installExitHook();
  return entry;
}

function leaveQueue(entry: string): void {
  queued.delete(entry);
  fs.rmSync(entry, { force: true });
}

function entryHolder(name: string): LockHolder | undefined {
  const [, pid, start] = name.split("-");
  return pid && start ? { pid: Number(pid), start: Number(start) } : undefined;
}

/** Names of the entries ahead of `entry`, first in line first. */
function entriesAhead(queue: string, entry: string): string[] {
  const mine = path.basename(entry);
  let names: string[];
  try {
    names = fs.readdirSync(queue);
  } catch {
    return [];
  }
  return names.filter((n) => n < mine).sort();
}

/** Removes the entries of waiters that died; true when one was removed. */
function removeDeadEntries(queue: string, names: string[]): boolean {
  let removed = false;
  for (const name of names) {
    const holder = entryHolder(name);
    if (holder && holderAlive(holder)) continue;
    fs.rmSync(path.join(queue, name), { force: true });
    removed = true;
  }
  return removed;
}

/**
 * Takes the lock in arrival order, waiting while a live process holds it or is ahead in line.
 * Throws NodeLockTimeout after `waitMs`, NodeLockUnusable when the files cannot be created at all.
 */
export async function acquireNodeLock(file: string, options: AcquireOptions): Promise<NodeLock> {
  const started = performance.now();
  const until = started + Math.max(0, options.waitMs);
  const queue = `${file}.queue`;
  const entry = joinQueue(queue);
  try {
    let lastStaleCheck = -Infinity;
    for (;;) {
      const ahead = entriesAhead(queue, entry);
      const now = performance.now();
      const checkStale = now - lastStaleCheck >= STALE_CHECK_MS;
      if (checkStale) lastStaleCheck = now;
      if (ahead.length === 0) {
        const lock = tryCreate(file);
        if (lock) return lock;
        if (checkStale && removeIfStale(file)) continue;
      } else if (checkStale && ahead.length <= CHECKED_PLACES && removeDeadEntries(queue, ahead)) {
        continue;
      }
      if (now >= until) throw new NodeLockTimeout(options.what, file, readHolder(file), now - started);
      const pause = ahead.length === 0 ? HEAD_POLL_MS : Math.min(QUEUE_POLL_MAX_MS, POLL_PER_PLACE_MS * ahead.length) * (0.5 + Math.random());
      await sleep(Math.min(until - now, pause));
    }
  } finally {
    leaveQueue(entry);
  }
}

/** Runs `fn` holding the lock. */
export async function withNodeLock<T>(file: string, options: AcquireOptions, fn: () => Promise<T>): Promise<T> {
  const lock = await acquireNodeLock(file, options);
  try {
    return await fn();
  } finally {
    lock.release();
  }
}

/** Runs one read-modify-write of a network within `waitMs`; what NetworkIpam's `exclusive` option takes. */
export type Exclusive = <T>(network: { kind: string; name: string; namespace?: string }, what: string, attempt: () => Promise<T>, waitMs: number) => Promise<T>;

/**
 * The plugin's serialisation: one lock file per network in `dir`. When the directory cannot be used
 * the attempt runs without the lock (logged once): optimistic concurrency keeps it correct.
 */
export function networkLocks(dir: string, log: (line: string) => void): Exclusive {
  let warned = false;
  return async (network, what, attempt, waitMs) => {
    const file = networkLockFile(dir, network);
    let lock: NodeLock;
    try {
      lock = await acquireNodeLock(file, { waitMs, what });
    } catch (e) {
      if (!(e instanceof NodeLockUnusable)) throw e;
      if (!warned) log(`${e.message}; writing ${what} without node-local serialisation`);
      warned = true;
      return attempt();
    }
    try {
      return await attempt();
    } finally {
      lock.release();
    }
  };
}
