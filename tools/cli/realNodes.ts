// Real nodes of the local cluster: per node a network namespace (tools/cli/nodeNetwork.ts), a
// containerd (Debian's, its own root, state and socket), a kubelet (the control plane binary's
// `kubelet` subcommand, the same Kubernetes version), the danm CNI plugin as the node's only CNI
// (installed by `tenet install-cni`), a proxy that gives the namespace the API server on
// 127.0.0.1:6443, and tenet's node agent. Pods run for real; only SR-IOV stays a prepared sysfs tree.
// Settings this machine kind requires are explained in docs/local-cluster.md.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import YAML from "yaml";
import { KubeRest } from "../../server/kube/rest";
import { REPO_ROOT } from "./controlplaneBinary";
import { installCni } from "./installCni";
import { importImage, nodeImageArchives, PAUSE_IMAGE, toolboxUnavailable } from "./nodeImages";
import { createFabric, defaultNetworkConf, destroyFabric, netnsPath, planFabric, type NodeAddressing, type NodeFabric } from "./nodeNetwork";
import { CGROUP_ROOT, createCgroupRoot, removeCgroupRoot, sharedMount, unmountAll } from "./nodeHost";
import { isAlive, readPid, startDetached, stopProcess, tail, waitFor } from "./processes";
import { agentKubeconfig, exampleHostDevices, nodeAgentArgs, serviceAccountToken } from "./simulatedNodes";

export const DEFAULT_REAL_NODES = 2;
/** Where kubelets, containerd and the danm plugin of a node find the API server, inside its namespace. */
const NODE_API_SERVER = "https://127.0.0.1:6443";

interface ClusterAccess {
  server: string;
  port: number;
  caFile: string;
  dataDir: string;
  kubeconfigs: Record<string, string>;
}

/** The ids and paths of one cluster's real nodes. */
function clusterId(home: string): string {
  const own = path.resolve(home) === path.join(REPO_ROOT, ".tenet");
  return own ? "" : createHash("sha256").update(path.resolve(home)).digest("hex").slice(0, 6);
}

const layoutFile = (home: string) => path.join(home, "nodes", "real-nodes.json");

function readLayout(home: string): NodeFabric | undefined {
  try {
    return JSON.parse(fs.readFileSync(layoutFile(home), "utf8")) as NodeFabric;
  } catch {
    return undefined;
  }
}

function nodeFiles(home: string, id: string, node: string) {
  const dir = path.join(home, "nodes", node);
  // sockets and runtime state under /run: socket paths are limited to 108 bytes
  const run = path.join("/run/tenet", id || "local", node);
  return {
    dir,
    run,
    containerdConfig: path.join(dir, "containerd.toml"),
    containerdRoot: path.join(dir, "containerd"),
    containerdState: path.join(run, "containerd"),
    containerdSocket: path.join(run, "containerd.sock"),
    runcRoot: path.join(run, "runc"),
    kubeletDir: path.join(dir, "kubelet"),
    kubeletConfig: path.join(dir, "kubelet.yaml"),
    kubeletKubeconfig: path.join(dir, "kubelet.kubeconfig"),
    pki: path.join(dir, "pki"),
    cniBin: path.join(dir, "cni", "bin"),
    cniConf: path.join(dir, "cni", "net.d"),
    cniState: path.join(run, "cni"),
    podLogs: path.join(dir, "pod-logs"),
    ipamStats: path.join(run, "ipam-stats"),
    danmSocket: path.join(run, "danm.sock"),
    cgroup: `tenet-${id || "local"}-${node}`,
    pids: {
      proxy: path.join(home, "run", `proxy-${node}.pid`),
      containerd: path.join(home, "run", `containerd-${node}.pid`),
      kubelet: path.join(home, "run", `kubelet-${node}.pid`),
      agent: path.join(home, "run", `agent-${node}.pid`),
      danm: path.join(home, "run", `danm-${node}.pid`),
    },
    logs: {
      proxy: path.join(home, "logs", `proxy-${node}.log`),
      containerd: path.join(home, "logs", `containerd-${node}.log`),
      kubelet: path.join(home, "logs", `kubelet-${node}.log`),
      agent: path.join(home, "logs", `agent-${node}.log`),
      danm: path.join(home, "logs", `danm-${node}.log`),
    },
  };
}
type NodeFiles = ReturnType<typeof nodeFiles>;

