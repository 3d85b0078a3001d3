// `tenet install-cni`: puts the danm CNI executable and its configuration on a node (run by the
// DaemonSet in deploy/cni/, with the host's CNI directories mounted). The executable is the static Go
// client of tools/danm: it hands each request to the node's danm daemon (`tenet cni-daemon`, the
// same DaemonSet) over the unix socket the netconf names.
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import YAML from "yaml";
import { REPO_ROOT } from "./controlplaneBinary";

const SA = "/var/run/secrets/kubernetes.io/serviceaccount";

export interface InstallOptions {
  plugin: string;
  binDir: string;
  confDir: string;
  /** Where the plugin finds its files on the host (the conf dir as the host sees it). */
  hostConfDir: string;
  hostBinDir: string;
  server: string;
  caFile: string;
  tokenFile: string;
  /** The daemon's socket as the host sees it (netconf daemonSocket); absent: the client's default, /run/tenet/danm.sock. */
  daemonSocket?: string;
  /**
   * Where the plugin leaves its IPAM statistics for the node agent (netconf ipamStatsDir; the host's
   * path, the agent's DaemonSet mounts the same one). Absent: the plugin's default, /run/tenet/ipam-stats.
   */
  ipamStatsDir?: string;
  /** Node-local paths of the netconf where several nodes share one machine (the local cluster's real nodes). */
  nodeLocal?: { ipamLockDir?: string; podResourcesSocket?: string; sysfsRoot?: string };
}

/** Writes a file through a temporary name and a rename, so the runtime never sees half of it. */
function writeAtomically(file: string, content: string | Buffer, mode: number) {
  const tmp = `${file}.tenet-${process.pid}`;
  fs.writeFileSync(tmp, content, { mode });
  fs.renameSync(tmp, file);
}

export function installCni(o: InstallOptions): string[] {
  fs.mkdirSync(o.binDir, { recursive: true });
  fs.mkdirSync(o.confDir, { recursive: true });
  const written: string[] = [];
  const put = (file: string, content: string | Buffer, mode: number) => {
    writeAtomically(file, content, mode);
    written.push(file);
  };
  put(path.join(o.binDir, "danm"), fs.readFileSync(o.plugin), 0o755);
  // what earlier versions installed: a Node.js plugin run by a copied node binary
  for (const old of ["danm-node", "danm.mjs"]) fs.rmSync(path.join(o.binDir, old), { force: true });
  const kubeconfig = {
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: "cluster", cluster: { server: o.server, "certificate-authority-data": fs.readFileSync(o.caFile).toString("base64") } }],
    users: [{ name: "danm", user: { token: fs.readFileSync(o.tokenFile, "utf8").trim() } }],
    contexts: [{ name: "danm", context: { cluster: "cluster", user: "danm" } }],
    "current-context": "danm",
  };
  put(path.join(o.confDir, "danm.kubeconfig"), YAML.stringify(kubeconfig), 0o600);
  const netconf = {
    cniVersion: "1.0.0",
    name: "danm",
    type: "danm",
    kubeconfig: path.join(o.hostConfDir, "danm.kubeconfig"),
    cniDir: o.hostConfDir,
    namingScheme: "",
    ...(o.ipamStatsDir ? { ipamStatsDir: o.ipamStatsDir } : {}),
    ...(o.daemonSocket ? { daemonSocket: o.daemonSocket } : {}),
    ...o.nodeLocal,
  };
  put(path.join(o.confDir, "00-danm.conf"), JSON.stringify(netconf, null, 2) + "\n", 0o644);
  return written;
}

export async function runInstallCni(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      plugin: { type: "string", default: path.join(REPO_ROOT, "dist", "danm") },
      "bin-dir": { type: "string", default: "/host/opt/cni/bin" },
      "conf-dir": { type: "string", default: "/host/etc/cni/net.d" },
      "host-bin-dir": { type: "string", default: "/opt/cni/bin" },
      "host-conf-dir": { type: "string", default: "/etc/cni/net.d" },
      server: {
        type: "string",
        default: process.env.KUBERNETES_SERVICE_HOST ? `https://${process.env.KUBERNETES_SERVICE_HOST}:${process.env.KUBERNETES_SERVICE_PORT ?? "443"}` : "",
      },
      "ca-file": { type: "string", default: `${SA}/ca.crt` },
      "token-file": { type: "string", default: `${SA}/token` },
      "ipam-stats-dir": { type: "string", default: "/run/tenet/ipam-stats" },
      "daemon-socket": { type: "string", default: "/run/tenet/danm.sock" },
      once: { type: "boolean", default: false },
    },
  });
  if (!values.server) {
    process.stderr.write("tenet install-cni: no API server: give --server or run in a Pod\n");
    return 2;
  }
  const options: InstallOptions = {
    plugin: values.plugin!,
    binDir: values["bin-dir"]!,
    confDir: values["conf-dir"]!,
    hostBinDir: values["host-bin-dir"]!,
    hostConfDir: values["host-conf-dir"]!,
    server: values.server,
    caFile: values["ca-file"]!,
    tokenFile: values["token-file"]!,
    daemonSocket: values["daemon-socket"] || undefined,
    ipamStatsDir: values["ipam-stats-dir"] || undefined,
  };
  const install = () => installCni(options).forEach((f) => process.stderr.write(`wrote ${f}\n`));
  install();
  if (values.once) return 0;
  // the service account token rotates: keep the node's kubeconfig current
  let token = fs.readFileSync(options.tokenFile, "utf8");
  setInterval(() => {
    const now = fs.readFileSync(options.tokenFile, "utf8");
    if (now !== token) {
      token = now;
      install();
    }
  }, 60_000);
  return new Promise<number>(() => {});
}
