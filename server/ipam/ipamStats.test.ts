// What the plugin records about its IPAM operations (NetworkIpam's `observe`) and how it leaves the
// records for the node agent (IpamStatsRecorder).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { NetworkKind, NetworkObject } from "../domain/api/network";
import { decodeIpamStats, type IpamOperationRecord } from "../domain/ipam/operationStats";
import { defaultV4Pool } from "../domain/ipam/pool";
import { IpamError, NetworkIpam, type NetworkStore } from "./networkIpam";
import type { NetworkRef } from "../domain/networkRef";
import { IpamStatsRecorder, MAX_PENDING_FILES } from "./ipamStats";
import { installCni } from "../../tools/cli/installCni";
import { acquireNodeLock, networkLockFile, networkLocks } from "./nodeLock";
import { parseNetConf } from "../cni/protocol";

const statusError = (status: number, message = `HTTP ${status}`) => Object.assign(new Error(message), { status });

/**
 * One network kept as the API server keeps it (a write bumps resourceVersion, a stale write gets 409);
 * `intruders` times, another writer changes it between an attempt's read and its write.
 */
class OneNetworkStore implements NetworkStore {
  version = 1;
  intruders = 0;
  failReads?: number;
  constructor(public net: NetworkObject) {}
  async get(): Promise<NetworkObject> {
    await new Promise((r) => setImmediate(r));
    if (this.failReads) throw statusError(this.failReads);
    return structuredClone({ ...this.net, metadata: { ...this.net.metadata, resourceVersion: String(this.version) } });
  }
  async replace(_kind: NetworkKind, next: NetworkObject): Promise<NetworkObject> {
    if (this.intruders > 0) {
      this.intruders--;
      this.version++;
    }
    if (next.metadata.resourceVersion !== String(this.version)) throw statusError(409, "the object has been modified");
    this.version++;
    this.net = next;
    return next;
  }
}

const ref: NetworkRef = { kind: "TenantNetwork", name: "blue", namespace: "team-a" };
const network = (cidr: string): NetworkObject =>
  ({
    apiVersion: "danm.k8s.io/v1",
    kind: "TenantNetwork",
    metadata: { name: "blue", namespace: "team-a" },
    spec: { NetworkID: "blue", NetworkType: "ipvlan", Options: defaultV4Pool({ cidr }) },
  }) as NetworkObject;
const fast = { baseDelayMs: 1, maxDelayMs: 4 };

function observed(store: NetworkStore, options: ConstructorParameters<typeof NetworkIpam>[1] = {}) {
  const records: IpamOperationRecord[] = [];
  return { records, ipam: new NetworkIpam(store, { retry: fast, ...options, observe: (r) => records.push(r) }) };
}
const settle = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e,
  );

