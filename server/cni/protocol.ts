// The CNI protocol as the danm plugin speaks it (CNI spec 1.0.0, results also in 0.3.x/0.4.0):
// the environment a container runtime sets, CNI_ARGS, the network configuration on stdin, and the
// error JSON printed on failure. Pure: callers hand in the environment and the stdin text.

export const SUPPORTED_VERSIONS = ["0.3.0", "0.3.1", "0.4.0", "1.0.0"] as const;
export type CniVersion = (typeof SUPPORTED_VERSIONS)[number];

export type CniCommand = "ADD" | "DEL" | "CHECK" | "VERSION";

/** CNI error codes (spec "Error" section); 100+ are the plugin's own. */
export const CNI_ERROR = {
  incompatibleVersion: 1,
  unsupportedField: 2,
  containerUnknown: 3,
  invalidEnvironment: 4,
  ioFailure: 5,
  decodeFailure: 6,
  invalidNetworkConfig: 7,
  tryAgainLater: 11,
  /** danm.k8s.io/interfaces annotation is invalid, or nothing to attach (no default network). */
  invalidPodRequest: 100,
  /** A requested network does not exist or the Pod's namespace may not use it. */
  networkUnavailable: 101,
  /** IPAM refused the request: address in use, pool exhausted, not in the network (rules A-1…A-6). */
  addressRefused: 102,
  /** The delegate CNI plugin failed. */
  delegateFailed: 103,
  /** The API server refused or could not be reached. */
  apiServer: 104,
  /** The interface in the Pod is not what the DanmEp records (CHECK). */
  interfaceMismatch: 105,
} as const;

export class CniError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly details = "",
  ) {
    super(message);
  }
}

export interface CniErrorJson {
  cniVersion: string;
  code: number;
  msg: string;
  details?: string;
}

export function errorJson(e: unknown, cniVersion: string): CniErrorJson {
  if (e instanceof CniError) return { cniVersion, code: e.code, msg: e.message, ...(e.details ? { details: e.details } : {}) };
  return { cniVersion, code: CNI_ERROR.ioFailure, msg: e instanceof Error ? e.message : String(e), details: e instanceof Error && e.stack ? e.stack : "" };
}

/** What the runtime passes in the environment. */
export interface CniEnvironment {
  command: CniCommand;
  containerId: string;
  netns: string;
  ifName: string;
  /** CNI_ARGS exactly as received (handed on to delegates). */
  argsText: string;
  args: Record<string, string>;
  path: string[];
}

