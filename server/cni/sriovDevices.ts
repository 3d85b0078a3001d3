// SR-IOV device handoff during one CNI ADD (danm-spec §11.7). The first time an interface needs a
// device pool, danm asks the kubelet's PodResources API (once per ADD) which devices the Pod got;
// each interface on a pool then takes the LAST remaining device id of that pool, in annotation
// order. No devices, none of that pool, or fewer than the Pod's interfaces on it: that interface
// fails with an error saying what the Pod must request. The VF's PF, MAC and driver come from sysfs.
//
// Settings (netconf first, then environment, then default):
//   podResourcesSocket / DANM_PODRESOURCES_SOCKET  kubelet's pod-resources socket
//                                                  (/var/lib/kubelet/pod-resources/kubelet.sock)
//   sysfsRoot / DANM_SYSFS_ROOT                    directory holding sys/ ("/")
import { normalNetworkType, type NetworkObject } from "../domain/api/network";
import { podLabel, type Endpoint } from "./endpoint";
import { networkLabel, networkRefOf } from "../domain/networkRef";
import { CNI_ERROR, CniError, type DanmNetConf } from "./protocol";
import { linkExists } from "./podNetns";
import { createDpdkInterface, isUserspaceDriver, removeDpdkInterface } from "./sriovDpdk";
import { macFromPhysicalFunction, readVirtualFunction, type VirtualFunction } from "./sriovFunction";

export interface SriovSettings {
  podResourcesSocket: string;
  sysfsRoot: string;
}

export function sriovSettings(conf: DanmNetConf, env: Record<string, string | undefined> = process.env): SriovSettings {
  return {
    podResourcesSocket: conf.podResourcesSocket || env.DANM_PODRESOURCES_SOCKET || "/var/lib/kubelet/pod-resources/kubelet.sock",
    sysfsRoot: conf.sysfsRoot || env.DANM_SYSFS_ROOT || "/",
  };
}

/** §11.7: sriov is the only backend that needs a device from a pool. */
export const needsDevice = (network: NetworkObject | undefined): boolean => !!network && normalNetworkType(network.spec?.NetworkType) === "sriov";

/** The devices of a Pod by resource name, as the kubelet reports them. */
export type DeviceLookup = () => Promise<Map<string, string[]>>;

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/**
 * Which device id each interface gets: one entry per request, in annotation order — the id, an
 * Error for an interface that needs a device and gets none, or undefined when it needs none.
 * `networks[i]` is undefined when request i's network could not be resolved.
 */
export async function assignDeviceIds(
  pod: { namespace: string; name: string },
  networks: readonly (NetworkObject | undefined)[],
  lookup: DeviceLookup,
): Promise<(string | Error | undefined)[]> {
  const wanted = new Map<string, number>();
  for (const n of networks)
    if (needsDevice(n) && n!.spec?.Options?.device_pool) wanted.set(n!.spec!.Options!.device_pool!, (wanted.get(n!.spec!.Options!.device_pool!) ?? 0) + 1);
  let devices: Map<string, string[]> | Error | undefined;
  const remaining = new Map<string, string[]>();
  const out: (string | Error | undefined)[] = [];
  for (const network of networks) {
    if (!needsDevice(network)) {
      out.push(undefined);
      continue;
    }
    const what = `${podLabel(pod)}, ${networkLabel(networkRefOf(network!))}`;
    const pool = network!.spec?.Options?.device_pool;
    if (!pool) {
      out.push(
        new CniError(CNI_ERROR.invalidNetworkConfig, `${what}: an sriov network needs Options.device_pool (the device-plugin resource its VFs come from)`),
      );
      continue;
    }
    if (devices === undefined) {
      try {
        devices = await lookup();
        for (const [k, v] of devices) remaining.set(k, [...v]);
      } catch (e) {
        devices = e instanceof Error ? e : new Error(String(e));
      }
    }
    if (devices instanceof Error) {
      out.push(new CniError(devices instanceof CniError ? devices.code : CNI_ERROR.ioFailure, `${what}: ${devices.message}`));
      continue;
    }
    const ask = `the pod must request one device per interface on that pool: resources.limits["${pool}"]: ${wanted.get(pool)} in one of its containers`;
    const given = devices.get(pool) ?? [];
    const list = remaining.get(pool);
    if (given.length === 0) {
      const others = [...devices.keys()];
      out.push(
        new CniError(
          CNI_ERROR.invalidPodRequest,
          `${what}: the kubelet gave the pod no device of pool ${pool} (device_pool of the network)${others.length ? `; it has devices of ${others.join(", ")} only` : devices.size === 0 ? "; it has no devices at all" : ""}: ${ask}`,
        ),
      );
      continue;
    }
    const id = list?.pop();
    if (id === undefined) {
      out.push(
        new CniError(
          CNI_ERROR.invalidPodRequest,
          `${what}: the pool ${pool} is exhausted for this pod: the kubelet gave it ${plural(given.length, "device")} of that pool and ${plural(wanted.get(pool)!, "interface")} use it: ${ask}`,
        ),
      );
      continue;
    }
    out.push(id);
  }
  return out;
}

