// CNI ADD (danm-spec §11.2) and CHECK. For each requested interface: resolve the network, reserve
// addresses (§10), write the DanmEp, delegate (§11.6), post-process (§11.8). Any failure rolls back
// every interface of this ADD (delegate DEL, DanmEp, addresses) before the error is returned.
import { randomUUID } from "node:crypto";
import { interfacesAnnotationValue, parseInterfacesAnnotation, type InterfaceRequest } from "../domain/annotation";
import { normalNetworkType, type NetworkKind, type NetworkObject } from "../domain/api/network";
import { callDelegate } from "./delegate";
import { danmReservesAddresses } from "./delegateConfig";
import { buildEndpoint, podLabel, type Endpoint, type PodInfo } from "./endpoint";
import { delegateFor, sandboxEndpoints, teardownEndpoint, teardownSandbox, type PluginRun } from "./del";
import { IpamError } from "../ipam/networkIpam";
import { networkLabel, networkRefOf } from "../domain/networkRef";
import { interfaceName, interfaceNameProblem } from "./naming";
import { enableIpv6, linkExists, postProcess } from "./podNetns";
import { CNI_ERROR, CniError, podIdentity } from "./protocol";
import { addressesOf, mergeResults, type CniResult } from "./result";
import { handOutDevices, removeSriovKernelInterface, sriovKernelInterface, withDevice, type SriovDevice } from "./sriovDevices";

const status = (e: unknown) => (e as { status?: number } | null)?.status;

/**
 * Prefixes a failure with the pod and keeps its CNI code; IPAM refusals carry their rule in the
 * message, IPAM operations that ran out of their time (main.ts's budget) answer "try again later" (11).
 */
function failure(pod: string, e: unknown): CniError {
  if (e instanceof CniError) return e.message.startsWith(pod) ? e : new CniError(e.code, `${pod}: ${e.message}`, e.details);
  if (e instanceof IpamError)
    return new CniError(e.rule ? CNI_ERROR.addressRefused : e.details.timedOut ? CNI_ERROR.tryAgainLater : CNI_ERROR.apiServer, `${pod}: ${e.message}`);
  return new CniError(CNI_ERROR.apiServer, `${pod}: ${(e as Error)?.message ?? e}`);
}

async function readPod(run: PluginRun, namespace: string, name: string): Promise<PodInfo> {
  try {
    return await run.api.readPod(namespace, name);
  } catch (e) {
    if (status(e) === 404) throw new CniError(CNI_ERROR.containerUnknown, `pod ${namespace}/${name} does not exist in the API server`);
    throw new CniError(CNI_ERROR.apiServer, `reading pod ${namespace}/${name} failed: ${(e as Error).message}`);
  }
}

/** §11.2 step 3: DanmNet, then TenantNetwork "default" in the Pod's namespace, then ClusterNetwork "default". */
async function defaultNetwork(run: PluginRun, pod: PodInfo): Promise<InterfaceRequest> {
  for (const kind of ["DanmNet", "TenantNetwork", "ClusterNetwork"] as const) {
    try {
      await run.api.getNetwork(kind, "default", kind === "ClusterNetwork" ? undefined : pod.namespace);
      return { kind, name: "default", ip: "dynamic" };
    } catch (e) {
      if (status(e) !== 404) throw failure(podLabel(pod), e);
    }
  }
  throw new CniError(
    CNI_ERROR.invalidPodRequest,
    `${podLabel(pod)}: no network connections defined (annotation danm.k8s.io/interfaces) and no default network (DanmNet or TenantNetwork "default" in namespace ${pod.namespace}, or ClusterNetwork "default")`,
  );
}

/** §11.2 6a–b: the network, and whether the Pod's namespace may use it. */
async function resolveNetwork(run: PluginRun, pod: PodInfo, req: InterfaceRequest): Promise<NetworkObject> {
  const namespace = req.kind === "ClusterNetwork" ? undefined : pod.namespace;
  let network: NetworkObject;
  try {
    network = await run.api.getNetwork(req.kind as NetworkKind, req.name, namespace);
  } catch (e) {
    if (status(e) === 404)
      throw new CniError(
        CNI_ERROR.networkUnavailable,
        `${podLabel(pod)}: requested network ${req.name} of type ${req.kind} ${namespace ? `in namespace ${namespace} ` : ""}does not exist (C-1)`,
      );
    throw failure(podLabel(pod), e);
  }
  const allowed = network.kind === "ClusterNetwork" ? network.spec?.AllowedTenants : undefined;
  if (allowed?.length && !allowed.includes(pod.namespace))
    throw new CniError(
      CNI_ERROR.networkUnavailable,
      `${podLabel(pod)}: ClusterNetwork ${req.name} does not allow namespace ${pod.namespace} (AllowedTenants: ${allowed.join(", ")}; C-2)`,
    );
  return network;
}

