// The danm CNI plugin's entry point: reads the environment and the netconf on stdin, runs the
// command, prints the result (or a CNI error JSON with a non-zero exit). Bundled into one executable
// by build.ts; the Kubernetes client is imported only by commands that need the API server, so
// VERSION starts fast.
import os from "node:os";
import { CNI_ERROR, CniError, DEFAULT_TIMEOUT_SECONDS, errorJson, parseNetConf, readEnvironment, versionResult, type DanmNetConf } from "./protocol";
import { encodeResult } from "./result";
import type { PluginRun } from "./del";
import { DEFAULT_IPAM_STATS_DIR, IpamStatsRecorder } from "../ipam/ipamStats";

// Time budget: danm-spec §15 item 14 gives an ADD 30 s (netconf timeoutSeconds changes it), counted
// from this process's start (performance.now()). Pods of one node take turns on a network through
// the node lock (nodeLock.ts), so the conflict retry only has to outlast writers on other nodes.
// At 30 s: an IPAM operation (lock waits and conflict retries) ends after 20 s; none started before
// 24 s runs past 24 s, so an ADD that cannot get its addresses fails and rolls back by then; the
// rollback's (and a late DEL's) operations end by 27.5 s; at 29 s a last-resort stop answers with a
// CNI error rather than let the runtime kill the plugin.
function budget(timeoutSeconds = DEFAULT_TIMEOUT_SECONDS) {
  const total = timeoutSeconds * 1000;
  return {
    ipamRetry: { deadlineMs: total - 10_000, maxAttempts: 500, baseDelayMs: 20, maxDelayMs: 2_000 },
    forwardMs: total - 6_000,
    rollbackMs: total - 2_500,
    hardStopMs: total - 1_000,
  };
}
type Budget = ReturnType<typeof budget>;

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

const log = (line: string) => process.stderr.write(`danm: ${line}\n`);

async function pluginRun(env: ReturnType<typeof readEnvironment>, conf: DanmNetConf, limits: Budget, stats: IpamStatsRecorder): Promise<PluginRun> {
  const [{ kubeDanmApi }, { NetworkIpam }, { networkLocks, DEFAULT_LOCK_DIR }] = await Promise.all([import("./kubeDanmApi"), import("../ipam/networkIpam"), import("../ipam/nodeLock")]);
  const api = kubeDanmApi(conf.kubeconfig);
  const deadline = () => (performance.now() < limits.forwardMs ? limits.forwardMs : limits.rollbackMs);
  return {
    env,
    conf,
    api,
    ipam: new NetworkIpam({ get: api.getNetwork, replace: api.replaceNetwork }, { retry: limits.ipamRetry, deadline, exclusive: networkLocks(conf.ipamLockDir || DEFAULT_LOCK_DIR, log), observe: stats.record }),
    host: process.env.NODE_NAME || os.hostname(),
    log,
  };
}

/** At the budget's hard stop: a CNI error naming the Pod, then exit; what was written so far is left for DEL and the leak reconciler. */
function hardStop(env: ReturnType<typeof readEnvironment>, cniVersion: string, limits: Budget, stats: IpamStatsRecorder): void {
  const pod = env.args.K8S_POD_NAMESPACE && env.args.K8S_POD_NAME ? `pod ${env.args.K8S_POD_NAMESPACE}/${env.args.K8S_POD_NAME}` : `sandbox ${env.containerId}`;
  const error = new CniError(CNI_ERROR.tryAgainLater, `${pod}: ${env.command} did not finish within ${limits.hardStopMs / 1000} s (the API server, a delegate plugin or the node is too slow); stopped short of danm's ${(limits.hardStopMs + 1000) / 1000} s timeout, the runtime's DEL and tenet's leak reconciler remove what was set up`);
  setTimeout(() => {
    log(error.message);
    stats.flush();
    process.stdout.write(JSON.stringify(errorJson(error, cniVersion)) + "\n", () => process.exit(1));
  }, Math.max(0, limits.hardStopMs - performance.now())).unref();
}

async function main(): Promise<number | undefined> {
  let cniVersion = "1.0.0";
  // the IPAM operations of this run, left for the node agent when it ends (ipamStats.ts)
  let stats: IpamStatsRecorder | undefined;
  try {
    const env = readEnvironment(process.env);
    const stdin = env.command === "VERSION" && process.stdin.isTTY ? "{}" : await readStdin();
    const conf = parseNetConf(stdin || "{}", env.command);
    cniVersion = conf.cniVersion;
    const limits = budget(conf.timeoutSeconds);
    stats = new IpamStatsRecorder(conf.ipamStatsDir || DEFAULT_IPAM_STATS_DIR, log);
    if (env.command !== "VERSION") hardStop(env, cniVersion, limits, stats);
    switch (env.command) {
      case "VERSION":
        process.stdout.write(JSON.stringify(versionResult(cniVersion)) + "\n");
        return 0;
      case "ADD": {
        const { runAdd } = await import("./add");
        const result = await runAdd(await pluginRun(env, conf, limits, stats));
        process.stdout.write(JSON.stringify(encodeResult(result, conf.cniVersion)) + "\n");
        return 0;
      }
      case "DEL": {
        const { runDel } = await import("./del");
        await runDel(await pluginRun(env, conf, limits, stats));
        return 0;
      }
      case "CHECK": {
        const { runCheck } = await import("./add");
        await runCheck(await pluginRun(env, conf, limits, stats));
        return 0;
      }
    }
  } catch (e) {
    process.stdout.write(JSON.stringify(errorJson(e, cniVersion)) + "\n");
    return 1;
  } finally {
    stats?.flush();
  }
}

main().then((code) => process.exit(code ?? 0));
