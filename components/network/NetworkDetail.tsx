"use client";
// One network: what the tenant asked for and what the cluster assigned, used/free addresses, the
// Pods on it (and the ones danm refused), and tabs with every address in use (Pod and interface) and the object as kubectl shows it. Edit and
// Delete for TenantNetworks in the person's namespaces.
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useState, type ReactNode } from "react";
import { YamlView } from "@/components/YamlView";
import { useTRPC } from "@/components/trpc";
import type { NetworkObject } from "@/server/domain/api/network";
import { AddressTable } from "./AddressTable";
import { AssignedDetails } from "./AssignedDetails";
import { DeleteNetwork } from "./DeleteNetwork";
import { NetworkPods } from "./NetworkPods";
import { UsageBar } from "./UsageBar";
import { TenantLoadError } from "./TenantLoadError";
import { Loading } from "@/components/LoadStates";
import { buttonClass, dangerButtonClass, linkClass } from "@/components/styles";
import { networkLabel, type NetworkRef } from "@/server/domain/networkRef";

const NOTICES: Record<string, string> = {
  created: "Created. The cluster assigned the physical details below; Pods in this namespace may attach now.",
  saved: "Saved.",
};

function Routes({ routes }: { routes?: Record<string, string> }) {
  const entries = Object.entries(routes ?? {});
  if (entries.length === 0) return <span className="text-slate-400">none</span>;
  return (
    <ul className="font-mono text-xs">
      {entries.map(([d, g]) => (
        <li key={d}>
          {d} via {g}
        </li>
      ))}
    </ul>
  );
}

