// Prepared sysfs trees for the SR-IOV tests: the part of /sys a node with SR-IOV NICs shows, as
// danm's sriovFunction.ts reads it (PCI devices, physfn/virtfn links, VF netdevs and MACs, bound
// drivers), written under a temporary root that the plugin gets as its sysfsRoot.
import fs from "node:fs";
import path from "node:path";

export interface TreeVf {
  pciAddress: string;
  /** Bound driver: a kernel NIC driver (iavf, mlx5_core) or a user-space one (vfio-pci = DPDK). */
  driver: string;
  /** The VF's netdev while a kernel driver owns it. */
  netdev?: string;
  mac?: string;
}

export interface TreePf {
  name: string;
  pciAddress: string;
  mac: string;
  vfs: TreeVf[];
}

export function writeVfTree(root: string, pfs: readonly TreePf[]): void {
  const devices = path.join(root, "sys", "devices", "pci0000:00");
  const bus = path.join(root, "sys", "bus", "pci", "devices");
  const drivers = path.join(root, "sys", "bus", "pci", "drivers");
  fs.mkdirSync(bus, { recursive: true });
  const device = (pci: string) => {
    const dir = path.join(devices, pci);
    fs.mkdirSync(dir, { recursive: true });
    const link = path.join(bus, pci);
    if (!fs.existsSync(link)) fs.symlinkSync(path.relative(bus, dir), link);
    return dir;
  };
  for (const pf of pfs) {
    const pfDir = device(pf.pciAddress);
    fs.mkdirSync(path.join(pfDir, "net", pf.name), { recursive: true });
    fs.writeFileSync(path.join(pfDir, "net", pf.name, "address"), `${pf.mac}\n`);
    fs.writeFileSync(path.join(pfDir, "sriov_totalvfs"), `${pf.vfs.length}\n`);
    fs.writeFileSync(path.join(pfDir, "sriov_numvfs"), `${pf.vfs.length}\n`);
    pf.vfs.forEach((vf, index) => {
      const vfDir = device(vf.pciAddress);
      fs.symlinkSync(`../${vf.pciAddress}`, path.join(pfDir, `virtfn${index}`));
      fs.symlinkSync(`../${pf.pciAddress}`, path.join(vfDir, "physfn"));
      fs.mkdirSync(path.join(drivers, vf.driver), { recursive: true });
      fs.symlinkSync(path.relative(vfDir, path.join(drivers, vf.driver)), path.join(vfDir, "driver"));
      if (vf.netdev) {
        fs.mkdirSync(path.join(vfDir, "net", vf.netdev), { recursive: true });
        fs.writeFileSync(path.join(vfDir, "net", vf.netdev, "address"), `${vf.mac ?? "00:00:00:00:00:00"}\n`);
      }
    });
  }
}
