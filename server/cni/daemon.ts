// The danm node daemon (docs/cni.md "Daemon"): the `danm` executable the container runtime runs is a
// small Go client (tools/danm) that passes the CNI request (its CNI_* environment and the netconf on
// stdin) over a unix socket to this daemon, one per node, and prints the daemon's answer. The daemon
// does the work a plugin process did before — IPAM, DanmEps, delegation, rollback — with clients,
// caches and the IPAM queues kept warm across requests, so concurrent ADDs on a network share writes
// (group commit, server/ipam/networkIpam.ts).
//
// Wire format, one request per connection: the client writes one JSON line
//   {"env": {"CNI_COMMAND": "ADD", ...}, "stdin": "<netconf>"}
// and the daemon answers one JSON line {"code": 0|1, "stdout": "<CNI result or error JSON>"} and
// closes. `code` is the exit code the client ends with.
//
// Time budget: danm-spec §15 item 14 gives an ADD 30 s (netconf timeoutSeconds changes it), counted
// from the request's arrival. An IPAM operation ends by the budget's forward deadline (24 s at 30 s),
// the rollback's (and a late DEL's) operations by 27.5 s; at 29 s the daemon answers with a CNI error
// rather than let the runtime kill the client, and whatever the request still does is left to the
// runtime's DEL and the leak reconciler, as when a plugin process was stopped.
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import type { NetworkKind, NetworkObject } from "../domain/api/network";
import { NetworkIpam } from "../ipam/networkIpam";
import { DEFAULT_IPAM_STATS_DIR, IpamStatsRecorder } from "../ipam/ipamStats";
import { DEFAULT_LOCK_DIR, networkLocks } from "../ipam/nodeLock";
import { runAdd, runCheck } from "./add";
import { runDel, type PluginRun } from "./del";
import type { DanmApi } from "./endpoint";
import { kubeDanmApi } from "./kubeDanmApi";
import {
  CNI_ERROR,
  CniError,
  DEFAULT_TIMEOUT_SECONDS,
  errorJson,
  parseNetConf,
  readEnvironment,
  versionResult,
  type CniEnvironment,
  type DanmNetConf,
} from "./protocol";
import { directRunner, Spawner, useProcessRunner } from "./processes";
import { encodeResult } from "./result";

export const DEFAULT_DAEMON_SOCKET = "/run/tenet/danm.sock";
/** A request line longer than this is refused (a netconf with a prevResult is a few kB). */
const MAX_REQUEST_BYTES = 1 << 20;
/**
 * How long a network read for resolving requests (its type, options, AllowedTenants) is reused: the
 * ADDs of one burst share one GET (700 kB for a network with a /106 IPv6 pool). A change to a network
 * reaches Pods attached this much later at most; IPAM always reads the newest.
 */
const NETWORK_READ_TTL_MS = 1_000;
/** How often the IPAM statistics gathered so far are left for the node agent. */
const STATS_FLUSH_MS = 1_000;

function budget(timeoutSeconds = DEFAULT_TIMEOUT_SECONDS, arrived = performance.now()) {
  const total = timeoutSeconds * 1000;
  return {
    forwardMs: arrived + total - 6_000,
    rollbackMs: arrived + total - 2_500,
    hardStopMs: arrived + total - 1_000,
    timeoutSeconds,
  };
}
type Budget = ReturnType<typeof budget>;

export interface CniRequest {
  env: Record<string, string | undefined>;
  stdin: string;
}

export interface CniAnswer {
  code: number;
  stdout: string;
}

export interface DaemonOptions {
  socket: string;
  /** The node's name, recorded in DanmEps (spec.Host). */
  node: string;
  log: (message: string, fields?: Record<string, unknown>) => void;
  /** A danm executable to start programs through (`danm spawner`, processes.ts); absent: child_process. */
  spawner?: string;
}

/** The clients, IPAM queues and statistics of one kubeconfig and lock directory, kept across requests. */
interface Warm {
  api: DanmApi;
  /** Closes its connections. */
  close(): Promise<void>;
  ipam: NetworkIpam;
  /** The kubeconfig file's mtime when read: a rewritten file (a rotated token) is read again. */
  mtimeMs: number;
}

export class CniDaemon {
  private readonly server: net.Server;
  private readonly warm = new Map<string, Warm>();
  private readonly stats = new Map<string, IpamStatsRecorder>();
  private readonly flusher: NodeJS.Timeout;
  private readonly spawner?: Spawner;
  private inFlight = 0;
  private idle?: () => void;

  private constructor(private readonly options: DaemonOptions) {
    this.server = net.createServer((socket) => this.connection(socket));
    if (options.spawner) {
      this.spawner = new Spawner(options.spawner, options.log);
      useProcessRunner(this.spawner.run);
    }
    this.flusher = setInterval(() => this.flushStats(), STATS_FLUSH_MS);
    this.flusher.unref();
  }

