// CNI DEL (danm-spec §11.9) and the teardown of one interface that ADD's rollback shares.
//
// Teardown order: delegate DEL (removes the interface), delete the DanmEp, then free its addresses
// (crash safety, see ipam.ts). Decisions against upstream: DEL reports an error when a DanmEp or an
// address could not be removed (the runtime retries DEL, which is idempotent) instead of always
// succeeding and leaking; a DanmEp whose network is gone is deleted (its addresses died with the
// network's bitmap) and its interface removed directly.
import fs from "node:fs";
import path from "node:path";
import { isDynamicNetworkType, normalNetworkType, type NetworkObject } from "../domain/api/network";
import { networkIdProblem, shownNetworkId } from "../domain/rules/networkIdentity";
import { cidrContains, stripPrefix, tryParseCidr, tryParseIp } from "../domain/net/cidr";
import { callDelegate } from "./delegate";
import { delegateConfig } from "./delegateConfig";
import { podLabel, type DanmApi, type Endpoint } from "./endpoint";
import type { AddressAllocator } from "../ipam/networkIpam";
import { endpointNetworkRef, networkLabel } from "../domain/networkRef";
import { deleteLink } from "./podNetns";
import { CNI_ERROR, CniError, type CniEnvironment, type DanmNetConf } from "./protocol";
import { delegateDevice } from "./sriovDevices";

export interface PluginRun {
  env: CniEnvironment;
  conf: DanmNetConf;
  api: DanmApi;
  ipam: AddressAllocator;
  host: string;
  log(line: string): void;
}

/** `<cniDir>/<NetworkID>.conf`; a NetworkID that is no file name there (N-27) is refused, never followed. */
export function readStaticConf(cniDir: string, networkId: string): { path: string; text?: string } {
  const problem = networkIdProblem(networkId);
  if (problem)
    throw new CniError(
      CNI_ERROR.invalidNetworkConfig,
      `NetworkID ${JSON.stringify(shownNetworkId(networkId))} does not name a CNI configuration in ${cniDir}: ${problem} (N-27)`,
    );
  const file = path.join(cniDir, `${networkId}.conf`);
  try {
    return { path: file, text: fs.readFileSync(file, "utf8") };
  } catch {
    return { path: file };
  }
}

const status = (e: unknown) => (e as { status?: number } | null)?.status;

/** Whether an address recorded in a DanmEp lies in the network's cidr / net6 (then DANM owns it). */
function inNetwork(address: string | undefined, network: NetworkObject): boolean {
  const ip = address ? tryParseIp(stripPrefix(address)) : undefined;
  if (!ip) return false;
  const o = network.spec?.Options ?? {};
  const net = tryParseCidr((ip.family === 4 ? o.cidr : o.net6) ?? "");
  return !!net && net.family === ip.family && cidrContains(net, ip);
}

/** The delegate netconf for an existing DanmEp, as ADD generated it; `deviceId` is the SR-IOV VF (DanmEp DeviceID). */
export function delegateFor(run: PluginRun, network: NetworkObject, addresses: { ip?: string; ip6?: string }, ipamByDanm: boolean, deviceId?: string) {
  const networkId = network.spec?.NetworkID || network.metadata.name || "";
  const type = normalNetworkType(network.spec?.NetworkType);
  const file = type === "macvlan" || type === "ipvlan" || type === "sriov" ? undefined : readStaticConf(run.conf.cniDir, networkId);
  return delegateConfig({
    network,
    addresses,
    ipamByDanm,
    staticConf: file?.text,
    staticConfPath: file?.path,
    cniVersion: "1.0.0",
    device: type === "sriov" ? delegateDevice(run.conf, deviceId) : undefined,
  });
}

/**
 * Removes one interface: delegate DEL, DanmEp, addresses. `network` is read when not given.
 * Throws only when the DanmEp or its addresses could not be removed; delegate failures are logged.
 */
