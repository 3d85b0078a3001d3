"use client";
// Loading, error and empty states of the IP usage views, each saying what to do next.
import type { ReactNode } from "react";
import { errorCode, errorMessage } from "@/components/errors";
import type { PressureLevel } from "@/server/domain/usage/pressure";

export function Loading({ what }: { what: string }) {
  return (
    <div className="p-6 text-slate-500" data-testid="loading" role="status">
      Loading {what}…
    </div>
  );
}

/** FORBIDDEN: the person lacks the operator's read access; NOT_FOUND: the network is gone; else the cluster. */
export function LoadError({ error, what, onRetry }: { error: unknown; what: string; onRetry?: () => void }) {
  const code = errorCode(error);
  const hint =
    code === "FORBIDDEN"
      ? "Kubernetes decides who may read IP usage: operators (tenet:operator) and network administrators (tenet:netadmin) see every namespace. Ask your cluster administrator for one of these roles, then sign in again; your own networks' addresses are on the Networks page."
      : code === "NOT_FOUND"
        ? "The network may have been deleted. Go back to the IP usage overview."
        : "Check that the cluster is running (npx tenet cluster status), then try again.";
  return (
    <div className="rounded border border-red-200 bg-red-50 p-4 text-red-800" data-testid="usage-error" role="alert">
      <p className="font-semibold">{code === "FORBIDDEN" ? `You may not see ${what}.` : `Could not load ${what}.`}</p>
      <p className="mt-1 text-sm">{errorMessage(error)}</p>
      <p className="mt-2 text-sm">{hint}</p>
      {onRetry && code !== "FORBIDDEN" && code !== "NOT_FOUND" && (
        <button type="button" className="mt-2 rounded border border-red-300 px-2 py-0.5 text-sm hover:bg-red-100" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}

export function Empty({ children, testId = "usage-empty" }: { children: ReactNode; testId?: string }) {
  return (
    <div className="rounded border border-dashed border-slate-300 bg-white p-6 text-slate-600" data-testid={testId}>
      {children}
    </div>
  );
}

const BAR: Record<PressureLevel, string> = { ok: "bg-emerald-500", warning: "bg-amber-500", critical: "bg-red-600" };
const TEXT: Record<PressureLevel, string> = { ok: "text-slate-700", warning: "text-amber-700 font-semibold", critical: "text-red-700 font-semibold" };

export function percent(fraction: number): string {
  if (fraction > 0 && fraction < 0.001) return "<0.1 %";
  return `${(fraction * 100).toFixed(fraction >= 0.995 && fraction < 1 ? 1 : 0)} %`;
}

/** A bar with the percentage; amber from 80 %, red from 95 %. */
export function PressureBar({ fraction, level, label }: { fraction: number; level: PressureLevel; label?: string }) {
  return (
    <div className="flex items-center gap-2" title={label} data-level={level}>
      <div className="h-2 w-24 overflow-hidden rounded bg-slate-200">
        <div className={`h-full ${BAR[level]}`} style={{ width: `${Math.min(100, fraction * 100)}%` }} />
      </div>
      <span className={`w-14 text-right text-xs tabular-nums ${TEXT[level]}`}>{percent(fraction)}</span>
    </div>
  );
}

export function LevelBadge({ level }: { level: PressureLevel }) {
  if (level === "ok") return null;
  return (
    <span className={`rounded px-1.5 py-0.5 text-xs font-semibold ${level === "critical" ? "bg-red-100 text-red-800" : "bg-amber-100 text-amber-800"}`} data-testid={`level-${level}`}>
      {level === "critical" ? "≥ 95 %" : "≥ 80 %"}
    </span>
  );
}
