// npm run bench:cni — Pods attached at line rate: BENCH_SANDBOXES (200) ADDs launched at
// once through the installed executable, each sandbox in its own network namespace, all on one
// macvlan network (a /16 over one veth "host device"); then their DELs, launched at once too. Called
// exactly as a container runtime calls a CNI plugin (server/cni/pluginHarness.ts). Same run, same
// load, three cases one after the other:
//   host-local   Debian's macvlan + host-local IPAM: the ceiling, no API writes
//   whereabouts  Debian's macvlan + Whereabouts IPAM (the peer most users would pick), built from
//                its Go module on the first run (bench/whereabouts.ts), its CRDs in this cluster
//   tenet        the danm executable (Go client) and its node daemon on a DanmNet (prepareTenet below)
// BENCH_CASES=host-local,tenet runs some only; BENCH_WHEREABOUTS_VERSION picks another tag.
// Needs root (network namespaces), Debian's containernetworking-plugins, and Go for Whereabouts.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { NetworkObject } from "../server/domain/api/network";
import { applyObjects, readManifestFile, waitForCrds } from "../server/kube/apply";
import { loadKubeConfig } from "../server/kube/config";
import { DanmClient } from "../server/kube/danmClient";
import { createPod } from "../server/kube/pods";
import type { PluginAnswer } from "../server/cni/pluginHarness";
import type { LocalCluster } from "../tools/cli/localCluster";
import { makeTestHome } from "../tools/testing/testHome";
import { runOnBenchCluster } from "./benchCluster";
import { ExecutableCpu, machineCpuSeconds, processTreeCpuSeconds } from "./cpuAccounting";
import { ensureWhereabouts } from "./whereabouts";

const SANDBOXES = Number(process.env.BENCH_SANDBOXES ?? 200);
const CASES = (process.env.BENCH_CASES ?? "host-local,whereabouts,tenet").split(",");
const WHEREABOUTS_VERSION = process.env.BENCH_WHEREABOUTS_VERSION ?? "v0.9.2";
const NAMESPACE = "team-a";
const RUN = (process.pid % 100000).toString(36);
const HOST_DEVICE = `tntb${RUN}`;
/** Issue 16's targets for tenet. */
const TARGET = { addSeconds: 15, ofHostLocal: 0.5, ofWhereabouts: 1 };

const home = makeTestHome("tenet-bench-cni-");
const say = (line: string) => process.stderr.write(`[bench:cni] ${line}\n`);
// Whereabouts is found by macvlan on CNI_PATH under its plugin name: a directory of this run's,
// put in front before the harness reads CNI_PATH
const cniBin = path.join(home, "cni-bin");
fs.mkdirSync(cniBin);
process.env.CNI_PATH = [cniBin, ...(process.env.CNI_PATH ?? "/usr/lib/cni:/opt/cni/bin").split(":")].join(":");
const { addHostDevice, addNetns, callPlugin, CNI_PLUGIN_DIRS, missingPrerequisite, podInterfaces, removeHostDevice, removeNetns, startDanm } =
  await import("../server/cni/pluginHarness");
/** Debian's macvlan, the executable of the host-local and Whereabouts cases. */
const macvlan = () => CNI_PLUGIN_DIRS.map((d) => path.join(d, "macvlan")).find((f) => fs.existsSync(f))!;

/** One CNI configuration under test: the executable a runtime calls, and its netconf. */
interface PreparedCase {
  binary: string;
  netconf: Record<string, unknown>;
  stop(): Promise<void>;
  /** CPU-seconds used so far by a long-running process of the case (tenet's node daemon and its process tree). */
  serverCpu?(): number;
}

/** The network of a case: macvlan over this host device, addresses from this /16. */
interface BenchNetwork {
  hostDevice: string;
  cidr: string;
}

interface Sandbox {
  pod: { namespace: string; name: string; uid?: string };
  containerId: string;
  netnsName: string;
}

// ---------------------------------------------------------------------------------------------
// The three cases
// ---------------------------------------------------------------------------------------------

function prepareHostLocal(net: BenchNetwork): PreparedCase {
  const dataDir = path.join(home, "host-local");
  return {
    binary: macvlan(),
    netconf: {
      cniVersion: "1.0.0",
      name: "bench-host-local",
      type: "macvlan",
      master: net.hostDevice,
      mode: "bridge",
      ipam: { type: "host-local", ranges: [[{ subnet: net.cidr }]], dataDir },
    },
    stop: async () => {},
  };
}

