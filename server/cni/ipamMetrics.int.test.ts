// IPAM latency and conflict metrics end to end: the danm executable and its daemon, called as a
// container runtime calls it against the real API server; the daemon leaves its statistics files in a
// stats directory; the real node agent (`tenet agent --ipam-stats-dir`, a child process with the
// tenet-agent ServiceAccount) collects them and serves them on /metrics.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { agentKubeconfig } from "../../tools/cli/simulatedNodes";
import type { DanmEp } from "../domain/api/danmEp";
import type { NetworkObject } from "../domain/api/network";
import { decodeIpamStats, isIpamStatsFileName } from "../domain/ipam/operationStats";
import { danmPath } from "../kube/access";
import { DanmClient } from "../kube/danmClient";
import { createPod, deletePod } from "../kube/pods";
import { KubeRest } from "../kube/rest";
import { NetworkIpam } from "../ipam/networkIpam";
import { IpamStatsRecorder } from "../ipam/ipamStats";
import { acquireNodeLock, networkLockFile } from "../ipam/nodeLock";
import {
  addHostDevice,
  addNetns,
  callPlugin,
  missingPrerequisite,
  removeHostDevice,
  removeNetns,
  startDanm,
  type DanmUnderTest,
  type PluginAnswer,
} from "./pluginHarness";

const cluster = inject("cluster");
const kubeconfig = cluster.controlPlane.kubeconfigs.admin;
const admin = new DanmClient(kubeconfig);
const NS = "team-a";
const RUN = (process.pid % 100000).toString(36);
const HOST = `tntm${RUN}`;
const REPO = path.resolve(import.meta.dirname, "..", "..");
const skipReason = missingPrerequisite(["macvlan", "static"]);
if (skipReason) console.warn(`skipped: IPAM metrics test: ${skipReason}`);
const d = skipReason ? describe.skip : describe;

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });

async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await Promise.resolve(probe()).catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The value of one sample line of the metrics text (labels in the order prom-client prints them). */
function sample(text: string, series: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

d("IPAM metrics: real danm runs → the daemon's stats files → the node agent's /metrics", () => {
  let plugin = "";
  let danm: DanmUnderTest;
  let home = "";
  let statsDir = "";
  let lockDir = "";
  let agent: ChildProcess | undefined;
  let agentLog = "";
  const node = `ipm-node-${RUN}`;
  const netnsNames: string[] = [];
  const podNames: string[] = [];
  const networks = ["ipm-wide", "ipm-tiny"];
  let seq = 0;

  const netconf = () => ({
    cniVersion: "1.0.0",
    name: "danm-test",
    type: "danm",
    kubeconfig,
    cniDir: os.tmpdir(),
    ipamLockDir: lockDir,
    ipamStatsDir: statsDir,
    daemonSocket: danm.socket,
  });

  async function testPod(network: string) {
    const n = seq++;
    const name = `ipm-${RUN}-${n}`;
    const pod = await createPod(kubeconfig, {
      namespace: NS,
      name,
      nodeName: os.hostname(),
      labels: { app: "ipam-metrics" },
      annotations: { "danm.k8s.io/interfaces": JSON.stringify([{ network, ip: "dynamic" }]) },
    });
    podNames.push(name);
    const netnsName = `tnt-m-${RUN}-${n}`;
    const netns = addNetns(netnsName);
    netnsNames.push(netnsName);
    const cid = `sandbox-m-${RUN}-${n}`;
    return {
      name,
      call: (command: "ADD" | "DEL"): Promise<PluginAnswer> =>
        callPlugin(plugin, { command, containerId: cid, netns, pod: { namespace: NS, name, uid: pod.uid }, netconf: netconf() }),
    };
  }

  beforeAll(async () => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), "tenet-ipam-metrics-"));
    statsDir = path.join(home, "ipam-stats");
    lockDir = path.join(home, "ipam-locks");
    fs.mkdirSync(statsDir);
    danm = await startDanm(cluster.home, "danm-metrics");
    plugin = danm.plugin;
    addHostDevice(HOST);
    for (const [name, cidr] of [
      ["ipm-wide", "10.74.0.0/24"],
      ["ipm-tiny", "10.73.0.0/30"],
    ]) {
      await admin.create<NetworkObject>("DanmNet", {
        apiVersion: "danm.k8s.io/v1",
        kind: "DanmNet",
        metadata: { name, namespace: NS },
        spec: { NetworkID: name.replace("-", ""), NetworkType: "macvlan", Options: { host_device: HOST, cidr } },
      } as NetworkObject);
    }
  });

  afterAll(async () => {
    await danm?.stop();
    agent?.kill("SIGTERM");
    for (const n of netnsNames) removeNetns(n);
    removeHostDevice(HOST);
    await Promise.all(podNames.map((p) => deletePod(kubeconfig, NS, p).catch(() => undefined)));
    for (const ep of await admin.list<DanmEp & { metadata: { name: string } }>("DanmEp", NS))
      if (networks.includes(ep.spec?.NetworkName ?? "")) await admin.delete("DanmEp", ep.metadata.name, NS).catch(() => undefined);
    for (const n of networks) await admin.delete("DanmNet", n, NS).catch(() => undefined);
    const kube = await KubeRest.fromFile(kubeconfig);
    await kube.call(danmPath("NodeNetworkStatus", undefined, node), { method: "DELETE" }).catch(() => undefined);
    await kube.close();
    fs.rmSync(home, { recursive: true, force: true });
  });

  it("ADD and DEL, a wait for the node lock, a pool running out and a 409 conflict all show in the agent's metrics", { timeout: 180_000 }, async () => {
    // 1. an ADD and its DEL: one allocate, one free
    const a = await testPod("ipm-wide");
    const addA = await a.call("ADD");
    expect(addA.code, addA.stdout + addA.stderr).toBe(0);
    expect((await a.call("DEL")).code).toBe(0);

    // 2. an ADD that waits for the node lock: this test holds it until the plugin has queued, and 1 s longer
    const held = await acquireNodeLock(networkLockFile(lockDir, { kind: "DanmNet", namespace: NS, name: "ipm-wide" }), { waitMs: 0, what: "test" });
    const b = await testPod("ipm-wide");
    const addB = b.call("ADD");
    const queue = `${networkLockFile(lockDir, { kind: "DanmNet", namespace: NS, name: "ipm-wide" })}.queue`;
    await waitFor("the plugin queues for the lock", () =>
      fs.existsSync(queue) && fs.readdirSync(queue).some((e) => !e.includes(`-${process.pid}-`)) ? true : undefined,
    );
    await new Promise((r) => setTimeout(r, 1_000));
    held.release();
    const doneB = await addB;
    expect(doneB.code, doneB.stdout + doneB.stderr).toBe(0);

    // 3. a /30 has two addresses: the third ADD finds the pool exhausted (A-5, CNI code 102)
    const tiny = [await testPod("ipm-tiny"), await testPod("ipm-tiny"), await testPod("ipm-tiny")];
    expect((await tiny[0].call("ADD")).code).toBe(0);
    expect((await tiny[1].call("ADD")).code).toBe(0);
    const refused = await tiny[2].call("ADD");
    expect(refused.json.code).toBe(102);
    expect(refused.json.msg).toContain("(A-5)");

    // the daemon leaves what it recorded as complete files, nothing half-written, within a second or so
    const recordsIn = (names: string[]) =>
      names.flatMap((f) => {
        const decoded = decodeIpamStats(fs.readFileSync(path.join(statsDir, f), "utf8"));
        if (!decoded.ok) throw new Error(`${f}: ${decoded.reason}`);
        return decoded.records;
      });
    const files = await waitFor("the daemon flushes the 6 operations' statistics", () => {
      const names = fs.readdirSync(statsDir).sort();
      return names.every(isIpamStatsFileName) && recordsIn(names).length >= 6 ? names : undefined;
    });
    expect(files.every(isIpamStatsFileName)).toBe(true);
    const records = recordsIn(files);
    expect(records.map((r) => `${r.network} ${r.operation} ${r.outcome}`).sort()).toEqual([
      "ipm-tiny allocate exhausted",
      "ipm-tiny allocate ok",
      "ipm-tiny allocate ok",
      "ipm-wide allocate ok",
      "ipm-wide allocate ok",
      "ipm-wide free ok",
    ]);
    const waited = records.find((r) => r.lockWaitSeconds >= 0.9);
    expect(waited, "the ADD behind the held lock recorded its wait").toMatchObject({ network: "ipm-wide", operation: "allocate", outcome: "ok" });
    expect(waited!.seconds).toBeGreaterThanOrEqual(waited!.lockWaitSeconds);

    // 4. a genuine 409 from the API server: another writer changes the network between this
    //    operation's read and its write (what a plugin run on another node does), recorded as the plugin records
    const other = new DanmClient(kubeconfig);
    const recorder = new IpamStatsRecorder(statsDir, (l) => console.warn(l));
    let intrude = true;
    const ipam = new NetworkIpam(
      {
        get: (kind, name, namespace) => admin.get<NetworkObject>(kind, name, namespace),
        replace: async (kind, next) => {
          if (intrude) {
            intrude = false;
            const current = await other.get<NetworkObject>(kind, next.metadata.name!, next.metadata.namespace);
            await other.replace(kind, {
              ...current,
              metadata: { ...current.metadata, annotations: { ...current.metadata.annotations, "test.tenet.dev/touched": "yes" } },
            });
          }
          return admin.replace(kind, next);
        },
      },
      { observe: recorder.record },
    );
    await ipam.allocate({ kind: "DanmNet", namespace: NS, name: "ipm-wide" }, { ip: "dynamic" });
    expect(recorder.pending).toEqual([expect.objectContaining({ network: "ipm-wide", outcome: "ok", conflicts: 1 })]);
    expect(recorder.flush()).toBeDefined();

    // 5. the real node agent collects the files and serves the totals
    const port = await freePort();
    const agentKube = await agentKubeconfig(cluster.controlPlane, path.join(home, "agent.kubeconfig"));
    agent = spawn(
      process.execPath,
      [
        path.join(REPO, "tools/cli/tenet.mjs"),
        "agent",
        "--node",
        node,
        "--kubeconfig",
        agentKube,
        "--not-applied",
        "IPAM metrics test",
        "--metrics-port",
        String(port),
        "--metrics-host",
        "127.0.0.1",
        "--ipam-stats-dir",
        statsDir,
      ],
      { cwd: REPO, stdio: ["ignore", "pipe", "pipe"] },
    );
    agent.stdout!.on("data", (x) => (agentLog += x));
    agent.stderr!.on("data", (x) => (agentLog += x));
    const text = await waitFor("the agent serves /metrics", async () => {
      const res = await fetch(`http://127.0.0.1:${port}/metrics`);
      return res.ok ? res.text() : undefined;
    }).catch((e) => {
      throw new Error(`${(e as Error).message}; agent log:\n${agentLog}`);
    });
    const wide = 'kind="DanmNet",namespace="team-a",network="ipm-wide"';
    const tinyNet = 'kind="DanmNet",namespace="team-a",network="ipm-tiny"';
    expect(sample(text, `tenet_ipam_operations_total{${wide},operation="allocate",outcome="ok"}`)).toBe(3);
    expect(sample(text, `tenet_ipam_operations_total{${wide},operation="free",outcome="ok"}`)).toBe(1);
    expect(sample(text, `tenet_ipam_operations_total{${tinyNet},operation="allocate",outcome="ok"}`)).toBe(2);
    expect(sample(text, `tenet_ipam_operations_total{${tinyNet},operation="allocate",outcome="exhausted"}`)).toBe(1);
    expect(sample(text, `tenet_ipam_conflicts_total{${wide}}`)).toBe(1);
    expect(sample(text, `tenet_ipam_conflicts_total{${tinyNet}}`)).toBe(0);
    expect(sample(text, 'tenet_ipam_operation_duration_seconds_count{operation="allocate",outcome="ok"}')).toBe(5);
    expect(sample(text, 'tenet_ipam_operation_duration_seconds_sum{operation="allocate",outcome="ok"}')).toBeGreaterThan(1);
    // the ADD that waited ~1 s for the lock lies above the 0.5 s bucket
    expect(sample(text, 'tenet_ipam_operation_duration_seconds_bucket{le="0.5",operation="allocate",outcome="ok"}')).toBeLessThanOrEqual(4);
    expect(sample(text, 'tenet_ipam_operation_duration_seconds_count{operation="allocate",outcome="exhausted"}')).toBe(1);
    expect(sample(text, 'tenet_ipam_operation_duration_seconds_sum{operation="allocate",outcome="exhausted"}')).toBeGreaterThan(0);
    expect(sample(text, 'tenet_ipam_lock_wait_seconds_sum{operation="allocate"}')).toBeGreaterThanOrEqual(0.9);
    expect(sample(text, "tenet_ipam_stats_files_total")).toBe(files.length + 1);
    expect(sample(text, "tenet_ipam_stats_files_rejected_total")).toBe(0);
    expect(fs.readdirSync(statsDir), "the agent removed what it counted").toEqual([]);

    // a malformed file is removed and counted, and what came before stays
    fs.writeFileSync(path.join(statsDir, `${Date.now()}-1-bad.json`), "{not a stats file");
    const after = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(sample(after, "tenet_ipam_stats_files_rejected_total")).toBe(1);
    expect(sample(after, `tenet_ipam_operations_total{${wide},operation="allocate",outcome="ok"}`)).toBe(3);
    expect(fs.readdirSync(statsDir)).toEqual([]);
    console.info(
      `IPAM metrics of ${records.length + 1} operations collected; the lock-waiting ADD took ${waited!.seconds.toFixed(2)} s (${waited!.lockWaitSeconds.toFixed(2)} s waiting)`,
    );

    for (const p of [b, tiny[0], tiny[1]]) expect((await p.call("DEL")).code).toBe(0);
  });
});