interface Attached {
  ifName: string;
  result: CniResult;
  ep: Endpoint;
  network: NetworkObject;
}

/** §11.2 6e–i for one interface; on failure undoes its own steps and throws. */
async function attach(
  run: PluginRun,
  pod: PodInfo,
  sandboxId: string,
  sequence: number,
  req: InterfaceRequest,
  network: NetworkObject,
  device: SriovDevice | undefined,
  enableIpv6First: boolean,
): Promise<Attached> {
  const ref = networkRefOf(network);
  const options = network.spec?.Options ?? {};
  const ifName = interfaceName(sequence, options.container_prefix, run.conf.namingScheme);
  const what = `${podLabel(pod)}, ${networkLabel(ref)} (${ifName})`;
  const nameProblem = interfaceNameProblem(ifName);
  if (nameProblem) throw new CniError(CNI_ERROR.invalidNetworkConfig, `${what}: ${nameProblem}`);
  const byDanm = danmReservesAddresses(network, req);
  let addresses = { ip: req.ip ?? "", ip6: req.ip6 ?? "" };
  if (byDanm) {
    try {
      addresses = await run.ipam.allocate(ref, { ip: req.ip, ip6: req.ip6 });
    } catch (e) {
      throw failure(podLabel(pod), e);
    }
  }
  const id = randomUUID();
  let ep = withDevice(buildEndpoint({ id, pod, network, request: req, ifName, addresses, host: run.host, sandboxId, netns: run.env.netns }), device);
  try {
    ep = await run.api.createEndpoint(ep);
  } catch (e) {
    await run.ipam.free(ref, addresses).catch((f) => run.log(`${what}: freeing after a failed DanmEp create: ${(f as Error).message}`));
    throw new CniError(CNI_ERROR.apiServer, `${what}: creating DanmEp ${pod.namespace}/${id} failed: ${(e as Error).message}`);
  }
  try {
    const { type, conf } = delegateFor(run, network, addresses, byDanm, device?.pciAddress);
    const result = (await delegateAdd(run, { command: "ADD", type, conf, ifName, env: run.env, what }, network))!;
    const got = addressesOf(result);
    if (!byDanm && (got.ip !== addresses.ip || got.ip6 !== addresses.ip6)) {
      // §11.6: a static delegate's own IPAM chose the addresses; record them
      ep = await writeBack(run, ep, { ip: addresses.ip === "none" ? "none" : got.ip, ip6: addresses.ip6 === "none" ? "none" : got.ip6 });
    }
    const iface = ep.spec!.Interface!;
    const real6 = !!iface.AddressIPv6 && iface.AddressIPv6 !== "none";
    // §11.8: a DPDK-bound VF gets a dummy kernel interface; a user-space interface is not post-processed
    if (device && !(await sriovKernelInterface(run.env.netns, ifName, device, options.vlan, [iface.Address, iface.AddressIPv6], what)))
      return { ifName, result, ep, network };
    await postProcess(
      run.env.netns,
      ifName,
      real6,
      { table: options.rt_tables ?? 0, address: iface.Address, address6: iface.AddressIPv6, proutes: req.proutes, proutes6: req.proutes6 },
      enableIpv6First,
    );
    return { ifName, result, ep, network };
  } catch (e) {
    await teardownEndpoint(run, ep, network).catch((f) => run.log(`${what}: rollback: ${(f as Error).message}`));
    if (device) await removeSriovKernelInterface(run.env.netns, ifName, device, options.vlan);
    throw failure(podLabel(pod), e);
  }
}

/** How long an ADD waits for a VLAN/VxLAN host interface the node agent has not made yet. */
const PARENT_WAIT_MS = 10_000;

/**
 * The delegate's ADD. A VLAN or VxLAN network's parent (vx_… / the VLAN interface) is made by the
 * node agent when it sees the network; a Pod created right after its network can get here first, and
 * macvlan/ipvlan then fail with "Link not found": that case is tried again for up to 10 s.
 */
