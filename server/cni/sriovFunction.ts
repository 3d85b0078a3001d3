// What danm needs to know about the SR-IOV virtual function (VF) the kubelet handed a Pod
// (danm-spec §11.7, §11.8), read from sysfs under a configurable root ("/" on a node, a prepared
// tree in tests):
//
//   <root>/sys/bus/pci/devices/<vf>/physfn         link to the physical function's PCI device
//   <root>/sys/bus/pci/devices/<vf>/physfn/net/<pf> the PF's netdev name (the sriov plugin's master)
//   <root>/sys/bus/pci/devices/<vf>/physfn/virtfnN  link back to the VF: N is the VF index
//   <root>/sys/bus/pci/devices/<vf>/net/<name>/address  the VF's MAC, while a kernel driver owns it
//   <root>/sys/bus/pci/devices/<vf>/driver          link to the bound driver (vfio-pci = DPDK)
//
// A VF bound to a user-space driver has no netdev; on a real node its MAC is then read from the
// PF's VF table (`ip -j link show dev <pf>`, vfinfo_list), as upstream reads it over netlink.
import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { CNI_ERROR, CniError } from "./protocol";

export interface VirtualFunction {
  /** PCI address, e.g. 0000:3b:02.1. */
  pciAddress: string;
  /** PF netdev name. */
  pf: string;
  /** VF index on the PF. */
  vfIndex?: number;
  /** Kernel driver bound to the VF (iavf, mlx5_core, vfio-pci, ...); undefined when none. */
  driver?: string;
  /** The VF's netdev name while a kernel network driver owns it. */
  netdev?: string;
  /** Lowercase MAC; undefined when unknown. */
  mac?: string;
}

const PCI_ADDRESS = /^[0-9a-fA-F]{4}:[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\.[0-7]$/;

const list = (dir: string): string[] => {
  try {
    return fs.readdirSync(dir).sort();
  } catch {
    return [];
  }
};

function readMac(file: string): string | undefined {
  try {
    const mac = fs.readFileSync(file, "utf8").trim().toLowerCase();
    return /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/.test(mac) ? mac : undefined;
  } catch {
    return undefined;
  }
}

/** Reads one VF; throws a CniError saying what is wrong when it is not an SR-IOV VF on this node. */
export function readVirtualFunction(sysfsRoot: string, pciAddress: string): VirtualFunction {
  if (!PCI_ADDRESS.test(pciAddress))
    throw new CniError(
      CNI_ERROR.invalidNetworkConfig,
      `device id "${pciAddress}" is not a PCI address (dddd:bb:dd.f); the device plugin of this pool does not hand out SR-IOV VFs`,
    );
  const device = path.join(sysfsRoot, "sys", "bus", "pci", "devices", pciAddress);
  if (!fs.existsSync(device)) throw new CniError(CNI_ERROR.invalidNetworkConfig, `PCI device ${pciAddress} does not exist on this node (no ${device})`);
  const physfn = path.join(device, "physfn");
  if (!fs.existsSync(physfn)) throw new CniError(CNI_ERROR.invalidNetworkConfig, `PCI device ${pciAddress} is not an SR-IOV virtual function (no ${physfn})`);
  const pf = list(path.join(physfn, "net"))[0];
  if (!pf)
    throw new CniError(
      CNI_ERROR.invalidNetworkConfig,
      `the physical function of VF ${pciAddress} has no network interface (${path.join(physfn, "net")} is empty); is its driver loaded?`,
    );
  let vfIndex: number | undefined;
  for (const entry of list(physfn)) {
    const m = /^virtfn(\d+)$/.exec(entry);
    if (!m) continue;
    try {
      if (path.basename(fs.readlinkSync(path.join(physfn, entry))) === pciAddress) vfIndex = Number(m[1]);
    } catch {
      // not a link
    }
  }
  let driver: string | undefined;
  try {
    driver = path.basename(fs.readlinkSync(path.join(device, "driver")));
  } catch {
    driver = undefined;
  }
  const netdev = list(path.join(device, "net"))[0];
  const mac = netdev ? readMac(path.join(device, "net", netdev, "address")) : undefined;
  return {
    pciAddress,
    pf,
    ...(vfIndex !== undefined ? { vfIndex } : {}),
    ...(driver ? { driver } : {}),
    ...(netdev ? { netdev } : {}),
    ...(mac ? { mac } : {}),
  };
}

/** The VF's MAC from the PF's VF table (`ip -j link show dev <pf>`); undefined when it cannot be read. */
export function macFromPhysicalFunction(pf: string, vfIndex: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile("ip", ["-j", "link", "show", "dev", pf], { encoding: "utf8" }, (err, stdout) => {
      if (err) return resolve(undefined);
      try {
        const [link] = JSON.parse(stdout) as { vfinfo_list?: { vf?: number; address?: string }[] }[];
        const vf = link?.vfinfo_list?.find((v, i) => (v.vf ?? i) === vfIndex);
        resolve(vf?.address?.toLowerCase());
      } catch {
        resolve(undefined);
      }
    });
  });
}
