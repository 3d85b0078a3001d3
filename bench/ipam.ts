// npm run bench:ipam — tenet's IPAM on ONE network in a real local control plane, against the API
// server's own ceiling for the same object, same cluster, same run:
//   IPAM            NetworkIpam.allocate on a DanmNet /16 as one node's danm daemon runs it: all callers
//                   share one IPAM, which group-commits (server/ipam/networkIpam.ts) inside the node lock
//   IPAM, 4 nodes   the same callers spread over four daemons (IPAMs) that race through resourceVersion
//   IPAM dual-stack the same on a /16 + /64 network with the default IPv6 pool (a /112: alloc6 11 kB),
//                   against its IPv4 /16 twin; and with the largest pool, a /106 set by hand (alloc6 700 kB)
//   DanmNet RMW     get + replace of the same kind and size of DanmNet, changing an annotation (webhook),
//                   each caller with its own client: the one object's plain write rate
//   ConfigMap RMW   get + replace of a ConfigMap of the same size (no webhook): the webhook's share
// Conflicts are retried with the same jittered backoff (server/ipam/conflictRetry.ts) everywhere.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { NetworkObject } from "../server/domain/api/network";
import type { PoolOptions } from "../server/domain/ipam/pool";
import { retryOnConflict } from "../server/ipam/conflictRetry";
import { NetworkIpam, type NetworkStore } from "../server/ipam/networkIpam";
import type { NetworkRef } from "../server/domain/networkRef";
import { networkLocks } from "../server/ipam/nodeLock";
import { ConfigMapClient } from "../server/kube/configMapClient";
import { DanmClient } from "../server/kube/danmClient";
import { kubeDanmApi } from "../server/cni/kubeDanmApi";
import { KubeRest } from "../server/kube/rest";
import type { LocalCluster } from "../tools/cli/localCluster";
import { runOnBenchCluster } from "./benchCluster";
import { REPO_ROOT } from "../tools/cli/controlplaneBinary";
import { processCpuSeconds } from "./cpuAccounting";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 2);
const LEVELS = [...new Set([...(process.env.BENCH_CONCURRENCY ?? "1,16,64").split(",").map(Number), 1, 64])].sort((a, b) => a - b);
const NAMESPACE = "team-b";
const CIDR = "10.200.0.0/16";
/** The concurrency the targets are stated at: ≥ 5x the plain read-modify-write, dual-stack ≥ 0.8x IPv4. */
const TARGET_CALLERS = 64;
const NODES = 4;
/** Every client the rows open, closed at the end. */
const clients: { close(): Promise<void> }[] = [];

interface Run {
  ops: number;
  rate: number;
  p50: number;
  p99: number;
  conflictsPerOp: number;
  failed: number;
  firstError?: string;
  /** Cores busy during the window: API server + etcd (one process), webhook, this client. */
  cores: { apiserver: number; webhook: number; client: number };
}

/** One caller's operation; returns the conflicts it met. */
type Operation = () => Promise<number>;

/**
 * `callers` closed loops for warm-up + `seconds`; operations that end inside the measured window
 * count (so the ramp-up of the first round does not), the loops run on until the window closes.
 */
