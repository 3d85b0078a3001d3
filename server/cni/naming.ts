// Interface names inside the Pod (danm-spec §11.5).
import { vlanInterfaceName, vxlanInterfaceName } from "../domain/api/network";

/** Linux limits interface names to 15 bytes; names are also passed to `ip` and sysctl paths. */
const INTERFACE_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,14}$/;

/**
 * Sequence 0 is always eth0; otherwise container_prefix + sequence (legacy scheme: the prefix alone),
 * or eth + sequence when the network has no prefix.
 */
export function interfaceName(sequence: number, containerPrefix: string | undefined, namingScheme: string): string {
  if (sequence === 0) return "eth0";
  if (!containerPrefix) return `eth${sequence}`;
  return namingScheme === "legacy" ? containerPrefix : `${containerPrefix}${sequence}`;
}

/** Why a name cannot be an interface name, or undefined when it can. Upstream leaves it to the kernel. */
export function interfaceNameProblem(name: string): string | undefined {
  if (INTERFACE_NAME.test(name) && name !== "." && name !== "..") return undefined;
  return name.length > 15
    ? `interface name "${name}" is longer than Linux's 15 characters; shorten the network's container_prefix`
    : `interface name "${name}" may only contain letters, digits, "_", "." and "-"`;
}

/** The host interface a dynamic network's interfaces hang off (§11.4): VxLAN, VLAN, or host_device. */
export function parentDevice(networkId: string | undefined, options: { host_device?: string; vlan?: number; vxlan?: number }): string {
  if (options.vxlan) return vxlanInterfaceName(networkId ?? "");
  if (options.vlan) return vlanInterfaceName(networkId ?? "", options.vlan);
  return options.host_device ?? "";
}
