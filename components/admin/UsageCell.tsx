"use client";
// Address usage of a network in a table cell: a bar for IPv4, counts for IPv6.
import type { AdminNetworkRow } from "@/server/api/routers/admin";

export function UsageCell({ usage }: { usage: AdminNetworkRow["usage"] }) {
  if (!usage.v4 && !usage.v6) return <span className="text-xs text-slate-400">L2 only</span>;
  return (
    <div className="min-w-36 space-y-1 text-xs">
      {usage.v4 && (
        <div title={`${usage.v4.used} of ${usage.v4.total} IPv4 addresses in the pool are in use; ${usage.v4.free} free`}>
          <div className="h-1.5 w-full overflow-hidden rounded bg-slate-200">
            <div
              className={`h-full ${usage.v4.total && usage.v4.used / usage.v4.total > 0.9 ? "bg-red-600" : "bg-sky-600"}`}
              style={{ width: `${usage.v4.total ? Math.min(100, (usage.v4.used / usage.v4.total) * 100) : 0}%` }}
            />
          </div>
          <span className="text-slate-600">
            IPv4 {usage.v4.used}/{usage.v4.total}
          </span>
        </div>
      )}
      {usage.v6 && (
        <div className="text-slate-600" title={`${usage.v6.free} IPv6 addresses free`}>
          IPv6 {usage.v6.used} used
        </div>
      )}
    </div>
  );
}