async function delegateAdd(run: PluginRun, call: Parameters<typeof callDelegate>[0], network: NetworkObject) {
  const options = network.spec?.Options ?? {};
  const managedParent = (call.type === "macvlan" || call.type === "ipvlan") && (!!options.vlan || !!options.vxlan);
  const until = performance.now() + PARENT_WAIT_MS;
  for (let waited = false; ; waited = true) {
    try {
      const result = await callDelegate(call);
      if (waited) run.log(`${call.what}: host interface ${String(call.conf.master)} appeared; attached`);
      return result;
    } catch (e) {
      if (!managedParent || !/link not found|no such device/i.test((e as Error).message) || performance.now() > until) throw e;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

async function writeBack(run: PluginRun, ep: Endpoint, addresses: { ip: string; ip6: string }): Promise<Endpoint> {
  let current = ep;
  for (let attempt = 0; ; attempt++) {
    try {
      return await run.api.replaceEndpoint({
        ...current,
        spec: { ...current.spec, Interface: { ...current.spec!.Interface, Address: addresses.ip, AddressIPv6: addresses.ip6 } },
      });
    } catch (e) {
      if (attempt >= 9) throw e;
      await new Promise((r) => setTimeout(r, 100));
      current = (await run.api.listEndpoints(ep.metadata.namespace)).find((x) => x.metadata.name === ep.metadata.name) ?? current;
    }
  }
}

export async function runAdd(run: PluginRun): Promise<CniResult> {
  const identity = podIdentity(run.env);
  const pod = await readPod(run, identity.namespace, identity.name);
  const label = podLabel(pod);
  const parsed = parseInterfacesAnnotation(interfacesAnnotationValue(pod.annotations));
  if (!parsed.ok) throw new CniError(CNI_ERROR.invalidPodRequest, `${label}: ${parsed.error}`);
  const requests = parsed.interfaces.length ? parsed.interfaces : [await defaultNetwork(run, pod)];

  // §11.2 step 5: DanmEps of an earlier sandbox of this very Pod (same name and UID) are stale
  const previous = (await run.api.findEndpoints(pod.namespace, "PodUID", pod.uid).catch(() => [] as Endpoint[])).filter(
    (ep) => ep.spec?.Pod === pod.name && ep.spec?.PodUID === pod.uid && ep.spec?.CID !== identity.sandboxId,
  );
  await teardownSandbox(run, previous).catch((e) => run.log(`${label}: stale DanmEps: ${(e as Error).message}`));

  const resolved = await Promise.allSettled(requests.map((req) => resolveNetwork(run, pod, req)));
  // §11.2 step 4, IPv6 on in the Pod before any delegate may add an IPv6 address. One macvlan/ipvlan
  // interface with danm's IPv4 only gets no IPv6 address from its delegate: then it is the first
  // sysctl of the interface's post-processing, one process fewer per ADD (same end state).
  const only = requests.length === 1 && resolved[0].status === "fulfilled" ? resolved[0].value : undefined;
  const ipv6Later =
    !!only &&
    ["macvlan", "ipvlan"].includes(normalNetworkType(only.spec?.NetworkType)) &&
    danmReservesAddresses(only, requests[0]) &&
    !(requests[0].ip6 && requests[0].ip6 !== "none");
  if (!ipv6Later) await enableIpv6(run.env.netns);
  // §11.2 c, §11.7: SR-IOV devices are handed out in annotation order once every network is known
  const devices = await handOutDevices(
    run.conf,
    pod,
    resolved.map((r) => (r.status === "fulfilled" ? r.value : undefined)),
  );
  const settled = await Promise.allSettled(
    requests.map(async (req, sequence) => {
      const network = resolved[sequence];
      if (network.status === "rejected") throw network.reason;
      const device = devices[sequence];
      if (device instanceof Error) throw device;
      return attach(run, pod, identity.sandboxId, sequence, req, network.value, device, ipv6Later);
    }),
  );
  const done = settled.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
  const failed = settled.flatMap((s) => (s.status === "rejected" ? [failure(label, s.reason)] : []));
  if (failed.length) {
    await Promise.all(
      done.map((d) => teardownEndpoint(run, d.ep, d.network).catch((e) => run.log(`${label}: rollback of ${d.ifName}: ${(e as Error).message}`))),
    );
    const message =
      failed.length === 1
        ? failed[0].message
        : `${label}: ${failed.length} of ${requests.length} interfaces failed: ${failed.map((f) => f.message.slice(label.length + 2)).join("; ")}`;
    throw new CniError(failed[0].code, message, failed.length === 1 ? failed[0].details : "");
  }
  return mergeResults(done.map((d) => ({ ifName: d.ifName, result: d.result })));
}

/** CHECK: every DanmEp of the sandbox has its interface in the Pod. */
export async function runCheck(run: PluginRun): Promise<void> {
  const identity = podIdentity(run.env);
  const endpoints = await sandboxEndpoints(run, identity.sandboxId, identity.namespace);
  if (endpoints.length === 0) throw new CniError(CNI_ERROR.interfaceMismatch, `${podLabel(identity)}: no DanmEp records sandbox ${identity.sandboxId}`);
  for (const ep of endpoints) {
    const name = ep.spec?.Interface?.Name ?? "";
    if (!(await linkExists(run.env.netns, name)))
      throw new CniError(
        CNI_ERROR.interfaceMismatch,
        `${podLabel(identity)}: interface ${name} of DanmEp ${ep.metadata.name} (network ${ep.spec?.NetworkName}) is missing from ${run.env.netns}`,
      );
  }
}