const onPath = (cmd: string) => {
  try {
    execFileSync("sh", ["-c", `command -v ${cmd}`], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
};

/** Why real nodes cannot run on this machine, or undefined when they can. */
export function realNodesUnavailable(): string | undefined {
  if (process.platform !== "linux") return "real nodes need Linux";
  if (process.getuid?.() !== 0) return "real nodes need root (network namespaces, mounts, cgroups)";
  for (const [cmd, pkg] of [
    ["containerd", "containerd"],
    ["runc", "runc"],
    ["containerd-shim-runc-v2", "containerd"],
    ["ctr", "containerd"],
    ["nsenter", "util-linux"],
    ["ip", "iproute2"],
    ["tar", "tar"],
  ] as const) {
    if (!onPath(cmd)) return `${cmd} is not installed (Debian package ${pkg})`;
  }
  if (!fs.existsSync("/usr/lib/cni/bridge")) return "Debian's CNI plugins are not installed (containernetworking-plugins)";
  const toolbox = toolboxUnavailable();
  if (toolbox) return toolbox;
  if (!fs.existsSync(path.join(CGROUP_ROOT, "memory")) && !fs.existsSync(path.join(CGROUP_ROOT, "cgroup.controllers")))
    return `no cgroup hierarchy under ${CGROUP_ROOT}`;
  return undefined;
}

function containerdConfig(f: NodeFiles): string {
  const q = JSON.stringify;
  return `# containerd of one real node of the local cluster (tools/cli/realNodes.ts)
version = 2
root = ${q(f.containerdRoot)}
state = ${q(f.containerdState)}
disabled_plugins = ["io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.aufs"]

[grpc]
  address = ${q(f.containerdSocket)}
[ttrpc]
  address = ${q(`${f.containerdSocket}.ttrpc`)}

[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = ${q(PAUSE_IMAGE)}
  # this machine kind refuses to lower oom_score_adj, even for root
  restrict_oom_score_adj = true
  # the Pods' network namespaces live in this node's state, so they are cleaned up with it
  netns_mounts_under_state_dir = true
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        Root = ${q(f.runcRoot)}
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = ${q(f.cniBin)}
    conf_dir = ${q(f.cniConf)}
    max_conf_num = 1

[plugins."io.containerd.internal.v1.opt"]
  path = ${q(path.join(f.containerdRoot, "opt"))}
`;
}

function kubeletConfig(f: NodeFiles, node: NodeAddressing, caFile: string): object {
  return {
    apiVersion: "kubelet.config.k8s.io/v1beta1",
    kind: "KubeletConfiguration",
    address: node.ip,
    port: 10250,
    readOnlyPort: 0,
    healthzBindAddress: "127.0.0.1",
    healthzPort: 10248,
    tlsCertFile: path.join(f.pki, "kubelet.crt"),
    tlsPrivateKeyFile: path.join(f.pki, "kubelet.key"),
    authentication: { anonymous: { enabled: false }, webhook: { enabled: true }, x509: { clientCAFile: caFile } },
    authorization: { mode: "Webhook" },
    cgroupDriver: "cgroupfs",
    cgroupRoot: `/${f.cgroup}`,
    failSwapOn: false,
    containerRuntimeEndpoint: `unix://${f.containerdSocket}`,
    podLogsDir: f.podLogs,
    volumePluginDir: path.join(f.kubeletDir, "volume-plugins"),
    clusterDomain: "cluster.local",
    resolvConf: "",
    serializeImagePulls: false,
    // several kubelets share one disk: no eviction or image garbage collection over its fill level
    evictionHard: { "memory.available": "100Mi", "nodefs.available": "1%", "nodefs.inodesFree": "1%", "imagefs.available": "1%" },
    imageGCHighThresholdPercent: 100,
    imageGCLowThresholdPercent: 99,
    nodeStatusUpdateFrequency: "10s",
    maxPods: 110,
  };
}

function writeKubeletKubeconfig(f: NodeFiles, caFile: string) {
  const kubeconfig = {
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: "local", cluster: { server: NODE_API_SERVER, "certificate-authority": caFile } }],
    users: [{ name: "kubelet", user: { "client-certificate": path.join(f.pki, "kubelet-client.crt"), "client-key": path.join(f.pki, "kubelet-client.key") } }],
    contexts: [{ name: "kubelet", context: { cluster: "local", user: "kubelet" } }],
    "current-context": "kubelet",
  };
  fs.writeFileSync(f.kubeletKubeconfig, YAML.stringify(kubeconfig), { mode: 0o600 });
}

