"use client";
// Every ClusterNetwork: type, addressing, device, VNI, who may attach, usage; create, edit, delete.
import { useMutation, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { errorMessage } from "@/components/errors";
import { useTRPC } from "@/components/trpc";
import type { AdminNetworkRow } from "@/server/api/routers/admin";
import { UsageCell } from "./UsageCell";
import { NetadminLoadError } from "./NetadminLoadError";
import { Empty, Loading } from "@/components/LoadStates";
import { buttonClass, filterInputClass, primaryButtonClass } from "@/components/styles";

export function ClusterNetworkList() {
  const trpc = useTRPC();
  const networks = useQuery(trpc.admin.clusterNetworks.queryOptions());
  const [filter, setFilter] = useState("");
  const shown = (networks.data ?? []).filter(
    (n) =>
      !filter ||
      `${n.name} ${n.networkType} ${n.networkId} ${n.cidr} ${n.net6} ${n.hostDevice} ${n.devicePool} ${(n.allowedTenants ?? []).join(" ")}`
        .toLowerCase()
        .includes(filter.toLowerCase()),
  );
  return (
    <div>
      <div className="flex flex-wrap items-center gap-3">
        <h1 className="text-2xl font-semibold">Cluster networks</h1>
        <input
          className={`${filterInputClass} w-64`}
          placeholder="Filter by name, type, cidr, tenant…"
          value={filter}
          onChange={(e) => setFilter(e.target.value)}
          data-testid="clusternetwork-filter"
        />
        <Link href="/admin/clusternetworks/new" className={primaryButtonClass} data-testid="new-clusternetwork">
          New ClusterNetwork
        </Link>
      </div>
      <p className="mt-1 text-sm text-slate-600">Cluster-wide networks. Pods of the namespaces in AllowedTenants (all namespaces when empty) may attach.</p>
      <div className="mt-4">
        {networks.isPending ? (
          <Loading what="cluster networks" />
        ) : networks.isError ? (
          <NetadminLoadError error={networks.error} what="cluster networks" onRetry={() => networks.refetch()} />
        ) : networks.data.length === 0 ? (
          <Empty>
            No ClusterNetworks yet.{" "}
            <Link className="underline" href="/admin/clusternetworks/new">
              Create the first one
            </Link>{" "}
            to give tenants a shared network.
          </Empty>
        ) : shown.length === 0 ? (
          <Empty>
            No ClusterNetwork matches “{filter}”. Clear the filter to see all {networks.data.length}.
          </Empty>
        ) : (
          <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
            <table className="w-full text-left text-sm" data-testid="clusternetwork-table">
              <thead className="bg-slate-50 text-xs uppercase text-slate-500">
                <tr>
                  <th className="px-3 py-2">Name</th>
                  <th className="px-3 py-2">Type</th>
                  <th className="px-3 py-2">Addressing</th>
                  <th className="px-3 py-2">Device</th>
                  <th className="px-3 py-2">VNI</th>
                  <th className="px-3 py-2">AllowedTenants</th>
                  <th className="px-3 py-2">Usage</th>
                  <th className="px-3 py-2">Pods</th>
                  <th className="px-3 py-2" />
                </tr>
              </thead>
              <tbody>
                {shown.map((n) => (
                  <Row key={n.name} n={n} />
                ))}
              </tbody>
            </table>
          </div>
        )}
      </div>
    </div>
  );
}

function Row({ n }: { n: AdminNetworkRow }) {
  const trpc = useTRPC();
  const [confirming, setConfirming] = useState(false);
  const remove = useMutation(trpc.objects.delete.mutationOptions());
  return (
    <tr className="border-t border-slate-100 align-top" data-testid={`clusternetwork-row-${n.name}`}>
      <td className="px-3 py-2">
        <Link className="font-medium text-sky-800 hover:underline" href={`/admin/clusternetworks/${encodeURIComponent(n.name)}`}>
          {n.name}
        </Link>
        <div className="text-xs text-slate-500">NetworkID {n.networkId || "—"}</div>
      </td>
      <td className="px-3 py-2">{n.networkType || "ipvlan"}</td>
      <td className="px-3 py-2 font-mono text-xs">
        {n.cidr && <div>{n.cidr}</div>}
        {n.net6 && <div>{n.net6}</div>}
        {!n.cidr && !n.net6 && <span className="font-sans text-slate-400">L2</span>}
      </td>
      <td className="px-3 py-2 text-xs">
        {n.devicePool ? <span title="SR-IOV device pool">{n.devicePool}</span> : n.hostDevice || <span className="text-slate-400">—</span>}
      </td>
      <td className="px-3 py-2 text-xs">{n.vlan ? `VLAN ${n.vlan}` : n.vxlan ? `VxLAN ${n.vxlan}` : <span className="text-slate-400">—</span>}</td>
      <td className="px-3 py-2 text-xs" data-testid="allowed-tenants">
        {n.allowedTenants?.length ? (
          n.allowedTenants.map((t) => (
            <span key={t} className="mr-1 inline-block rounded bg-slate-100 px-1.5 py-0.5">
              {t}
            </span>
          ))
        ) : (
          <span className="text-slate-500">all namespaces</span>
        )}
      </td>
      <td className="px-3 py-2">
        <UsageCell usage={n.usage} />
      </td>
      <td className="px-3 py-2 text-xs">{n.endpoints}</td>
      <td className="px-3 py-2 text-right">
        {confirming ? (
          <div className="flex flex-col items-end gap-1">
            <span className="text-xs">Delete {n.name}?</span>
            <div className="flex gap-1">
              <button
                type="button"
                className="rounded bg-red-700 px-2 py-0.5 text-xs text-white disabled:opacity-50"
                data-testid="confirm-delete"
                disabled={remove.isPending}
                onClick={() => remove.mutate({ kind: "ClusterNetwork", name: n.name })}
              >
                {remove.isPending ? "Deleting…" : "Delete"}
              </button>
              <button
                type="button"
                className={buttonClass}
                onClick={() => {
                  setConfirming(false);
                  remove.reset();
                }}
              >
                Cancel
              </button>
            </div>
          </div>
        ) : (
          <button type="button" className="text-xs text-red-700 hover:underline" data-testid="delete" onClick={() => setConfirming(true)}>
            Delete
          </button>
        )}
        {remove.error && (
          <div className="mt-1 max-w-64 text-left text-xs text-red-700" data-testid="delete-error" role="alert">
            {errorMessage(remove.error)}
          </div>
        )}
      </td>
    </tr>
  );
}