export interface SriovDevice extends VirtualFunction {}

/** The VF facts of a handed-out device id; the MAC from the PF's VF table when the VF has no netdev. */
export async function describeDevice(settings: SriovSettings, deviceId: string): Promise<SriovDevice> {
  const vf = readVirtualFunction(settings.sysfsRoot, deviceId);
  if (!vf.mac && vf.vfIndex !== undefined && settings.sysfsRoot === "/") {
    const mac = await macFromPhysicalFunction(vf.pf, vf.vfIndex);
    if (mac) return { ...vf, mac };
  }
  return vf;
}

/** §11.7 for one ADD: device ids from the kubelet, then the VF facts; one entry per request. */
export async function handOutDevices(
  conf: DanmNetConf,
  pod: { namespace: string; name: string },
  networks: readonly (NetworkObject | undefined)[],
): Promise<(SriovDevice | Error | undefined)[]> {
  if (!networks.some(needsDevice)) return networks.map(() => undefined);
  const settings = sriovSettings(conf);
  const lookup: DeviceLookup = async () =>
    (await import("./podResources")).podDevices({ socket: settings.podResourcesSocket, namespace: pod.namespace, name: pod.name });
  const ids = await assignDeviceIds(pod, networks, lookup);
  return Promise.all(
    ids.map(async (id, i) => {
      if (typeof id !== "string") return id;
      try {
        return await describeDevice(settings, id);
      } catch (e) {
        return new CniError(
          e instanceof CniError ? e.code : CNI_ERROR.ioFailure,
          `${podLabel(pod)}, ${networkLabel(networkRefOf(networks[i]!))}: ${(e as Error).message}`,
        );
      }
    }),
  );
}

/** Records the handed-out VF in the DanmEp (§11.3): DeviceID, and the MAC when known. */
export function withDevice(ep: Endpoint, device: SriovDevice | undefined): Endpoint {
  if (!device) return ep;
  return { ...ep, spec: { ...ep.spec, Interface: { ...ep.spec!.Interface, DeviceID: device.pciAddress, ...(device.mac ? { MacAddress: device.mac } : {}) } } };
}

/** What the sriov delegate's netconf needs about the VF; the PF is left out when sysfs no longer shows it (DEL). */
export function delegateDevice(conf: DanmNetConf, deviceId: string | undefined): { deviceID: string; master?: string; driver?: string } | undefined {
  if (!deviceId) return undefined;
  try {
    const vf = readVirtualFunction(sriovSettings(conf).sysfsRoot, deviceId);
    return { deviceID: deviceId, master: vf.pf, ...(vf.driver ? { driver: vf.driver } : {}) };
  } catch {
    return { deviceID: deviceId };
  }
}

/**
 * After the sriov delegate ran (§11.8): a DPDK-bound VF gets its dummy kernel interface (throws with
 * the kernel's reason when it cannot be made). True when a kernel interface named `ifName` is in the
 * Pod to post-process; false for a user-space interface.
 */
export async function sriovKernelInterface(
  netns: string,
  ifName: string,
  device: SriovDevice,
  vlan: number | undefined,
  addresses: (string | undefined)[],
  what: string,
): Promise<boolean> {
  try {
    await createDpdkInterface(netns, { ifName, pciAddress: device.pciAddress, driver: device.driver, mac: device.mac, vlan, addresses });
  } catch (e) {
    throw new CniError(e instanceof CniError ? e.code : CNI_ERROR.ioFailure, `${what}: ${(e as Error).message}`);
  }
  return linkExists(netns, ifName);
}

/** Rollback of sriovKernelInterface: removes the dummy interfaces of a DPDK-bound VF. */
export async function removeSriovKernelInterface(netns: string, ifName: string, device: SriovDevice, vlan: number | undefined): Promise<void> {
  if (isUserspaceDriver(device.driver)) await removeDpdkInterface(netns, ifName, vlan);
}