function Addressing({ object }: { object: NetworkObject }) {
  const o = object.spec?.Options ?? {};
  const rows: [string, ReactNode][] = [
    ["cidr", o.cidr ? <span className="font-mono">{o.cidr}</span> : <span className="text-slate-400">none (no IPv4)</span>],
    [
      "allocation_pool",
      o.allocation_pool?.start ? (
        <span className="font-mono">
          {o.allocation_pool.start} – {o.allocation_pool.end}
        </span>
      ) : (
        <span className="text-slate-400">—</span>
      ),
    ],
    ["routes", <Routes key="r" routes={o.routes} />],
    ["net6", o.net6 ? <span className="font-mono">{o.net6}</span> : <span className="text-slate-400">none (no IPv6)</span>],
    [
      "allocation_pool_v6",
      o.allocation_pool_v6?.cidr ? (
        <span className="font-mono">
          {o.allocation_pool_v6.cidr}
          {o.allocation_pool_v6.start ? ` (${o.allocation_pool_v6.start} – ${o.allocation_pool_v6.end})` : ""}
        </span>
      ) : (
        <span className="text-slate-400">—</span>
      ),
    ],
    ["routes6", <Routes key="r6" routes={o.routes6} />],
    ["container_prefix", o.container_prefix ? <span className="font-mono">{o.container_prefix}</span> : <span className="text-slate-400">— (eth…)</span>],
    ["rt_tables", o.rt_tables ?? <span className="text-slate-400">0 (policy routes ignored)</span>],
  ];
  return (
    <dl className="mt-2 grid grid-cols-[max-content_1fr] gap-x-6 gap-y-1 text-sm" data-testid="network-addressing">
      {rows.map(([label, value]) => (
        <div key={label} className="contents">
          <dt className="text-slate-500">{label}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

export function NetworkDetail({
  kind,
  namespace,
  name,
  contextNs,
  notice,
}: {
  kind: NetworkRef["kind"];
  namespace?: string;
  name: string;
  contextNs?: string;
  notice?: string;
}) {
  const trpc = useTRPC();
  const network = useQuery(trpc.networks.get.queryOptions({ kind, namespace, name }));
  const namespaces = useQuery(trpc.networks.namespaces.queryOptions(undefined, { staleTime: 10_000 }));
  const [tab, setTab] = useState<"addresses" | "yaml">("addresses");
  const [deleting, setDeleting] = useState(false);
  const backNs = namespace ?? contextNs;
  const back = backNs ? `/networks?ns=${encodeURIComponent(backNs)}` : "/networks";
  const title = networkLabel({ kind, namespace, name });

  const header = (
    <div className="text-sm">
      <Link className={linkClass} href={back}>
        ← Networks{backNs ? ` of ${backNs}` : ""}
      </Link>
    </div>
  );
  if (network.isPending)
    return (
      <>
        {header}
        <Loading what={title} />
      </>
    );
  if (network.isError) {
    return (
      <div className="space-y-3">
        {header}
        <TenantLoadError error={network.error} what={title} namespace={namespace} onRetry={() => network.refetch()} />
      </div>
    );
  }
  const { object, row } = network.data;
  const mine = kind === "TenantNetwork" && !!namespace && !!namespaces.data?.writable.includes(namespace);
  const ref = { kind, namespace, name };
  // a tenant sees a ClusterNetwork's addresses in one of their namespaces (they may not list DanmEps everywhere)
  const addressScope =
    kind !== "ClusterNetwork" ? undefined : (contextNs ?? (namespaces.data && !namespaces.data.everyNamespace ? namespaces.data.namespaces[0] : undefined));
  const scopeKnown = kind !== "ClusterNetwork" || !!contextNs || !namespaces.isPending;
  const tabClass = (t: string) =>
    `rounded-t border-b-2 px-3 py-1.5 text-sm ${tab === t ? "border-slate-900 font-semibold" : "border-transparent text-slate-600 hover:text-slate-900"}`;

  return (
    <div>
      {header}
      <div className="mt-1 flex flex-wrap items-center gap-3">
        <h1 className="text-2xl font-semibold" data-testid="network-title">
          <span className="mr-2 rounded bg-slate-200 px-1.5 py-0.5 align-middle text-xs font-medium text-slate-700">{kind}</span>
          {namespace && <span className="text-slate-500">{namespace}/</span>}
          {name}
        </h1>
        {mine && (
          <div className="ml-auto flex gap-2">
            <Link
              className={buttonClass}
              href={`/networks/${kind}/${encodeURIComponent(namespace!)}/${encodeURIComponent(name)}/edit`}
              data-testid="edit-network"
            >
              Edit
            </Link>
            <button type="button" className={dangerButtonClass} onClick={() => setDeleting(true)} data-testid="delete-network">
              Delete…
            </button>
          </div>
        )}
      </div>
      {kind === "ClusterNetwork" && (
        <p className="mt-1 text-sm text-slate-600">
          Defined by network administrators. {row.allowedTenants?.length ? `Admits ${row.allowedTenants.join(", ")}.` : "Admits every namespace."}
        </p>
      )}
      {notice && NOTICES[notice] && (
        <p className="mt-3 rounded border border-emerald-200 bg-emerald-50 p-3 text-sm text-emerald-900" data-testid="network-notice" role="status">
          {NOTICES[notice]}
        </p>
      )}

      <div className="mt-4 grid gap-4 lg:grid-cols-3">
        <section className="rounded-lg border border-slate-200 bg-white p-4">
          <h2 className="font-semibold">{kind === "TenantNetwork" ? "Assigned by the cluster" : "Physical details"}</h2>
          <AssignedDetails object={object} />
        </section>
        <section className="rounded-lg border border-slate-200 bg-white p-4">
          <h2 className="font-semibold">Addressing</h2>
          <Addressing object={object} />
        </section>
        <section className="rounded-lg border border-slate-200 bg-white p-4">
          <h2 className="font-semibold">Addresses</h2>
          <div className="mt-2">
            <UsageBar usage={row.usage} />
          </div>
          <p className="mt-2 text-xs text-slate-500">Counts cover the allocation pool; route gateways inside it count as used.</p>
        </section>
      </div>

      <section className="mt-4 rounded-lg border border-slate-200 bg-white p-4" id="pods" data-testid="network-pods">
        <h2 className="mb-2 font-semibold">Pods</h2>
        {scopeKnown ? <NetworkPods network={ref} inNamespace={addressScope} /> : <Loading what="your namespaces" />}
      </section>

      <div className="mt-6 flex gap-1 border-b border-slate-200" role="tablist">
        <button
          type="button"
          role="tab"
          aria-selected={tab === "addresses"}
          className={tabClass("addresses")}
          onClick={() => setTab("addresses")}
          data-testid="tab-addresses"
        >
          Addresses
        </button>
        <button type="button" role="tab" aria-selected={tab === "yaml"} className={tabClass("yaml")} onClick={() => setTab("yaml")} data-testid="tab-yaml">
          YAML
        </button>
      </div>
      <div className="mt-4" role="tabpanel">
        {tab === "yaml" ? (
          <YamlView object={object} />
        ) : scopeKnown ? (
          <AddressTable network={ref} inNamespace={addressScope} />
        ) : (
          <Loading what="your namespaces" />
        )}
      </div>

      {deleting && namespace && <DeleteNetwork network={{ ...ref, namespace }} onClose={() => setDeleting(false)} />}
    </div>
  );
}
