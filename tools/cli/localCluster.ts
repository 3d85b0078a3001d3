// The local cluster: a real control plane, tenet's CRDs, RBAC and webhook, and demo data.
// Used by `tenet cluster up|down|status`, by `npm start` and by the integration tests' global setup.
import fs from "node:fs";
import https from "node:https";
import path from "node:path";
import { applyObjects, createIfAbsent, readManifestFile, waitForCrds } from "../../server/kube/apply";
import { loadKubeConfig } from "../../server/kube/config";
import { webhookConfigurations } from "../../deploy/webhook/configurations";
import { ensureControlPlaneBinary, REPO_ROOT } from "./controlplaneBinary";
import { DEMO_USERS } from "./demoUsers";
import { freePort, isAlive, readPid, startDetached, stopProcess, tail, waitFor } from "./processes";
import { simulatedNodesStatus, startSimulatedNodes, stopSimulatedNodes } from "./simulatedNodes";

/** What the control plane prints when ready (tools/controlplane, state.json). */
export interface ControlPlaneState {
  ready: boolean;
  server: string;
  port: number;
  caFile: string;
  webhookCertFile: string;
  webhookKeyFile: string;
  kubeconfigs: Record<string, string>;
  tokens: Record<string, string>;
  pid: number;
  dataDir: string;
}

export interface LocalCluster {
  home: string;
  controlPlane: ControlPlaneState;
  webhookPort: number;
  webhookPid: number;
  /** Pods run: the nodes are real (kubelet and containerd). */
  realNodes: boolean;
  kubeconfig(user: string): string;
}

export interface UpOptions {
  /** Where everything lives; default <repo>/.tenet */
  home?: string;
  /** Remove the data when stopped, no fsync (tests). */
  ephemeral?: boolean;
  /** Seed namespaces, demo bindings, the example TenantConfig and ClusterNetworks. */
  seed?: boolean;
  /** Run the controllers process (reconcilers); tests run what they test in-process instead. */
  controllers?: boolean;
  /**
   * Nodes: "real" (kubelet + containerd per node, tools/cli/realNodes.ts; falls back to simulated
   * with the reason where they cannot run), "simulated" (node-1..3: a node agent each, no Pods run),
   * or false. Default: simulated when the controllers run, else none.
   */
  nodes?: "real" | "simulated" | false;
  /** How many real nodes (default 2). */
  nodeCount?: number;
  /** Extra flags of `tenet controllers` (tests shorten the reconcilers' interval and grace). */
  controllerFlags?: string[];
  say?: (line: string) => void;
}

export function defaultHome() {
  return process.env.TENET_HOME ?? path.join(REPO_ROOT, ".tenet");
}

const paths = (home: string) => ({
  bin: path.join(home, "bin"),
  data: path.join(home, "cluster"),
  state: path.join(home, "cluster", "state.json"),
  run: path.join(home, "run"),
  logs: path.join(home, "logs"),
  controlPlanePid: path.join(home, "run", "controlplane.pid"),
  controlPlaneArgs: path.join(home, "run", "controlplane.args"),
  webhookPid: path.join(home, "run", "webhook.pid"),
  webhookPortFile: path.join(home, "run", "webhook.port"),
  controlPlaneLog: path.join(home, "logs", "controlplane.log"),
  webhookLog: path.join(home, "logs", "webhook.log"),
  controllersPid: path.join(home, "run", "controllers.pid"),
  controllersLog: path.join(home, "logs", "controllers.log"),
});

function readState(file: string): ControlPlaneState | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8")) as ControlPlaneState;
  } catch {
    return undefined;
  }
}

function httpsGet(url: string, ca: Buffer, token?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = https.get(url, { ca, headers: token ? { authorization: `Bearer ${token}` } : {}, timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("error", reject);
    req.on("timeout", () => req.destroy(new Error("timeout")));
  });
}

async function controlPlaneReady(state: ControlPlaneState): Promise<boolean> {
  try {
    return (await httpsGet(`${state.server}/readyz`, fs.readFileSync(state.caFile), state.tokens.admin)) === 200;
  } catch {
    return false;
  }
}

