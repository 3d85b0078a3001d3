"use client";
// The Nodes view for netadmins: nodes × host interfaces the networks and NetworkAttachmentDefinitions want (present, missing,
// failed, not applied), SR-IOV VF usage per node, stale heartbeats flagged. Live updates come
// through the NodeNetworkStatus watch; a refetch every 15 s also catches agents that went silent.
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useTRPC } from "@/components/trpc";
import { NetadminLoadError } from "@/components/admin/NetadminLoadError";
import { Empty, Loading } from "@/components/LoadStates";
import { HeartbeatLabel, InterfaceStateBadge, VfUsageBar } from "./NodeBadges";

export function NodesOverview() {
  const trpc = useTRPC();
  const overview = useQuery(trpc.nodes.overview.queryOptions(undefined, { refetchInterval: 15_000 }));
  if (overview.isPending) return <Loading what="the nodes" />;
  if (overview.isError) return <NetadminLoadError error={overview.error} what="the nodes" onRetry={() => overview.refetch()} />;
  const { nodes, columns, cells, now } = overview.data;
  const nowMs = Date.parse(now);

  return (
    <div>
      <h1 className="text-2xl font-semibold">Nodes</h1>
      <p className="mt-1 max-w-3xl text-sm text-slate-600">
        What the node agent on each node reports: the VLAN and VxLAN host interfaces the networks and NetworkAttachmentDefinitions want (one column each, headed
        by the network or NAD it is for), and how many SR-IOV virtual functions Pods hold. Hover a cell for the kernel&apos;s reason.
      </p>
      <Legend />
      {nodes.length === 0 ? (
        <Empty testId="nodes-empty">
          No node and no node agent report yet. On a real cluster, deploy the agent (<code>kubectl apply -f deploy/agent/daemonset.yaml</code>); locally,{" "}
          <code>npx tenet cluster up</code> starts two real nodes (<code>--simulated</code>: three agent-only ones).
        </Empty>
      ) : (
        <div className="mt-4 overflow-x-auto rounded-lg border border-slate-200 bg-white">
          <table className="min-w-full text-sm" data-testid="nodes-grid">
            <thead className="bg-slate-50 text-left text-xs text-slate-600">
              <tr>
                <th className="sticky left-0 bg-slate-50 px-3 py-2 font-semibold">Node</th>
                <th className="min-w-48 px-3 py-2 font-semibold">SR-IOV VFs</th>
                {columns.map((c) => (
                  <th key={c.key} className="px-3 py-2 align-bottom font-normal" data-testid={`column-${c.interface}`}>
                    <div className="font-semibold text-slate-800">{c.network}</div>
                    <div data-testid={`column-source-${c.interface}`}>
                      {c.networkKind}
                      {c.namespace ? ` in ${c.namespace}` : ""}
                    </div>
                    <div className="font-mono">{c.interface}</div>
                    <div>
                      {c.interfaceKind} {c.vni} on {c.parent}
                    </div>
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {nodes.map((n) => (
                <tr key={n.name} className="border-t border-slate-100 align-top" data-testid={`node-row-${n.name}`} data-stale={n.stale ? "true" : "false"}>
                  <td className="sticky left-0 bg-white px-3 py-2">
                    <Link
                      href={`/admin/nodes/${encodeURIComponent(n.name)}`}
                      className="font-semibold text-sky-800 hover:underline"
                      data-testid={`node-link-${n.name}`}
                    >
                      {n.name}
                    </Link>
                    {n.simulated && <span className="ml-1 rounded bg-slate-100 px-1 text-xs text-slate-600">simulated</span>}
                    {n.sriovSimulated && (
                      <span
                        className="ml-1 rounded bg-slate-100 px-1 text-xs text-slate-600"
                        title="no SR-IOV hardware: the node agent reads a prepared sysfs tree"
                      >
                        SR-IOV simulated
                      </span>
                    )}
                    <div className="mt-0.5">
                      {!n.reporting ? (
                        <span className="text-xs text-slate-500" data-testid={`node-ready-${n.name}`}>
                          no agent reports
                        </span>
                      ) : (
                        <span
                          className={`text-xs ${n.ready?.status === "True" ? "text-emerald-700" : "text-amber-800"}`}
                          title={n.ready?.message}
                          data-testid={`node-ready-${n.name}`}
                        >
                          {n.ready?.status === "True" ? "Ready" : `Not ready: ${n.ready?.reason ?? "unknown"}`}
                        </span>
                      )}
                    </div>
                    {n.reporting && (
                      <HeartbeatLabel
                        heartbeat={n.heartbeat}
                        stale={n.stale}
                        staleAfterSeconds={n.staleAfterSeconds}
                        nowMs={nowMs}
                        testId={`node-heartbeat-${n.name}`}
                      />
                    )}
                    {n.applying === false && (
                      <div className="max-w-56 text-xs text-slate-500" title={n.notAppliedReason}>
                        interfaces not applied
                      </div>
                    )}
                  </td>
                  <td className="px-3 py-2">
                    {n.pools.length === 0 ? (
                      <span className="text-xs text-slate-400">{n.reporting ? "no pools" : "–"}</span>
                    ) : (
                      <div className="space-y-1.5">
                        {n.pools.map((p) => (
                          <div key={p.name} title={p.error}>
                            <VfUsageBar used={p.allocated} total={p.total} label={p.name} testId={`vf-bar-${n.name}-${p.name}`} />
                            {p.error && <div className="text-xs text-red-700">unreadable: see node</div>}
                          </div>
                        ))}
                      </div>
                    )}
                  </td>
                  {columns.map((c) => {
                    const cell = cells[n.name]?.[c.key];
                    return (
                      <td key={c.key} className="px-3 py-2">
                        {cell && (
                          <InterfaceStateBadge
                            state={cell.state}
                            stale={cell.stale && n.reporting}
                            title={cell.error}
                            testId={`cell-${n.name}-${c.interface}`}
                          />
                        )}
                        {cell?.state === "Failed" && cell.error && (
                          <div
                            className="mt-0.5 line-clamp-2 max-w-48 text-xs text-red-800"
                            title={cell.error}
                            data-testid={`cell-error-${n.name}-${c.interface}`}
                          >
                            {cell.error}
                          </div>
                        )}
                      </td>
                    );
                  })}
                </tr>
              ))}
            </tbody>
          </table>
          {columns.length === 0 && (
            <p className="border-t border-slate-100 p-3 text-sm text-slate-600" data-testid="no-host-interfaces">
              No network wants a host interface: only networks with a host_device and a vlan or vxlan, and NetworkAttachmentDefinitions with a master and a vlan
              or vxlan, get one on every node.
            </p>
          )}
        </div>
      )}
    </div>
  );
}

function Legend() {
  return (
    <div className="mt-3 flex flex-wrap items-center gap-3 text-xs text-slate-600">
      <span className="flex items-center gap-1">
        <InterfaceStateBadge state="Present" /> on the node, up
      </span>
      <span className="flex items-center gap-1">
        <InterfaceStateBadge state="Missing" /> wanted, not created yet
      </span>
      <span className="flex items-center gap-1">
        <InterfaceStateBadge state="Failed" /> could not be created (hover for why)
      </span>
      <span className="flex items-center gap-1">
        <InterfaceStateBadge state="NotApplied" /> the agent may not create interfaces there
      </span>
      <span className="flex items-center gap-1">
        <InterfaceStateBadge state="Present" stale /> agent silent for 3 heartbeats
      </span>
    </div>
  );
}
