"use client";
// One network's IP usage: utilisation, the address map of its IPv4 pool, IPv6 counts, history with
// the exhaustion forecast, and the CSV of its addresses in use.
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useSearchParams } from "next/navigation";
import { useTRPC } from "@/components/trpc";
import { AddressMap } from "./AddressMap";
import { UsageHistoryChart } from "./UsageHistoryChart";
import { Empty, LevelBadge, LoadError, Loading, PressureBar } from "./UsageStates";
import { networkLabel } from "@/server/domain/networkRef";

const KINDS = ["TenantNetwork", "ClusterNetwork", "DanmNet"] as const;
type Kind = (typeof KINDS)[number];

export function NetworkUsage() {
  const params = useSearchParams();
  const kind = params.get("kind") as Kind | null;
  const name = params.get("name") ?? "";
  const namespace = params.get("namespace") ?? undefined;
  if (!kind || !KINDS.includes(kind) || !name || (kind !== "ClusterNetwork" && !namespace)) {
    return (
      <Empty testId="usage-bad-link">
        This link does not name a network (it needs kind, name and, for namespaced kinds, namespace). Pick one on the{" "}
        <Link className="underline" href="/usage">
          IP usage overview
        </Link>
        .
      </Empty>
    );
  }
  return <NetworkUsageOf target={{ kind, namespace: kind === "ClusterNetwork" ? undefined : namespace, name }} />;
}

function NetworkUsageOf({ target }: { target: { kind: Kind; namespace?: string; name: string } }) {
  const trpc = useTRPC();
  const network = useQuery(trpc.usage.network.queryOptions(target));
  const history = useQuery(trpc.usage.history.queryOptions(target));
  const title = networkLabel(target);
  const csv = `/api/usage/addresses.csv?${new URLSearchParams({ kind: target.kind, name: target.name, ...(target.namespace ? { namespace: target.namespace } : {}) })}`;
  return (
    <div className="space-y-6">
      <div>
        <Link href="/usage" className="text-sm text-sky-800 hover:underline">
          ← IP usage
        </Link>
        <div className="flex flex-wrap items-center gap-3">
          <h1 className="text-2xl font-semibold" data-testid="network-usage-title">
            {title}
          </h1>
          <a className="ml-auto rounded border border-slate-300 bg-white px-3 py-1 text-sm hover:bg-slate-100" href={csv} download data-testid="csv-network">
            Export addresses in use (CSV)
          </a>
        </div>
      </div>
      {network.isPending ? (
        <Loading what={`the addresses of ${title}`} />
      ) : network.isError ? (
        <LoadError error={network.error} what={`the addresses of ${title}`} onRetry={() => network.refetch()} />
      ) : (
        <>
          <section className="flex flex-wrap items-center gap-6 text-sm" data-testid="network-usage-summary">
            <div className="flex items-center gap-2">
              <PressureBar fraction={network.data.usage.pressure} level={network.data.usage.level} />
              <LevelBadge level={network.data.usage.level} />
            </div>
            {network.data.v4 && (
              <div>
                IPv4 {network.data.usage.cidr}: <b className="tabular-nums">{network.data.v4.used.toLocaleString("en")}</b> of{" "}
                {network.data.v4.total.toLocaleString("en")} pool addresses allocated, {network.data.v4.held.toLocaleString("en")} held by DanmEps
              </div>
            )}
            {network.data.v6 && (
              <div data-testid="v6-counts">
                IPv6 {network.data.v6.poolCidr ?? network.data.v6.net6}: <b className="tabular-nums">{network.data.v6.used.toLocaleString("en")}</b> of{" "}
                {BigInt(network.data.v6.total).toLocaleString("en")} allocated, {network.data.v6.held.toLocaleString("en")} held by DanmEps
              </div>
            )}
          </section>
          <section>
            <h2 className="mb-2 text-lg font-semibold">Address map</h2>
            {network.data.map ? (
              <AddressMap data={network.data.map} network={target} />
            ) : (
              <Empty testId="no-address-map">No address map: {network.data.noMap}.</Empty>
            )}
          </section>
        </>
      )}
      <section>
        <h2 className="mb-2 text-lg font-semibold">History</h2>
        {history.isPending ? (
          <Loading what="usage history" />
        ) : history.isError ? (
          <LoadError error={history.error} what={`the usage history of ${title}`} onRetry={() => history.refetch()} />
        ) : (
          <UsageHistoryChart points={history.data.points} forecast={history.data.forecast} />
        )}
      </section>
    </div>
  );
}
