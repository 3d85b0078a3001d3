// Simulated nodes of the local cluster: Node objects node-1..3 and one node agent process per node.
// Where this process may create network namespaces (root and iproute2), each agent manages its own
// namespace with veth links named like the host devices of examples/ (ens3, ens4, ens5, bond1, ...)
// and creates real VxLAN/VLAN interfaces there; elsewhere the agent runs with --not-applied and
// the status says so. Each node gets a prepared sysfs tree (<home>/nodes/node-N/sys) with two SR-IOV
// physical functions backing the example pools. The agents use the tenet-agent ServiceAccount's
// token, so they have exactly the RBAC of deploy/rbac (ClusterRole tenet:agent).
import { createHash } from "node:crypto";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import YAML from "yaml";
import { createIfAbsent, readManifestFile } from "../../server/kube/apply";
import { loadKubeConfig } from "../../server/kube/config";
import { KubeRest } from "../../server/kube/rest";
import { scratchNetnsUnavailable } from "../../server/agent/scratchNetns";
import { writeSysfsTree, type SysfsPf } from "../../server/agent/sriovSysfs";
import { isDevicePoolName } from "../../server/domain/tenancy/vni";
import { REPO_ROOT } from "./controlplaneBinary";
import { isAlive, readPid, startDetached, stopProcess } from "./processes";

export const SIMULATED_NODES = ["node-1", "node-2", "node-3"];
const HEARTBEAT_SECONDS = 30;
const AGENT_TOKEN_SECONDS = 30 * 24 * 3600;

/** The SR-IOV pools of examples/ and the physical functions backing them on every simulated node. */
const SRIOV_POOLS: { pool: string; pf: string }[] = [
  { pool: "vendor.example/sriov_left", pf: "ens1f0" },
  { pool: "vendor.example/sriov_right", pf: "ens1f1" },
];
const pfsOf = (index: number): SysfsPf[] => [
  { name: "ens1f0", bus: `3${index}`, totalVfs: 16, numVfs: 8 },
  { name: "ens1f1", bus: `4${index}`, totalVfs: 8, numVfs: 4 },
];

interface ClusterAccess {
  server: string;
  caFile: string;
  kubeconfigs: Record<string, string>;
}

const nodePaths = (home: string, node: string) => ({
  dir: path.join(home, "nodes", node),
  pid: path.join(home, "run", `agent-${node}.pid`),
  log: path.join(home, "logs", `agent-${node}.log`),
});

/** Network namespace of a simulated node: tenet-node-N for the repository's .tenet, with a short hash of the home otherwise (tests and e2e run their own clusters on the same machine). */
export function simulatedNetnsName(home: string, node: string): string {
  const own = path.resolve(home) === path.join(REPO_ROOT, ".tenet");
  return own ? `tenet-${node}` : `tenet-${createHash("sha256").update(path.resolve(home)).digest("hex").slice(0, 6)}-${node}`;
}

/** The host device names the examples use (TenantConfig profiles that are not pools, networks' host_device). */
export function exampleHostDevices(): string[] {
  const names = new Set<string>();
  const dir = path.join(REPO_ROOT, "examples");
  for (const f of fs.readdirSync(dir).filter((x) => x.endsWith(".yaml"))) {
    for (const o of readManifestFile(path.join(dir, f)) as { hostDevices?: { name: string }[]; spec?: { Options?: { host_device?: string } } }[]) {
      for (const p of o.hostDevices ?? []) if (!isDevicePoolName(p.name)) names.add(p.name);
      if (o.spec?.Options?.host_device) names.add(o.spec.Options.host_device);
    }
  }
  return [...names].sort();
}

/** A token of a tenet-system ServiceAccount from the TokenRequest API, asked as admin. */
export async function serviceAccountToken(cluster: ClusterAccess, serviceAccount: string): Promise<string> {
  const admin = await KubeRest.fromFile(cluster.kubeconfigs.admin);
  try {
    const review = await admin.call<{ status: { token: string } }>(`/api/v1/namespaces/tenet-system/serviceaccounts/${serviceAccount}/token`, {
      method: "POST",
      body: { apiVersion: "authentication.k8s.io/v1", kind: "TokenRequest", spec: { expirationSeconds: AGENT_TOKEN_SECONDS } },
    });
    return review.status.token;
  } finally {
    await admin.close();
  }
}

/** A kubeconfig for the tenet-agent ServiceAccount. */
export async function agentKubeconfig(cluster: ClusterAccess, file: string): Promise<string> {
  const kubeconfig = {
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: "local", cluster: { server: cluster.server, "certificate-authority": cluster.caFile } }],
    users: [{ name: "tenet-agent", user: { token: await serviceAccountToken(cluster, "tenet-agent") } }],
    contexts: [{ name: "tenet-agent", context: { cluster: "local", user: "tenet-agent" } }],
    "current-context": "tenet-agent",
  };
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, YAML.stringify(kubeconfig), { mode: 0o600 });
  return file;
}

/**
 * The arguments of `tenet agent` for a node of the local cluster, after preparing its SR-IOV
 * sysfs tree (<dir>/sys) and the shared device plugin config (<nodesDir>/sriov-config.json).
 */