async function prepareWhereabouts(cluster: LocalCluster, net: BenchNetwork): Promise<PreparedCase> {
  const whereabouts = await ensureWhereabouts(WHEREABOUTS_VERSION, say);
  const kc = loadKubeConfig(cluster.kubeconfig("admin"));
  const crds = whereabouts.crdFiles.flatMap((f) => readManifestFile(f));
  await applyObjects(kc, crds);
  await waitForCrds(
    kc,
    crds.map((c) => c.metadata!.name!),
  );
  fs.symlinkSync(whereabouts.binary, path.join(cniBin, "whereabouts"));
  // as its DaemonSet installs it, a flat file beside the netconf names the kubeconfig (and it must exist)
  const flatFile = path.join(home, "whereabouts.conf");
  fs.writeFileSync(flatFile, JSON.stringify({ datastore: "kubernetes", kubernetes: { kubeconfig: cluster.kubeconfig("admin") } }));
  return {
    binary: macvlan(),
    // the defaults otherwise: leader election on one Lease in kube-system, 500 ms retry period
    netconf: {
      cniVersion: "1.0.0",
      name: "bench-whereabouts",
      type: "macvlan",
      master: net.hostDevice,
      mode: "bridge",
      ipam: { type: "whereabouts", range: net.cidr, configuration_path: flatFile },
    },
    stop: async () => {},
  };
}

/**
 * tenet's case: the danm executable (the Go client) and a node daemon of its own (`tenet
 * cni-daemon`, started and stopped as pluginHarness.startDanm does for the tests) on a DanmNet,
 * with danm's real 30 s budget. The daemon's CPU (and its spawner's, and the programs it started)
 * counts as the executables'.
 */
async function prepareTenet(cluster: LocalCluster, net: BenchNetwork): Promise<PreparedCase & { podAnnotations: Record<string, string> }> {
  const kubeconfig = cluster.kubeconfig("admin");
  await new DanmClient(kubeconfig).create<NetworkObject>("DanmNet", {
    apiVersion: "danm.k8s.io/v1",
    kind: "DanmNet",
    metadata: { name: "bench-cni", namespace: NAMESPACE },
    spec: { NetworkID: "benchcni", NetworkType: "macvlan", Options: { host_device: net.hostDevice, cidr: net.cidr } },
  } as NetworkObject);
  const danm = await startDanm(home, "danm");
  return {
    binary: danm.plugin,
    netconf: {
      cniVersion: "1.0.0",
      name: "bench-tenet",
      type: "danm",
      kubeconfig,
      cniDir: home,
      ipamLockDir: path.join(home, "ipam-locks"),
      daemonSocket: danm.socket,
    },
    podAnnotations: { "danm.k8s.io/interfaces": JSON.stringify([{ network: "bench-cni", ip: "dynamic" }]) },
    stop: () => danm.stop(),
    serverCpu: () => processTreeCpuSeconds(danm.pid()),
  };
}

// ---------------------------------------------------------------------------------------------
// One phase: every sandbox's ADD (or DEL) launched at once
// ---------------------------------------------------------------------------------------------

interface Phase {
  ok: number;
  wallSeconds: number;
  /** Successful calls per second of wall time. */
  rate: number;
  p50: number;
  p99: number;
  /** CPU-seconds per call: the whole machine (/proc/stat), and the executables with their children (cgroup). */
  machineCpu: number;
  executableCpu?: number;
  firstError?: string;
  answers: PluginAnswer[];
}

async function runPhase(c: PreparedCase, command: "ADD" | "DEL", sandboxes: Sandbox[], cpu: ExecutableCpu | undefined): Promise<Phase> {
  const before = { machine: machineCpuSeconds(), executables: cpu?.seconds(), server: c.serverCpu?.() ?? 0 };
  const started = performance.now();
  const answers = await Promise.all(
    sandboxes.map((s) => callPlugin(c.binary, { command, containerId: s.containerId, netns: `/var/run/netns/${s.netnsName}`, pod: s.pod, netconf: c.netconf })),
  );
  const wallSeconds = (performance.now() - started) / 1000;
  const machineCpu = (machineCpuSeconds() - before.machine) / sandboxes.length;
  // a daemon's CPU belongs to the calls it served
  const executableCpu = cpu ? (cpu.seconds() - before.executables! + (c.serverCpu?.() ?? 0) - before.server) / sandboxes.length : undefined;
  const ok = answers.filter((a) => a.code === 0).length;
  const times = answers.map((a) => a.ms).sort((a, b) => a - b);
  const q = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))];
  const failed = answers.find((a) => a.code !== 0);
  const firstError =
    failed && `${command} exit ${failed.code}: ${(failed.json.msg ?? failed.json.details ?? failed.stdout ?? failed.stderr).toString().slice(0, 300)}`;
  return { ok, wallSeconds, rate: ok / wallSeconds, p50: q(0.5), p99: q(0.99), machineCpu, executableCpu, firstError, answers };
}

