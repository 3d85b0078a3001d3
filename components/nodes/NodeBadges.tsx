"use client";
// Small pieces of the Nodes view: a host interface's state, an SR-IOV usage bar, a heartbeat's age.
import type { ReactNode } from "react";

export type InterfaceState = "Present" | "Missing" | "Failed" | "NotApplied" | "NoAgent";

const STATE_STYLE: Record<InterfaceState, { label: string; className: string; symbol: string }> = {
  Present: { label: "present", className: "bg-emerald-100 text-emerald-900 border-emerald-300", symbol: "✓" },
  Missing: { label: "missing", className: "bg-amber-100 text-amber-900 border-amber-300", symbol: "…" },
  Failed: { label: "failed", className: "bg-red-100 text-red-900 border-red-300", symbol: "✕" },
  NotApplied: { label: "not applied", className: "bg-slate-100 text-slate-700 border-slate-300", symbol: "–" },
  NoAgent: { label: "no agent", className: "bg-slate-50 text-slate-500 border-dashed border-slate-300", symbol: "?" },
};

export function InterfaceStateBadge({ state, stale, title, testId }: { state: InterfaceState; stale?: boolean; title?: string; testId?: string }) {
  const s = STATE_STYLE[state];
  return (
    <span
      className={`inline-flex items-center gap-1 whitespace-nowrap rounded border px-1.5 py-0.5 text-xs ${s.className} ${stale ? "opacity-60" : ""}`}
      title={title}
      data-testid={testId}
      data-state={state}
      data-stale={stale ? "true" : "false"}
    >
      <span aria-hidden>{s.symbol}</span>
      {s.label}
      {stale && <span className="italic">(stale)</span>}
    </span>
  );
}

/** used/total as a bar; red when nothing is free. */
export function VfUsageBar({ used, total, label, testId }: { used: number; total: number; label: ReactNode; testId?: string }) {
  const pct = total > 0 ? Math.round((used / total) * 100) : 0;
  const color = total === 0 ? "bg-slate-300" : used >= total ? "bg-red-500" : pct >= 75 ? "bg-amber-500" : "bg-sky-600";
  return (
    <div className="text-xs" data-testid={testId} data-used={used} data-total={total}>
      <div className="flex justify-between gap-2">
        <span className="truncate text-slate-700">{label}</span>
        <span className="shrink-0 whitespace-nowrap tabular-nums text-slate-600">
          {used}/{total} VFs
        </span>
      </div>
      <div className="mt-0.5 h-1.5 w-full rounded bg-slate-200" role="meter" aria-valuemin={0} aria-valuemax={total} aria-valuenow={used}>
        <div className={`h-1.5 rounded ${color}`} style={{ width: `${pct}%` }} />
      </div>
    </div>
  );
}

/** "12 s ago", "3 min ago". */
export function age(iso: string | undefined, nowMs: number): string {
  if (!iso) return "never";
  const s = Math.max(0, Math.round((nowMs - Date.parse(iso)) / 1000));
  if (s < 90) return `${s} s ago`;
  if (s < 5400) return `${Math.round(s / 60)} min ago`;
  return `${Math.round(s / 3600)} h ago`;
}

export function HeartbeatLabel({
  heartbeat,
  stale,
  staleAfterSeconds,
  nowMs,
  testId,
}: {
  heartbeat?: string;
  stale: boolean;
  staleAfterSeconds?: number;
  nowMs: number;
  testId?: string;
}) {
  return (
    <span
      className={`text-xs ${stale ? "font-semibold text-red-700" : "text-slate-500"}`}
      data-testid={testId}
      data-stale={stale ? "true" : "false"}
      title={staleAfterSeconds ? `stale after ${staleAfterSeconds} s (3 heartbeat intervals)` : undefined}
    >
      {heartbeat ? `heartbeat ${age(heartbeat, nowMs)}` : "no heartbeat"}
      {stale && heartbeat && " — agent not reporting"}
    </span>
  );
}