function issueCertificates(binary: string, dataDir: string, f: NodeFiles, node: NodeAddressing) {
  const cert = (name: string, args: string[]) =>
    execFileSync(binary, ["certificate", "--data-dir", dataDir, "--cert", path.join(f.pki, `${name}.crt`), "--key", path.join(f.pki, `${name}.key`), ...args], {
      stdio: ["ignore", "ignore", "pipe"],
    });
  cert("kubelet", ["--cn", node.name, "--dns", node.name, "--ip", node.ip]);
  cert("kubelet-client", ["--cn", `system:node:${node.name}`, "--org", "system:nodes", "--client"]);
}

/** The node's CNI: Debian's plugins as delegates, danm installed by `tenet install-cni`, the default network's bridge config. */
function installNodeCni(f: NodeFiles, node: NodeAddressing, danmPlugin: string, caFile: string, tokenFile: string, sysfsRoot: string) {
  fs.mkdirSync(f.cniBin, { recursive: true });
  for (const plugin of fs.readdirSync("/usr/lib/cni")) {
    const link = path.join(f.cniBin, plugin);
    fs.rmSync(link, { force: true });
    fs.symlinkSync(path.join("/usr/lib/cni", plugin), link);
  }
  installCni({
    plugin: danmPlugin,
    binDir: f.cniBin,
    confDir: f.cniConf,
    hostBinDir: f.cniBin,
    hostConfDir: f.cniConf,
    server: NODE_API_SERVER,
    caFile,
    tokenFile,
    ipamStatsDir: f.ipamStats,
    daemonSocket: f.danmSocket,
    nodeLocal: { ipamLockDir: path.join(f.run, "ipam-lock"), podResourcesSocket: path.join(f.kubeletDir, "pod-resources", "kubelet.sock"), sysfsRoot },
  });
  fs.writeFileSync(path.join(f.cniConf, "default.conf"), JSON.stringify(defaultNetworkConf(node, path.join(f.cniState, "host-local")), null, 2) + "\n");
}

const inNode = (node: NodeAddressing, command: string, args: string[]) => ({
  command: "nsenter",
  args: [`--net=${netnsPath(node.netns)}`, "--", command, ...args],
});

/** Waits until containerd answers on its socket (a killed one leaves the socket file behind). */
async function waitForContainerd(socket: string, pid: number, log: string) {
  const answers = () => {
    execFileSync("ctr", ["--address", socket, "--connect-timeout", "2s", "version"], { stdio: "ignore" }); // throws until it answers
    return true;
  };
  await waitFor(`containerd (${socket})`, () => (fs.existsSync(socket) ? answers() : undefined), {
    timeoutMs: 60_000,
    intervalMs: 200,
    abort: () => (isAlive(pid) ? undefined : `exited during start-up:\n${tail(log)}`),
  });
}