  /** Listens on `options.socket` (a stale socket file is replaced; the directory is created, the socket is the owner's only). */
  static async start(options: DaemonOptions): Promise<CniDaemon> {
    const daemon = new CniDaemon(options);
    fs.mkdirSync(path.dirname(options.socket), { recursive: true, mode: 0o755 });
    fs.rmSync(options.socket, { force: true });
    // the socket is born owner-only: whoever may connect may have delegates run as root
    const umask = process.umask(0o177);
    try {
      await new Promise<void>((resolve, reject) => {
        daemon.server.once("error", reject);
        daemon.server.listen(options.socket, () => {
          daemon.server.off("error", reject);
          resolve();
        });
      });
    } finally {
      process.umask(umask);
    }
    return daemon;
  }

  get socket(): string {
    return this.options.socket;
  }

  /** Stops accepting, waits up to `graceMs` for the requests in flight, leaves the statistics. */
  async close(graceMs = 30_000): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    if (this.inFlight > 0) await Promise.race([new Promise<void>((resolve) => (this.idle = resolve)), new Promise((r) => setTimeout(r, graceMs).unref())]);
    clearInterval(this.flusher);
    this.flushStats();
    await Promise.all([...this.warm.values()].map((w) => w.close()));
    if (this.spawner) {
      useProcessRunner(directRunner);
      this.spawner.close();
    }
  }

  private flushStats(): void {
    for (const recorder of this.stats.values()) recorder.flush();
  }

  private connection(socket: net.Socket): void {
    let text = "";
    let answered = false;
    socket.setEncoding("utf8");
    socket.on("error", () => socket.destroy());
    socket.on("data", (chunk: string) => {
      if (answered) return;
      text += chunk;
      const end = text.indexOf("\n");
      if (end < 0 && text.length <= MAX_REQUEST_BYTES) return;
      answered = true;
      socket.pause();
      let request: CniRequest | undefined;
      let problem: string | undefined;
      if (end < 0) problem = `request longer than ${MAX_REQUEST_BYTES} bytes`;
      else {
        try {
          request = JSON.parse(text.slice(0, end)) as CniRequest;
          if (typeof request?.env !== "object" || request.env === null || typeof request.stdin !== "string")
            problem = 'the request must be {"env": {...}, "stdin": "..."}';
        } catch (e) {
          problem = `the request is not JSON: ${(e as Error).message}`;
        }
      }
      const answer = problem
        ? Promise.resolve(failed(new CniError(CNI_ERROR.decodeFailure, `danm daemon ${this.options.socket}: ${problem}`), "1.0.0"))
        : this.handle(request!);
      void answer.then((a) => {
        if (!socket.destroyed) socket.end(JSON.stringify(a) + "\n");
      });
    });
  }

  /** Serves one CNI request; never throws. */
  async handle(request: CniRequest): Promise<CniAnswer> {
    this.inFlight++;
    const arrived = performance.now();
    let cniVersion = "1.0.0";
    try {
      const env = readEnvironment(request.env);
      const conf = parseNetConf(request.stdin || "{}", env.command);
      cniVersion = conf.cniVersion;
      if (env.command === "VERSION") return { code: 0, stdout: JSON.stringify(versionResult(cniVersion)) };
      const limits = budget(conf.timeoutSeconds, arrived);
      const stop = hardStop(env, limits, cniVersion);
      const answer = await Promise.race([this.run(env, conf, limits), stop.answer]);
      stop.cancel();
      return answer;
    } catch (e) {
      return failed(e, cniVersion);
    } finally {
      this.inFlight--;
      if (this.inFlight === 0) this.idle?.();
    }
  }

  private async run(env: CniEnvironment, conf: DanmNetConf, limits: Budget): Promise<CniAnswer> {
    try {
      const run = this.pluginRun(env, conf, limits);
      switch (env.command) {
        case "ADD": {
          const result = await runAdd(run);
          return { code: 0, stdout: JSON.stringify(encodeResult(result, conf.cniVersion)) };
        }
        case "DEL": {
          await runDel(run);
          return { code: 0, stdout: "" };
        }
        default: {
          await runCheck(run);
          return { code: 0, stdout: "" };
        }
      }
    } catch (e) {
      const answer = failed(e, conf.cniVersion);
      this.options.log("CNI request failed", {
        command: env.command,
        container: env.containerId,
        pod: podOf(env),
        code: e instanceof CniError ? e.code : undefined,
        error: (e as Error)?.message ?? String(e),
      });
      return answer;
    }
  }

  private pluginRun(env: CniEnvironment, conf: DanmNetConf, limits: Budget): PluginRun {
    const warm = this.warmFor(conf);
    const statsDir = conf.ipamStatsDir || DEFAULT_IPAM_STATS_DIR;
    let stats = this.stats.get(statsDir);
    if (!stats) this.stats.set(statsDir, (stats = new IpamStatsRecorder(statsDir, (line) => this.options.log(line))));
    const deadline = () => (performance.now() < limits.forwardMs ? limits.forwardMs : limits.rollbackMs);
    const recorder = stats;
    return {
      env,
      conf,
      api: warm.api,
      ipam: warm.ipam.forCaller(deadline, recorder.record),
      host: this.options.node,
      log: (line) => this.options.log(line, { pod: podOf(env), container: env.containerId }),
    };
  }

  private warmFor(conf: DanmNetConf): Warm {
    const lockDir = conf.ipamLockDir || DEFAULT_LOCK_DIR;
    const key = `${conf.kubeconfig}\n${lockDir}`;
    let mtimeMs = 0;
    try {
      mtimeMs = fs.statSync(conf.kubeconfig).mtimeMs;
    } catch {
      // kubeDanmApi names the missing file when it is used
    }
    const known = this.warm.get(key);
    if (known && known.mtimeMs === mtimeMs) return known;
    // requests in flight finish on the old connections
    if (known) setTimeout(() => void known.close(), 60_000).unref();
    const direct = kubeDanmApi(conf.kubeconfig);
    // IPAM reads past the cache: its read-modify-write needs the newest object (and retries on 409 anyway)
    const store = {
      get: (kind: NetworkKind, name: string, namespace?: string) => direct.getNetwork(kind, name, namespace),
      replace: (kind: NetworkKind, network: NetworkObject) => direct.replaceNetwork(kind, network),
    };
    const networks = new RecentReads<NetworkObject>(NETWORK_READ_TTL_MS);
    const api: DanmApi = {
      ...direct,
      getNetwork: (kind, name, namespace) => networks.read(`${kind}/${namespace ?? ""}/${name}`, () => direct.getNetwork(kind, name, namespace)),
    };
    // the retry's own bound is wide: each request's budget (forCaller) is what ends an operation
    const ipam = new NetworkIpam(store, {
      retry: { deadlineMs: 10 * 60_000, maxAttempts: 500, baseDelayMs: 20, maxDelayMs: 2_000 },
      exclusive: networkLocks(lockDir, (line) => this.options.log(line)),
    });
    const warm = { api, ipam, mtimeMs, close: () => direct.close() };
    this.warm.set(key, warm);
    return warm;
  }
}

