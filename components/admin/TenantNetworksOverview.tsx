"use client";
// Every tenant's TenantNetworks, grouped by namespace: type, NetworkID, VNI, device, addressing, usage.
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { useTRPC } from "@/components/trpc";
import type { AdminNetworkRow } from "@/server/api/routers/admin";
import { UsageCell } from "./UsageCell";
import { NetadminLoadError } from "./NetadminLoadError";
import { Empty, Loading } from "@/components/LoadStates";
import { filterInputClass } from "@/components/styles";

const matches = (n: AdminNetworkRow, f: string) =>
  `${n.namespace} ${n.name} ${n.networkType} ${n.networkId} ${n.cidr} ${n.net6} ${n.hostDevice} ${n.devicePool} ${n.vni ? `${n.vni.type} ${n.vni.id}` : ""}`
    .toLowerCase()
    .includes(f.toLowerCase());

export function TenantNetworksOverview() {
  const trpc = useTRPC();
  const groups = useQuery(trpc.admin.tenantNetworks.queryOptions());
  const [filter, setFilter] = useState("");
  const total = (groups.data ?? []).reduce((n, g) => n + g.networks.length, 0);
  return (
    <div>
      <div className="flex flex-wrap items-center gap-3">
        <h1 className="text-2xl font-semibold">Tenants’ networks</h1>
        <input
          className={`${filterInputClass} w-72`}
          placeholder="Filter by namespace, name, VLAN, device…"
          value={filter}
          onChange={(e) => setFilter(e.target.value)}
          data-testid="tenant-filter"
        />
      </div>
      <p className="mt-1 text-sm text-slate-600">Every TenantNetwork in every namespace, with the device and VNI the cluster gave it from the TenantConfig.</p>
      <div className="mt-4 space-y-6">
        {groups.isPending ? (
          <Loading what="tenants’ networks" />
        ) : groups.isError ? (
          <NetadminLoadError error={groups.error} what="every tenant’s networks" onRetry={() => groups.refetch()} />
        ) : groups.data.length === 0 ? (
          <Empty>There are no tenant namespaces yet. Create a namespace and bind a team to the tenet:tenant role in it; its networks appear here.</Empty>
        ) : (
          <>
            {total === 0 && (
              <Empty>
                No tenant has created a TenantNetwork yet. Tenants create them under Networks; each gets its device and VNI from the{" "}
                <Link className="underline" href="/admin/tenantconfig">
                  TenantConfig
                </Link>
                .
              </Empty>
            )}
            {groups.data.map((g) => {
              const shown = g.networks.filter((n) => !filter || matches(n, filter));
              if (filter && shown.length === 0) return null;
              return (
                <section key={g.namespace} data-testid={`tenant-${g.namespace}`}>
                  <h2 className="flex items-baseline gap-2 font-semibold">
                    {g.namespace}
                    <span className="text-xs font-normal text-slate-500">
                      {g.networks.length} network{g.networks.length === 1 ? "" : "s"}
                    </span>
                  </h2>
                  {g.networks.length === 0 ? (
                    <p className="mt-1 text-sm text-slate-500" data-testid="tenant-empty">
                      No TenantNetworks in {g.namespace}.
                    </p>
                  ) : (
                    <div className="mt-2 overflow-x-auto rounded-lg border border-slate-200 bg-white">
                      <table className="w-full text-left text-sm" data-testid={`tenant-table-${g.namespace}`}>
                        <thead className="bg-slate-50 text-xs uppercase text-slate-500">
                          <tr>
                            <th className="px-3 py-2">Name</th>
                            <th className="px-3 py-2">Type</th>
                            <th className="px-3 py-2">NetworkID</th>
                            <th className="px-3 py-2">VNI</th>
                            <th className="px-3 py-2">Device</th>
                            <th className="px-3 py-2">Addressing</th>
                            <th className="px-3 py-2">Usage</th>
                            <th className="px-3 py-2">Pods</th>
                          </tr>
                        </thead>
                        <tbody>
                          {shown.map((n) => (
                            <tr key={n.name} className="border-t border-slate-100 align-top" data-testid={`tenant-network-${g.namespace}-${n.name}`}>
                              <td className="px-3 py-2 font-medium">{n.name}</td>
                              <td className="px-3 py-2">{n.networkType || "ipvlan"}</td>
                              <td className="px-3 py-2 text-xs">{n.networkId || <span className="text-slate-400">—</span>}</td>
                              <td className="px-3 py-2 text-xs" data-testid="vni">
                                {n.vni ? `${n.vni.type === "vlan" ? "VLAN" : "VxLAN"} ${n.vni.id}` : <span className="text-slate-400">—</span>}
                              </td>
                              <td className="px-3 py-2 text-xs">{n.devicePool || n.hostDevice || <span className="text-slate-400">—</span>}</td>
                              <td className="px-3 py-2 font-mono text-xs">
                                {n.cidr && <div>{n.cidr}</div>}
                                {n.net6 && <div>{n.net6}</div>}
                                {!n.cidr && !n.net6 && <span className="font-sans text-slate-400">L2</span>}
                              </td>
                              <td className="px-3 py-2">
                                <UsageCell usage={n.usage} />
                              </td>
                              <td className="px-3 py-2 text-xs">{n.endpoints}</td>
                            </tr>
                          ))}
                        </tbody>
                      </table>
                    </div>
                  )}
                </section>
              );
            })}
            {filter && groups.data.every((g) => !g.networks.some((n) => matches(n, filter))) && (
              <Empty>
                No network matches “{filter}”. Clear the filter to see all {total}.
              </Empty>
            )}
          </>
        )}
      </div>
    </div>
  );
}