const dirs: string[] = [];
const tempDir = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tenet-ipam-stats-"));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe("NetworkIpam reports every operation", () => {
  it("allocate and free that succeed: outcome ok, the network, a duration, no conflicts", async () => {
    const { records, ipam } = observed(new OneNetworkStore(network("10.1.0.0/24")));
    const { ip } = await ipam.allocate(ref, { ip: "dynamic" });
    await ipam.free(ref, { ip });
    expect(records).toEqual([
      {
        kind: "TenantNetwork",
        namespace: "team-a",
        network: "blue",
        operation: "allocate",
        outcome: "ok",
        seconds: expect.any(Number),
        conflicts: 0,
        lockWaitSeconds: 0,
      },
      {
        kind: "TenantNetwork",
        namespace: "team-a",
        network: "blue",
        operation: "free",
        outcome: "ok",
        seconds: expect.any(Number),
        conflicts: 0,
        lockWaitSeconds: 0,
      },
    ]);
    expect(records.every((r) => r.seconds > 0)).toBe(true);
  });

  it("counts the 409 conflicts it retried past", async () => {
    const store = new OneNetworkStore(network("10.1.0.0/24"));
    store.intruders = 3;
    const { records, ipam } = observed(store);
    await ipam.allocate(ref, { ip: "dynamic" });
    expect(records).toEqual([expect.objectContaining({ outcome: "ok", conflicts: 3 })]);
  });

  it("a full pool is 'exhausted', a static address in use 'refused'", async () => {
    const { records, ipam } = observed(new OneNetworkStore(network("10.1.0.0/30")));
    await ipam.allocate(ref, { ip: "dynamic" });
    await ipam.allocate(ref, { ip: "dynamic" });
    const full = await settle(ipam.allocate(ref, { ip: "dynamic" }));
    expect((full as IpamError).rule).toBe("A-5");
    const taken = await settle(ipam.allocate(ref, { ip: "10.1.0.1/30" }));
    expect((taken as IpamError).rule).toBe("A-4");
    expect(records.map((r) => r.outcome)).toEqual(["ok", "ok", "exhausted", "refused"]);
  });

  it("losing to other writers until the attempts run out is 'timeout', with every conflict counted", async () => {
    const store = new OneNetworkStore(network("10.1.0.0/24"));
    store.intruders = 100;
    const { records, ipam } = observed(store, { retry: { ...fast, maxAttempts: 4 } });
    expect(((await settle(ipam.allocate(ref, { ip: "dynamic" }))) as IpamError).details.timedOut).toBe(true);
    expect(records).toEqual([expect.objectContaining({ operation: "allocate", outcome: "timeout", conflicts: 4 })]);
  });

  it("an API server that refuses is 'error'; a ClusterNetwork is recorded without namespace", async () => {
    const store = new OneNetworkStore(network("10.1.0.0/24"));
    store.failReads = 500;
    const { records, ipam } = observed(store);
    await settle(ipam.free({ kind: "ClusterNetwork", name: "external" }, { ip: "10.1.0.5/24" }));
    expect(records).toEqual([expect.objectContaining({ kind: "ClusterNetwork", namespace: "", network: "external", operation: "free", outcome: "error" })]);
  });

  it("measures the wait for the node lock inside the duration; a wait that never ends is 'timeout'", async () => {
    const dir = tempDir();
    const held = await acquireNodeLock(networkLockFile(dir, ref), { waitMs: 0, what: "test" });
    setTimeout(() => held.release(), 300);
    const { records, ipam } = observed(new OneNetworkStore(network("10.1.0.0/24")), { exclusive: networkLocks(dir, () => undefined) });
    await ipam.allocate(ref, { ip: "dynamic" });
    expect(records[0].outcome).toBe("ok");
    expect(records[0].lockWaitSeconds).toBeGreaterThan(0.25);
    expect(records[0].seconds).toBeGreaterThanOrEqual(records[0].lockWaitSeconds);

    const again = await acquireNodeLock(networkLockFile(dir, ref), { waitMs: 0, what: "test" });
    try {
      const deadline = performance.now() + 200;
      const stuck = observed(new OneNetworkStore(network("10.1.0.0/24")), { exclusive: networkLocks(dir, () => undefined), deadline: () => deadline });
      await settle(stuck.ipam.allocate(ref, { ip: "dynamic" }));
      expect(stuck.records).toEqual([expect.objectContaining({ outcome: "timeout", conflicts: 0 })]);
      expect(stuck.records[0].lockWaitSeconds).toBeGreaterThan(0.15);
    } finally {
      again.release();
    }
  });

  it("an observer that throws changes nothing for the caller", async () => {
    const ipam = new NetworkIpam(new OneNetworkStore(network("10.1.0.0/24")), {
      observe: () => {
        throw new Error("broken observer");
      },
    });
    expect(await ipam.allocate(ref, { ip: "dynamic" })).toEqual({ ip: "10.1.0.1/24", ip6: "" });
  });
});

