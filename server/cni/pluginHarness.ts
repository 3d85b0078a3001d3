// Test harness for the danm plugin (used by *.int.test.ts): calls the bundled executable exactly as
// a container runtime does (environment + netconf on stdin), makes "pods" as network namespaces, and
// host devices as veth pairs in the root namespace.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";

/**
 * The node lock directory (netconf ipamLockDir) of the plugin runs against one test cluster, so
 * that test runs on other clusters of this machine never wait on each other's locks.
 */
export function testLockDir(clusterHome: string): string {
  return path.join(clusterHome, "ipam-locks");
}

export const CNI_PLUGIN_DIRS = (process.env.CNI_PATH ?? "/usr/lib/cni:/opt/cni/bin").split(":").filter(Boolean);

/** Why the real-component tests cannot run here, or undefined when they can. */
export function missingPrerequisite(plugins: string[]): string | undefined {
  if (process.getuid?.() !== 0) return "network namespaces need root";
  for (const tool of ["ip", "nsenter", "sysctl"]) {
    try {
      execFileSync("sh", ["-c", `command -v ${tool}`], { stdio: "ignore" });
    } catch {
      return `${tool} is not installed (iproute2 / util-linux / procps)`;
    }
  }
  const missing = plugins.filter((p) => !CNI_PLUGIN_DIRS.some((d) => fs.existsSync(`${d}/${p}`)));
  if (missing.length) return `CNI plugins ${missing.join(", ")} not found in ${CNI_PLUGIN_DIRS.join(":")} (apt-get install containernetworking-plugins)`;
  return undefined;
}

export interface PluginCall {
  command: "ADD" | "DEL" | "CHECK" | "VERSION";
  containerId?: string;
  netns?: string;
  ifName?: string;
  pod?: { namespace: string; name: string; uid?: string };
  netconf: Record<string, unknown>;
}

export interface PluginAnswer {
  code: number | null;
  json: Record<string, any>;
  stdout: string;
  stderr: string;
  ms: number;
}

export function callPlugin(binary: string, call: PluginCall): Promise<PluginAnswer> {
  const args = call.pod
    ? `IgnoreUnknown=1;K8S_POD_NAMESPACE=${call.pod.namespace};K8S_POD_NAME=${call.pod.name};K8S_POD_INFRA_CONTAINER_ID=${call.containerId}${call.pod.uid ? `;K8S_POD_UID=${call.pod.uid}` : ""}`
    : "";
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "/usr/sbin:/usr/bin:/sbin:/bin",
    CNI_COMMAND: call.command,
    CNI_PATH: CNI_PLUGIN_DIRS.join(":"),
  };
  if (call.containerId) env.CNI_CONTAINERID = call.containerId;
  if (call.netns !== undefined) env.CNI_NETNS = call.netns;
  env.CNI_IFNAME = call.ifName ?? "eth0";
  if (args) env.CNI_ARGS = args;
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(binary, [], { env: env as NodeJS.ProcessEnv, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => {
      let json: Record<string, any> = {};
      try {
        json = stdout.trim() ? JSON.parse(stdout) : {};
      } catch {
        json = { unparsed: stdout };
      }
      resolve({ code, json, stdout, stderr, ms: performance.now() - started });
    });
    child.stdin.end(JSON.stringify(call.netconf));
  });
}

const ip = (...args: string[]) => execFileSync("ip", args, { encoding: "utf8" });

export function addNetns(name: string): string {
  ip("netns", "add", name);
  return `/var/run/netns/${name}`;
}

export function removeNetns(name: string): void {
  try {
    ip("netns", "del", name);
  } catch {
    // already gone
  }
}

export interface LinkAddress {
  ifname: string;
  addr_info: { family: string; local: string; prefixlen: number }[];
}

/** `ip -n <ns> -j addr show`: interfaces (loopback left out) with their global addresses. */
export function podInterfaces(netnsName: string): Map<string, string[]> {
  const links = JSON.parse(ip("-n", netnsName, "-j", "addr", "show")) as LinkAddress[];
  return new Map(
    links
      .filter((l) => l.ifname !== "lo")
      .map((l) => [l.ifname, l.addr_info.filter((a) => !a.local.startsWith("fe80")).map((a) => `${a.local}/${a.prefixlen}`)]),
  );
}

