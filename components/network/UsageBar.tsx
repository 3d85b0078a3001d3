"use client";
// Used/free addresses of a network: a bar for IPv4, counts for IPv6 (which do not fit a number).
import type { NetworkUsage } from "@/server/api/routers/networks";

export function UsageBar({ usage, compact = false }: { usage: NetworkUsage; compact?: boolean }) {
  if (!usage.v4 && !usage.v6)
    return (
      <span className="text-xs text-slate-400" title="No cidr or net6: the network carries no IP addresses (L2)">
        no IP pool
      </span>
    );
  const v4 = usage.v4;
  const share = v4 && v4.total > 0 ? v4.used / v4.total : 0;
  return (
    <div className={`space-y-0.5 text-xs ${compact ? "" : "min-w-40"}`} data-testid="network-usage">
      {v4 && (
        <div title={`${v4.used} of ${v4.total} IPv4 addresses of the allocation pool are in use (gateways included); ${v4.free} free`}>
          <div className="h-1.5 w-full overflow-hidden rounded bg-slate-200">
            <div
              className={`h-full ${share > 0.9 ? "bg-red-600" : share > 0.7 ? "bg-amber-500" : "bg-sky-600"}`}
              style={{ width: `${Math.min(100, share * 100)}%` }}
            />
          </div>
          <span className="text-slate-600">
            IPv4 {v4.used} used, {v4.free} free
          </span>
        </div>
      )}
      {usage.v6 && (
        <div className="truncate text-slate-600" title={`${usage.v6.used} of ${usage.v6.total} IPv6 addresses of the pool are in use; ${usage.v6.free} free`}>
          IPv6 {usage.v6.used} used, {usage.v6.free} free
        </div>
      )}
    </div>
  );
}