describe("IpamStatsRecorder", () => {
  const rec = (over: Partial<IpamOperationRecord> = {}): IpamOperationRecord => ({
    kind: "DanmNet",
    namespace: "team-b",
    network: "internal",
    operation: "allocate",
    outcome: "ok",
    seconds: 0.04,
    conflicts: 1,
    lockWaitSeconds: 0.01,
    ...over,
  });

  it("leaves one complete file per run with all its records, and no temporary file", () => {
    const dir = tempDir();
    const lines: string[] = [];
    const recorder = new IpamStatsRecorder(dir, (l) => lines.push(l));
    recorder.record(rec());
    recorder.record(rec({ operation: "free", outcome: "error" }));
    const name = recorder.flush();
    expect(fs.readdirSync(dir)).toEqual([name]);
    expect(decodeIpamStats(fs.readFileSync(path.join(dir, name!), "utf8"))).toEqual({
      ok: true,
      records: [rec(), rec({ operation: "free", outcome: "error" })],
    });
    // flushed records are gone: a second flush writes nothing
    expect(recorder.flush()).toBeUndefined();
    expect(fs.readdirSync(dir)).toHaveLength(1);
    expect(lines).toEqual([]);
  });

  it("a run without IPAM operations writes nothing", () => {
    const dir = tempDir();
    expect(new IpamStatsRecorder(dir, () => undefined).flush()).toBeUndefined();
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it("drops a record the agent would refuse instead of spoiling the file", () => {
    const dir = tempDir();
    const recorder = new IpamStatsRecorder(dir, () => undefined);
    recorder.record(rec({ kind: "danmnet" as never }));
    recorder.record(rec());
    expect(recorder.pending).toEqual([rec()]);
  });

  it("a missing directory (no agent on this node) is skipped without a word, and not created", () => {
    const dir = path.join(tempDir(), "absent");
    const lines: string[] = [];
    const recorder = new IpamStatsRecorder(dir, (l) => lines.push(l));
    recorder.record(rec());
    expect(recorder.flush()).toBeUndefined();
    expect(fs.existsSync(dir)).toBe(false);
    expect(lines).toEqual([]);
  });

  it("a directory nobody empties stops growing at the cap, with one line on stderr per run", () => {
    const dir = tempDir();
    for (let i = 0; i < MAX_PENDING_FILES; i++) fs.writeFileSync(path.join(dir, `${i}-1-a.json`), "{}");
    const lines: string[] = [];
    const recorder = new IpamStatsRecorder(dir, (l) => lines.push(l));
    recorder.record(rec());
    expect(recorder.flush()).toBeUndefined();
    expect(fs.readdirSync(dir)).toHaveLength(MAX_PENDING_FILES);
    expect(lines).toEqual([`IPAM statistics not recorded: ${dir} already holds ${MAX_PENDING_FILES} files (is the tenet node agent collecting them?)`]);
  });

  it("a path that is not a usable directory costs one line and nothing else", () => {
    const file = path.join(tempDir(), "a-file");
    fs.writeFileSync(file, "");
    const lines: string[] = [];
    const recorder = new IpamStatsRecorder(file, (l) => lines.push(l));
    recorder.record(rec());
    expect(recorder.flush()).toBeUndefined();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^IPAM statistics not recorded: cannot read ${file}: .*ENOTDIR`));
  });
});

describe("netconf ipamStatsDir", () => {
  it("the CNI installer writes the directory it is given into 00-danm.conf and the plugin reads it from there; absent, the plugin's default applies", () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, "plugin.mjs"), ""); // any file: only the netconf is read here
    fs.writeFileSync(path.join(dir, "ca.crt"), "CA");
    fs.writeFileSync(path.join(dir, "token"), "t");
    const install = (ipamStatsDir?: string) => {
      const conf = path.join(dir, "conf");
      installCni({
        plugin: path.join(dir, "plugin.mjs"),
        binDir: path.join(dir, "bin"),
        confDir: conf,
        hostBinDir: "/opt/cni/bin",
        hostConfDir: "/etc/cni/net.d",
        server: "https://10.96.0.1",
        caFile: path.join(dir, "ca.crt"),
        tokenFile: path.join(dir, "token"),
        ipamStatsDir,
      });
      return parseNetConf(fs.readFileSync(path.join(conf, "00-danm.conf"), "utf8"), "ADD");
    };
    expect(install("/run/custom/ipam-stats").ipamStatsDir).toBe("/run/custom/ipam-stats");
    expect(install(undefined).ipamStatsDir).toBeUndefined();
    expect(() => parseNetConf(JSON.stringify({ kubeconfig: "/k", ipamStatsDir: 7 }), "ADD")).toThrow(
      'network configuration "danm": ipamStatsDir must be a string',
    );
  });
});