/** Addresses that two or more sandboxes' ADD results carry (each counted once). */
function duplicateAddresses(adds: PluginAnswer[]): string[] {
  const holders = new Map<string, number>();
  for (const a of adds)
    for (const ip of (a.json.ips ?? []) as { address: string }[]) holders.set(ip.address.split("/")[0], (holders.get(ip.address.split("/")[0]) ?? 0) + 1);
  return [...holders].filter(([, n]) => n > 1).map(([address]) => address);
}

/** Network namespaces made and not yet removed, and the executables' cgroup: tearDown() removes them on Ctrl-C too. */
const liveNetns = new Set<string>();
let cpuGroup: ExecutableCpu | undefined;

interface CaseResult {
  name: string;
  add: Phase;
  del: Phase;
  duplicates: string[];
  /** Sandboxes whose network namespace still holds an interface (other than lo) after the DELs. */
  leftAfterDel: number;
}

/** A case's ADD phase and DEL phase on fresh network namespaces, removed afterwards. */
async function benchCase(name: string, c: PreparedCase, pods: Sandbox["pod"][], cpu: ExecutableCpu | undefined): Promise<CaseResult> {
  const sandboxes = pods.map((pod, i) => ({ pod, containerId: `bench-${RUN}-${name}-${i}`, netnsName: `tnt-b-${RUN}-${name.slice(0, 2)}-${i}` }));
  try {
    for (const s of sandboxes) {
      addNetns(s.netnsName);
      liveNetns.add(s.netnsName);
    }
    say(`${name}: ${sandboxes.length} ADDs at once`);
    const add = await runPhase(c, "ADD", sandboxes, cpu);
    say(`${name}: ${add.ok} ADDs ok in ${add.wallSeconds.toFixed(1)} s; ${sandboxes.length} DELs at once`);
    const del = await runPhase(c, "DEL", sandboxes, cpu);
    const leftAfterDel = sandboxes.filter((s) => podInterfaces(s.netnsName).size > 0).length;
    return { name, add, del, duplicates: duplicateAddresses(add.answers.filter((a) => a.code === 0)), leftAfterDel };
  } finally {
    for (const s of sandboxes) {
      removeNetns(s.netnsName);
      liveNetns.delete(s.netnsName);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Report
// ---------------------------------------------------------------------------------------------

function report(results: CaseResult[], skipped: Map<string, string>, cpuNote: string, load: { before: number; after: number }): string {
  const lines: string[] = [];
  const num = (x: number | undefined, digits: number, width: number) => (x !== undefined && Number.isFinite(x) ? x.toFixed(digits) : "-").padStart(width);
  lines.push(
    `CNI benchmark: ${SANDBOXES} sandboxes (a network namespace each) on one macvlan network over a veth, ${os.cpus().length} cores, load ${load.before.toFixed(1)} before, ${load.after.toFixed(1)} after`,
  );
  lines.push(
    `All ${SANDBOXES} calls of a phase start at once; a call's latency is its executable's start to exit. CPU-s/call "machine" is all busy CPU of the machine`,
  );
  lines.push(`during the phase (/proc/stat) over ${SANDBOXES}: API server, etcd and webhook included, and whatever else ran then. "executables": ${cpuNote}.`);
  lines.push("");
  lines.push(
    `${"case".padEnd(12)}${"phase".padEnd(6)}${"ok".padStart(5)}${"wall s".padStart(8)}${"calls/s".padStart(9)}${"p50 ms".padStart(9)}${"p99 ms".padStart(9)}   CPU-s/call: machine  executables   check`,
  );
  for (const r of results) {
    for (const [phase, p, check] of [
      ["ADD", r.add, `${r.duplicates.length} duplicate addresses`],
      ["DEL", r.del, `${r.leftAfterDel} sandboxes with interfaces left`],
    ] as const) {
      lines.push(
        `${r.name.padEnd(12)}${phase.padEnd(6)}${String(p.ok).padStart(5)}${num(p.wallSeconds, 1, 8)}${num(p.rate, 1, 9)}${num(p.p50, 0, 9)}${num(p.p99, 0, 9)}${num(p.machineCpu, 3, 23)}${num(p.executableCpu, 3, 13)}   ${check}`,
      );
    }
  }
  for (const r of results) for (const p of [r.add, r.del]) if (p.firstError) lines.push(`${r.name}: first failure: ${p.firstError}`);
  for (const r of results) if (r.duplicates.length) lines.push(`${r.name}: addresses handed to two sandboxes: ${r.duplicates.slice(0, 10).join(", ")}`);
  for (const [name, why] of skipped) lines.push(`${name}: not measured: ${why}`);
  lines.push("");
  // a case that did not run, or whose ADDs all failed, has no rate to compare with
  const rate = (name: string) => results.find((r) => r.name === name && r.add.ok > 0)?.add.rate ?? NaN;
  const tenet = results.find((r) => r.name === "tenet");
  const [a, h, w] = [rate("tenet"), rate("host-local"), rate("whereabouts")];
  const show = (x: number, digits: number) => (Number.isFinite(x) ? x.toFixed(digits) : "-");
  const verdict = (x: number, met: boolean) => (Number.isFinite(x) ? (met ? "MET" : "MISSED") : "not measured");
  if (tenet) {
    const allAdded = tenet.add.ok === SANDBOXES;
    lines.push(
      `targets: all ${SANDBOXES} ADDs under ${TARGET.addSeconds} s: ${allAdded ? `${show(tenet.add.wallSeconds, 1)} s` : `${tenet.add.ok} ok`} ${verdict(tenet.add.wallSeconds, allAdded && tenet.add.wallSeconds < TARGET.addSeconds)}; ` +
        `>= ${TARGET.ofHostLocal}x host-local: ${show(a / h, 2)}x ${verdict(a / h, a / h >= TARGET.ofHostLocal)}; ahead of whereabouts: ${show(a / w, 2)}x ${verdict(a / w, a / w > TARGET.ofWhereabouts)}`,
    );
  }
  lines.push(
    `summary: tenet ${show(a, 1)}/s, host-local ${show(h, 1)}/s, whereabouts ${show(w, 1)}/s, ${show(a / h, 2)}x of host-local, ${show(a / w, 2)}x of whereabouts`,
  );
  return lines.join("\n");
}

// ---------------------------------------------------------------------------------------------
// Main: one cluster, one host device, the Pods; then each case in turn
// ---------------------------------------------------------------------------------------------

async function main(cluster: LocalCluster): Promise<void> {
  const load = { before: os.loadavg()[0], after: NaN };
  addHostDevice(HOST_DEVICE);
  const skipped = new Map<string, string>();
  const prepared = new Map<string, PreparedCase>();
  let podAnnotations: Record<string, string> = {};
  // each case its own /16 on the same host device, so no case sees another's addresses
  const network = (i: number): BenchNetwork => ({ hostDevice: HOST_DEVICE, cidr: `10.${90 + i}.0.0/16` });
  const prepare: Record<string, () => Promise<PreparedCase>> = {
    "host-local": async () => prepareHostLocal(network(0)),
    whereabouts: () => prepareWhereabouts(cluster, network(1)),
    tenet: async () => {
      const t = await prepareTenet(cluster, network(2));
      podAnnotations = t.podAnnotations;
      return t;
    },
  };
  for (const name of CASES) {
    if (!prepare[name]) throw new Error(`BENCH_CASES: unknown case ${name} (host-local, whereabouts, tenet)`);
    try {
      prepared.set(name, await prepare[name]());
    } catch (e) {
      skipped.set(name, (e as Error).message.split("\n")[0]);
    }
  }
  // the same Pods for every case (only tenet reads them, as a runtime's Pods they exist for all)
  const pods = await Promise.all(
    Array.from({ length: SANDBOXES }, async (_, i) => {
      const created = await createPod(cluster.kubeconfig("admin"), {
        namespace: NAMESPACE,
        name: `cni-${RUN}-${i}`,
        nodeName: os.hostname(),
        annotations: podAnnotations,
      });
      return { namespace: NAMESPACE, name: created.name, uid: created.uid };
    }),
  );
  const cpu = ExecutableCpu.open(`tenet-bench-cni-${process.pid}`);
  if (typeof cpu !== "string") cpuGroup = cpu;
  const results: CaseResult[] = [];
  for (const [name, c] of prepared) {
    try {
      results.push(await benchCase(name, c, pods, cpuGroup));
    } finally {
      await c.stop();
    }
  }
  cpuGroup?.close();
  cpuGroup = undefined;
  load.after = os.loadavg()[0];
  const cpuNote =
    typeof cpu === "string"
      ? `not measured (${cpu})`
      : "the CPU of the executables and their children (delegates, IPAM plugins), from a cgroup they ran in, plus tenet's node daemon with its spawner and the programs it started (from /proc)";
  console.log(report(results, skipped, cpuNote, load));
}

const skipReason = missingPrerequisite(["macvlan", "host-local"]);
if (skipReason) {
  console.log(`bench:cni cannot run here: ${skipReason}`);
  fs.rmSync(home, { recursive: true, force: true });
  process.exit(1);
}
await runOnBenchCluster(home, main, {
  cleanUp: () => {
    for (const name of liveNetns) removeNetns(name);
    cpuGroup?.close();
    removeHostDevice(HOST_DEVICE);
  },
});
