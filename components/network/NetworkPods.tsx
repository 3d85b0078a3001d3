"use client";
// The Pods on a network (POD-1: name, phase and readiness, node, interfaces and addresses) and the
// Pods danm refused that want it (POD-2..4, with the plugin's error), as the signed-in person may
// see them; and the refused Pods of a namespace for the namespace view. Live through LiveUpdates
// (Pod, sandbox-failure Event and DanmEp changes refetch the "pods" queries).
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useEffect } from "react";
import { useTRPC } from "@/components/trpc";
import { podAnchor, type PodOnNetwork, type StuckPod } from "@/server/domain/podAttachments";
import { networkHref } from "./networkLinks";
import { TenantLoadError } from "./TenantLoadError";
import { Empty, Loading } from "@/components/LoadStates";
import { networkKey, type NetworkRef } from "@/server/domain/networkRef";

const PHASE_COLOURS: Record<string, string> = {
  Running: "bg-emerald-100 text-emerald-900",
  Pending: "bg-amber-100 text-amber-900",
  Failed: "bg-red-100 text-red-900",
  Missing: "bg-slate-200 text-slate-700",
};

function Phase({ phase, ready }: { phase?: string; ready?: boolean }) {
  if (!phase) return <span className="text-slate-400">—</span>;
  return (
    <span className="inline-flex items-center gap-2">
      <span
        className={`rounded px-1.5 py-0.5 text-xs font-medium ${PHASE_COLOURS[phase] ?? "bg-slate-100 text-slate-800"}`}
        data-testid="pod-phase"
        title={phase === "Missing" ? "No such Pod exists: its DanmEp is a leftover the IP leak reconciler frees" : undefined}
      >
        {phase}
      </span>
      {ready !== undefined && (
        <span className={`text-xs ${ready ? "text-emerald-700" : "text-slate-500"}`} data-testid="pod-ready">
          {ready ? "Ready" : "not ready"}
        </span>
      )}
    </span>
  );
}

/** After the rows arrive, bring the Pod named by the URL's #pod-… into view (the address map links there). */
function useScrollToAnchor(ready: boolean) {
  useEffect(() => {
    if (!ready) return;
    const id = decodeURIComponent(window.location.hash.slice(1));
    if (id.startsWith("pod-")) document.getElementById(id)?.scrollIntoView({ block: "center" });
  }, [ready]);
}

export function StuckPodList({ stuck, showNetworks }: { stuck: StuckPod[]; showNetworks?: boolean }) {
  return (
    <ul className="space-y-2" data-testid="stuck-pods">
      {stuck.map((p) => (
        <li
          key={`${p.namespace}/${p.name}`}
          id={podAnchor(p.namespace, p.name)}
          className="rounded border border-red-200 bg-red-50 p-3 text-sm target:ring-2 target:ring-sky-500"
          data-testid="stuck-pod"
          data-pod={p.name}
        >
          <div className="flex flex-wrap items-center gap-3">
            <span className="font-mono font-semibold">
              {p.namespace}/{p.name}
            </span>
            <Phase phase={p.phase} />
            {p.node && <span className="text-slate-600">on {p.node}</span>}
            <span className="ml-auto text-xs text-slate-600">
              danm refused it{p.count > 1 ? ` ${p.count} times` : ""}
              {p.at ? `, last at ${new Date(p.at).toLocaleString("en-GB", { timeZone: "UTC" })} UTC` : ""}
            </span>
          </div>
          <p className="mt-1 break-words font-mono text-xs text-red-900" data-testid="stuck-pod-error">
            {p.error}
          </p>
          {showNetworks && p.networks.length > 0 && (
            <p className="mt-1 text-xs text-slate-700">
              Wants{" "}
              {p.networks.map((n, i) => (
                <span key={networkKey(n)}>
                  {i > 0 && ", "}
                  <Link className="text-sky-800 hover:underline" href={`${networkHref(n, p.namespace)}#${podAnchor(p.namespace, p.name)}`}>
                    {n.kind} {n.name}
                  </Link>
                </span>
              ))}
            </p>
          )}
        </li>
      ))}
    </ul>
  );
}

