// Crash safety: 300 ADDs through the danm executable, the executable SIGKILLed at random moments and
// its node daemon SIGKILLed in the middle of some waves (then started again, as its DaemonSet would).
// Afterwards no address is held by two DanmEps, and once the reconciler ran every address is held or free.
import { spawn } from "node:child_process";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { DanmEp } from "../domain/api/danmEp";
import type { NetworkObject } from "../domain/api/network";
import { Bitmap } from "../domain/bitmap";
import { leakedAddresses } from "../domain/ipam/leaks";
import { indexOf, parseCidr, parseIp, stripPrefix } from "../domain/net/cidr";
import { loadKubeConfig } from "../kube/config";
import { DanmClient } from "../kube/danmClient";
import { createPod, deletePod } from "../kube/pods";
import { Reconcilers } from "../controllers/reconcilers";
import {
  addHostDevice,
  addNetns,
  CNI_PLUGIN_DIRS,
  missingPrerequisite,
  removeHostDevice,
  removeNetns,
  startDanm,
  testLockDir,
  type DanmUnderTest,
} from "./pluginHarness";

const cluster = inject("cluster");
const kubeconfig = cluster.controlPlane.kubeconfigs.admin;
const admin = new DanmClient(kubeconfig);
const NS = "team-b";
const RUN = (process.pid % 100000).toString(36);
const HOST = `tntk${RUN}`;
const ADDS = 300;
const WAVE = 30;
const CIDR = "10.131.0.0/23";
const skipReason = missingPrerequisite(["macvlan", "static"]);
if (skipReason) console.warn(`skipped: crash-safety test: ${skipReason}`);
const d = skipReason ? describe.skip : describe;

/** A small deterministic generator, so a failing run can be repeated with its seed. */
function random(seed: number) {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0) / 2 ** 32;
}