export async function startControlPlane(home: string, options: UpOptions): Promise<{ state: ControlPlaneState; started: boolean }> {
  const p = paths(home);
  const say = options.say ?? (() => {});
  // node health and Pod GC only where kubelets back the Nodes; elsewhere they would remove the Pods
  // that simulated nodes and tests standing in for kubelets bind to Nodes
  const args = [
    "--data-dir",
    p.data,
    "--controllers",
    options.nodes === "real" ? "default" : "no-nodes",
    ...Object.entries(DEMO_USERS).flatMap(([u, g]) => ["--user", `${u}=${g}`]),
  ];
  if (options.ephemeral) args.push("--ephemeral");
  const running = readPid(p.controlPlanePid);
  const existing = readState(p.state);
  if (isAlive(running) && existing && existing.pid === running && (await controlPlaneReady(existing))) {
    const previousArgs = fs.existsSync(p.controlPlaneArgs) ? fs.readFileSync(p.controlPlaneArgs, "utf8") : "";
    if (previousArgs === JSON.stringify(args)) {
      say(`control plane already running at ${existing.server} (pid ${running})`);
      return { state: existing, started: false };
    }
    say("restarting the control plane: it runs with other settings (users or controllers) than these nodes need");
    await stopProcess(running, 30_000);
  }
  const binary = await ensureControlPlaneBinary(p.bin, say);
  fs.rmSync(p.state, { force: true });
  const started = Date.now();
  const pid = startDetached(binary, args, { logFile: p.controlPlaneLog, pidFile: p.controlPlanePid });
  fs.writeFileSync(p.controlPlaneArgs, JSON.stringify(args));
  say(`starting the control plane (pid ${pid}, log ${path.relative(process.cwd(), p.controlPlaneLog)})`);
  const state = await waitFor(
    "control plane",
    () => {
      const s = readState(p.state);
      return s?.ready && s.pid === pid ? s : undefined;
    },
    { timeoutMs: 180_000, intervalMs: 100, abort: () => (isAlive(pid) ? undefined : `exited during start-up:\n${tail(p.controlPlaneLog)}`) },
  );
  say(`control plane ready at ${state.server} in ${((Date.now() - started) / 1000).toFixed(1)}s`);
  return { state, started: true };
}

async function installTenet(state: ControlPlaneState, say: (l: string) => void) {
  const kc = loadKubeConfig(state.kubeconfigs.admin);
  const dir = (d: string) =>
    fs
      .readdirSync(path.join(REPO_ROOT, d))
      .filter((f) => f.endsWith(".yaml"))
      .sort()
      .flatMap((f) => readManifestFile(path.join(REPO_ROOT, d, f)));
  // tenet's CRDs and, so the node agent's NAD support can be tried, Multus's NetworkAttachmentDefinition
  const crds = [...dir("deploy/crds"), ...dir("deploy/multus")];
  await applyObjects(kc, [...readManifestFile(path.join(REPO_ROOT, "deploy/namespace.yaml")), ...crds, ...dir("deploy/rbac")]);
  await waitForCrds(
    kc,
    crds.map((c) => c.metadata!.name!),
  );
  say(`installed ${crds.length} CRDs and RBAC`);
}

export async function startWebhook(home: string, state: ControlPlaneState, say: (l: string) => void = () => {}): Promise<{ port: number; pid: number }> {
  const p = paths(home);
  const ca = fs.readFileSync(state.caFile);
  let port = Number(fs.existsSync(p.webhookPortFile) ? fs.readFileSync(p.webhookPortFile, "utf8") : 0);
  const running = readPid(p.webhookPid);
  if (port && isAlive(running)) {
    const ok = await httpsGet(`https://127.0.0.1:${port}/readyz`, ca).catch(() => 0);
    if (ok === 200) return { port, pid: running };
    await stopProcess(running);
  }
  if (!port) port = await freePort();
  fs.mkdirSync(p.run, { recursive: true });
  fs.writeFileSync(p.webhookPortFile, String(port));
  const args = [
    path.join(REPO_ROOT, "tools/cli/tenet.mjs"),
    "webhook",
    "--cert-file",
    state.webhookCertFile,
    "--key-file",
    state.webhookKeyFile,
    "--port",
    String(port),
    "--host",
    "127.0.0.1",
    "--kubeconfig",
    state.kubeconfigs["tenet-webhook"],
  ];
  const pid = startDetached(process.execPath, args, { logFile: p.webhookLog, pidFile: p.webhookPid, cwd: REPO_ROOT });
  await waitFor("webhook", async () => ((await httpsGet(`https://127.0.0.1:${port}/readyz`, ca)) === 200 ? true : undefined), {
    timeoutMs: 60_000,
    abort: () => (isAlive(pid) ? undefined : `exited during start-up:\n${tail(p.webhookLog)}`),
  });
  say(`webhook serving on https://127.0.0.1:${port} (pid ${pid})`);
  return { port, pid };
}