function podOf(env: CniEnvironment): string | undefined {
  return env.args.K8S_POD_NAMESPACE && env.args.K8S_POD_NAME ? `${env.args.K8S_POD_NAMESPACE}/${env.args.K8S_POD_NAME}` : undefined;
}

function failed(e: unknown, cniVersion: string): CniAnswer {
  return { code: 1, stdout: JSON.stringify(errorJson(e, cniVersion)) };
}

/** At the budget's hard stop: a CNI error naming the Pod; what the request still does is left for DEL and the leak reconciler. */
function hardStop(env: CniEnvironment, limits: Budget, cniVersion: string): { answer: Promise<CniAnswer>; cancel(): void } {
  let timer: NodeJS.Timeout | undefined;
  const answer = new Promise<CniAnswer>((resolve) => {
    const pod = podOf(env) ? `pod ${podOf(env)}` : `sandbox ${env.containerId}`;
    const message = `${pod}: ${env.command} did not finish within ${limits.timeoutSeconds - 1} s (the API server, a delegate plugin or the node is too slow); stopped short of danm's ${limits.timeoutSeconds} s timeout, the runtime's DEL and tenet's leak reconciler remove what was set up`;
    timer = setTimeout(() => resolve(failed(new CniError(CNI_ERROR.tryAgainLater, message), cniVersion)), Math.max(0, limits.hardStopMs - performance.now()));
  });
  return { answer, cancel: () => clearTimeout(timer) };
}

/**
 * Reads shared by concurrent callers and reused for `ttlMs`, answers "not found" included (a Pod
 * without an annotation looks up three default networks); other failures are not kept.
 */
export class RecentReads<T> {
  private readonly entries = new Map<string, { at: number; value: Promise<T> }>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  read(key: string, fetch: () => Promise<T>): Promise<T> {
    const now = this.now();
    const known = this.entries.get(key);
    if (known && now - known.at < this.ttlMs) return known.value;
    if (this.entries.size > 1000) for (const [k, e] of this.entries) if (now - e.at >= this.ttlMs) this.entries.delete(k);
    const value = fetch();
    const entry = { at: now, value };
    this.entries.set(key, entry);
    value.catch((e: unknown) => {
      if ((e as { status?: number } | null)?.status !== 404 && this.entries.get(key) === entry) this.entries.delete(key);
    });
    return value;
  }
}