async function measure(callers: number, makeCaller: () => Operation, pids: { apiserver: number; webhook: number }): Promise<Run> {
  const ops = Array.from({ length: callers }, makeCaller);
  const latencies: number[] = [];
  let conflicts = 0;
  let failed = 0;
  let firstError: string | undefined;
  const begin = performance.now() + WARMUP_SECONDS * 1000;
  const end = begin + SECONDS * 1000;
  const sampleCpu = () => {
    const own = process.cpuUsage();
    return { apiserver: processCpuSeconds(pids.apiserver), webhook: processCpuSeconds(pids.webhook), client: (own.user + own.system) / 1e6 };
  };
  let cpuAtBegin = sampleCpu();
  let cpuAtEnd = cpuAtBegin;
  let endSampled = false;
  const beginSampler = setTimeout(() => (cpuAtBegin = sampleCpu()), WARMUP_SECONDS * 1000);
  const endSampler = setTimeout(
    () => {
      cpuAtEnd = sampleCpu();
      endSampled = true;
    },
    (WARMUP_SECONDS + SECONDS) * 1000,
  );
  await Promise.all(
    ops.map(async (op) => {
      while (performance.now() < end) {
        const t0 = performance.now();
        try {
          const c = await op();
          const t1 = performance.now();
          if (t1 >= begin && t1 <= end) {
            latencies.push(t1 - t0);
            conflicts += c;
          }
        } catch (e) {
          failed++;
          firstError ??= (e as Error).message;
        }
      }
    }),
  );
  clearTimeout(beginSampler);
  clearTimeout(endSampler);
  // the loops can end a little before the end timer fires
  if (!endSampled) cpuAtEnd = sampleCpu();
  latencies.sort((a, b) => a - b);
  const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? NaN;
  const cores = (k: keyof typeof cpuAtBegin) => (cpuAtEnd[k] - cpuAtBegin[k]) / SECONDS;
  return {
    ops: latencies.length,
    rate: latencies.length / SECONDS,
    p50: q(0.5),
    p99: q(0.99),
    conflictsPerOp: latencies.length ? conflicts / latencies.length : NaN,
    failed,
    firstError,
    cores: { apiserver: cores("apiserver"), webhook: cores("webhook"), client: cores("client") },
  };
}

/**
 * A NetworkStore that counts the conflicts its writes meet, over the client the danm daemon uses
 * (kubeDanmApi: one pool of kept-alive connections per store).
 */
function countingStore(kubeconfig: string) {
  const api = kubeDanmApi(kubeconfig);
  clients.push(api);
  const store = {
    conflicts: 0,
    get: (kind, name, namespace) => api.getNetwork(kind, name, namespace),
    replace: async (kind, net) => {
      try {
        return await api.replaceNetwork(kind, net);
      } catch (e) {
        if ((e as { status?: unknown }).status === 409) store.conflicts++;
        throw e;
      }
    },
  } satisfies NetworkStore & { conflicts: number };
  return store;
}

const danmNet = (name: string, options: PoolOptions = { cidr: CIDR }): NetworkObject => ({
  apiVersion: "danm.k8s.io/v1",
  kind: "DanmNet",
  metadata: { name, namespace: NAMESPACE },
  spec: { NetworkID: name.slice(0, 10), NetworkType: "ipvlan", Options: options },
});

interface Workload {
  name: string;
  /** Called once per concurrency level; returns the factory of one caller's operation. */
  setUp(callers: number): Promise<() => Operation>;
}

/**
 * IPAM allocations on a fresh network per concurrency level: the callers share `nodes` IPAMs (one
 * per node's daemon, each with the node lock of its own directory), caller i on IPAM i mod nodes.
 */
function ipamWorkload(
  name: string,
  networkPrefix: string,
  ipamConfig: string,
  netadmin: DanmClient,
  options: PoolOptions,
  request: { ip?: string; ip6?: string },
  nodes = 1,
): Workload {
  return {
    name,
    async setUp(callers) {
      const ref: NetworkRef = { kind: "DanmNet", name: `${networkPrefix}-c${callers}`, namespace: NAMESPACE };
      await netadmin.create("DanmNet", danmNet(ref.name, options));
      const daemons = Array.from({ length: nodes }, (_, i) => {
        const store = countingStore(ipamConfig);
        return { store, ipam: new NetworkIpam(store, { exclusive: networkLocks(path.join(LOCK_DIR, `node-${i}`), (l) => process.stderr.write(`${l}\n`)) }) };
      });
      let next = 0;
      return () => {
        const { store, ipam } = daemons[next++ % nodes];
        return async () => {
          const before = store.conflicts;
          await ipam.allocate(ref, request);
          // conflicts of a batch are shared by its callers; counted once, by whoever saw them rise
          return store.conflicts - before;
        };
      };
    },
  };
}