/** The controllers process (reconcilers, leader-elected), metrics on a free loopback port. */
async function startControllers(home: string, state: ControlPlaneState, say: (l: string) => void, flags: string[] = []): Promise<number> {
  const p = paths(home);
  const running = readPid(p.controllersPid);
  if (isAlive(running)) return running;
  const port = await freePort();
  // the IP usage sampler writes history into the console's database (tools/cli/consoleAccounts.ts consoleDatabaseUrl)
  const args = [
    path.join(REPO_ROOT, "tools/cli/tenet.mjs"),
    "controllers",
    "--kubeconfig",
    state.kubeconfigs["tenet-controllers"],
    "--metrics-host",
    "127.0.0.1",
    "--metrics-port",
    String(port),
    "--database-url",
    `file:${path.join(home, "console.db")}`,
    ...flags,
  ];
  const pid = startDetached(process.execPath, args, { logFile: p.controllersLog, pidFile: p.controllersPid, cwd: REPO_ROOT });
  say(`controllers running (pid ${pid}, metrics http://127.0.0.1:${port}/metrics)`);
  return pid;
}

export async function stopWebhook(home: string): Promise<boolean> {
  return stopProcess(readPid(paths(home).webhookPid));
}

async function registerWebhook(state: ControlPlaneState, port: number) {
  const kc = loadKubeConfig(state.kubeconfigs.admin);
  const caBundle = fs.readFileSync(state.caFile).toString("base64");
  await applyObjects(kc, webhookConfigurations({ url: `https://127.0.0.1:${port}`, caBundle }, {}, "tenet-local"));
}

async function seedDemo(state: ControlPlaneState, say: (l: string) => void) {
  const admin = loadKubeConfig(state.kubeconfigs.admin);
  await applyObjects(admin, readManifestFile(path.join(REPO_ROOT, "deploy/demo/bindings.yaml")));
  // the example objects go through the webhook as the netadmin would create them
  const netadmin = loadKubeConfig(state.kubeconfigs.netadmin);
  const examples = ["examples/tenantconfig.yaml", "examples/clusternetworks.yaml"].flatMap((f) => readManifestFile(path.join(REPO_ROOT, f)));
  const { created } = await waitFor("seeding", () => createIfAbsent(netadmin, examples), { timeoutMs: 30_000, intervalMs: 500 });
  if (created.length) say(`seeded ${created.join(", ")}`);
}

export async function clusterUp(options: UpOptions = {}): Promise<LocalCluster> {
  const home = options.home ?? defaultHome();
  const say = options.say ?? (() => {});
  const { state: controlPlane, started } = await startControlPlane(home, options);
  if (started) {
    // processes from an earlier run hold the old address and credentials
    const p = paths(home);
    await stopProcess(readPid(p.controllersPid));
    await stopProcess(readPid(p.webhookPid));
  }
  await installTenet(controlPlane, say);
  const webhook = await startWebhook(home, controlPlane, say);
  await registerWebhook(controlPlane, webhook.port);
  if (options.seed !== false) {
    await seedDemo(controlPlane, say);
    const { seedConsoleAccounts } = await import("./consoleAccounts");
    await seedConsoleAccounts(home, say);
  }
  if (options.controllers !== false) await startControllers(home, controlPlane, say, options.controllerFlags);
  const nodes = options.nodes ?? (options.controllers !== false ? "simulated" : false);
  let realNodes = false;
  if (nodes === "real") {
    const { realNodesRunning, realNodesUnavailable, startRealNodes } = await import("./realNodes");
    const unavailable = realNodesUnavailable();
    if (unavailable) {
      say(`real nodes cannot run here: ${unavailable}; starting simulated nodes instead (node agents only, Pods do not run)`);
      await startSimulatedNodes(home, controlPlane, { restart: started, say });
    } else {
      // simulated nodes used the same namespace and pid file names; only stop them when no real nodes run
      if (!realNodesRunning(home)) await stopSimulatedNodes(home);
      await startRealNodes(home, controlPlane, {
        binary: await ensureControlPlaneBinary(paths(home).bin, say),
        count: options.nodeCount,
        restart: started,
        say,
      });
      realNodes = true;
      // Pods without the interfaces annotation get ClusterNetwork default (created as the netadmin would)
      const { created } = await createIfAbsent(
        loadKubeConfig(controlPlane.kubeconfigs.netadmin),
        readManifestFile(path.join(REPO_ROOT, "deploy/demo/default-network.yaml")),
      );
      if (created.length) say(`default network: ${created.join(", ")}`);
    }
  } else if (nodes === "simulated") {
    const { stopRealNodes } = await import("./realNodes");
    await stopRealNodes(home);
    await startSimulatedNodes(home, controlPlane, { restart: started, say });
  }
  return { home, controlPlane, webhookPort: webhook.port, webhookPid: webhook.pid, realNodes, kubeconfig: (user) => controlPlane.kubeconfigs[user] };
}

