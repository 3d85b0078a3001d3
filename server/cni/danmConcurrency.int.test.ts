// 200 danm runs at once on one /24: distinct addresses, one DanmEp each, and the bitmap back to
// what the webhook created after 200 DELs. The runs' requests meet in the node's daemon, whose IPAM
// group-commits them (server/ipam/networkIpam.ts) inside the node lock (nodeLock.ts).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { DanmEp } from "../domain/api/danmEp";
import type { NetworkObject } from "../domain/api/network";
import { DanmClient } from "../kube/danmClient";
import { createPod, deletePod } from "../kube/pods";
import {
  addHostDevice,
  addNetns,
  callPlugin,
  missingPrerequisite,
  podInterfaces,
  removeHostDevice,
  removeNetns,
  startDanm,
  testLockDir,
  type DanmUnderTest,
} from "./pluginHarness";

const cluster = inject("cluster");
const kubeconfig = cluster.controlPlane.kubeconfigs.admin;
const admin = new DanmClient(kubeconfig);
const NS = "team-a";
const RUN = (process.pid % 100000).toString(36);
const HOST = `tntc${RUN}`;
const PODS = 200;
const skipReason = missingPrerequisite(["macvlan", "static"]);
if (skipReason) console.warn(`skipped: danm concurrency test: ${skipReason}`);
const d = skipReason ? describe.skip : describe;

d(`danm CNI plugin: ${PODS} pods at once on one /24`, () => {
  let danm: DanmUnderTest;
  let net: NetworkObject;
  const pods = Array.from({ length: PODS }, (_, i) => ({ name: `cnic-${RUN}-${i}`, netnsName: `tnt-c-${RUN}-${i}`, cid: `sandbox-c-${RUN}-${i}`, uid: "" }));
  const lockDir = testLockDir(cluster.home);
  // this test is about correctness under contention; a busy shared test machine must not turn it
  // into a timeout (the 30 s budget is tested in danm.int.test.ts, the speed by npm run bench:cni)
  const netconf = () => ({
    cniVersion: "1.0.0",
    name: "danm-test",
    type: "danm",
    kubeconfig,
    cniDir: os.tmpdir(),
    ipamLockDir: lockDir,
    timeoutSeconds: 600,
    daemonSocket: danm.socket,
  });

  beforeAll(async () => {
    danm = await startDanm(cluster.home, "danm-c");
    addHostDevice(HOST);
    net = await admin.create<NetworkObject>("DanmNet", {
      apiVersion: "danm.k8s.io/v1",
      kind: "DanmNet",
      metadata: { name: "cni-race", namespace: NS },
      spec: { NetworkID: "cnirace", NetworkType: "macvlan", Options: { host_device: HOST, cidr: "10.89.0.0/24" } },
    } as NetworkObject);
    await Promise.all(
      pods.map(async (p) => {
        p.uid = (
          await createPod(kubeconfig, {
            namespace: NS,
            name: p.name,
            nodeName: os.hostname(),
            labels: { app: "race" },
            annotations: { "danm.k8s.io/interfaces": '[{"network":"cni-race","ip":"dynamic"}]' },
          })
        ).uid;
      }),
    );
    for (const p of pods) addNetns(p.netnsName);
  });

  afterAll(async () => {
    await danm?.stop();
    for (const p of pods) removeNetns(p.netnsName);
    removeHostDevice(HOST);
    await Promise.all(pods.map((p) => deletePod(kubeconfig, NS, p.name).catch(() => undefined)));
    for (const ep of await admin.list<DanmEp & { metadata: { name: string } }>("DanmEp", NS))
      if (ep.spec?.NetworkName === "cni-race") await admin.delete("DanmEp", ep.metadata.name, NS).catch(() => undefined);
    await admin.delete("DanmNet", "cni-race", NS).catch(() => undefined);
  });

  const call = (p: (typeof pods)[number], command: "ADD" | "DEL") =>
    callPlugin(danm.plugin, {
      command,
      containerId: p.cid,
      netns: `/var/run/netns/${p.netnsName}`,
      pod: { namespace: NS, name: p.name, uid: p.uid },
      netconf: netconf(),
    });

  it(`${PODS} ADDs in parallel give ${PODS} distinct addresses and ${PODS} DanmEps; ${PODS} DELs restore the bitmap`, { timeout: 600_000 }, async () => {
    const initial = net.spec!.Options!.alloc;
    let started = performance.now();
    const adds = await Promise.all(pods.map((p) => call(p, "ADD")));
    const addSeconds = (performance.now() - started) / 1000;
    const failed = adds.filter((a) => a.code !== 0);
    expect(
      failed.map((a) => a.stdout),
      "every ADD succeeds",
    ).toEqual([]);
    const ips = adds.map((a) => a.json.ips[0].address as string);
    expect(new Set(ips).size).toBe(PODS);
    pods.forEach((p, i) => expect(podInterfaces(p.netnsName).get("eth0")).toEqual([ips[i]]));
    expect(fs.existsSync(lockDir), "the daemon took the node lock (its directory is made by the first write)").toBe(true);
    expect(fs.existsSync(path.join(lockDir, `DanmNet_${NS}_cni-race.lock`)), "and the last one released it").toBe(false);
    const times = adds.map((a) => a.ms).sort((a, b) => a - b);
    const slowest = times[times.length - 1];
    const eps = (await admin.list<DanmEp>("DanmEp", NS)).filter((ep) => ep.spec?.NetworkName === "cni-race");
    expect(eps).toHaveLength(PODS);
    expect(new Set(eps.map((ep) => ep.spec!.Interface!.Address))).toEqual(new Set(ips));

    started = performance.now();
    const dels = await Promise.all(pods.map((p) => call(p, "DEL")));
    const delSeconds = (performance.now() - started) / 1000;
    expect(dels.filter((r) => r.code !== 0).map((r) => r.stdout)).toEqual([]);
    expect((await admin.list<DanmEp>("DanmEp", NS)).filter((ep) => ep.spec?.NetworkName === "cni-race")).toEqual([]);
    expect((await admin.get<NetworkObject>("DanmNet", "cni-race", NS)).spec!.Options!.alloc).toBe(initial);
    expect(pods.every((p) => podInterfaces(p.netnsName).size === 0)).toBe(true);
    console.info(
      `${PODS} parallel danm runs: ADD ${addSeconds.toFixed(1)} s (one run: median ${(times[PODS >> 1] / 1000).toFixed(1)} s, slowest ${(slowest / 1000).toFixed(1)} s, ${times.filter((t) => t < 30_000).length} under 30 s), DEL ${delSeconds.toFixed(1)} s (wall, ${os.cpus().length} cores, load ${os.loadavg()[0].toFixed(1)})`,
    );
  });
});
