"use client";
// Every address in use on a network and the Pod and interface holding it (from the DanmEps the CNI
// plugin wrote), plus addresses the network's bitmap holds that no DanmEp holds.
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/components/trpc";
import type { AddressRow } from "@/server/api/routers/networks";
import type { NetworkRef } from "@/server/domain/networkRef";
import { VirtualRows } from "./VirtualRows";
import { TenantLoadError } from "./TenantLoadError";
import { Empty, Loading } from "@/components/LoadStates";

const COLUMNS = "minmax(12rem,1.3fr) minmax(10rem,1.2fr) minmax(6rem,0.6fr) minmax(7rem,0.8fr) minmax(10rem,1fr)";

export function useAddresses(network: NetworkRef, inNamespace: string | undefined) {
  const trpc = useTRPC();
  return useQuery(trpc.networks.addresses.queryOptions({ ...network, inNamespace: network.kind === "ClusterNetwork" ? inNamespace : undefined }));
}

export function AddressTable({ network, inNamespace }: { network: NetworkRef; inNamespace?: string }) {
  const addresses = useAddresses(network, inNamespace);
  if (addresses.isPending) return <Loading what={`the addresses of ${network.name}`} />;
  if (addresses.isError) {
    return (
      <TenantLoadError
        error={addresses.error}
        what={`the addresses of ${network.name}`}
        namespace={network.namespace ?? inNamespace}
        onRetry={() => addresses.refetch()}
      />
    );
  }
  const { rows, unheld, complete, scope } = addresses.data;
  const where = network.kind === "ClusterNetwork" && scope ? ` by Pods in ${scope}` : "";
  const cell = "truncate px-3";
  return (
    <div className="space-y-4">
      {!complete && (
        <p className="text-sm text-slate-600" data-testid="addresses-scope">
          Showing the addresses Pods in {scope} hold on ClusterNetwork {network.name}. Pods of other namespaces may hold more; only netadmins and operators see
          those.
        </p>
      )}
      {rows.length === 0 ? (
        <Empty testId="addresses-empty">
          <p className="font-semibold">
            No Pod{network.kind === "ClusterNetwork" && scope ? ` in ${scope}` : ""} uses {network.name} right now.
          </p>
          <p className="mt-1 text-sm">
            Pods attach through their <code>danm.k8s.io/interfaces</code> annotation, e.g.{" "}
            <code className="break-all">{`[{"${network.kind === "ClusterNetwork" ? "clusterNetwork" : network.kind === "TenantNetwork" ? "tenantNetwork" : "network"}":"${network.name}", "ip":"dynamic"}]`}</code>
            . Their addresses appear here as soon as the CNI plugin assigns them.
          </p>
        </Empty>
      ) : (
        <div>
          <p className="mb-2 text-sm text-slate-600" data-testid="addresses-count">
            {rows.filter((r) => r.address).length} address{rows.filter((r) => r.address).length === 1 ? "" : "es"} in use{where}, on{" "}
            {new Set(rows.map((r) => `${r.podNamespace}/${r.pod}/${r.interface}`)).size} Pod interface
            {new Set(rows.map((r) => `${r.podNamespace}/${r.pod}/${r.interface}`)).size === 1 ? "" : "s"}.
          </p>
          <VirtualRows<AddressRow>
            items={rows}
            rowHeight={40}
            maxHeight={520}
            testId="address-list"
            rowKey={(r) => `${r.endpoint}/${r.family}`}
            header={
              <div
                role="row"
                className="grid py-2 text-left text-xs font-semibold uppercase tracking-wide text-slate-500"
                style={{ gridTemplateColumns: COLUMNS }}
              >
                <div className={cell}>Address</div>
                <div className={cell}>Pod</div>
                <div className={cell}>Interface</div>
                <div className={cell}>Node</div>
                <div className={cell}>Device / MAC</div>
              </div>
            }
            row={(r) => (
              <div
                role="row"
                className="grid h-full items-center border-b border-slate-100 text-sm"
                style={{ gridTemplateColumns: COLUMNS }}
                data-testid="address-row"
              >
                <div className={`${cell} font-mono text-xs`} title={r.address}>
                  {r.address || <span className="font-sans text-slate-400">no IP (L2)</span>}
                </div>
                <div className={cell} title={`${r.podNamespace}/${r.pod} (DanmEp ${r.endpoint})`}>
                  {r.podNamespace !== network.namespace && <span className="text-slate-500">{r.podNamespace}/</span>}
                  {r.pod || <span className="text-slate-400">unknown Pod</span>}
                </div>
                <div className={`${cell} font-mono text-xs`}>{r.interface || "—"}</div>
                <div className={`${cell} text-xs`}>{r.host ?? "—"}</div>
                <div className={`${cell} font-mono text-xs`} title={[r.deviceId, r.macAddress].filter(Boolean).join(" ")}>
                  {[r.deviceId, r.macAddress].filter(Boolean).join(" ") || "—"}
                </div>
              </div>
            )}
          />
        </div>
      )}
      {(unheld.ip.length > 0 || unheld.ip6.length > 0) && (
        <div className="rounded border border-amber-200 bg-amber-50 p-4 text-sm text-amber-900" data-testid="addresses-unheld">
          <p className="font-semibold">
            {unheld.ip.length + unheld.ip6.length} address{unheld.ip.length + unheld.ip6.length === 1 ? " is" : "es are"} reserved but held by no Pod.
          </p>
          <p className="mt-1">Usually a Pod was just created or deleted; if they stay, the leak reconciler frees them. They count as used until then.</p>
          <p className="mt-2 break-words font-mono text-xs">
            {[...unheld.ip, ...unheld.ip6].slice(0, 200).join(", ")}
            {unheld.ip.length + unheld.ip6.length > 200 ? " …" : ""}
          </p>
        </div>
      )}
    </div>
  );
}
