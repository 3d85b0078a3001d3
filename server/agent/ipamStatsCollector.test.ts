// The agent's collection of the danm plugin's IPAM statistics files into its metrics.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { encodeIpamStats, type IpamOperationRecord } from "../domain/ipam/operationStats";
import { IpamStatsCollector, STALE_TEMP_MS } from "./ipamStatsCollector";
import { AgentMetrics } from "./metrics";

const rec = (over: Partial<IpamOperationRecord> = {}): IpamOperationRecord => ({
  kind: "DanmNet",
  namespace: "team-a",
  network: "internal",
  operation: "allocate",
  outcome: "ok",
  seconds: 0.03,
  conflicts: 0,
  lockWaitSeconds: 0,
  ...over,
});

type Sample = { labels: Record<string, string | number>; value: number; metricName?: string };
async function samples(m: AgentMetrics, name: string): Promise<Sample[]> {
  const metric = (await m.registry.getMetricsAsJSON()).find((x) => x.name === name) as { values: Sample[] } | undefined;
  return metric?.values ?? [];
}
async function value(m: AgentMetrics, name: string, labels: Record<string, string | number> = {}, metricName = name): Promise<number | undefined> {
  return (await samples(m, name)).find((s) => (s.metricName ?? name) === metricName && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
}

const dirs: string[] = [];
function statsDir(files: Record<string, string> = {}): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tenet-agent-stats-"));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  return dir;
}
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe("IPAM statistics collector", () => {
  it("adds every file's records to the metrics and removes the files", async () => {
    const dir = statsDir({
      "1000-11-a.json": encodeIpamStats([rec({ seconds: 0.02 }), rec({ operation: "free", seconds: 0.01 })]),
      "1001-12-b.json": encodeIpamStats([rec({ outcome: "exhausted", seconds: 0.04 }), rec({ seconds: 7.5, conflicts: 3, lockWaitSeconds: 6 })]),
      "1002-13-c.json": encodeIpamStats([rec({ kind: "ClusterNetwork", namespace: "", network: "external", outcome: "timeout", seconds: 20, conflicts: 9 })]),
    });
    const m = new AgentMetrics(false);
    expect(await new IpamStatsCollector({ dir, metrics: m }).sweep()).toEqual({ files: 3, records: 5, rejected: 0 });
    expect(fs.readdirSync(dir)).toEqual([]);
    const net = { kind: "DanmNet", namespace: "team-a", network: "internal" };
    expect(await value(m, "tenet_ipam_operations_total", { ...net, operation: "allocate", outcome: "ok" })).toBe(2);
    expect(await value(m, "tenet_ipam_operations_total", { ...net, operation: "allocate", outcome: "exhausted" })).toBe(1);
    expect(await value(m, "tenet_ipam_operations_total", { ...net, operation: "free", outcome: "ok" })).toBe(1);
    expect(
      await value(m, "tenet_ipam_operations_total", { kind: "ClusterNetwork", namespace: "", network: "external", operation: "allocate", outcome: "timeout" }),
    ).toBe(1);
    expect(await value(m, "tenet_ipam_conflicts_total", net)).toBe(3);
    expect(await value(m, "tenet_ipam_conflicts_total", { kind: "ClusterNetwork", network: "external" })).toBe(9);
    // durations: count and sum per operation and outcome; the 7.5 s allocation is above the 5 s bucket
    const h = "tenet_ipam_operation_duration_seconds";
    expect(await value(m, h, { operation: "allocate", outcome: "ok" }, `${h}_count`)).toBe(2);
    expect(await value(m, h, { operation: "allocate", outcome: "ok" }, `${h}_sum`)).toBeCloseTo(7.52);
    expect(await value(m, h, { operation: "allocate", outcome: "ok", le: 5 }, `${h}_bucket`)).toBe(1);
    expect(await value(m, h, { operation: "allocate", outcome: "ok", le: 10 }, `${h}_bucket`)).toBe(2);
    expect(await value(m, "tenet_ipam_lock_wait_seconds", { operation: "allocate" }, "tenet_ipam_lock_wait_seconds_sum")).toBeCloseTo(6);
    expect(await value(m, "tenet_ipam_stats_files_total")).toBe(3);
    expect(await value(m, "tenet_ipam_stats_files_rejected_total")).toBe(0);
  });

  it("counts the files of later runs in later sweeps, never a file twice", async () => {
    const dir = statsDir({ "1-1-a.json": encodeIpamStats([rec()]) });
    const m = new AgentMetrics(false);
    const collector = new IpamStatsCollector({ dir, metrics: m });
    // sweeps asked for at once (a scrape during the periodic sweep) share one pass
    const [a, b] = await Promise.all([collector.sweep(), collector.sweep()]);
    expect(a).toEqual({ files: 1, records: 1, rejected: 0 });
    expect(b).toBe(a);
    fs.writeFileSync(path.join(dir, "2-2-b.json"), encodeIpamStats([rec()]));
    expect(await collector.sweep()).toEqual({ files: 1, records: 1, rejected: 0 });
    expect(await collector.sweep()).toEqual({ files: 0, records: 0, rejected: 0 });
    expect(await value(m, "tenet_ipam_operations_total", { outcome: "ok" })).toBe(2);
  });

  it("removes and counts malformed files without counting anything in them, and keeps going", async () => {
    const dir = statsDir({
      "1-1-a.json": "{half a fi",
      "2-2-b.json": JSON.stringify({ v: 1, records: [rec(), { ...rec(), outcome: "great" }] }),
      "3-3-c.json": "x".repeat(70_000),
      "4-4-d.json": encodeIpamStats([rec({ network: "good" })]),
    });
    const logged: Record<string, unknown>[] = [];
    const m = new AgentMetrics(false);
    expect(await new IpamStatsCollector({ dir, metrics: m, log: (message, fields) => logged.push({ message, ...fields }) }).sweep()).toEqual({
      files: 1,
      records: 1,
      rejected: 3,
    });
    expect(fs.readdirSync(dir)).toEqual([]);
    expect(await value(m, "tenet_ipam_stats_files_rejected_total")).toBe(3);
    expect(await value(m, "tenet_ipam_operations_total", { network: "internal" })).toBeUndefined();
    expect(await value(m, "tenet_ipam_operations_total", { network: "good" })).toBe(1);
    expect(logged.map((l) => l.reason)).toEqual([
      "not JSON",
      'record 1: outcome "great" is not one of ok, exhausted, refused, timeout, error',
      "70000 bytes, at most 65536",
    ]);
  });

  it("leaves names the plugin never writes alone, removes temporary files only once stale", async () => {
    const dir = statsDir({ "notes.txt": "mine", "DanmNet_a_b.lock": "1 2\n", ".5-5-e.json.tmp": "{", ".6-6-f.json.tmp": "{" });
    fs.mkdirSync(path.join(dir, "7-7-g.json"));
    const old = (Date.now() - STALE_TEMP_MS - 5_000) / 1000;
    fs.utimesSync(path.join(dir, ".5-5-e.json.tmp"), old, old);
    const m = new AgentMetrics(false);
    expect(await new IpamStatsCollector({ dir, metrics: m }).sweep()).toEqual({ files: 0, records: 0, rejected: 0 });
    expect(fs.readdirSync(dir).sort()).toEqual([".6-6-f.json.tmp", "7-7-g.json", "DanmNet_a_b.lock", "notes.txt"]);
  });

  it("a missing directory is reported once, and start() creates it", async () => {
    const dir = path.join(statsDir(), "ipam-stats");
    const logged: string[] = [];
    const collector = new IpamStatsCollector({ dir, metrics: new AgentMetrics(false), log: (message) => logged.push(message) });
    await collector.sweep();
    await collector.sweep();
    expect(logged).toEqual(["cannot read the IPAM statistics directory; the danm plugin's IPAM metrics are not collected"]);
    await collector.start(60_000);
    collector.stop();
    expect(fs.statSync(dir).isDirectory()).toBe(true);
  });

  it("the metrics text shows the operations in Prometheus' format", async () => {
    const dir = statsDir({ "1-1-a.json": encodeIpamStats([rec({ outcome: "refused" })]) });
    const m = new AgentMetrics(false);
    await new IpamStatsCollector({ dir, metrics: m }).sweep();
    const text = await m.registry.metrics();
    expect(text).toContain('tenet_ipam_operations_total{kind="DanmNet",namespace="team-a",network="internal",operation="allocate",outcome="refused"} 1');
    expect(text).toContain('tenet_ipam_conflicts_total{kind="DanmNet",namespace="team-a",network="internal"} 0');
    expect(text).toContain('tenet_ipam_operation_duration_seconds_count{operation="allocate",outcome="refused"} 1');
  });
});