export interface RealNodesOptions {
  binary: string;
  count?: number;
  /** The control plane was restarted (new port): restart what talks to it. */
  restart?: boolean;
  say?: (line: string) => void;
}

export function realNodeNames(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `node-${i + 1}`);
}

/** Starts (or keeps) the real nodes of the cluster at `home` and waits until they are Ready. */
export async function startRealNodes(home: string, cluster: ClusterAccess, options: RealNodesOptions): Promise<void> {
  const say = options.say ?? (() => {});
  const id = clusterId(home);
  const names = realNodeNames(options.count ?? readLayout(home)?.nodes.length ?? DEFAULT_REAL_NODES);
  const previous = readLayout(home);
  // Node objects of simulated nodes, or of nodes no longer wanted, have no kubelet behind them
  await deleteNodes(cluster, (n) => n.metadata?.labels?.["tenet.dev/simulated"] === "true" || !names.includes(n.metadata?.name ?? ""));

  // The network stays as long as its namespaces do; components that are not running (crashed,
  // killed, or a restarted control plane's port) are started again without touching the rest.
  const fabricUp = previous?.nodes.length === names.length && realNodesRunning(home);
  let fabric: NodeFabric;
  if (fabricUp && previous) {
    fabric = previous;
    if (options.restart) for (const n of names) for (const c of ["proxy", "agent"] as const) await stopProcess(readPid(nodeFiles(home, id, n).pids[c]));
  } else {
    await stopRealNodes(home);
    fabric = planFabric(id, names, exampleHostDevices(), previous);
    createFabric(fabric);
    fs.mkdirSync(path.dirname(layoutFile(home)), { recursive: true });
    fs.writeFileSync(layoutFile(home), JSON.stringify(fabric, null, 2) + "\n");
    say(
      `node network: ${fabric.nodes.map((n) => `${n.name} ${n.ip}`).join(", ")} (namespaces ${fabric.nodes.map((n) => n.netns).join(", ")}; wires mgmt, ${fabric.devices.join(", ")})`,
    );
  }

  const nodesDir = path.join(home, "nodes");
  const images = nodeImageArchives(path.join(home, "bin"), path.join(home, "images"));
  const { buildCniPlugin } = await import("../../server/cni/build");
  const danmPlugin = await buildCniPlugin(path.join(home, "bin", "danm"));
  const cniToken = path.join(nodesDir, "danm.token");
  fs.writeFileSync(cniToken, await serviceAccountToken(cluster, "tenet-cni"), { mode: 0o600 });
  const agentConfig = await agentKubeconfig(cluster, path.join(nodesDir, "agent.kubeconfig"));

  const nodesStarted = Date.now();
  for (const node of fabric.nodes) {
    const f = nodeFiles(home, id, node.name);
    for (const d of [f.dir, f.run, f.pki, f.podLogs, f.ipamStats]) fs.mkdirSync(d, { recursive: true });
    if (!isAlive(readPid(f.pids.proxy))) {
      const args = ["netns-proxy", "--netns", netnsPath(node.netns), "--listen", "127.0.0.1:6443", "--connect", `127.0.0.1:${cluster.port}`];
      startDetached(options.binary, args, { logFile: f.logs.proxy, pidFile: f.pids.proxy });
    }
    // idempotent: the node's files, mounts and cgroups (a new token and plugin after a control plane restart)
    createCgroupRoot(f.cgroup);
    sharedMount(f.kubeletDir);
    issueCertificates(options.binary, cluster.dataDir, f, node);
    writeKubeletKubeconfig(f, cluster.caFile);
    installNodeCni(f, node, danmPlugin, cluster.caFile, cniToken, f.dir);
    fs.writeFileSync(f.containerdConfig, containerdConfig(f));
    fs.writeFileSync(f.kubeletConfig, YAML.stringify(kubeletConfig(f, node, cluster.caFile)));
    const started: string[] = [];
    if (!isAlive(readPid(f.pids.containerd))) {
      fs.rmSync(f.containerdSocket, { force: true });
      const containerd = inNode(node, "containerd", ["--config", f.containerdConfig]);
      // the danm plugin records the node in its DanmEps (NODE_NAME; the hostname is the machine's)
      const containerdPid = startDetached(containerd.command, containerd.args, {
        logFile: f.logs.containerd,
        pidFile: f.pids.containerd,
        env: { ...process.env, NODE_NAME: node.name },
      });
      await waitForContainerd(f.containerdSocket, containerdPid, f.logs.containerd);
      for (const image of images) importImage(f.containerdSocket, image.file);
      started.push("containerd");
    }
    if (!isAlive(readPid(f.pids.danm))) {
      // the danm daemon runs where danm's delegates must: in the node's network namespace
      const daemon = inNode(node, process.execPath, [
        path.join(REPO_ROOT, "tools", "cli", "tenet.mjs"),
        "cni-daemon",
        "--socket",
        f.danmSocket,
        "--node",
        node.name,
        "--spawner",
        danmPlugin,
      ]);
      startDetached(daemon.command, daemon.args, { logFile: f.logs.danm, pidFile: f.pids.danm, cwd: REPO_ROOT });
      started.push("danm daemon");
    }
    if (!isAlive(readPid(f.pids.kubelet))) {
      const kubelet = inNode(node, options.binary, [
        "kubelet",
        `--config=${f.kubeletConfig}`,
        `--kubeconfig=${f.kubeletKubeconfig}`,
        `--root-dir=${f.kubeletDir}`,
        `--hostname-override=${node.name}`,
        `--node-ip=${node.ip}`,
        // the console marks the node's SR-IOV inventory as a prepared sysfs tree
        "--node-labels=tenet.dev/sriov=simulated",
      ]);
      startDetached(kubelet.command, kubelet.args, { logFile: f.logs.kubelet, pidFile: f.pids.kubelet });
      started.push("kubelet");
    }
    if (!isAlive(readPid(f.pids.agent))) {
      const args = nodeAgentArgs({
        node: node.name,
        kubeconfig: agentConfig,
        dir: f.dir,
        nodesDir,
        index: node.index,
        netns: node.netns,
        ipamStatsDir: f.ipamStats,
      });
      startDetached(process.execPath, args, { logFile: f.logs.agent, pidFile: f.pids.agent, cwd: REPO_ROOT });
    }
    if (started.length)
      say(
        `${node.name}: ${started.join(" and ")} started in ${node.netns} (logs ${path.relative(process.cwd(), f.logs.kubelet)}, ${path.relative(process.cwd(), f.logs.containerd)})`,
      );
  }
  await waitFor(
    "nodes Ready",
    async () => {
      const kube = await KubeRest.fromFile(cluster.kubeconfigs.admin);
      try {
        const list = await kube.call<{
          items: { metadata: { name: string }; status?: { conditions?: { type: string; status: string; lastHeartbeatTime?: string }[] } }[];
        }>("/api/v1/nodes");
        // Ready as reported since these nodes started (a Node object keeps its last status while its kubelet is down)
        const fresh = (t?: string) => !!t && Date.parse(t) >= nodesStarted - 2000;
        const ready = list.items.filter(
          (n) => names.includes(n.metadata.name) && n.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True" && fresh(c.lastHeartbeatTime)),
        );
        return ready.length === names.length ? true : undefined;
      } finally {
        await kube.close();
      }
    },
    {
      timeoutMs: 180_000,
      intervalMs: 500,
      abort: () => {
        for (const n of names) {
          const f = nodeFiles(home, id, n);
          for (const c of ["proxy", "containerd", "kubelet", "danm"] as const)
            if (!isAlive(readPid(f.pids[c]))) return `${c} of ${n} exited:\n${tail(f.logs[c])}`;
        }
        return undefined;
      },
    },
  );
  say(`${names.length} real nodes Ready (${((Date.now() - nodesStarted) / 1000).toFixed(1)}s after their start)`);
}