export function nodeAgentArgs(o: {
  node: string;
  kubeconfig: string;
  dir: string;
  nodesDir: string;
  index: number;
  netns?: string;
  notApplied?: string;
  ipamStatsDir?: string;
}): string[] {
  const sriovConfig = path.join(o.nodesDir, "sriov-config.json");
  fs.writeFileSync(
    sriovConfig,
    JSON.stringify(
      {
        resourceList: SRIOV_POOLS.map(({ pool, pf }) => ({
          resourcePrefix: pool.split("/")[0],
          resourceName: pool.split("/")[1],
          selectors: { pfNames: [pf] },
        })),
      },
      null,
      2,
    ) + "\n",
  );
  fs.rmSync(path.join(o.dir, "sys"), { recursive: true, force: true });
  writeSysfsTree(o.dir, pfsOf(o.index));
  const args = [
    path.join(REPO_ROOT, "tools/cli/tenet.mjs"),
    "agent",
    "--node",
    o.node,
    "--kubeconfig",
    o.kubeconfig,
    "--sysfs-root",
    o.dir,
    "--sriov-config",
    sriovConfig,
    "--heartbeat-seconds",
    String(HEARTBEAT_SECONDS),
  ];
  if (o.netns) args.push("--netns", o.netns);
  if (o.notApplied) args.push("--not-applied", o.notApplied);
  if (o.ipamStatsDir) args.push("--ipam-stats-dir", o.ipamStatsDir);
  return args;
}

const ip = (args: string[]) => execFileSync("ip", args, { stdio: ["ignore", "pipe", "pipe"], encoding: "utf8" });

function deleteNetns(name: string) {
  try {
    ip(["netns", "del", name]);
  } catch {
    // not there
  }
}

/** A fresh namespace with one veth per host device (up, 10.<100+i>.0.<node>/24; the peer is <dev>p). */
function createNodeNetns(name: string, devices: readonly string[], nodeIndex: number) {
  deleteNetns(name);
  ip(["netns", "add", name]);
  try {
    ip(["-n", name, "link", "set", "lo", "up"]);
    devices.forEach((dev, i) => {
      ip(["-n", name, "link", "add", dev, "type", "veth", "peer", "name", `${dev}p`.slice(0, 15)]);
      ip(["-n", name, "addr", "add", `10.${100 + i}.0.${nodeIndex}/24`, "dev", dev]);
      ip(["-n", name, "link", "set", dev, "up"]);
      ip(["-n", name, "link", "set", `${dev}p`.slice(0, 15), "up"]);
    });
    // each VxLAN joins its own multicast group on the underlay; the kernel default allows 20
    ip(["netns", "exec", name, "sysctl", "-qw", "net.ipv4.igmp_max_memberships=1024"]);
  } catch (e) {
    deleteNetns(name);
    throw e;
  }
}

/**
 * Creates the Node objects and starts one agent per simulated node (agents already running are
 * kept unless `restart`, e.g. after a new control plane).
 */
export async function startSimulatedNodes(home: string, cluster: ClusterAccess, options: { restart?: boolean; say?: (l: string) => void } = {}): Promise<void> {
  const say = options.say ?? (() => {});
  const admin = loadKubeConfig(cluster.kubeconfigs.admin);
  await createIfAbsent(
    admin,
    SIMULATED_NODES.map((name) => ({
      apiVersion: "v1",
      kind: "Node",
      metadata: { name, labels: { "tenet.dev/simulated": "true", "kubernetes.io/hostname": name } },
    })),
  );
  if (options.restart) await stopSimulatedAgents(home);
  const pending = SIMULATED_NODES.filter((n) => !isAlive(readPid(nodePaths(home, n).pid)));
  if (pending.length === 0) return;

  const nodesDir = path.join(home, "nodes");
  const kubeconfig = await agentKubeconfig(cluster, path.join(nodesDir, "agent.kubeconfig"));
  const unavailable = scratchNetnsUnavailable();
  const devices = exampleHostDevices();
  for (const node of pending) {
    const index = SIMULATED_NODES.indexOf(node) + 1;
    const p = nodePaths(home, node);
    let where: string;
    let netns: string | undefined;
    if (unavailable) {
      where = `host interfaces not applied (${unavailable})`;
    } else {
      netns = simulatedNetnsName(home, node);
      createNodeNetns(netns, devices, index);
      where = `namespace ${netns} with ${devices.join(", ")}`;
    }
    const args = nodeAgentArgs({
      node,
      kubeconfig,
      dir: p.dir,
      nodesDir,
      index,
      netns,
      notApplied: unavailable && `simulated node without a network namespace: ${unavailable}`,
    });
    const pid = startDetached(process.execPath, args, { logFile: p.log, pidFile: p.pid, cwd: REPO_ROOT });
    say(`node agent for ${node} running (pid ${pid}, ${where})`);
  }
}

async function stopSimulatedAgents(home: string): Promise<string[]> {
  const stopped: string[] = [];
  for (const node of SIMULATED_NODES) {
    const p = nodePaths(home, node);
    if (await stopProcess(readPid(p.pid))) stopped.push(`agent ${node}`);
    fs.rmSync(p.pid, { force: true });
  }
  return stopped;
}

/** Stops the agents and deletes their network namespaces; the Node objects stay with the cluster's data. */
export async function stopSimulatedNodes(home: string): Promise<string[]> {
  const stopped = await stopSimulatedAgents(home);
  if (!scratchNetnsUnavailable()) for (const node of SIMULATED_NODES) deleteNetns(simulatedNetnsName(home, node));
  return stopped;
}

/** One line per simulated node for `cluster status`. */
export function simulatedNodesStatus(home: string): string[] {
  return SIMULATED_NODES.flatMap((node) => {
    const p = nodePaths(home, node);
    const pid = readPid(p.pid);
    if (!fs.existsSync(p.dir)) return [];
    return [isAlive(pid) ? `agent ${node.padEnd(7)} running   pid ${pid}  log ${path.relative(process.cwd(), p.log)}` : `agent ${node.padEnd(7)} stopped`];
  });
}