export async function teardownEndpoint(run: PluginRun, ep: Endpoint, known?: NetworkObject): Promise<void> {
  const ref = endpointNetworkRef(ep);
  const iface = ep.spec?.Interface ?? {};
  const ifName = iface.Name ?? "";
  const what = `${podLabel({ namespace: ep.metadata.namespace, name: ep.spec?.Pod ?? "?" })}, ${networkLabel(ref)} (${ifName})`;
  let network = known;
  if (!network) {
    try {
      network = await run.api.getNetwork(ref.kind, ref.name, ref.namespace);
    } catch (e) {
      if (status(e) !== 404) throw new CniError(CNI_ERROR.apiServer, `${what}: reading the network failed: ${(e as Error).message}`);
    }
  }
  const netns = ep.spec?.netns || run.env.netns;
  if (network) {
    try {
      const dynamic = isDynamicNetworkType(network.spec?.NetworkType);
      const owned = dynamic || inNetwork(iface.Address, network) || inNetwork(iface.AddressIPv6, network);
      const { type, conf } = delegateFor(run, network, { ip: iface.Address, ip6: iface.AddressIPv6 }, owned, iface.DeviceID);
      await callDelegate({ command: "DEL", type, conf, ifName, env: { ...run.env, netns }, what });
    } catch (e) {
      run.log(`${(e as Error).message}; removing the interface directly`);
      if (netns && ifName && fs.existsSync(netns)) await deleteLink(netns, ifName);
    }
  } else if (netns && ifName && fs.existsSync(netns)) {
    await deleteLink(netns, ifName);
  }
  try {
    await run.api.deleteEndpoint(ep.metadata.namespace, ep.metadata.name);
  } catch (e) {
    if (status(e) !== 404)
      throw new CniError(CNI_ERROR.apiServer, `${what}: deleting DanmEp ${ep.metadata.namespace}/${ep.metadata.name} failed: ${(e as Error).message}`);
  }
  if (network) {
    try {
      await run.ipam.free(ref, { ip: iface.Address, ip6: iface.AddressIPv6 });
    } catch (e) {
      if (status(e) !== 404)
        throw new CniError(
          CNI_ERROR.apiServer,
          `${what}: freeing ${[iface.Address, iface.AddressIPv6].filter(Boolean).join(", ")} failed: ${(e as Error).message}`,
        );
    }
  }
}

/** DanmEps of a sandbox; listed in the Pod's namespace when CNI_ARGS name it, else cluster-wide. */
export async function sandboxEndpoints(run: PluginRun, sandboxId: string, namespace?: string): Promise<Endpoint[]> {
  let last: unknown;
  for (let attempt = 0; attempt < 10; attempt++) {
    try {
      return (await run.api.findEndpoints(namespace, "CID", sandboxId)).filter((ep) => ep.spec?.CID === sandboxId);
    } catch (e) {
      last = e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new CniError(CNI_ERROR.apiServer, `listing DanmEps of sandbox ${sandboxId} failed: ${(last as Error)?.message ?? last}`);
}

/** Tears down every interface of the sandbox; collects failures into one error. */
export async function teardownSandbox(run: PluginRun, endpoints: Endpoint[]): Promise<void> {
  const results = await Promise.allSettled(endpoints.map((ep) => teardownEndpoint(run, ep)));
  const failures = results.flatMap((r) => (r.status === "rejected" ? [r.reason as Error] : []));
  if (failures.length) throw new CniError(failures[0] instanceof CniError ? failures[0].code : CNI_ERROR.apiServer, failures.map((f) => f.message).join("; "));
}

export async function runDel(run: PluginRun): Promise<void> {
  const sandboxId = run.env.args.K8S_POD_INFRA_CONTAINER_ID || run.env.containerId;
  const endpoints = await sandboxEndpoints(run, sandboxId, run.env.args.K8S_POD_NAMESPACE || undefined);
  await teardownSandbox(run, endpoints);
}