async function deleteNodes(cluster: ClusterAccess, which: (n: { metadata?: { name?: string; labels?: Record<string, string> } }) => boolean) {
  const kube = await KubeRest.fromFile(cluster.kubeconfigs.admin);
  try {
    const list = await kube.call<{ items: { metadata?: { name?: string; labels?: Record<string, string> } }[] }>("/api/v1/nodes");
    for (const n of list.items.filter(which)) await kube.call(`/api/v1/nodes/${n.metadata!.name}`, { method: "DELETE" }).catch(() => undefined);
  } finally {
    await kube.close();
  }
}

/**
 * Stops the real nodes and removes what they made: processes (kubelet, containerd, shims,
 * containers), mounts, cgroups and network namespaces. Images and the nodes' files stay in
 * <home>/nodes for the next `up`; Pods come back from the API server's objects.
 */
export async function stopRealNodes(home: string): Promise<string[]> {
  const layout = readLayout(home);
  if (!layout) return [];
  const id = clusterId(home);
  const stopped: string[] = [];
  for (const node of layout.nodes) {
    const f = nodeFiles(home, id, node.name);
    for (const c of ["agent", "kubelet", "proxy", "containerd", "danm"] as const) {
      if (await stopProcess(readPid(f.pids[c]), 10_000)) stopped.push(`${c} ${node.name}`);
      fs.rmSync(f.pids[c], { force: true });
    }
    // shims outlive containerd; their containers are in the node's cgroups
    try {
      execFileSync("pkill", ["-KILL", "-f", `containerd-shim-runc-v2 .*-address ${f.containerdSocket}`], { stdio: "ignore" });
    } catch {
      // none
    }
    removeCgroupRoot(f.cgroup);
    unmountAll(f.run);
    unmountAll(f.kubeletDir);
    unmountAll(f.containerdRoot);
    fs.rmSync(f.run, { recursive: true, force: true });
  }
  destroyFabric(layout);
  try {
    fs.rmdirSync(path.join("/run/tenet", id || "local"));
  } catch {
    // not empty or gone
  }
  return stopped;
}

