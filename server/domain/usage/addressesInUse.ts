// The addresses in use on networks, for the CSV export: every address a DanmEp holds, and every
// address set in a bitmap that no DanmEp (visible to the viewer) holds. The addresses a network
// reserves at creation (network, broadcast, gateways) are not "in use" and are left out.
import type { DanmEp } from "../api/danmEp";
import type { NetworkObject } from "../api/network";
import { leakedAddresses } from "../ipam/leaks";
import { stripPrefix } from "../net/cidr";

export interface AddressInUse {
  kind: string;
  namespace: string;
  network: string;
  family: 4 | 6;
  address: string;
  /** "held": a DanmEp holds it; "unheld": set in the bitmap, no DanmEp holds it */
  state: "held" | "unheld";
  podNamespace: string;
  pod: string;
  iface: string;
  node: string;
}

const filled = (s: string | undefined): s is string => s !== undefined && s !== "" && s !== "none";

export function addressesInUse(net: NetworkObject, endpoints: readonly DanmEp[]): AddressInUse[] {
  const where = { kind: net.kind, namespace: net.kind === "ClusterNetwork" ? "" : (net.metadata.namespace ?? ""), network: net.metadata.name ?? "" };
  const rows: AddressInUse[] = [];
  for (const ep of endpoints) {
    const i = ep.spec?.Interface;
    const holder = {
      state: "held" as const,
      podNamespace: ep.metadata.namespace ?? "",
      pod: ep.spec?.Pod ?? "",
      iface: i?.Name ?? "",
      node: ep.spec?.Host ?? "",
    };
    if (filled(i?.Address)) rows.push({ ...where, family: 4, address: stripPrefix(i.Address), ...holder });
    if (filled(i?.AddressIPv6)) rows.push({ ...where, family: 6, address: stripPrefix(i.AddressIPv6), ...holder });
  }
  const held = endpoints.map((ep) => ({ ip: ep.spec?.Interface?.Address, ip6: ep.spec?.Interface?.AddressIPv6 }));
  const unheld = leakedAddresses(net.spec?.Options ?? {}, held);
  const none = { state: "unheld" as const, podNamespace: "", pod: "", iface: "", node: "" };
  for (const address of unheld.ip) rows.push({ ...where, family: 4, address, ...none });
  for (const address of unheld.ip6) rows.push({ ...where, family: 6, address, ...none });
  return rows;
}

export const CSV_HEADER = ["kind", "namespace", "network", "family", "address", "state", "pod_namespace", "pod", "interface", "node"] as const;

/**
 * One CSV field (RFC 4180). Text a spreadsheet would run as a formula (=, +, -, @, tab, CR first)
 * gets a leading apostrophe: names come from tenants.
 */
export function csvField(value: string | number): string {
  let text = String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function addressesCsv(rows: AddressInUse[]): string {
  const lines = [CSV_HEADER.join(",")];
  for (const r of rows)
    lines.push([r.kind, r.namespace, r.network, `IPv${r.family}`, r.address, r.state, r.podNamespace, r.pod, r.iface, r.node].map(csvField).join(","));
  return `${lines.join("\r\n")}\r\n`;
}
