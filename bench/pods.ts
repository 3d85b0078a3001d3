// npm run bench:pods — real Pods on the local default's real nodes (kubelet + containerd, danm as
// the nodes' CNI), same cluster, same run:
//   baseline   a Deployment of N replicas with the default network only (eth0: bridge + host-local
//              through danm, no API IPAM)
//   danm       the same Deployment with one secondary TenantNetwork (VxLAN macvlan, addresses from
//              the network's bitmap in the API server)
// Each is timed from `kubectl create` to all N Pods Running and Ready, then deleted and waited out.
// Prints both times, Pods/s and the ratio danm/baseline (target ≥ 0.8). BENCH_PODS=N (default 100),
// BENCH_NODES (default 2), BENCH_ROUNDS (default 1; rounds alternate the order).
import { execFile } from "node:child_process";
import fs from "node:fs";
import { promisify } from "node:util";
import { clusterDown, clusterUp, type LocalCluster } from "../tools/cli/localCluster";
import { realNodesUnavailable } from "../tools/cli/realNodes";
import { makeTestHome } from "../tools/testing/testHome";

const PODS = Number(process.env.BENCH_PODS ?? 100);
const NODES = Number(process.env.BENCH_NODES ?? 2);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 1);
const TARGET = 0.8;
/** How long one Deployment may take to be all Running before the run reports that it did not converge. */
const LIMIT_SECONDS = Number(process.env.BENCH_LIMIT_SECONDS ?? 600);

class NotConverged extends Error {
  constructor(
    readonly name: string,
    readonly ready: number,
    readonly seconds: number,
  ) {
    super(`${name}: only ${ready}/${PODS} Pods Running after ${seconds.toFixed(0)} s`);
  }
}
const run = promisify(execFile);

let cluster: LocalCluster;
async function kubectl(user: string, args: string[], input?: string): Promise<string> {
  const p = run("kubectl", ["--kubeconfig", cluster.kubeconfig(user), ...args], { timeout: 120_000, maxBuffer: 64 << 20 });
  if (input !== undefined) p.child.stdin!.end(input);
  return (await p).stdout;
}

function deployment(name: string, annotation?: unknown[]) {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace: "team-a" },
    spec: {
      replicas: PODS,
      selector: { matchLabels: { bench: name } },
      template: {
        metadata: { labels: { bench: name }, annotations: annotation ? { "danm.k8s.io/interfaces": JSON.stringify(annotation) } : {} },
        spec: { terminationGracePeriodSeconds: 0, containers: [{ name: "c", image: "tenet.local/toolbox:1", command: ["sleep", "2147483647"] }] },
      },
    },
  };
}

interface PodList {
  items: { status: { phase: string; conditions?: { type: string; status: string }[] }; metadata: { deletionTimestamp?: string } }[];
}

async function countReady(name: string): Promise<{ total: number; ready: number }> {
  const list = JSON.parse(await kubectl("admin", ["-n", "team-a", "get", "pods", "-l", `bench=${name}`, "-o", "json"])) as PodList;
  const ready = list.items.filter(
    (p) => !p.metadata.deletionTimestamp && p.status.phase === "Running" && p.status.conditions?.some((c) => c.type === "Ready" && c.status === "True"),
  ).length;
  return { total: list.items.length, ready };
}

async function timeDeployment(name: string, annotation?: unknown[]): Promise<number> {
  const started = Date.now();
  await kubectl("alice", ["create", "-f", "-"], JSON.stringify(deployment(name, annotation)));
  let last = -1;
  for (;;) {
    const { ready } = await countReady(name);
    if (ready !== last && (ready === PODS || ready - last >= 20)) {
      process.stderr.write(`  ${name}: ${ready}/${PODS} Running after ${((Date.now() - started) / 1000).toFixed(1)}s\n`);
      last = ready;
    }
    if (ready === PODS) break;
    if (Date.now() - started > LIMIT_SECONDS * 1000) throw new NotConverged(name, ready, (Date.now() - started) / 1000);
    await new Promise((r) => setTimeout(r, 500));
  }
  const seconds = (Date.now() - started) / 1000;
  await kubectl("alice", ["-n", "team-a", "delete", "deployment", name, "--wait=false"]);
  const deleting = Date.now();
  while ((await countReady(name)).total > 0) {
    if (Date.now() - deleting > 10 * 60_000) throw new Error(`${name}: Pods still there 10 minutes after the delete`);
    await new Promise((r) => setTimeout(r, 1000));
  }
  return seconds;
}

async function main() {
  const unavailable = realNodesUnavailable();
  if (unavailable) {
    console.log(`bench:pods needs real nodes: ${unavailable}`);
    process.exit(1);
  }
  const home = makeTestHome("tenet-bench-pods-");
  // Ctrl-C still removes the nodes (namespaces, mounts, cgroups) and the cluster
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      process.stderr.write(`${signal}: removing the benchmark's cluster\n`);
      void clusterDown(home).finally(() => {
        fs.rmSync(home, { recursive: true, force: true });
        process.exit(130);
      });
    });
  }
  try {
    cluster = await clusterUp({ home, ephemeral: true, nodes: "real", nodeCount: NODES, say: (l) => process.stderr.write(`[cluster] ${l}\n`) });
    await kubectl(
      "alice",
      ["apply", "-f", "-"],
      JSON.stringify({
        apiVersion: "danm.k8s.io/v1",
        kind: "TenantNetwork",
        metadata: { name: "bench", namespace: "team-a" },
        spec: { NetworkType: "macvlan", Options: { host_device: "ens5", cidr: "10.70.0.0/22" } },
      }),
    );
    const times = { baseline: [] as number[], danm: [] as number[] };
    try {
      for (let round = 0; round < ROUNDS; round++) {
        const order: ("baseline" | "danm")[] = round % 2 === 0 ? ["baseline", "danm"] : ["danm", "baseline"];
        for (const which of order) {
          const name = `${which}-${round}`;
          times[which].push(
            await timeDeployment(
              name,
              which === "danm"
                ? [
                    { clusterNetwork: "default", ip: "dynamic" },
                    { tenantNetwork: "bench", ip: "dynamic" },
                  ]
                : undefined,
            ),
          );
        }
      }
    } catch (e) {
      if (!(e instanceof NotConverged)) throw e;
      console.log(`${PODS} Pods on ${NODES} real nodes: ${e.message}; finished before it: ${JSON.stringify(times)} (seconds)`);
      console.log(`summary: ${e.name} did not converge (${e.ready}/${PODS} Running after ${e.seconds.toFixed(0)} s), target ≥ ${TARGET} MISSED`);
      process.exitCode = 1;
      return;
    }
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const base = mean(times.baseline);
    const danm = mean(times.danm);
    console.log(`${PODS} Pods on ${NODES} real nodes, ${ROUNDS} round(s)`);
    console.log(`  default network only:           ${base.toFixed(1)} s  ${(PODS / base).toFixed(2)} Pods/s`);
    console.log(`  + one danm TenantNetwork (IPAM): ${danm.toFixed(1)} s  ${(PODS / danm).toFixed(2)} Pods/s`);
    const ratio = base / danm;
    console.log(`summary: ${ratio.toFixed(2)}x of the default-network-only rate (target ≥ ${TARGET}) ${ratio >= TARGET ? "MET" : "MISSED"}`);
  } finally {
    await clusterDown(home);
    fs.rmSync(home, { recursive: true, force: true });
  }
}

await main();