function PodTable({ pods }: { pods: PodOnNetwork[] }) {
  return (
    <table className="w-full text-left text-sm" data-testid="pod-table">
      <thead className="text-xs uppercase tracking-wide text-slate-500">
        <tr>
          <th className="py-2 pr-3 font-semibold">Pod</th>
          <th className="py-2 pr-3 font-semibold">Phase</th>
          <th className="py-2 pr-3 font-semibold">Node</th>
          <th className="py-2 font-semibold">Interfaces</th>
        </tr>
      </thead>
      <tbody>
        {pods.map((p) => (
          <tr
            key={`${p.namespace}/${p.name}/${p.uid ?? ""}`}
            id={podAnchor(p.namespace, p.name)}
            className="border-t border-slate-100 align-top target:bg-sky-50"
            data-testid="pod-row"
            data-pod={p.name}
          >
            <td className="py-2 pr-3 font-mono">
              <span className="text-slate-500">{p.namespace}/</span>
              {p.name}
            </td>
            <td className="py-2 pr-3">
              <Phase phase={p.phase} ready={p.ready} />
            </td>
            <td className="py-2 pr-3" data-testid="pod-node">
              {p.node ?? <span className="text-slate-400">—</span>}
            </td>
            <td className="py-2 font-mono text-xs">
              {p.interfaces.map((i) => (
                <div key={i.endpoint} data-testid="pod-interface">
                  <b>{i.name || "?"}</b>{" "}
                  {[i.address, i.address6].filter(Boolean).join(", ") || <span className="font-sans text-slate-400">no address (L2 only)</span>}
                </div>
              ))}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The Pods section of a network's page. */
export function NetworkPods({ network, inNamespace }: { network: NetworkRef; inNamespace?: string }) {
  const trpc = useTRPC();
  const pods = useQuery(trpc.pods.onNetwork.queryOptions({ ...network, inNamespace: network.kind === "ClusterNetwork" ? inNamespace : undefined }));
  useScrollToAnchor(pods.isSuccess);
  if (pods.isPending) return <Loading what={`the Pods on ${network.name}`} />;
  if (pods.isError)
    return (
      <TenantLoadError error={pods.error} what={`the Pods on ${network.name}`} namespace={network.namespace ?? inNamespace} onRetry={() => pods.refetch()} />
    );
  const { stuck, scope, podsReadable, eventsReadable } = pods.data;
  const where = scope ? ` in ${scope}` : "";
  return (
    <div className="space-y-3">
      {stuck.length > 0 && (
        <div>
          <h3 className="text-sm font-semibold text-red-900">Waiting for danm ({stuck.length})</h3>
          <p className="mb-2 text-xs text-slate-600">
            These Pods want this network, but danm refused to set up their network; the kubelet keeps retrying. The error is danm&apos;s, from the Pod&apos;s
            Events.
          </p>
          <StuckPodList stuck={stuck} />
        </div>
      )}
      {pods.data.pods.length === 0 ? <Empty testId="pods-empty">No Pod{where} is attached to this network.</Empty> : <PodTable pods={pods.data.pods} />}
      {!podsReadable && (
        <p className="text-xs text-slate-600" data-testid="pods-no-phase">
          Phases are not shown: Kubernetes does not let you list Pods{where}. The rows come from the network&apos;s DanmEps.
        </p>
      )}
      {podsReadable && !eventsReadable && (
        <p className="text-xs text-slate-600" data-testid="pods-no-events">
          Pods danm refused are not shown: Kubernetes does not let you list Events{where}.
        </p>
      )}
    </div>
  );
}

/** The Pods of a namespace danm refused, for the namespace's network list; nothing when there are none. */
export function StuckPodsOfNamespace({ namespace }: { namespace: string }) {
  const trpc = useTRPC();
  const stuck = useQuery(trpc.pods.stuck.queryOptions({ namespace }));
  if (!stuck.data || stuck.data.stuck.length === 0) return null;
  return (
    <section className="mt-6" data-testid="namespace-stuck-pods">
      <h2 className="text-lg font-semibold text-red-900">
        Pods danm refused in {namespace} ({stuck.data.stuck.length})
      </h2>
      <p className="mb-2 text-sm text-slate-600">
        Their network could not be set up; the kubelet keeps retrying. Fix the network or the Pod&apos;s danm.k8s.io/interfaces annotation.
      </p>
      <StuckPodList stuck={stuck.data.stuck} showNetworks />
    </section>
  );
}
