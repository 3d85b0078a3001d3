"use client";
// The audit trail: every change made through the console, newest first, with the API server's
// verdict; filtered by actor, kind and verdict, paged by "older"/"newer".
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { NetadminLoadError } from "@/components/admin/NetadminLoadError";
import { Empty, Loading } from "@/components/LoadStates";
import { buttonClass, inputClass } from "@/components/styles";
import { useTRPC } from "@/components/trpc";

const KINDS = ["TenantNetwork", "ClusterNetwork", "DanmNet", "TenantConfig", "DanmEp"] as const;
const VERDICTS = ["allowed", "denied", "error"] as const;
const PAGE = 50;

const VERDICT_STYLE: Record<string, string> = {
  allowed: "bg-green-100 text-green-800",
  denied: "bg-red-100 text-red-800",
  error: "bg-amber-100 text-amber-900",
};

export function AuditLog() {
  const trpc = useTRPC();
  const [actorText, setActorText] = useState("");
  const [actor, setActor] = useState("");
  const [kind, setKind] = useState<(typeof KINDS)[number] | "">("");
  const [verdict, setVerdict] = useState<(typeof VERDICTS)[number] | "">("");
  // cursors of the pages before this one; the last is this page's
  const [cursors, setCursors] = useState<(number | undefined)[]>([undefined]);

  useEffect(() => {
    const t = setTimeout(() => setActor(actorText.trim()), 300);
    return () => clearTimeout(t);
  }, [actorText]);
  useEffect(() => setCursors([undefined]), [actor, kind, verdict]);

  const before = cursors[cursors.length - 1];
  const page = useQuery({
    ...trpc.audit.list.queryOptions({ actor: actor || undefined, kind: kind || undefined, verdict: verdict || undefined, before, limit: PAGE }),
    placeholderData: keepPreviousData,
  });
  const filtered = !!(actor || kind || verdict);

  return (
    <div>
      <h1 className="text-2xl font-semibold">Audit</h1>
      <p className="mt-1 text-sm text-slate-600">
        Every change made through the console: who, what, when, and whether the cluster allowed it. Dry runs are not recorded.
      </p>
      <div className="mt-4 flex flex-wrap items-end gap-3" data-testid="audit-filters">
        <label className="text-sm">
          <span className="block font-medium">Actor</span>
          <input
            className={`${inputClass} w-48`}
            data-testid="filter-actor"
            placeholder="e.g. alice"
            value={actorText}
            onChange={(e) => setActorText(e.target.value)}
          />
        </label>
        <label className="text-sm">
          <span className="block font-medium">Kind</span>
          <select className={`${inputClass} w-44`} data-testid="filter-kind" value={kind} onChange={(e) => setKind(e.target.value as typeof kind)}>
            <option value="">all kinds</option>
            {KINDS.map((k) => (
              <option key={k} value={k}>
                {k}
              </option>
            ))}
          </select>
        </label>
        <label className="text-sm">
          <span className="block font-medium">Verdict</span>
          <select className={`${inputClass} w-36`} data-testid="filter-verdict" value={verdict} onChange={(e) => setVerdict(e.target.value as typeof verdict)}>
            <option value="">all verdicts</option>
            {VERDICTS.map((v) => (
              <option key={v} value={v}>
                {v}
              </option>
            ))}
          </select>
        </label>
        {filtered && (
          <button
            type="button"
            className={buttonClass}
            onClick={() => {
              setActorText("");
              setActor("");
              setKind("");
              setVerdict("");
            }}
          >
            Clear filters
          </button>
        )}
      </div>

      <div className="mt-4">
        {page.isPending ? (
          <Loading what="the audit trail" />
        ) : page.isError ? (
          <NetadminLoadError error={page.error} what="the audit trail" onRetry={() => page.refetch()} />
        ) : page.data.rows.length === 0 ? (
          <Empty testId="audit-empty">
            {filtered
              ? "No change matches these filters. Loosen them (actor names must match exactly)."
              : cursors.length > 1
                ? "No older changes."
                : "Nothing has been changed through the console yet. Creating, editing or deleting a network or the TenantConfig is recorded here."}
          </Empty>
        ) : (
          <div className={`overflow-x-auto rounded-lg border border-slate-200 bg-white ${page.isPlaceholderData ? "opacity-60" : ""}`}>
            <table className="w-full text-left text-sm" data-testid="audit-table">
              <thead className="bg-slate-50 text-xs uppercase text-slate-500">
                <tr>
                  <th className="px-3 py-2">When</th>
                  <th className="px-3 py-2">Who</th>
                  <th className="px-3 py-2">What</th>
                  <th className="px-3 py-2">Object</th>
                  <th className="px-3 py-2">Verdict</th>
                  <th className="px-3 py-2">Message</th>
                </tr>
              </thead>
              <tbody>
                {page.data.rows.map((r) => (
                  <tr key={r.id} className="border-t border-slate-100 align-top" data-testid="audit-row">
                    <td className="whitespace-nowrap px-3 py-2 text-xs" title={r.at}>
                      {new Date(r.at).toLocaleString()}
                    </td>
                    <td className="px-3 py-2" data-testid="audit-actor">
                      {r.actor}
                    </td>
                    <td className="px-3 py-2">{r.action}</td>
                    <td className="px-3 py-2">
                      <span className="text-slate-500">{r.kind}</span> {r.namespace ? `${r.namespace}/` : ""}
                      {r.name}
                    </td>
                    <td className="px-3 py-2">
                      <span className={`rounded px-1.5 py-0.5 text-xs ${VERDICT_STYLE[r.verdict] ?? "bg-slate-100"}`} data-testid="audit-verdict">
                        {r.verdict}
                      </span>
                    </td>
                    <td className="max-w-xl px-3 py-2 text-xs text-slate-700">{r.message}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {!page.isError && (
          <div className="mt-3 flex items-center gap-2 text-sm">
            <button
              type="button"
              className={buttonClass}
              data-testid="audit-newer"
              disabled={cursors.length <= 1}
              onClick={() => setCursors((c) => c.slice(0, -1))}
            >
              ← Newer
            </button>
            <button
              type="button"
              className={buttonClass}
              data-testid="audit-older"
              disabled={!page.data?.next}
              onClick={() => setCursors((c) => [...c, page.data?.next])}
            >
              Older →
            </button>
            <span className="text-slate-500">Page {cursors.length}</span>
          </div>
        )}
      </div>
    </div>
  );
}
