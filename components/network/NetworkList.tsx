"use client";
// /networks?ns=team-a: the tenant's TenantNetworks in one namespace and the ClusterNetworks that
// namespace may attach to, with type, subnets, what the cluster assigned and used/free addresses.
// Netadmins and operators may also look at every namespace at once (ns=*).
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useDeferredValue, useMemo, useState } from "react";
import { useTRPC } from "@/components/trpc";
import type { NetworkRow } from "@/server/api/routers/networks";
import { UsageBar } from "./UsageBar";
import { VirtualRows } from "./VirtualRows";
import { TenantLoadError } from "./TenantLoadError";
import { Empty, Loading } from "@/components/LoadStates";
import { inputClass, linkClass, primaryButtonClass } from "@/components/styles";
import { ALL_NAMESPACES, networkHref } from "./networkLinks";
import { StuckPodsOfNamespace } from "./NetworkPods";
import { networkKey } from "@/server/domain/networkRef";

export function NamespaceSwitcher({
  value,
  namespaces,
  everyNamespace,
  onChange,
}: {
  value: string;
  namespaces: string[];
  everyNamespace: boolean;
  onChange: (ns: string) => void;
}) {
  return (
    <label className="flex items-center gap-2 text-sm">
      <span className="text-slate-600">Namespace</span>
      <select
        className="rounded border border-slate-300 bg-white px-2 py-1"
        value={value}
        onChange={(e) => onChange(e.target.value)}
        data-testid="namespace-switcher"
      >
        {everyNamespace && <option value={ALL_NAMESPACES}>All namespaces</option>}
        {!namespaces.includes(value) && value !== ALL_NAMESPACES && <option value={value}>{value}</option>}
        {namespaces.map((ns) => (
          <option key={ns} value={ns}>
            {ns}
          </option>
        ))}
      </select>
    </label>
  );
}

const ROW_HEIGHT = 48;
const COLUMNS = "minmax(10rem,1.4fr) minmax(5rem,0.6fr) minmax(9rem,1fr) minmax(7rem,0.8fr) minmax(8rem,1fr) minmax(11rem,1.2fr)";
const COLUMNS_NS = `minmax(7rem,0.7fr) ${COLUMNS}`;

function vni(row: NetworkRow): string {
  if (row.vlan) return `VLAN ${row.vlan}`;
  if (row.vxlan) return `VxLAN ${row.vxlan}`;
  return "—";
}

function NetworkTable({
  rows,
  showNamespace,
  contextNs,
  testId,
  maxHeight,
}: {
  rows: NetworkRow[];
  showNamespace: boolean;
  contextNs: string;
  testId: string;
  maxHeight: number;
}) {
  const columns = showNamespace ? COLUMNS_NS : COLUMNS;
  const cell = "truncate px-3";
  return (
    <VirtualRows
      items={rows}
      rowHeight={ROW_HEIGHT}
      maxHeight={maxHeight}
      testId={testId}
      rowKey={(r) => networkKey(r)}
      header={
        <div role="row" className="grid py-2 text-left text-xs font-semibold uppercase tracking-wide text-slate-500" style={{ gridTemplateColumns: columns }}>
          {showNamespace && <div className={cell}>Namespace</div>}
          <div className={cell}>Name</div>
          <div className={cell}>Type</div>
          <div className={cell}>Subnets</div>
          <div className={cell}>VLAN / VxLAN</div>
          <div className={cell}>Device</div>
          <div className={cell}>Addresses</div>
        </div>
      }
      row={(r) => (
        <div
          role="row"
          className="grid h-full items-center border-b border-slate-100 text-sm hover:bg-slate-50"
          style={{ gridTemplateColumns: columns }}
          data-testid="network-row"
          data-kind={r.kind}
          data-name={r.name}
        >
          {showNamespace && <div className={`${cell} text-slate-600`}>{r.namespace ?? "(cluster)"}</div>}
          <div className={cell}>
            <Link className={`${linkClass} font-medium`} href={networkHref(r, contextNs)} title={r.name}>
              {r.name}
            </Link>
            {r.networkId && (
              <div className="truncate text-xs text-slate-500" title="NetworkID">
                {r.networkId}
              </div>
            )}
          </div>
          <div className={cell}>{r.networkType}</div>
          <div className={`${cell} font-mono text-xs`}>
            <div className="truncate" title={r.cidr}>
              {r.cidr ?? <span className="font-sans text-slate-400">no IPv4</span>}
            </div>
            {r.net6 && (
              <div className="truncate" title={r.net6}>
                {r.net6}
              </div>
            )}
          </div>
          <div className={cell}>{vni(r)}</div>
          <div className={`${cell} font-mono text-xs`} title={r.hostDevice ?? r.devicePool}>
            {r.hostDevice ?? r.devicePool ?? <span className="font-sans text-slate-400">—</span>}
          </div>
          <div className={cell}>
            <UsageBar usage={r.usage} compact />
          </div>
        </div>
      )}
    />
  );
}