/** The demo workload (examples/workload.yaml) as alice creates it, unless it is there already; for `npm start` and `cluster up` on real nodes. */
export async function seedDemoWorkload(cluster: LocalCluster, say: (l: string) => void): Promise<void> {
  const alice = loadKubeConfig(cluster.kubeconfig("alice"));
  const { created } = await createIfAbsent(alice, readManifestFile(path.join(REPO_ROOT, "examples/workload.yaml")));
  if (created.length) say(`demo workload (examples/workload.yaml, as alice in team-a): created ${created.join(", ")}`);
}

export async function clusterDown(home = defaultHome()): Promise<string[]> {
  const p = paths(home);
  const { stopRealNodes } = await import("./realNodes");
  const stopped: string[] = [...(await stopRealNodes(home)), ...(await stopSimulatedNodes(home))];
  if (await stopProcess(readPid(p.controllersPid))) stopped.push("controllers");
  if (await stopProcess(readPid(p.webhookPid))) stopped.push("webhook");
  if (await stopProcess(readPid(p.controlPlanePid), 30_000)) stopped.push("control plane");
  fs.rmSync(p.webhookPid, { force: true });
  fs.rmSync(p.controllersPid, { force: true });
  fs.rmSync(p.controlPlanePid, { force: true });
  fs.rmSync(p.controlPlaneArgs, { force: true });
  return stopped;
}

export async function clusterStatus(home = defaultHome()): Promise<string[]> {
  const p = paths(home);
  const state = readState(p.state);
  const cpPid = readPid(p.controlPlanePid);
  const whPid = readPid(p.webhookPid);
  const lines: string[] = [];
  if (isAlive(cpPid) && state)
    lines.push(
      `control plane  running   ${state.server}  pid ${cpPid}  ${(await controlPlaneReady(state)) ? "ready" : "NOT READY"}  data ${path.relative(process.cwd(), p.data)}`,
    );
  else lines.push("control plane  stopped");
  const port = fs.existsSync(p.webhookPortFile) ? fs.readFileSync(p.webhookPortFile, "utf8") : "?";
  lines.push(
    isAlive(whPid)
      ? `webhook        running   https://127.0.0.1:${port}  pid ${whPid}  log ${path.relative(process.cwd(), p.webhookLog)}`
      : "webhook        stopped",
  );
  const ctrlPid = readPid(p.controllersPid);
  lines.push(isAlive(ctrlPid) ? `controllers    running   pid ${ctrlPid}  log ${path.relative(process.cwd(), p.controllersLog)}` : "controllers    stopped");
  const { realNodesStatus } = await import("./realNodes");
  const real = realNodesStatus(home);
  lines.push(...(real.length ? real : simulatedNodesStatus(home)));
  return lines;
}

export function kubeconfigPath(user: string, home = defaultHome()): string | undefined {
  return (
    readState(paths(home).state)?.kubeconfigs[user] ??
    (fs.existsSync(path.join(paths(home).data, "kubeconfigs", `${user}.kubeconfig`))
      ? path.join(paths(home).data, "kubeconfigs", `${user}.kubeconfig`)
      : undefined)
  );
}
