"use client";
// One node: its agent's conditions, every host interface with its error, and every SR-IOV VF with
// the Pod holding it.
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { errorCode } from "@/components/errors";
import { useTRPC } from "@/components/trpc";
import { NetadminLoadError } from "@/components/admin/NetadminLoadError";
import { Empty, Loading } from "@/components/LoadStates";
import { age, HeartbeatLabel, InterfaceStateBadge, VfUsageBar } from "./NodeBadges";

export function NodeDetails({ name }: { name: string }) {
  const trpc = useTRPC();
  const node = useQuery(trpc.nodes.get.queryOptions({ name }, { refetchInterval: 15_000 }));
  const back = (
    <div className="text-sm">
      <Link className="text-sky-800 hover:underline" href="/admin/nodes">
        ← Nodes
      </Link>
    </div>
  );
  if (node.isPending)
    return (
      <>
        {back}
        <Loading what={`node ${name}`} />
      </>
    );
  if (node.isError)
    return (
      <>
        {back}
        {errorCode(node.error) === "NOT_FOUND" ? (
          <Empty testId="not-found">
            There is no node {name} and no agent reports for it.{" "}
            <Link className="underline" href="/admin/nodes">
              Back to the nodes
            </Link>
            .
          </Empty>
        ) : (
          <NetadminLoadError error={node.error} what={`node ${name}`} onRetry={() => node.refetch()} />
        )}
      </>
    );
  const n = node.data;
  const nowMs = Date.now();
  return (
    <div>
      {back}
      <h1 className="mt-1 text-2xl font-semibold" data-testid="node-title">
        Node {name}
        {n.simulated && <span className="ml-2 rounded bg-slate-100 px-1.5 text-sm font-normal text-slate-600">simulated</span>}
      </h1>
      {!n.nodeExists && <p className="mt-1 text-sm text-amber-800">No Node object has this name any more; this is the last report of its agent.</p>}
      {!n.reporting ? (
        <div className="mt-4">
          <Empty testId="no-agent">
            No node agent reports for this node. Is the tenet-agent DaemonSet (deploy/agent/daemonset.yaml) running here?{" "}
            <code>kubectl -n tenet-system get pods -o wide</code>
          </Empty>
        </div>
      ) : (
        <>
          <div className="mt-2 flex flex-wrap items-center gap-4 text-sm">
            <HeartbeatLabel heartbeat={n.heartbeat} stale={n.stale} staleAfterSeconds={n.staleAfterSeconds} nowMs={nowMs} testId="node-heartbeat" />
            <span className="text-xs text-slate-500">last reconcile {age(n.lastReconcile, nowMs)}</span>
            {n.netns && (
              <span className="text-xs text-slate-500">
                network namespace <code>{n.netns}</code>
              </span>
            )}
          </div>
          {n.stale && (
            <p className="mt-2 rounded border border-red-200 bg-red-50 p-2 text-sm text-red-800" data-testid="stale-warning">
              The agent has not written for more than {n.staleAfterSeconds} s (3 heartbeats): what follows may be out of date. Check the agent&apos;s Pod on
              this node.
            </p>
          )}
          {n.applying === false && (
            <p className="mt-2 rounded border border-slate-200 bg-slate-50 p-2 text-sm text-slate-700" data-testid="not-applied">
              The agent does not create host interfaces on this node: {n.notAppliedReason}. Nothing below claims an interface exists.
            </p>
          )}
          <ul className="mt-3 flex flex-wrap gap-2 text-sm" data-testid="node-conditions">
            {n.conditions.map((c) => {
              const good = (c.type === "Ready") === (c.status === "True");
              return (
                <li
                  key={c.type}
                  className={`rounded border px-2 py-1 ${good ? "border-emerald-200 bg-emerald-50 text-emerald-900" : "border-amber-200 bg-amber-50 text-amber-900"}`}
                  data-testid={`condition-${c.type}`}
                  data-status={c.status}
                >
                  <span className="font-semibold">
                    {c.type}: {c.status}
                  </span>{" "}
                  <span className="text-xs">
                    ({c.reason}, since {age(c.lastTransitionTime, nowMs)})
                  </span>
                  <div className="text-xs">{c.message}</div>
                </li>
              );
            })}
          </ul>

          <h2 className="mt-6 text-lg font-semibold">Host interfaces</h2>
          {n.hostInterfaces.length === 0 ? (
            <Empty testId="no-interfaces">
              No network wants a host interface on this node (only networks with a host_device and a vlan or vxlan do, and NetworkAttachmentDefinitions with a
              master and a vlan or vxlan).
            </Empty>
          ) : (
            <div className="mt-2 overflow-x-auto rounded-lg border border-slate-200 bg-white">
              <table className="min-w-full text-sm" data-testid="node-interfaces">
                <thead className="bg-slate-50 text-left text-xs text-slate-600">
                  <tr>
                    <th className="px-3 py-2">Interface</th>
                    <th className="px-3 py-2">State</th>
                    <th className="px-3 py-2">Kind</th>
                    <th className="px-3 py-2">VLAN / VNI</th>
                    <th className="px-3 py-2">Parent</th>
                    <th className="px-3 py-2">MTU</th>
                    <th className="px-3 py-2">Wanted by</th>
                    <th className="px-3 py-2">Error</th>
                  </tr>
                </thead>
                <tbody>
                  {n.hostInterfaces.map((i) => (
                    <tr key={i.name} className="border-t border-slate-100 align-top" data-testid={`interface-row-${i.name}`}>
                      <td className="px-3 py-2 font-mono">{i.name}</td>
                      <td className="px-3 py-2">
                        <InterfaceStateBadge state={i.state} stale={n.stale} testId={`interface-state-${i.name}`} />
                      </td>
                      <td className="px-3 py-2">{i.kind}</td>
                      <td className="px-3 py-2 tabular-nums">{i.vni}</td>
                      <td className="px-3 py-2 font-mono">{i.parent}</td>
                      <td className="px-3 py-2 tabular-nums">{i.mtu ?? "–"}</td>
                      <td className="px-3 py-2 text-xs">
                        {i.networks.map((u) => (
                          <div key={u}>{u}</div>
                        ))}
                      </td>
                      <td className="max-w-md px-3 py-2 text-xs text-red-800" data-testid={`interface-error-${i.name}`}>
                        {i.error}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}

          <h2 className="mt-6 text-lg font-semibold">
            SR-IOV pools
            {n.sriovSimulated && (
              <span
                className="ml-2 rounded bg-slate-100 px-1.5 text-sm font-normal text-slate-600"
                title="no SR-IOV hardware: the node agent reads a prepared sysfs tree"
                data-testid="sriov-simulated"
              >
                simulated
              </span>
            )}
          </h2>
          {n.sriovPools.length === 0 ? (
            <Empty testId="no-pools">Neither the TenantConfig nor any network names an SR-IOV device pool.</Empty>
          ) : (
            <div className="mt-2 space-y-4">
              {n.sriovPools.map((p) => (
                <section key={p.name} className="rounded-lg border border-slate-200 bg-white p-3" data-testid={`pool-${p.name}`}>
                  <VfUsageBar used={p.allocated} total={p.total} label={<span className="font-semibold">{p.name}</span>} />
                  <div className="mt-1 text-xs text-slate-600">
                    physical function{p.physicalFunctions.length === 1 ? "" : "s"} {p.physicalFunctions.join(", ") || "none"} · {p.allocated} allocated,{" "}
                    {p.free} free
                  </div>
                  {p.error && (
                    <p className="mt-1 text-xs text-red-800" data-testid="pool-error">
                      {p.error}
                    </p>
                  )}
                  {p.vfs.length > 0 && (
                    <table className="mt-2 min-w-full text-xs" data-testid="node-vfs">
                      <thead className="text-left text-slate-500">
                        <tr>
                          <th className="py-1 pr-3">VF</th>
                          <th className="py-1 pr-3">PCI address</th>
                          <th className="py-1 pr-3">Pod</th>
                          <th className="py-1 pr-3">Network</th>
                        </tr>
                      </thead>
                      <tbody>
                        {p.vfs.map((v) => (
                          <tr key={v.pciAddress} className="border-t border-slate-100" data-testid={`vf-row-${v.pciAddress}`}>
                            <td className="py-1 pr-3 tabular-nums">{v.index}</td>
                            <td className="py-1 pr-3 font-mono">{v.pciAddress}</td>
                            <td className="py-1 pr-3">{v.pod ?? <span className="text-slate-400">free</span>}</td>
                            <td className="py-1 pr-3">{v.network ?? ""}</td>
                          </tr>
                        ))}
                      </tbody>
                    </table>
                  )}
                </section>
              ))}
            </div>
          )}
        </>
      )}
    </div>
  );
}
