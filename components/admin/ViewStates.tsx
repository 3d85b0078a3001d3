"use client";
// Loading, error and empty states of the netadmin and audit views, each saying what to do next.
import type { ReactNode } from "react";
import { errorCode, errorMessage } from "@/components/errors";

export function Loading({ what }: { what: string }) {
  return (
    <div className="p-6 text-slate-500" data-testid="loading" role="status">
      Loading {what}…
    </div>
  );
}

/** An error of a read: FORBIDDEN means the person is no netadmin; anything else, probably the cluster. */
export function LoadError({ error, what, onRetry }: { error: unknown; what: string; onRetry?: () => void }) {
  const forbidden = errorCode(error) === "FORBIDDEN";
  return (
    <div className="rounded border border-red-200 bg-red-50 p-4 text-red-800" data-testid="load-error" role="alert">
      <p className="font-semibold">{forbidden ? `Only network administrators may see ${what}.` : `Could not load ${what}.`}</p>
      <p className="mt-1 text-sm">{errorMessage(error)}</p>
      <p className="mt-2 text-sm">
        {forbidden
          ? "Kubernetes decides who is a network administrator (whoever may update TenantConfigs). Ask your cluster administrator for the tenet:netadmin role, then sign in again."
          : "Check that the cluster is running (npx tenet cluster status), then try again."}
      </p>
      {onRetry && !forbidden && (
        <button type="button" className="mt-2 rounded border border-red-300 px-2 py-0.5 text-sm hover:bg-red-100" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}

export function Empty({ children, testId = "empty" }: { children: ReactNode; testId?: string }) {
  return (
    <div className="rounded border border-dashed border-slate-300 bg-white p-6 text-slate-600" data-testid={testId}>
      {children}
    </div>
  );
}

/** A message of the API server or of a rule, shown next to the field it concerns. */
export function FieldMessages({ messages, testId, tone = "error" }: { messages: string[]; testId: string; tone?: "error" | "warning" }) {
  if (messages.length === 0) return null;
  return (
    <ul className={`mt-1 space-y-0.5 text-xs ${tone === "error" ? "text-red-700" : "text-amber-800"}`} data-testid={testId}>
      {messages.map((m, i) => (
        <li key={i}>{m}</li>
      ))}
    </ul>
  );
}

export const inputClass = "w-full rounded border border-slate-300 px-2 py-1 text-sm disabled:bg-slate-100";
export const buttonClass = "rounded border border-slate-300 bg-white px-3 py-1 text-sm hover:bg-slate-100 disabled:opacity-50";
export const primaryButtonClass = "rounded bg-slate-900 px-3 py-1 text-sm text-white hover:bg-slate-700 disabled:opacity-50";
