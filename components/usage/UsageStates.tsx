"use client";
// The IP usage views' wording of the shared view states, and their pressure bars.
import type { ReactNode } from "react";
import { Empty as SharedEmpty, LoadError as SharedLoadError } from "@/components/LoadStates";

export { Loading } from "@/components/LoadStates";
import type { PressureLevel } from "@/server/domain/usage/pressure";

/** FORBIDDEN: the person lacks the operator's read access; NOT_FOUND: the network is gone; else the cluster. */
export function LoadError({ error, what, onRetry }: { error: unknown; what: string; onRetry?: () => void }) {
  return (
    <SharedLoadError
      error={error}
      what={what}
      onRetry={onRetry}
      wording={{
        testId: "usage-error",
        forbidden: {
          title: (w) => `You may not see ${w}.`,
          hint: "Kubernetes decides who may read IP usage: operators (tenet:operator) and network administrators (tenet:netadmin) see every namespace. Ask your cluster administrator for one of these roles, then sign in again; your own networks' addresses are on the Networks page.",
        },
        missing: "The network may have been deleted. Go back to the IP usage overview.",
      }}
    />
  );
}

export function Empty({ children, testId = "usage-empty" }: { children: ReactNode; testId?: string }) {
  return <SharedEmpty testId={testId}>{children}</SharedEmpty>;
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
    <span
      className={`rounded px-1.5 py-0.5 text-xs font-semibold ${level === "critical" ? "bg-red-100 text-red-800" : "bg-amber-100 text-amber-800"}`}
      data-testid={`level-${level}`}
    >
      {level === "critical" ? "≥ 95 %" : "≥ 80 %"}
    </span>
  );
}
