// DPDK post-processing (danm-spec §11.8): a VF bound to a user-space driver has no kernel netdev,
// so the sriov plugin puts nothing into the Pod. danm then creates a dummy kernel interface named
// like the Pod interface, carrying the VF's PCI address as alias, the VF's MAC and the addresses,
// so the application (and people) find its IPs with ordinary tools. With a VLAN the addresses sit
// on a VLAN sub-interface named like the Pod interface, on top of a dummy named "d_<name>".
//
// dpdkInterfaceCommands is the pure decision (unit-tested); createDpdkInterface runs it with ip(8)
// inside the Pod's netns. Kernels without dummy (or 802.1Q) devices refuse, and the kernel's reason
// becomes the interface's error, as upstream fails the interface when the dummy cannot be made.
import { execFile } from "node:child_process";
import { tryParseCidr } from "../domain/net/cidr";
import { CNI_ERROR, CniError } from "./protocol";

/** Drivers DPDK binds VFs to (the SR-IOV CNI plugin's list of user-space drivers). */
export const USERSPACE_DRIVERS = ["vfio-pci", "igb_uio", "uio_pci_generic"] as const;

export const isUserspaceDriver = (driver: string | undefined): boolean => !!driver && (USERSPACE_DRIVERS as readonly string[]).includes(driver);

export interface DpdkInterface {
  ifName: string;
  pciAddress: string;
  driver?: string;
  mac?: string;
  vlan?: number;
  /** What the DanmEp records: "a.b.c.d/nn", "none", "" ... only real addresses are added. */
  addresses: (string | undefined)[];
}

const usableMac = (mac: string | undefined): mac is string => !!mac && /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/i.test(mac) && !/^(00:){5}00$/.test(mac);

/** Name of the dummy below the VLAN sub-interface. */
export const dpdkBaseName = (ifName: string) => `d_${ifName}`.slice(0, 15);

/**
 * `ip -batch` lines that make the kernel stand-in of a DPDK-bound VF, or undefined when the VF's
 * driver is a kernel network driver (then the sriov plugin moved a real netdev into the Pod).
 */
export function dpdkInterfaceCommands(d: DpdkInterface): string[] | undefined {
  if (!isUserspaceDriver(d.driver)) return undefined;
  const base = d.vlan ? dpdkBaseName(d.ifName) : d.ifName;
  const lines = [`link add ${base} type dummy`, `link set dev ${base} alias ${d.pciAddress}`];
  if (usableMac(d.mac)) lines.push(`link set dev ${base} address ${d.mac.toLowerCase()}`);
  if (d.vlan) lines.push(`link set dev ${base} up`, `link add link ${base} name ${d.ifName} type vlan id ${d.vlan}`);
  for (const a of d.addresses) {
    const net = a ? tryParseCidr(a) : undefined;
    if (!net || !a) continue;
    lines.push(net.family === 6 ? `addr add ${a} dev ${d.ifName} nodad` : `addr add ${a} dev ${d.ifName}`);
  }
  lines.push(`link set dev ${d.ifName} up`);
  return lines;
}

function ipBatch(netns: string, lines: string[]): Promise<{ ok: boolean; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile("nsenter", [`--net=${netns}`, "ip", "-batch", "-"], { encoding: "utf8" }, (err, _stdout, stderr) =>
      resolve({
        ok: !err,
        stderr: (stderr || (err ? err.message : ""))
          .replace(/^Command failed .*$/gm, "")
          .replace(/\s+/g, " ")
          .trim(),
      }),
    );
    child.stdin?.end(lines.join("\n") + "\n");
  });
}

/**
 * Makes the dummy (and VLAN) interface in the Pod when the VF is DPDK-bound; false when nothing was
 * needed. On failure removes what it made and throws with the kernel's reason.
 */
export async function createDpdkInterface(netns: string, d: DpdkInterface): Promise<boolean> {
  const lines = dpdkInterfaceCommands(d);
  if (!lines) return false;
  const r = await ipBatch(netns, lines);
  if (!r.ok) {
    await ipBatch(
      netns,
      [...new Set([d.ifName, d.vlan ? dpdkBaseName(d.ifName) : d.ifName])].map((n) => `link del dev ${n}`),
    );
    throw new CniError(
      CNI_ERROR.ioFailure,
      `VF ${d.pciAddress} is bound to the user-space driver ${d.driver} (DPDK), so danm makes a dummy kernel interface ${d.ifName}${d.vlan ? ` with VLAN ${d.vlan}` : ""} to carry its addresses, and the kernel refused: ${r.stderr}`,
    );
  }
  return true;
}

/** Removes the dummy interfaces of a DPDK VF (DEL, rollback); a missing interface is fine. */
export async function removeDpdkInterface(netns: string, ifName: string, vlan?: number): Promise<void> {
  for (const name of vlan ? [ifName, dpdkBaseName(ifName)] : [ifName]) await ipBatch(netns, [`link del dev ${name}`]);
}