function matches(row: NetworkRow, filter: string): boolean {
  if (!filter) return true;
  const f = filter.toLowerCase();
  return [
    row.name,
    row.namespace,
    row.networkType,
    row.cidr,
    row.net6,
    row.hostDevice,
    row.devicePool,
    row.networkId,
    row.vlan && `vlan ${row.vlan}`,
    row.vxlan && `vxlan ${row.vxlan}`,
  ].some((v) => typeof v === "string" && v.toLowerCase().includes(f));
}

/** TenantNetworks in the first, small chunk of the list. */
const FIRST_ROWS = 100;

export function NetworkList({ ns, deleted }: { ns?: string; deleted?: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const namespaces = useQuery(trpc.networks.namespaces.queryOptions(undefined, { staleTime: 10_000 }));
  const chosen = ns ?? namespaces.data?.namespaces[0];
  const all = chosen === ALL_NAMESPACES;
  const namespace = all ? undefined : chosen;
  // A namespace may hold thousands of networks: the first rows come in one small chunk, and only if
  // there are more is the whole list asked for, after it (asked together, one batched request would
  // answer only when the slower of the two is done).
  const firstRows = useQuery(trpc.networks.list.queryOptions({ namespace, limit: FIRST_ROWS }, { enabled: !!chosen }));
  const more = firstRows.isError || (firstRows.data !== undefined && !firstRows.data.complete);
  const whole = useQuery(trpc.networks.list.queryOptions({ namespace }, { enabled: !!chosen && more }));
  const list = !more ? firstRows : whole.data || whole.isError || !firstRows.data ? whole : firstRows;
  const partial = more && !whole.data && !!firstRows.data;
  const [filter, setFilter] = useState("");
  const deferred = useDeferredValue(filter.trim());
  const tenantRows = useMemo(() => (list.data?.tenantNetworks ?? []).filter((r) => matches(r, deferred)), [list.data, deferred]);
  const clusterRows = useMemo(() => (list.data?.clusterNetworks ?? []).filter((r) => matches(r, deferred)), [list.data, deferred]);

  if (namespaces.isPending) return <Loading what="your namespaces" />;
  if (namespaces.isError) return <TenantLoadError error={namespaces.error} what="your namespaces" onRetry={() => namespaces.refetch()} />;
  const { everyNamespace, writable } = namespaces.data;
  if (!chosen) {
    return (
      <Empty testId="no-namespaces">
        <p className="font-semibold">You are not a tenant of any namespace.</p>
        <p className="mt-1 text-sm">
          Kubernetes lets you create TenantNetworks nowhere. Ask your cluster administrator for a RoleBinding to the tenet:tenant role in your team&apos;s
          namespace, then sign in again.
        </p>
      </Empty>
    );
  }
  const canCreate = !all && writable.includes(chosen);
  const go = (next: string) => router.push(`/networks?ns=${encodeURIComponent(next)}`);

  return (
    <div>
      <div className="flex flex-wrap items-center gap-4">
        <h1 className="text-2xl font-semibold">Networks</h1>
        <NamespaceSwitcher value={chosen} namespaces={namespaces.data.namespaces} everyNamespace={everyNamespace} onChange={go} />
        <input
          className={`${inputClass} max-w-xs`}
          placeholder="Filter by name, type, subnet, device, VLAN…"
          value={filter}
          onChange={(e) => setFilter(e.target.value)}
          data-testid="network-filter"
          aria-label="Filter networks"
        />
        {partial && deferred && (
          <span className="text-sm text-slate-500" role="status">
            Filtering the first {list.data?.tenantNetworks.length} until the rest have loaded
          </span>
        )}
        {canCreate && (
          <Link className={`${primaryButtonClass} ml-auto`} href={`/networks/new?ns=${encodeURIComponent(chosen)}`} data-testid="new-network">
            New TenantNetwork
          </Link>
        )}
      </div>

      {deleted && (
        <p className="mt-3 rounded border border-emerald-200 bg-emerald-50 p-3 text-sm text-emerald-900" data-testid="network-notice" role="status">
          Deleted {deleted}. Its VLAN or VxLAN went back to the cluster.
        </p>
      )}

      {!all && <StuckPodsOfNamespace namespace={chosen} />}

      {list.isPending ? (
        <Loading what={all ? "the networks of every namespace" : `the networks of ${chosen}`} />
      ) : list.isError ? (
        <div className="mt-4">
          <TenantLoadError
            error={list.error}
            what={all ? "the networks of every namespace" : `the networks of ${chosen}`}
            namespace={all ? undefined : chosen}
            onRetry={() => list.refetch()}
          />
        </div>
      ) : (
        <>
          <section className="mt-6">
            <h2 className="text-lg font-semibold">
              TenantNetworks{all ? "" : ` in ${chosen}`}{" "}
              <span className="text-sm font-normal text-slate-500" data-testid="network-count">
                {partial
                  ? `first ${list.data.tenantNetworks.length}, loading the rest…`
                  : deferred
                    ? `${tenantRows.length} of ${list.data.tenantNetworks.length}`
                    : list.data.tenantNetworks.length}
              </span>
            </h2>
            <p className="text-sm text-slate-600">Networks your team defines. The cluster assigns each one its host device, VLAN or VxLAN and NetworkID.</p>
            <div className="mt-2">
              {list.data.tenantNetworks.length === 0 ? (
                <Empty testId="network-list-empty">
                  <p className="font-semibold">No TenantNetworks in {all ? "any namespace" : chosen} yet.</p>
                  <p className="mt-1 text-sm">
                    {canCreate ? (
                      <>
                        <Link className={linkClass} href={`/networks/new?ns=${encodeURIComponent(chosen)}`}>
                          Create one
                        </Link>{" "}
                        with a subnet; Pods then attach to it through the danm.k8s.io/interfaces annotation. Or use one of the ClusterNetworks below.
                      </>
                    ) : (
                      "You may only look here: Kubernetes does not let you create TenantNetworks in this namespace."
                    )}
                  </p>
                </Empty>
              ) : tenantRows.length === 0 ? (
                <Empty testId="network-list-filtered">
                  No TenantNetwork matches “{deferred}”. Clear the filter to see all {list.data.tenantNetworks.length}.
                </Empty>
              ) : (
                <NetworkTable rows={tenantRows} showNamespace={all} contextNs={chosen} testId="network-list" maxHeight={560} />
              )}
            </div>
          </section>

          <section className="mt-8">
            <h2 className="text-lg font-semibold">
              ClusterNetworks {all ? "" : `${chosen} may use`}{" "}
              <span className="text-sm font-normal text-slate-500" data-testid="clusternetwork-count">
                {clusterRows.length}
              </span>
            </h2>
            <p className="text-sm text-slate-600">
              Defined by network administrators;{" "}
              {all
                ? "each lists the namespaces it admits (AllowedTenants)."
                : `their AllowedTenants admit ${chosen}. Pods in ${chosen} may attach to them; you cannot change them.`}
            </p>
            <div className="mt-2">
              {clusterRows.length === 0 ? (
                <Empty testId="clusternetwork-list-empty">
                  {list.data.clusterNetworks.length === 0
                    ? `No ClusterNetwork admits ${all ? "any namespace" : chosen}. Ask a network administrator to add ${all ? "your namespace" : chosen} to a ClusterNetwork's AllowedTenants if your Pods need one.`
                    : `No ClusterNetwork matches “${deferred}”. Clear the filter.`}
                </Empty>
              ) : (
                <NetworkTable rows={clusterRows} showNamespace={false} contextNs={chosen} testId="clusternetwork-list" maxHeight={400} />
              )}
            </div>
          </section>
        </>
      )}
    </div>
  );
}