async function main(cluster: LocalCluster) {
  const netadminConfig = cluster.kubeconfig("netadmin");
  const adminConfig = cluster.kubeconfig("admin");
  const netadmin = new DanmClient(netadminConfig);
  const configMaps = new ConfigMapClient(adminConfig);
  const pids = { apiserver: cluster.controlPlane.pid, webhook: cluster.webhookPid };
  const loadBefore = os.loadavg()[0];

  // the baselines' objects: a DanmNet like the IPAM one, and a ConfigMap carrying as many bytes
  const rmwNet = await netadmin.create<NetworkObject>("DanmNet", danmNet("rmw-base"));
  const bitmapBytes = rmwNet.spec!.Options!.alloc!.length;
  const objectBytes = JSON.stringify(rmwNet).length;
  await configMaps.create({ metadata: { name: "rmw-base", namespace: NAMESPACE }, data: { padding: "A".repeat(bitmapBytes), counter: "0" } });

  // allocation state is written by tenet's IPAM identities only (N-28); the local cluster's is admin.
  // Their allocation-only updates skip the webhook (its matchConditions); the RMW baselines' do not.
  const ipamConfig = adminConfig;
  const ipam = ipamWorkload("IPAM allocate, one daemon", "ipam", ipamConfig, netadmin, { cidr: CIDR }, { ip: "dynamic" });
  const ipamNodes = ipamWorkload(`IPAM allocate, ${NODES} daemons (nodes)`, "ipamn", ipamConfig, netadmin, { cidr: CIDR }, { ip: "dynamic" }, NODES);
  const danmNetRmw: Workload = {
    name: "read-modify-write DanmNet (webhook)",
    async setUp() {
      return () => {
        const store = countingStore(netadminConfig);
        let n = 0;
        return async () => {
          const before = store.conflicts;
          await retryOnConflict("DanmNet rmw-base", async () => {
            const net = await store.get("DanmNet", "rmw-base", NAMESPACE);
            net.metadata.annotations = { ...net.metadata.annotations, "bench.tenet.dev/counter": String(n++) };
            await store.replace("DanmNet", net);
          });
          return store.conflicts - before;
        };
      };
    },
  };
  const configMapRmw: Workload = {
    name: "read-modify-write ConfigMap (no webhook)",
    async setUp() {
      return () => {
        // its own pool of kept-alive connections, like the other rows' clients
        const rest = KubeRest.fromFile(adminConfig);
        clients.push({ close: async () => (await rest).close() });
        const url = `/api/v1/namespaces/${NAMESPACE}/configmaps/rmw-base`;
        return async () => {
          let conflicts = 0;
          await retryOnConflict("ConfigMap rmw-base", async () => {
            const cm = await (await rest).call<{ data?: Record<string, string> }>(url);
            cm.data = { ...cm.data, counter: String(Number(cm.data?.counter ?? 0) + 1) };
            try {
              await (await rest).call(url, { method: "PUT", body: cm });
            } catch (e) {
              if ((e as { status?: unknown }).status === 409) conflicts++;
              throw e;
            }
          });
          return conflicts;
        };
      };
    },
  };
  // dual-stack with the default IPv6 pool (a /112, docs/ipam.md), and with the largest pool beside IPv4
  // (a /106 set by hand: 2^22 bits, a 700 kB alloc6): how the object's size weighs
  const dualStack = ipamWorkload(
    "IPAM allocate dual-stack /16 + /64",
    "dual",
    ipamConfig,
    netadmin,
    { cidr: "10.201.0.0/16", net6: "fd00:201::/64" },
    { ip: "dynamic", ip6: "dynamic" },
  );
  const dualStackLargest = ipamWorkload(
    "IPAM allocate dual-stack, /106 IPv6 pool",
    "dual106",
    ipamConfig,
    netadmin,
    { cidr: "10.203.0.0/16", net6: "fd00:203::/64", allocation_pool_v6: { cidr: "fd00:203::/106" } },
    { ip: "dynamic", ip6: "dynamic" },
  );
  const v4Twin = ipamWorkload("IPAM allocate IPv4 /16 (its twin)", "twin", ipamConfig, netadmin, { cidr: "10.202.0.0/16" }, { ip: "dynamic" });

  const results = new Map<string, Run>();
  const key = (w: Workload, callers: number) => `${w.name}@${callers}`;
  const run = async (w: Workload, callers: number) => {
    const result = await measure(callers, await w.setUp(callers), pids);
    results.set(key(w, callers), result);
    process.stderr.write(`  ${w.name} at ${callers} callers: ${result.rate.toFixed(1)}/s\n`);
  };
  const table: [Workload, number][] = [
    ...LEVELS.flatMap((callers) => [ipam, danmNetRmw, configMapRmw].map((w) => [w, callers] as [Workload, number])),
    [ipamNodes, TARGET_CALLERS],
    [v4Twin, TARGET_CALLERS],
    [dualStack, TARGET_CALLERS],
    [dualStack, 1],
    [dualStackLargest, TARGET_CALLERS],
  ];
  for (const [w, callers] of table) await run(w, callers);
  const dualObject = await netadmin.get<NetworkObject>("DanmNet", `dual-c${TARGET_CALLERS}`, NAMESPACE);
  const largestObject = await netadmin.get<NetworkObject>("DanmNet", `dual106-c${TARGET_CALLERS}`, NAMESPACE);

  const lines: string[] = [];
  const say = (l = "") => lines.push(l);
  const num = (x: number, digits = 1, width = 8) => (Number.isFinite(x) ? x.toFixed(digits) : "-").padStart(width);
  say(
    `IPAM benchmark: one DanmNet ${CIDR} (alloc ${bitmapBytes} B, object ${objectBytes} B), local kube-apiserver + etcd + tenet webhook on ${os.cpus().length} cores`,
  );
  say(
    `shared with this client; ${WARMUP_SECONDS}s warm-up + ${SECONDS}s measured per row. IPAM rows: callers share their node's IPAM (group commit, node lock);`,
  );
  say(`RMW rows: every caller has its own client and retries 409s with the same backoff`);
  say(
    `machine load (1-min average) ${loadBefore.toFixed(1)} before, ${os.loadavg()[0].toFixed(1)} after: other work on these ${os.cpus().length} cores skews every row alike`,
  );
  say();
  say(
    `${"workload".padEnd(42)}${"callers".padStart(8)}${"ops/s".padStart(8)}${"p50 ms".padStart(9)}${"p99 ms".padStart(9)}${"409/op".padStart(8)}${"failed".padStart(7)}   cores: api+etcd webhook client`,
  );
  const row = (w: Workload, callers: number) => {
    const r = results.get(key(w, callers))!;
    const c = r.cores;
    say(
      `${w.name.padEnd(42)}${String(callers).padStart(8)}${num(r.rate)}${num(r.p50, 1, 9)}${num(r.p99, 1, 9)}${num(r.conflictsPerOp, 2)}${String(r.failed).padStart(7)}   ${num(c.apiserver, 2, 14)}${num(c.webhook, 2)}${num(c.client, 2, 7)}`,
    );
  };
  for (const [w, callers] of table) row(w, callers);
  const sizes = (o: NetworkObject) => `alloc6 ${o.spec?.Options?.alloc6?.length ?? 0} B, whole object ${JSON.stringify(o).length} B`;
  say(`  (dual-stack objects: default pool ${dualObject.spec?.Options?.allocation_pool_v6?.cidr}: ${sizes(dualObject)}; /106 pool: ${sizes(largestObject)})`);
  say();
  const rate = (w: Workload, callers: number) => results.get(key(w, callers))?.rate ?? NaN;
  const ceiling = rate(danmNetRmw, 1);
  say(`Ratios. Baseline: a plain read-modify-write of the same DanmNet by 1 caller (${ceiling.toFixed(1)}/s), the one object's write rate.`);
  say(`${"callers".padEnd(8)}${"IPAM / baseline".padStart(17)}${"RMW / baseline".padStart(16)}${"webhook's share".padStart(17)}`);
  for (const callers of LEVELS)
    say(
      `${String(callers).padEnd(8)}${num(rate(ipam, callers) / ceiling, 2, 17)}${num(rate(danmNetRmw, callers) / ceiling, 2, 16)}${num(1 - rate(danmNetRmw, callers) / rate(configMapRmw, callers), 2, 17)}`,
    );
  say(`  (webhook's share: 1 - DanmNet RMW / ConfigMap RMW at the same callers)`);
  for (const [k, r] of results) if (r.firstError) say(`first failure in ${k}: ${r.firstError}`);
  say();
  const atTarget = rate(ipam, TARGET_CALLERS) / ceiling;
  const dualRatio = rate(dualStack, TARGET_CALLERS) / rate(v4Twin, TARGET_CALLERS);
  const nodesRatio = rate(ipamNodes, TARGET_CALLERS) / rate(ipam, TARGET_CALLERS);
  say(`Reading: one daemon's callers share writes, so the rate grows with callers instead of stopping at the object's write rate:`);
  say(
    `${LEVELS.map((c) => `${rate(ipam, c).toFixed(1)}/s at ${c}`).join(", ")} (target at ${TARGET_CALLERS}: >= 5x the baseline, got ${atTarget.toFixed(2)}x).`,
  );
  say(
    `Spread over ${NODES} daemons (nodes) the same ${TARGET_CALLERS} callers do ${rate(ipamNodes, TARGET_CALLERS).toFixed(1)}/s, ${nodesRatio.toFixed(2)}x one daemon, ${results.get(key(ipamNodes, TARGET_CALLERS))!.conflictsPerOp.toFixed(2)} conflicts per allocation:`,
  );
  const nodeConflicts = results.get(key(ipamNodes, TARGET_CALLERS))!.conflictsPerOp;
  say(
    nodesRatio >= 0.5
      ? `cross-node conflicts cost little at this scale; per-node address blocks (docs/ipam.md) are not needed yet.`
      : nodeConflicts >= 0.5
        ? `cross-node conflicts dominate: per-node address blocks (docs/ipam.md) would pay off.`
        : `the nodes take turns on the one object (few conflicts), each with a ${NODES}th of the callers, so each write serves a smaller batch: per-node address blocks (docs/ipam.md) would lift that.`,
  );
  say(
    `Dual-stack (default IPv6 pool) at ${TARGET_CALLERS} callers: ${rate(dualStack, TARGET_CALLERS).toFixed(1)}/s against ${rate(v4Twin, TARGET_CALLERS).toFixed(1)}/s on its IPv4 twin, ${dualRatio.toFixed(2)}x (target >= 0.8x); alone, ${rate(dualStack, 1).toFixed(1)}/s.`,
  );
  say(
    `With the largest IPv6 pool set by hand (/106, 700 kB alloc6): ${rate(dualStackLargest, TARGET_CALLERS).toFixed(1)}/s, ${(rate(dualStackLargest, TARGET_CALLERS) / rate(v4Twin, TARGET_CALLERS)).toFixed(2)}x of IPv4: every batch writes the whole object.`,
  );
  say(`summary: ${atTarget.toFixed(2)}x of single-object read-modify-write at ${TARGET_CALLERS} callers, dual-stack ${dualRatio.toFixed(2)}x of IPv4`);
  console.log(lines.join("\n"));
  await Promise.all(clients.map((c) => c.close()));
}

const home = fs.mkdtempSync(path.join(os.tmpdir(), "tenet-bench-ipam-"));
/** The node lock's directory for this run (the plugin's default is /run/tenet/ipam). */
const LOCK_DIR = path.join(home, "ipam-locks");
const sharedBin = path.join(REPO_ROOT, ".tenet", "bin");
fs.mkdirSync(sharedBin, { recursive: true });
fs.symlinkSync(sharedBin, path.join(home, "bin"));
await runOnBenchCluster(home, main);
