// The usage sampler against the real API server and a temporary SQLite database: it records each
// network's pool usage, stores a repeat only after the keep-alive, follows allocations, prunes.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { NetworkIpam } from "../ipam/networkIpam";
import type { Db } from "../db/client";
import { openMigratedDb } from "../db/migrate";
import { usageHistory } from "../db/usage";
import { loadKubeConfig } from "../kube/config";
import { DanmClient } from "../kube/danmClient";
import { UsageSampler } from "./usageSampler";

const cluster = inject("cluster");
const admin = new DanmClient(cluster.controlPlane.kubeconfigs.admin);
const controllers = loadKubeConfig(cluster.controlPlane.kubeconfigs["tenet-controllers"]);
const HOUR = 3_600_000;
let db: Db;
let dir: string;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "tenet-sampler-"));
  db = await openMigratedDb(`file:${path.join(dir, "console.db")}`);
});

afterAll(async () => {
  await db.$disconnect();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("usage sampler", () => {
  it("records pool usage per network as the controllers' identity, repeats only after the keep-alive, prunes after 30 days", async () => {
    await admin.create("DanmNet", {
      apiVersion: "danm.k8s.io/v1",
      kind: "DanmNet",
      metadata: { name: "sampled", namespace: "team-b" },
      spec: { NetworkID: "sampled", Options: { cidr: "10.130.0.0/28" } },
    });
    await admin.create("DanmNet", {
      apiVersion: "danm.k8s.io/v1",
      kind: "DanmNet",
      metadata: { name: "sampled-l2", namespace: "team-b" },
      spec: { NetworkID: "sampledl2" },
    });
    let clock = Date.UTC(2026, 0, 1);
    const sampler = new UsageSampler({ kubeconfig: controllers, db, now: () => clock, keepaliveMs: HOUR });
    const key = { kind: "DanmNet", namespace: "team-b", name: "sampled" };
    const history = () => usageHistory(db, key, new Date(0));

    const first = await sampler.sampleOnce();
    expect(first.networks).toBeGreaterThanOrEqual(2);
    expect(await history()).toEqual([{ at: new Date(clock).toISOString(), v4Used: 0, v4Total: 14, v6Used: "0", v6Total: "0" }]);
    // an L2 network has nothing to count
    expect(await usageHistory(db, { ...key, name: "sampled-l2" }, new Date(0))).toEqual([]);

    // unchanged a minute later: nothing new
    clock += 60_000;
    await sampler.sampleOnce();
    expect(await history()).toHaveLength(1);

    // three addresses allocated: a new point
    const ipam = new NetworkIpam(admin);
    for (let i = 0; i < 3; i++) await ipam.allocate({ kind: "DanmNet", name: "sampled", namespace: "team-b" }, { ip: "dynamic" });
    clock += 60_000;
    await sampler.sampleOnce();
    expect((await history()).map((p) => p.v4Used)).toEqual([0, 3]);

    // unchanged for an hour: one keep-alive point
    clock += HOUR;
    await sampler.sampleOnce();
    expect((await history()).map((p) => [p.v4Used, p.at])).toEqual([
      [0, new Date(Date.UTC(2026, 0, 1)).toISOString()],
      [3, new Date(Date.UTC(2026, 0, 1) + 120_000).toISOString()],
      [3, new Date(clock).toISOString()],
    ]);

    // 30 days later the first two points are gone
    clock = Date.UTC(2026, 0, 31) + 150_000; // 30 days after 00:02:30
    const late = await sampler.sampleOnce();
    expect(late.pruned).toBeGreaterThanOrEqual(2);
    expect((await history()).map((p) => p.at)).toEqual([new Date(Date.UTC(2026, 0, 1) + 120_000 + HOUR).toISOString(), new Date(clock).toISOString()]);

    await admin.delete("DanmNet", "sampled", "team-b");
    await admin.delete("DanmNet", "sampled-l2", "team-b");
  });

  it("start() samples right away and on every interval until stop()", async () => {
    await admin.create("DanmNet", {
      apiVersion: "danm.k8s.io/v1",
      kind: "DanmNet",
      metadata: { name: "ticking", namespace: "team-b" },
      spec: { NetworkID: "ticking", Options: { cidr: "10.131.0.0/28" } },
    });
    const sampler = new UsageSampler({ kubeconfig: controllers, db, intervalMs: 200, keepaliveMs: 0 });
    sampler.start();
    const key = { kind: "DanmNet", namespace: "team-b", name: "ticking" };
    await expect.poll(async () => (await usageHistory(db, key, new Date(0))).length, { timeout: 10_000 }).toBeGreaterThanOrEqual(3);
    await sampler.stop();
    const stopped = (await usageHistory(db, key, new Date(0))).length;
    await new Promise((r) => setTimeout(r, 600));
    expect((await usageHistory(db, key, new Date(0))).length).toBe(stopped);
    await admin.delete("DanmNet", "ticking", "team-b");
  });
});