/** A veth pair in the root namespace, both ends up: the "host NIC" macvlan and ipvlan attach to. */
export function addHostDevice(name: string): void {
  ip("link", "add", name, "type", "veth", "peer", "name", `${name}p`);
  ip("link", "set", name, "up");
  ip("link", "set", `${name}p`, "up");
}

export function removeHostDevice(name: string): void {
  try {
    ip("link", "del", name);
  } catch {
    // already gone
  }
}

/** The kernel's answer to creating an ipvlan link on `parent`; undefined when it can. */
export function ipvlanUnsupported(parent: string): string | undefined {
  const probe = `tntipvl${process.pid % 10000}`;
  try {
    execFileSync("ip", ["link", "add", probe, "link", parent, "type", "ipvlan", "mode", "l2"], { stdio: ["ignore", "ignore", "pipe"], encoding: "utf8" });
    ip("link", "del", probe);
    return undefined;
  } catch (e) {
    return String((e as { stderr?: string }).stderr ?? e).trim();
  }
}

/** `ip -n <ns> -j <args>` parsed. */
export function ipJsonIn(netnsName: string, ...args: string[]): Record<string, any>[] {
  return JSON.parse(ip("-n", netnsName, "-j", ...args) || "[]") as Record<string, any>[];
}

/** The danm executable and a daemon of its own serving it, as one node has them. */
export interface DanmUnderTest {
  /** The `danm` client executable. */
  plugin: string;
  /** The daemon's socket: give it as netconf daemonSocket. */
  socket: string;
  /** The daemon's log file (JSON lines). */
  log: string;
  pid(): number;
  /** Starts the daemon again after it stopped or was killed. */
  restart(): Promise<void>;
  /** Ends the daemon (SIGTERM: it finishes the requests in flight) and waits for it. */
  stop(): Promise<void>;
  /** Sends a signal without waiting. */
  kill(signal: NodeJS.Signals): void;
}

const REPO = path.resolve(import.meta.dirname, "..", "..");

/** Builds the client into `dir/name` and starts `tenet cni-daemon` on `dir/name.sock`; resolves once it accepts connections. */
export async function startDanm(dir: string, name: string): Promise<DanmUnderTest> {
  const { buildCniPlugin } = await import("./build");
  const plugin = await buildCniPlugin(path.join(dir, name));
  const socket = path.join(dir, `${name}.sock`);
  const log = path.join(dir, `${name}-daemon.log`);
  let child: ChildProcess | undefined;
  const start = async () => {
    const out = fs.openSync(log, "a");
    const started = spawn(
      process.execPath,
      [
        ...(process.env.TENET_DAEMON_PROFILE ? ["--cpu-prof", `--cpu-prof-dir=${process.env.TENET_DAEMON_PROFILE}`] : []),
        path.join(REPO, "tools", "cli", "tenet.mjs"),
        "cni-daemon",
        "--socket",
        socket,
        "--spawner",
        plugin,
      ],
      { cwd: REPO, stdio: ["ignore", out, out] },
    );
    fs.closeSync(out);
    child = started;
    const exited = new Promise<number | null>((resolve) => started.once("exit", (code) => resolve(code)));
    const deadline = performance.now() + 60_000;
    for (;;) {
      if (started.exitCode !== null || started.signalCode !== null)
        throw new Error(`tenet cni-daemon exited during start-up (${started.exitCode ?? started.signalCode}):\n${fs.readFileSync(log, "utf8").slice(-2000)}`);
      if (await accepts(socket)) return;
      if (performance.now() > deadline) {
        started.kill("SIGKILL");
        throw new Error(`tenet cni-daemon did not listen on ${socket} within 60 s:\n${fs.readFileSync(log, "utf8").slice(-2000)}`);
      }
      await Promise.race([exited, new Promise((r) => setTimeout(r, 50))]);
    }
  };
  await start();
  return {
    plugin,
    socket,
    log,
    pid: () => child?.pid ?? 0,
    restart: start,
    kill: (signal) => void child?.kill(signal),
    stop: async () => {
      const c = child;
      if (!c || c.exitCode !== null || c.signalCode !== null) return;
      await new Promise<void>((resolve) => {
        c.once("exit", () => resolve());
        c.kill("SIGTERM");
      });
    },
  };
}

function accepts(socket: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(socket);
    s.once("connect", () => {
      s.destroy();
      resolve(true);
    });
    s.once("error", () => resolve(false));
  });
}