/** "K1=V1;K2=V2" → record; a pair without "=" is an error (as in libcni). */
export function parseCniArgs(text: string | undefined): Record<string, string> {
  const args: Record<string, string> = {};
  for (const pair of (text ?? "").split(";")) {
    if (pair.trim() === "") continue;
    const eq = pair.indexOf("=");
    if (eq <= 0) throw new CniError(CNI_ERROR.invalidEnvironment, `CNI_ARGS: "${pair}" is not a KEY=VALUE pair`);
    args[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return args;
}

export function readEnvironment(env: Record<string, string | undefined>): CniEnvironment {
  const command = env.CNI_COMMAND;
  if (command !== "ADD" && command !== "DEL" && command !== "CHECK" && command !== "VERSION") {
    throw new CniError(
      CNI_ERROR.invalidEnvironment,
      `CNI_COMMAND must be ADD, DEL, CHECK or VERSION (got ${command === undefined ? "nothing" : `"${command}"`})`,
    );
  }
  const required =
    command === "VERSION" ? [] : command === "DEL" ? ["CNI_CONTAINERID", "CNI_IFNAME"] : ["CNI_CONTAINERID", "CNI_NETNS", "CNI_IFNAME", "CNI_PATH"];
  const missing = required.filter((k) => !env[k]);
  if (missing.length)
    throw new CniError(CNI_ERROR.invalidEnvironment, `${command} needs the environment variable${missing.length > 1 ? "s" : ""} ${missing.join(", ")}`);
  return {
    command,
    containerId: env.CNI_CONTAINERID ?? "",
    netns: env.CNI_NETNS ?? "",
    ifName: env.CNI_IFNAME ?? "",
    argsText: env.CNI_ARGS ?? "",
    args: parseCniArgs(env.CNI_ARGS),
    path: (env.CNI_PATH ?? "").split(":").filter(Boolean),
  };
}

/** The Pod a sandbox belongs to, from the K8S_* CNI_ARGS the kubelet / CRI runtime sets. */
export interface PodIdentity {
  namespace: string;
  name: string;
  /** K8S_POD_INFRA_CONTAINER_ID, else CNI_CONTAINERID. */
  sandboxId: string;
  uid?: string;
}

export function podIdentity(env: CniEnvironment): PodIdentity {
  const namespace = env.args.K8S_POD_NAMESPACE;
  const name = env.args.K8S_POD_NAME;
  if (!namespace || !name)
    throw new CniError(
      CNI_ERROR.invalidEnvironment,
      "CNI_ARGS must carry K8S_POD_NAMESPACE and K8S_POD_NAME (the container runtime sets them for Kubernetes pods)",
    );
  return { namespace, name, sandboxId: env.args.K8S_POD_INFRA_CONTAINER_ID || env.containerId, uid: env.args.K8S_POD_UID || undefined };
}

/** The danm network configuration (danm-spec §11.1). */
export interface DanmNetConf {
  cniVersion: CniVersion;
  name: string;
  type: string;
  kubeconfig: string;
  cniDir: string;
  namingScheme: string;
  /** Directory of the node-local IPAM lock files (nodeLock.ts); absent = /run/tenet/ipam. tenet's own field. */
  ipamLockDir?: string;
  /** Directory where each run leaves the statistics of its IPAM operations for the node agent (ipamStats.ts); absent = /run/tenet/ipam-stats. tenet's own field. */
  ipamStatsDir?: string;
  /** The plugin's own time limit for one ADD or DEL in seconds (danm-spec §15 item 14: 30, the default). tenet's own field. */
  timeoutSeconds?: number;
  /** The kubelet's PodResources socket (SR-IOV, sriovDevices.ts); absent = DANM_PODRESOURCES_SOCKET or /var/lib/kubelet/pod-resources/kubelet.sock. tenet's own field. */
  podResourcesSocket?: string;
  /** Directory holding sys/ where VFs are read (SR-IOV); absent = DANM_SYSFS_ROOT or "/". tenet's own field. */
  sysfsRoot?: string;
  /** The unix socket of the node's danm daemon, where the `danm` executable sends the request (daemon.ts); absent = /run/tenet/danm.sock. tenet's own field. */
  daemonSocket?: string;
  /** prevResult (CHECK, and DEL from 1.0.0 runtimes); not interpreted. */
  prevResult?: unknown;
}

export const DEFAULT_CNI_DIR = "/etc/cni/net.d";
/** danm-spec §15 item 14: an ADD gives up after 30 s. */
export const DEFAULT_TIMEOUT_SECONDS = 30;
const MIN_TIMEOUT_SECONDS = 15;
const MAX_TIMEOUT_SECONDS = 3600;

export function isSupportedVersion(v: unknown): v is CniVersion {
  return typeof v === "string" && (SUPPORTED_VERSIONS as readonly string[]).includes(v);
}

/** Decodes stdin. VERSION only needs cniVersion; the rest is checked for the other commands. */
export function parseNetConf(text: string, command: CniCommand): DanmNetConf {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new CniError(CNI_ERROR.decodeFailure, `the network configuration on stdin is not JSON: ${(e as Error).message}`);
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw))
    throw new CniError(CNI_ERROR.decodeFailure, "the network configuration on stdin must be a JSON object");
  const c = raw as Record<string, unknown>;
  const version = c.cniVersion ?? "0.3.1";
  if (!isSupportedVersion(version))
    throw new CniError(CNI_ERROR.incompatibleVersion, `cniVersion ${JSON.stringify(version)} is not supported; danm supports ${SUPPORTED_VERSIONS.join(", ")}`);
  const str = (k: string, fallback = "") => (typeof c[k] === "string" ? (c[k] as string) : fallback);
  const conf: DanmNetConf = {
    cniVersion: version,
    name: str("name", "danm"),
    type: str("type", "danm"),
    kubeconfig: str("kubeconfig"),
    cniDir: str("cniDir", DEFAULT_CNI_DIR) || DEFAULT_CNI_DIR,
    namingScheme: str("namingScheme"),
  };
  if (str("ipamLockDir")) conf.ipamLockDir = str("ipamLockDir");
  if (str("ipamStatsDir")) conf.ipamStatsDir = str("ipamStatsDir");
  if (str("podResourcesSocket")) conf.podResourcesSocket = str("podResourcesSocket");
  if (str("sysfsRoot")) conf.sysfsRoot = str("sysfsRoot");
  if (str("daemonSocket")) conf.daemonSocket = str("daemonSocket");
  if (c.prevResult !== undefined) conf.prevResult = c.prevResult;
  if (command !== "VERSION") {
    for (const k of ["kubeconfig", "cniDir", "namingScheme", "ipamLockDir", "ipamStatsDir", "podResourcesSocket", "sysfsRoot", "daemonSocket"]) {
      if (c[k] !== undefined && typeof c[k] !== "string")
        throw new CniError(CNI_ERROR.invalidNetworkConfig, `network configuration "${conf.name}": ${k} must be a string`);
    }
    if (!conf.kubeconfig)
      throw new CniError(
        CNI_ERROR.invalidNetworkConfig,
        `network configuration "${conf.name}": kubeconfig (path of the kubeconfig danm uses for the API server) is mandatory`,
      );
    if (c.timeoutSeconds !== undefined) {
      if (typeof c.timeoutSeconds !== "number" || !(c.timeoutSeconds >= MIN_TIMEOUT_SECONDS && c.timeoutSeconds <= MAX_TIMEOUT_SECONDS))
        throw new CniError(
          CNI_ERROR.invalidNetworkConfig,
          `network configuration "${conf.name}": timeoutSeconds must be a number from ${MIN_TIMEOUT_SECONDS} to ${MAX_TIMEOUT_SECONDS} (got ${JSON.stringify(c.timeoutSeconds)})`,
        );
      conf.timeoutSeconds = c.timeoutSeconds;
    }
  }
  return conf;
}

export function versionResult(cniVersion: string) {
  return { cniVersion, supportedVersions: [...SUPPORTED_VERSIONS] };
}
