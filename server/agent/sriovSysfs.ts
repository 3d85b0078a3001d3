// Reads SR-IOV physical functions from sysfs, under a configurable root (`--sysfs-root`, "/" on a
// real node, a prepared tree in tests and simulated nodes). The layout read, per PF netdev name:
//
//   <root>/sys/class/net/<pf>/device/sriov_totalvfs   VFs the device supports
//   <root>/sys/class/net/<pf>/device/sriov_numvfs     VFs created
//   <root>/sys/class/net/<pf>/device/virtfn<N>        symlink to ../<VF PCI address>
//
// writeSysfsTree builds that layout (device/ as a directory, PCI devices beside it) for tests
// and the local cluster's simulated nodes.
import fs from "node:fs";
import path from "node:path";
import type { PhysicalFunctionRead } from "../domain/sriov";

const netClass = (root: string) => path.join(root, "sys", "class", "net");

function readInt(file: string): number | undefined {
  try {
    const n = Number(fs.readFileSync(file, "utf8").trim());
    return Number.isInteger(n) && n >= 0 ? n : undefined;
  } catch {
    return undefined;
  }
}

/** One PF's VFs as sysfs shows them; never throws, a problem comes back as the reason. */
export function readPhysicalFunction(root: string, pf: string): PhysicalFunctionRead {
  if (!pf || pf.includes("/") || pf === "." || pf === "..") return { ok: false, reason: `"${pf}" is not a network interface name` };
  const device = path.join(netClass(root), pf, "device");
  if (!fs.existsSync(path.join(netClass(root), pf)))
    return { ok: false, reason: `physical function ${pf} does not exist on this node (no ${path.join(netClass(root), pf)})` };
  const totalVfs = readInt(path.join(device, "sriov_totalvfs"));
  if (totalVfs === undefined) return { ok: false, reason: `${pf} is not SR-IOV capable: ${path.join(device, "sriov_totalvfs")} is missing or unreadable` };
  const numVfs = readInt(path.join(device, "sriov_numvfs")) ?? 0;
  let entries: string[];
  try {
    entries = fs.readdirSync(device);
  } catch (e) {
    return { ok: false, reason: `cannot list ${device}: ${(e as Error).message}` };
  }
  const vfs: { index: number; pciAddress: string }[] = [];
  for (const entry of entries) {
    const m = /^virtfn(\d+)$/.exec(entry);
    if (!m) continue;
    try {
      vfs.push({ index: Number(m[1]), pciAddress: path.basename(fs.readlinkSync(path.join(device, entry))) });
    } catch (e) {
      return { ok: false, reason: `${path.join(device, entry)} is not a link to the VF's PCI device: ${(e as Error).message}` };
    }
  }
  vfs.sort((a, b) => a.index - b.index);
  return { ok: true, reading: { pf, totalVfs, numVfs, vfs } };
}

/** Reads each distinct PF once. */
export function readPhysicalFunctions(root: string, pfs: Iterable<string>): Map<string, PhysicalFunctionRead> {
  const out = new Map<string, PhysicalFunctionRead>();
  for (const pf of pfs) if (!out.has(pf)) out.set(pf, readPhysicalFunction(root, pf));
  return out;
}

export interface SysfsPf {
  name: string;
  /** PCI bus number (hex, 2 digits) of the PF; VFs get <bus>:02.<n> and following devices. */
  bus: string;
  totalVfs: number;
  numVfs: number;
}

/** PCI address of VF `n` of a PF on `bus` in trees written by writeSysfsTree. */
export function simulatedVfAddress(bus: string, n: number): string {
  return `0000:${bus}:${(2 + Math.floor(n / 8)).toString(16).padStart(2, "0")}.${n % 8}`;
}

/** Writes the layout readPhysicalFunction reads, for each PF (replacing what was there). */
export function writeSysfsTree(root: string, pfs: readonly SysfsPf[]): void {
  for (const pf of pfs) {
    const pciRoot = path.join(root, "sys", "devices", "pci0000:00");
    const pfAddress = `0000:${pf.bus}:00.0`;
    const device = path.join(pciRoot, pfAddress);
    fs.rmSync(device, { recursive: true, force: true });
    fs.mkdirSync(device, { recursive: true });
    fs.writeFileSync(path.join(device, "sriov_totalvfs"), `${pf.totalVfs}\n`);
    fs.writeFileSync(path.join(device, "sriov_numvfs"), `${pf.numVfs}\n`);
    for (let n = 0; n < pf.numVfs; n++) {
      const vf = simulatedVfAddress(pf.bus, n);
      fs.mkdirSync(path.join(pciRoot, vf), { recursive: true });
      fs.symlinkSync(`../${vf}`, path.join(device, `virtfn${n}`));
    }
    const net = path.join(netClass(root), pf.name);
    fs.rmSync(net, { recursive: true, force: true });
    fs.mkdirSync(net, { recursive: true });
    fs.symlinkSync(path.relative(net, device), path.join(net, "device"));
  }
}
