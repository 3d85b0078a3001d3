"use client";
// IP usage across the cluster (operators, netadmins): warnings, utilisation per tenant and per
// network, most pressed first. Every network links to its address map and history.
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useMemo, useState } from "react";
import { useTRPC } from "@/components/trpc";
import type { NetworkUsage, TenantUsage } from "@/server/domain/usage/pressure";
import { Empty, LevelBadge, LoadError, Loading, PressureBar } from "./UsageStates";
import { networkKey } from "@/server/domain/networkRef";
import { filterInputClass } from "@/components/styles";

const PAGE = 100;

export function networkHref(n: { kind: string; namespace: string; name: string }): string {
  const q = new URLSearchParams({ kind: n.kind, name: n.name });
  if (n.namespace) q.set("namespace", n.namespace);
  return `/usage/network?${q}`;
}

function counts(n: { v4?: { total: number; used: number }; v6?: { total: string; used: number } }) {
  return (
    <>
      {n.v4 && (
        <div className="tabular-nums">
          {n.v4.used.toLocaleString("en")} / {n.v4.total.toLocaleString("en")}
        </div>
      )}
      {n.v6 && (
        <div className="text-xs tabular-nums text-slate-500">
          IPv6 {n.v6.used.toLocaleString("en")} / {BigInt(n.v6.total).toLocaleString("en")}
        </div>
      )}
      {!n.v4 && !n.v6 && <span className="text-slate-400">L2 (no pool)</span>}
    </>
  );
}

export function UsageOverview() {
  const trpc = useTRPC();
  const overview = useQuery(trpc.usage.overview.queryOptions());
  const [filter, setFilter] = useState("");
  const [shown, setShown] = useState(PAGE);
  const networks = useMemo(() => {
    const f = filter.trim().toLowerCase();
    const all = overview.data?.networks ?? [];
    return f ? all.filter((n) => `${n.kind} ${n.namespace} ${n.name} ${n.cidr ?? ""} ${n.net6 ?? ""}`.toLowerCase().includes(f)) : all;
  }, [overview.data, filter]);

  if (overview.isPending) return <Loading what="IP usage" />;
  if (overview.isError) return <LoadError error={overview.error} what="IP usage across the cluster" onRetry={() => overview.refetch()} />;
  const { tenants } = overview.data;
  const all = overview.data.networks;
  const critical = all.filter((n) => n.level === "critical");
  const warning = all.filter((n) => n.level === "warning");
  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-center gap-3">
        <h1 className="text-2xl font-semibold">IP usage</h1>
        <a
          className="ml-auto rounded border border-slate-300 bg-white px-3 py-1 text-sm hover:bg-slate-100"
          href="/api/usage/addresses.csv"
          download
          data-testid="csv-all"
        >
          Export addresses in use (CSV)
        </a>
      </div>
      <p className="text-sm text-slate-600">
        Utilisation of every allocation pool: addresses set in the network&apos;s bitmap between allocation_pool start and end, against the pool&apos;s size.
        Amber from 80 %, red from 95 %.
      </p>
      {(critical.length > 0 || warning.length > 0) && (
        <div
          className={`rounded border p-3 text-sm ${critical.length ? "border-red-200 bg-red-50 text-red-800" : "border-amber-200 bg-amber-50 text-amber-800"}`}
          data-testid="usage-warnings"
          role="alert"
        >
          {critical.length > 0 && (
            <p>
              <b>{critical.length}</b> network{critical.length === 1 ? " is" : "s are"} at 95 % or more:{" "}
              {critical.slice(0, 5).map((n, i) => (
                <span key={networkKey(n)}>
                  {i > 0 && ", "}
                  <Link className="underline" href={networkHref(n)}>
                    {n.namespace ? `${n.namespace}/` : ""}
                    {n.name}
                  </Link>
                </span>
              ))}
              {critical.length > 5 && ` and ${critical.length - 5} more`}. New Pods on them may get no address: enlarge the pool or move workloads.
            </p>
          )}
          {warning.length > 0 && (
            <p className={critical.length ? "mt-1" : ""}>
              <b>{warning.length}</b> network{warning.length === 1 ? " is" : "s are"} at 80 % or more.
            </p>
          )}
        </div>
      )}
      {all.length === 0 ? (
        <Empty>No networks yet. Networks appear here once tenants create TenantNetworks or netadmins create ClusterNetworks.</Empty>
      ) : (
        <>
          <section>
            <h2 className="text-lg font-semibold">Tenants</h2>
            <p className="text-sm text-slate-600">
              IPv4 pools of each namespace&apos;s own networks (TenantNetworks and DanmNets), summed. Addresses on ClusterNetworks are counted per network
              below.
            </p>
            {tenants.length === 0 ? <Empty testId="tenants-empty">No namespace has networks of its own yet.</Empty> : <TenantTable tenants={tenants} />}
          </section>
          <section>
            <div className="flex flex-wrap items-center gap-3">
              <h2 className="text-lg font-semibold">Networks</h2>
              <span className="text-sm text-slate-500">{all.length.toLocaleString("en")} in the cluster</span>
              <input
                className={`${filterInputClass} w-72`}
                placeholder="Filter by name, namespace, kind, cidr…"
                value={filter}
                onChange={(e) => {
                  setFilter(e.target.value);
                  setShown(PAGE);
                }}
                data-testid="usage-filter"
              />
            </div>
            {networks.length === 0 ? (
              <Empty testId="usage-no-match">
                No network matches “{filter}”. Clear the filter to see all {all.length.toLocaleString("en")}.
              </Empty>
            ) : (
              <NetworkTable networks={networks.slice(0, shown)} />
            )}
            {networks.length > shown && (
              <button
                type="button"
                className="mt-2 rounded border border-slate-300 bg-white px-3 py-1 text-sm hover:bg-slate-100"
                onClick={() => setShown((s) => s + PAGE * 10)}
                data-testid="usage-show-more"
              >
                Show {Math.min(PAGE * 10, networks.length - shown).toLocaleString("en")} more of {(networks.length - shown).toLocaleString("en")} (less pressed)
              </button>
            )}
          </section>
        </>
      )}
    </div>
  );
}

