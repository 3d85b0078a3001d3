// `npm run test:image`: performs the Dockerfile's steps (the danm client's Go build, npm ci, next build, prune,
// the files the final stage copies) in a temporary directory, then starts every entry point from what
// the final stage holds, as the image's user, against the test control plane. CPU-heavy (npm ci and
// next build: several minutes on 2 cores), so it is not part of `npm test`.
// TENET_IMAGE_DIR=DIR keeps the build there; with TENET_IMAGE_REUSE=1 a later run checks that build again.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import https from "node:https";
import http from "node:http";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { KubeRest } from "../../server/kube/rest";
import { selfSignedCert } from "../../tools/testing/selfSignedCert";
import { buildDockerfile, type Stage } from "./dockerfile";

const REPO = path.resolve(import.meta.dirname, "..", "..");
const cluster = inject("cluster");
const outDir = process.env.TENET_IMAGE_DIR ?? fs.mkdtempSync(path.join(os.tmpdir(), "tenet-image-"));
fs.chmodSync(outDir, 0o755);
let image: Stage;
let app: string;
const started: ChildProcess[] = [];

/** A file the image's user can read (kubeconfigs and keys are 0600 in the test cluster's home). */
function readable(file: string): string {
  const copy = path.join(outDir, "files", path.basename(path.dirname(file)) + "-" + path.basename(file));
  fs.mkdirSync(path.dirname(copy), { recursive: true, mode: 0o755 });
  fs.copyFileSync(file, copy);
  fs.chmodSync(copy, 0o644);
  return copy;
}

/** Runs the image's entrypoint with `args` as the image's USER (setpriv), from the image's WORKDIR. */
function entry(args: string[], env: Record<string, string> = {}, command?: string[]) {
  const [uid, gid] = (image.user ?? "0:0").split(":");
  const argv = [...(command ?? image.entrypoint ?? []), ...(command ? [] : args)];
  const exe = argv[0] === "node" ? process.execPath : argv[0];
  return {
    cmd: "setpriv",
    args: [`--reuid=${uid}`, `--regid=${gid ?? uid}`, "--clear-groups", "--", exe, ...argv.slice(1)],
    options: {
      cwd: app,
      env: { PATH: process.env.PATH!, HOME: "/tmp", TMPDIR: path.join(outDir, "tmp"), ...image.env, ...env } as unknown as NodeJS.ProcessEnv,
    },
  };
}

function start(args: string[], env: Record<string, string> = {}, command?: string[]) {
  const e = entry(args, env, command);
  const child = spawn(e.cmd, e.args, { ...e.options, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout!.on("data", (d) => (output += d));
  child.stderr!.on("data", (d) => (output += d));
  started.push(child);
  return { child, output: () => output };
}

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, "127.0.0.1", () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });

function get(url: string): Promise<{ status: number; body: string }> {
  const client = url.startsWith("https") ? https : http;
  return new Promise((resolve, reject) => {
    client
      .get(url, { rejectUnauthorized: false }, (res) => {
        let body = "";
        res.on("data", (d) => (body += d));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on("error", reject);
  });
}

async function until<T>(what: string, f: () => Promise<T | undefined>, log: () => string, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await f().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`${what} not ready after ${timeoutMs / 1000}s; its output:\n${log()}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

beforeAll(() => {
  const stages = buildDockerfile({ dockerfile: path.join(REPO, "Dockerfile"), context: REPO, outDir, reuse: process.env.TENET_IMAGE_REUSE === "1" });
  image = stages[stages.length - 1];
  app = path.join(image.root, image.workdir);
  fs.mkdirSync(path.join(outDir, "tmp"), { recursive: true });
  fs.chmodSync(path.join(outDir, "tmp"), 0o1777);
  // the final stage's files as root owns them in the image: readable, not writable, by its user
  spawnSync("chmod", ["-R", "go-w", image.root]);
}, 3_600_000);

afterAll(() => {
  for (const c of started) c.kill("SIGTERM");
  if (app) fs.rmSync(path.join(app, ".next", "cache"), { recursive: true, force: true });
});

describe("the image (Dockerfile steps without a container engine)", () => {
  it("holds only what runs: no dev dependencies, no sources of the console, a non-root user", () => {
    expect(image.user).toBe("65532:65532");
    // build tools and optional peers of runtime packages (typescript, prisma, playwright) stay out too (deploy/image/runtimeTree.ts)
    for (const dev of [
      "vitest",
      "oidc-provider",
      "fast-check",
      "tailwindcss",
      "@tailwindcss/postcss",
      "typescript",
      "prisma",
      "@playwright/test",
      "@next/swc-linux-x64-gnu",
      "sharp",
      "@img",
    ])
      expect(fs.existsSync(path.join(app, "node_modules", dev)), dev).toBe(false);
    for (const runtime of ["next", "tsx", "prom-client", "better-sqlite3/build/Release/better_sqlite3.node", "@prisma/client", "@kubernetes/client-node"])
      expect(fs.existsSync(path.join(app, "node_modules", runtime)), runtime).toBe(true);
    // the console's standalone build: next only as far as its server uses it
    expect(fs.existsSync(path.join(app, "node_modules", "next", "dist", "compiled", "webpack"))).toBe(false);
    expect(fs.existsSync(path.join(app, ".next", "BUILD_ID"))).toBe(true);
    expect(fs.existsSync(path.join(app, ".next", "static"))).toBe(true);
    expect(fs.existsSync(path.join(app, ".next", "cache"))).toBe(false);
    expect(fs.existsSync(path.join(app, "components"))).toBe(false);
    const size = Number(spawnSync("du", ["-sm", app], { encoding: "utf8" }).stdout.split("\t")[0]);
    const modules = Number(spawnSync("du", ["-sm", path.join(app, "node_modules")], { encoding: "utf8" }).stdout.split("\t")[0]);
    console.warn(`image /app: ${size} MB, of which node_modules ${modules} MB (plus the node:20-bookworm-slim base)`);
    expect(size).toBeLessThan(400);
  });

  it("`tenet help` lists every entry point", () => {
    const e = entry(["help"]);
    const r = spawnSync(e.cmd, e.args, { ...e.options, encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    for (const command of ["webhook", "controllers", "agent", "install-cni", "cni-daemon", "db migrate", "validate"])
      expect(r.stdout).toContain(`tenet ${command}`);
  });

  it("`tenet webhook` serves /readyz once its caches synced with the cluster", async () => {
    const tls = selfSignedCert(fs.mkdtempSync(path.join(outDir, "tls-")));
    fs.chmodSync(tls.dir, 0o755);
    fs.chmodSync(tls.keyFile, 0o644);
    const port = await freePort();
    const p = start([
      "webhook",
      "--cert-file",
      tls.certFile,
      "--key-file",
      tls.keyFile,
      "--port",
      String(port),
      "--host",
      "127.0.0.1",
      "--kubeconfig",
      readable(cluster.controlPlane.kubeconfigs["tenet-webhook"]),
    ]);
    await until("webhook", async () => ((await get(`https://127.0.0.1:${port}/readyz`)).status === 200 ? true : undefined), p.output);
    const metrics = await get(`https://127.0.0.1:${port}/metrics`);
    expect(metrics.body).toContain("tenet_webhook_request_duration_seconds");
    // structured JSON logs
    expect(
      p
        .output()
        .split("\n")
        .find((l) => l.includes("listening")),
    ).toMatch(/^\{"time":.*"component":"webhook"/);
  });

  it("`tenet controllers` leads, reconciles and exports pool and VNI gauges", async () => {
    const port = await freePort();
    const p = start([
      "controllers",
      "--kubeconfig",
      readable(cluster.controlPlane.kubeconfigs.admin),
      "--metrics-port",
      String(port),
      "--metrics-host",
      "127.0.0.1",
      "--lease-namespace",
      "tenet-system",
      "--interval-seconds",
      "2",
    ]);
    const body = await until(
      "controllers metrics",
      async () => {
        const r = await get(`http://127.0.0.1:${port}/metrics`);
        return r.body.includes("tenet_vni_range_utilisation_ratio{") ? r.body : undefined;
      },
      p.output,
    );
    expect(body).toMatch(/tenet_network_pool_utilisation_ratio\{kind="ClusterNetwork"/);
    expect((await get(`http://127.0.0.1:${port}/leader`)).body).toBe("leader");
  });

  it("`tenet agent` publishes its node's NodeNetworkStatus", async () => {
    const node = `image-test-${process.pid}`;
    const admin = await KubeRest.fromFile(cluster.controlPlane.kubeconfigs.admin);
    const p = start([
      "agent",
      "--node",
      node,
      "--kubeconfig",
      readable(cluster.controlPlane.kubeconfigs.admin),
      "--not-applied",
      "image test: no host interfaces",
    ]);
    const status = await until("agent status", () => admin.call<{ metadata: { name: string } }>(`/apis/danm.k8s.io/v1/nodenetworkstatuses/${node}`), p.output);
    expect(status.metadata.name).toBe(node);
    await admin.call(`/apis/danm.k8s.io/v1/nodenetworkstatuses/${node}`, { method: "DELETE" }).catch(() => undefined);
  });

  // the host directories of the install-cni test, which the cni-daemon test serves
  let host: string | undefined;
  const daemonSocket = () => path.join(host!, "run", "danm.sock");

  it("`tenet install-cni` writes the danm executable (the Go client the image built) and the configuration naming the daemon's socket; the client answers VERSION", () => {
    host = fs.mkdtempSync(path.join(outDir, "host-"));
    fs.chmodSync(host, 0o777);
    const token = path.join(host, "token");
    fs.writeFileSync(token, "not-a-real-token\n", { mode: 0o644 });
    const e = entry([
      "install-cni",
      "--once",
      "--server",
      cluster.controlPlane.server,
      "--ca-file",
      readable(cluster.controlPlane.caFile),
      "--token-file",
      token,
      "--bin-dir",
      `${host}/bin`,
      "--conf-dir",
      `${host}/net.d`,
      "--host-bin-dir",
      `${host}/bin`,
      "--host-conf-dir",
      `${host}/net.d`,
      "--daemon-socket",
      daemonSocket(),
    ]);
    const r = spawnSync(e.cmd, e.args, { ...e.options, encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    expect(fs.readdirSync(path.join(host, "bin"))).toEqual(["danm"]);
    // a static executable, not a script: the Dockerfile's Go stage built it
    expect(fs.readFileSync(path.join(host, "bin", "danm")).subarray(0, 4)).toEqual(Buffer.from([0x7f, 0x45, 0x4c, 0x46]));
    expect(fs.readFileSync(path.join(host, "bin", "danm"))).toEqual(fs.readFileSync(path.join(app, "dist", "danm")));
    expect(JSON.parse(fs.readFileSync(path.join(host, "net.d", "00-danm.conf"), "utf8"))).toMatchObject({ type: "danm", daemonSocket: daemonSocket() });
    const version = spawnSync(path.join(host, "bin", "danm"), [], {
      encoding: "utf8",
      input: JSON.stringify({ cniVersion: "1.0.0" }),
      env: { CNI_COMMAND: "VERSION", PATH: "/usr/bin:/bin" } as unknown as NodeJS.ProcessEnv,
    });
    expect(version.status, version.stderr).toBe(0);
    expect(JSON.parse(version.stdout).supportedVersions).toContain("1.0.0");
  });

  it("`tenet cni-daemon` serves the installed client over its socket: the DaemonSet's probe passes, an ADD gets the daemon's CNI error, a DEL succeeds; stopped, the probe fails", async () => {
    expect(host, "the install-cni test ran").toBeDefined();
    const socket = daemonSocket();
    fs.mkdirSync(path.dirname(socket), { recursive: true, mode: 0o777 });
    fs.chmodSync(path.dirname(socket), 0o777);
    const node = `image-test-${process.pid}`;
    const p = start(["cni-daemon", "--socket", socket, "--node", node]);
    // the DaemonSet's readiness and liveness probe, run from the image as it runs it
    const probe = () => spawnSync(path.join(app, "dist", "danm"), ["--probe", `--socket=${socket}`, "--timeout=5s"], { encoding: "utf8" });
    const ready = await until(
      "cni-daemon",
      async () => {
        const r = probe();
        return r.status === 0 ? r : undefined;
      },
      p.output,
    );
    expect(ready.stdout).toContain(`the danm daemon at ${socket} answers`);
    const listening = p
      .output()
      .split("\n")
      .find((l) => l.includes('"msg":"listening"'));
    expect(JSON.parse(listening ?? "{}")).toMatchObject({ time: expect.any(String), level: "info", component: "cni-daemon", node });
    const rssKiB = Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${p.child.pid}/status`, "utf8"))?.[1]);
    console.warn(`cni-daemon resident memory after start: ${Math.round(rssKiB / 1024)} MiB (deploy/cni/daemonset.yaml requests 256Mi, limits 768Mi)`);
    expect(rssKiB / 1024, "well below the DaemonSet's memory limit").toBeLessThan(512);

    // the runtime's call: the installed client, the installed netconf, here with a kubeconfig that reaches the test cluster
    const state = fs.mkdtempSync(path.join(outDir, "cni-state-"));
    fs.chmodSync(state, 0o777);
    const netconf = {
      ...JSON.parse(fs.readFileSync(path.join(host!, "net.d", "00-danm.conf"), "utf8")),
      kubeconfig: readable(cluster.controlPlane.kubeconfigs.admin),
      ipamLockDir: `${state}/ipam`,
      ipamStatsDir: `${state}/ipam-stats`,
    };
    const cni = (command: string) =>
      spawnSync(path.join(host!, "bin", "danm"), [], {
        encoding: "utf8",
        input: JSON.stringify(netconf),
        env: {
          CNI_COMMAND: command,
          CNI_CONTAINERID: "image-test-sandbox",
          CNI_NETNS: "/var/run/netns/image-test",
          CNI_IFNAME: "eth0",
          CNI_PATH: "/opt/cni/bin",
          CNI_ARGS: "K8S_POD_NAMESPACE=default;K8S_POD_NAME=no-such-pod",
          PATH: "/usr/bin:/bin",
        } as unknown as NodeJS.ProcessEnv,
      });
    const add = cni("ADD");
    expect(add.status, add.stdout).toBe(1);
    const error = JSON.parse(add.stdout);
    // the daemon's answer (it read the Pod from the API server), not the client's "unreachable"
    expect(error, add.stdout).toMatchObject({ cniVersion: "1.0.0", code: 3, msg: "pod default/no-such-pod does not exist in the API server" });
    const del = cni("DEL");
    expect(del.status, del.stdout).toBe(0);
    expect(del.stdout).toBe("");

    p.child.kill("SIGTERM");
    await until("cni-daemon to stop", async () => (p.child.exitCode !== null ? p.child.exitCode : undefined), p.output, 40_000);
    expect(p.child.exitCode).toBe(0);
    const stopped = probe();
    expect(stopped.status).toBe(1);
    expect(stopped.stderr).toContain(`the danm daemon at ${socket}: unreachable`);
    // and the runtime's next request fails at once with "try again later"
    expect(JSON.parse(cni("ADD").stdout)).toMatchObject({ code: 11, msg: expect.stringContaining(`the danm daemon is unreachable at ${socket}`) });
  });

  it("`tenet db migrate` then `tenet console` (the chart's command): the console serves its sign-in page with SQLite and logs JSON lines", async () => {
    const data = fs.mkdtempSync(path.join(outDir, "data-"));
    fs.chmodSync(data, 0o777);
    const env = { DATABASE_URL: `file:${data}/console.db`, TENET_CONSOLE_KUBECONFIG: readable(cluster.controlPlane.kubeconfigs["tenet-console"]) };
    const m = entry(["db", "migrate"], env);
    const migrated = spawnSync(m.cmd, m.args, { ...m.options, encoding: "utf8" });
    expect(migrated.status, migrated.stderr).toBe(0);
    // the chart mounts an emptyDir here (the image's files are read-only to its user)
    fs.mkdirSync(path.join(app, ".next", "cache"), { recursive: true, mode: 0o777 });
    fs.chmodSync(path.join(app, ".next", "cache"), 0o777);
    const port = await freePort();
    const p = start(["console", "--port", String(port), "--hostname", "127.0.0.1"], env);
    const page = await until(
      "console",
      async () => {
        const r = await get(`http://127.0.0.1:${port}/signin`);
        return r.status === 200 ? r.body : undefined;
      },
      p.output,
      120_000,
    );
    expect(page).toContain("/_next/static/");
    // the API (tRPC, server bundle) answers too: the sign-in methods, no OIDC configured
    const methods = await get(`http://127.0.0.1:${port}/api/trpc/auth.methods`);
    expect(methods.status, methods.body).toBe(200);
    expect(JSON.parse(methods.body)).toMatchObject({ result: { data: expect.anything() } });
    expect((await get(`http://127.0.0.1:${port}/api/metrics`)).body).toContain("tenet_console_trpc_calls_total");
    // the image sets TENET_LOG_FORMAT=json: Next's startup lines too are JSON objects
    const lines = p.output().split("\n").filter(Boolean);
    expect(
      lines.some((l) => /"msg":"Ready in/.test(l)),
      p.output(),
    ).toBe(true);
    for (const line of lines) expect(JSON.parse(line), line).toMatchObject({ time: expect.any(String), component: "console", msg: expect.any(String) });
  });
});