d(`danm CNI plugin killed at random moments (${ADDS} ADDs)`, () => {
  let danm: DanmUnderTest;
  const pods = Array.from({ length: ADDS }, (_, i) => ({ name: `crash-${RUN}-${i}`, netnsName: `tnt-k-${RUN}-${i}`, cid: `sandbox-k-${RUN}-${i}`, uid: "" }));
  // a daemon SIGKILLed while holding the node lock must only delay its successor by the stale check;
  // the runs get more time than danm's 30 s so that a busy test machine fails none by itself
  const netconf = () =>
    JSON.stringify({
      cniVersion: "1.0.0",
      name: "danm-crash",
      type: "danm",
      kubeconfig,
      cniDir: os.tmpdir(),
      ipamLockDir: testLockDir(cluster.home),
      timeoutSeconds: 300,
      daemonSocket: danm.socket,
    });

  beforeAll(async () => {
    danm = await startDanm(cluster.home, "danm-crash");
    addHostDevice(HOST);
    await admin.create<NetworkObject>("DanmNet", {
      apiVersion: "danm.k8s.io/v1",
      kind: "DanmNet",
      metadata: { name: "crashnet", namespace: NS },
      spec: { NetworkID: "crashnet", NetworkType: "macvlan", Options: { host_device: HOST, cidr: CIDR } },
    } as NetworkObject);
    for (let i = 0; i < pods.length; i += 50) {
      await Promise.all(
        pods.slice(i, i + 50).map(async (p) => {
          p.uid = (
            await createPod(kubeconfig, {
              namespace: NS,
              name: p.name,
              nodeName: os.hostname(),
              annotations: { "danm.k8s.io/interfaces": '[{"network":"crashnet","ip":"dynamic"}]' },
            })
          ).uid;
        }),
      );
    }
    for (const p of pods) addNetns(p.netnsName);
  }, 300_000);

  afterAll(async () => {
    await danm?.stop();
    for (const p of pods) removeNetns(p.netnsName);
    removeHostDevice(HOST);
    for (let i = 0; i < pods.length; i += 50) await Promise.all(pods.slice(i, i + 50).map((p) => deletePod(kubeconfig, NS, p.name).catch(() => undefined)));
    for (const ep of await admin.list<DanmEp & { metadata: { name: string } }>("DanmEp", NS))
      if (ep.spec?.NetworkName === "crashnet") await admin.delete("DanmEp", ep.metadata.name, NS).catch(() => undefined);
    await admin.delete("DanmNet", "crashnet", NS).catch(() => undefined);
  }, 300_000);

  /** One ADD exactly as a runtime calls it, SIGKILLed after `killAfterMs` unless it finished. */
  function add(p: (typeof pods)[number], killAfterMs: number | undefined): Promise<"done" | "killed" | "failed" | "cut"> {
    return new Promise((resolve) => {
      const child = spawn(danm.plugin, [], {
        env: {
          PATH: process.env.PATH,
          CNI_COMMAND: "ADD",
          CNI_CONTAINERID: p.cid,
          CNI_NETNS: `/var/run/netns/${p.netnsName}`,
          CNI_IFNAME: "eth0",
          CNI_PATH: CNI_PLUGIN_DIRS.join(":"),
          CNI_ARGS: `IgnoreUnknown=1;K8S_POD_NAMESPACE=${NS};K8S_POD_NAME=${p.name};K8S_POD_INFRA_CONTAINER_ID=${p.cid};K8S_POD_UID=${p.uid}`,
        } as unknown as NodeJS.ProcessEnv,
        stdio: ["pipe", "pipe", "ignore"],
      });
      let stdout = "";
      child.stdout.on("data", (d) => (stdout += d));
      let killed = false;
      const timer =
        killAfterMs === undefined
          ? undefined
          : setTimeout(() => {
              killed = child.kill("SIGKILL");
            }, killAfterMs);
      child.on("close", (code) => {
        clearTimeout(timer);
        // "try again later" when the daemon went away under it
        resolve(killed ? "killed" : code === 0 ? "done" : /"code":11\b/.test(stdout) && /danm daemon/.test(stdout) ? "cut" : "failed");
      });
      child.stdin.end(netconf());
    });
  }

  it("leaves no address held twice, and after the reconciler every address is held by a DanmEp or free", { timeout: 900_000 }, async () => {
    const seed = Number(process.env.CRASH_SEED ?? Date.now() % 1_000_000);
    const rnd = random(seed);
    const outcomes: Record<string, number> = { done: 0, killed: 0, failed: 0, cut: 0 };
    let daemonKills = 0;
    for (let i = 0; i < pods.length; i += WAVE) {
      // every third wave or so, the daemon dies somewhere in the wave's first 400 ms
      const killDaemonAfterMs = rnd() < 0.35 ? Math.floor(rnd() * 400) : undefined;
      let daemonKilled = false;
      const daemonKill =
        killDaemonAfterMs === undefined
          ? undefined
          : setTimeout(() => {
              danm.kill("SIGKILL");
              daemonKilled = true;
            }, killDaemonAfterMs);
      const results = await Promise.all(pods.slice(i, i + WAVE).map((p) => add(p, rnd() < 0.5 ? Math.floor(rnd() * 300) : undefined)));
      clearTimeout(daemonKill);
      for (const r of results) outcomes[r]++;
      if (daemonKilled) {
        daemonKills++;
        await danm.restart();
      }
    }
    console.info(
      `crash test (seed ${seed}): ${outcomes.done} ADDs completed, ${outcomes.killed} clients killed, ${outcomes.cut} cut off by ${daemonKills} daemon kills, ${outcomes.failed} failed`,
    );
    expect(outcomes.killed, "some ADDs were killed mid-way").toBeGreaterThan(0);
    expect(daemonKills, "the daemon was killed in some waves").toBeGreaterThan(0);
    expect(outcomes.failed, "no ADD fails by itself").toBe(0);

    const endpoints = async () => (await admin.list<DanmEp>("DanmEp", NS)).filter((ep) => ep.spec?.NetworkName === "crashnet");
    const before = await endpoints();
    const held = before.map((ep) => ep.spec?.Interface?.Address).filter((a): a is string => !!a && a !== "none");
    expect(held.length, "no address is held by two DanmEps").toBe(new Set(held).size);

    const leaksBefore = leakedAddresses(
      (await admin.get<NetworkObject>("DanmNet", "crashnet", NS)).spec!.Options!,
      held.map((ip) => ({ ip })),
    ).ip.length;
    // the reconciler frees what the killed ADDs allocated without writing a DanmEp
    const fixes = await new Reconcilers({ kubeconfig: loadKubeConfig(kubeconfig), graceMs: 0 }).runOnce();
    const freed = fixes.filter((f) => f.target === `DanmNet ${NS}/crashnet`).length;
    const net = await admin.get<NetworkObject>("DanmNet", "crashnet", NS);
    const after = await endpoints();
    const holding = after.map((ep) => ({ ip: ep.spec?.Interface?.Address }));
    expect(leakedAddresses(net.spec!.Options!, holding), "every allocated address is held by a DanmEp").toEqual({ ip: [], ip6: [] });
    const bitmap = Bitmap.decode(net.spec!.Options!.alloc!);
    const cidr = parseCidr(CIDR);
    for (const h of holding) if (h.ip) expect(bitmap.isSet(Number(indexOf(cidr, parseIp(stripPrefix(h.ip))))), `${h.ip} of a DanmEp is allocated`).toBe(true);
    console.info(`crash test: ${after.length} DanmEps hold addresses; ${leaksBefore} address(es) were held by no DanmEp, the reconciler freed ${freed}`);
    expect(freed).toBe(leaksBefore);
  });
});