function TenantTable({ tenants }: { tenants: TenantUsage[] }) {
  return (
    <div className="mt-2 overflow-x-auto rounded-lg border border-slate-200 bg-white">
      <table className="w-full text-left text-sm" data-testid="tenant-usage-table">
        <thead className="bg-slate-50 text-xs uppercase text-slate-500">
          <tr>
            <th className="px-3 py-2">Namespace</th>
            <th className="px-3 py-2">Networks</th>
            <th className="px-3 py-2">IPv4 used / pool</th>
            <th className="px-3 py-2">Utilisation</th>
            <th className="px-3 py-2">Fullest network</th>
          </tr>
        </thead>
        <tbody>
          {tenants.map((t) => (
            <tr key={t.namespace} className="border-t border-slate-100" data-testid="tenant-usage-row">
              <td className="px-3 py-2 font-medium">{t.namespace}</td>
              <td className="px-3 py-2 tabular-nums">{t.networks}</td>
              <td className="px-3 py-2 tabular-nums">
                {t.v4.used.toLocaleString("en")} / {t.v4.total.toLocaleString("en")}
                {t.v6Used > 0 && <div className="text-xs text-slate-500">IPv6 {t.v6Used.toLocaleString("en")} used</div>}
              </td>
              <td className="px-3 py-2">
                <div className="flex items-center gap-2">
                  <PressureBar fraction={t.pressure} level={t.level} />
                  <LevelBadge level={t.level} />
                </div>
              </td>
              <td className="px-3 py-2 text-xs">
                {t.worst && (
                  <Link className="text-sky-800 hover:underline" href={networkHref({ kind: t.worst.kind, namespace: t.namespace, name: t.worst.name })}>
                    {t.worst.name}
                  </Link>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function NetworkTable({ networks }: { networks: NetworkUsage[] }) {
  return (
    <div className="mt-2 overflow-x-auto rounded-lg border border-slate-200 bg-white">
      <table className="w-full text-left text-sm" data-testid="network-usage-table">
        <thead className="bg-slate-50 text-xs uppercase text-slate-500">
          <tr>
            <th className="px-3 py-2">Network</th>
            <th className="px-3 py-2">Kind</th>
            <th className="px-3 py-2">Addressing</th>
            <th className="px-3 py-2">Used / pool</th>
            <th className="px-3 py-2">Utilisation</th>
          </tr>
        </thead>
        <tbody>
          {networks.map((n) => (
            <tr key={networkKey(n)} className="border-t border-slate-100" data-testid="network-usage-row">
              <td className="px-3 py-2">
                <Link className="font-medium text-sky-800 hover:underline" href={networkHref(n)}>
                  {n.name}
                </Link>
                {n.namespace && <div className="text-xs text-slate-500">{n.namespace}</div>}
              </td>
              <td className="px-3 py-2 text-xs">{n.kind}</td>
              <td className="px-3 py-2 font-mono text-xs">
                {n.cidr && <div>{n.cidr}</div>}
                {n.net6 && <div>{n.net6}</div>}
              </td>
              <td className="px-3 py-2">{counts(n)}</td>
              <td className="px-3 py-2">
                <div className="flex items-center gap-2">
                  <PressureBar fraction={n.pressure} level={n.level} />
                  <LevelBadge level={n.level} />
                </div>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
