"use client";
// What the cluster assigned to a network: NetworkID, host device or SR-IOV pool, VLAN or VxLAN, and
// the host interface the node agent creates for it (danm-spec §12). Read-only: tenants never set these.
import { vlanInterfaceName, vxlanInterfaceName, type NetworkObject } from "@/server/domain/api/network";

export function hostInterfaceOf(spec: NetworkObject["spec"]): string | undefined {
  const o = spec?.Options ?? {};
  const id = spec?.NetworkID;
  if (!id) return undefined;
  if (o.vxlan) return vxlanInterfaceName(id);
  if (o.vlan && o.host_device) return vlanInterfaceName(id, o.vlan);
  return undefined;
}

export function AssignedDetails({ object }: { object: NetworkObject }) {
  const spec = object.spec ?? {};
  const o = spec.Options ?? {};
  const items: [string, string | number | undefined, string][] = [
    ["NetworkType", spec.NetworkType || "ipvlan", "The backend Pods' interfaces are created with."],
    ["NetworkID", spec.NetworkID, "Names the CNI config of static delegates and the host interfaces."],
    ["host_device", o.host_device, "The host NIC the network is attached to."],
    ["device_pool", o.device_pool, "The SR-IOV pool VFs are taken from."],
    ["vlan", o.vlan, "802.1Q VLAN id on the host device (or the VF)."],
    ["vxlan", o.vxlan, "VxLAN VNI of the overlay."],
    ["host interface", hostInterfaceOf(spec), "Created on every node by the node agent."],
  ];
  return (
    <dl className="mt-2 grid grid-cols-[max-content_1fr] gap-x-6 gap-y-1 text-sm" data-testid="assigned-details">
      {items.map(([label, value, title]) => (
        <div key={label} className="contents">
          <dt className="text-slate-500" title={title}>
            {label}
          </dt>
          <dd className="font-mono" data-testid={`assigned-${label.replace(" ", "-")}`}>
            {value === undefined || value === "" ? <span className="font-sans text-slate-400">none</span> : String(value)}
          </dd>
        </div>
      ))}
    </dl>
  );
}