/** One line per real node for `cluster status`. */
export function realNodesStatus(home: string): string[] {
  const layout = readLayout(home);
  if (!layout) return [];
  const id = clusterId(home);
  return layout.nodes.map((node) => {
    const f = nodeFiles(home, id, node.name);
    const parts = (["kubelet", "containerd", "danm", "agent"] as const).map((c) => `${c} ${isAlive(readPid(f.pids[c])) ? "running" : "STOPPED"}`);
    return `node ${node.name.padEnd(7)} ${node.ip.padEnd(14)} ${parts.join(", ")}  netns ${node.netns}`;
  });
}

/** `tenet cluster load-image FILE`: an OCI or docker image archive into every real node's containerd. */
export function loadImageIntoNodes(home: string, file: string): string[] {
  const layout = readLayout(home);
  if (!layout) throw new Error("no real nodes: run `npx tenet cluster up` first");
  const id = clusterId(home);
  return layout.nodes.map((node) => {
    const f = nodeFiles(home, id, node.name);
    if (!isAlive(readPid(f.pids.containerd))) throw new Error(`containerd of ${node.name} is not running (npx tenet cluster status)`);
    return `${node.name}: ${importImage(f.containerdSocket, path.resolve(file)).trim()}`;
  });
}

/** Whether this cluster's real nodes are up (their namespaces exist). */
export function realNodesRunning(home: string): boolean {
  const layout = readLayout(home);
  return !!layout && [layout.fabricNetns, ...layout.nodes.map((n) => n.netns)].every((ns) => fs.existsSync(netnsPath(ns)));
}

/** The pid of a component of a real node (tests stop and restart them). */
export function realNodePid(home: string, node: string, component: "containerd" | "kubelet" | "agent" | "proxy"): number | undefined {
  return readPid(nodeFiles(home, clusterId(home), node).pids[component]);
}
