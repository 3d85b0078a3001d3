"use client";
// Loading, failed-load and empty states shared by every view, each saying what to do next; the areas
// (networks, admin, usage) supply the words for "you may not see this" that fit them.
import type { ReactNode } from "react";
import { errorCode, errorMessage } from "@/components/errors";

export function Loading({ what }: { what: string }) {
  return (
    <div className="p-6 text-slate-500" data-testid="loading" role="status">
      Loading {what}…
    </div>
  );
}

export interface ErrorWording {
  /** headline and advice when Kubernetes refuses (FORBIDDEN) */
  forbidden: { title: (what: string) => string; hint: string };
  /** advice when the object is gone (NOT_FOUND); without it NOT_FOUND is a plain failure */
  missing?: string;
  testId?: string;
}

/** A failed read, explained: refused by Kubernetes, gone, or (anything else) probably the cluster. */
export function LoadError({ error, what, onRetry, wording }: { error: unknown; what: string; onRetry?: () => void; wording: ErrorWording }) {
  const code = errorCode(error);
  const forbidden = code === "FORBIDDEN";
  const missing = code === "NOT_FOUND" && wording.missing !== undefined;
  return (
    <div className="rounded border border-red-200 bg-red-50 p-4 text-red-800" data-testid={wording.testId ?? "load-error"} role="alert">
      <p className="font-semibold">{forbidden ? wording.forbidden.title(what) : missing ? `${what} does not exist (any more).` : `Could not load ${what}.`}</p>
      <p className="mt-1 text-sm">{errorMessage(error)}</p>
      <p className="mt-2 text-sm">
        {forbidden ? wording.forbidden.hint : missing ? wording.missing : "Check that the cluster is running (npx tenet cluster status), then try again."}
      </p>
      {onRetry && !forbidden && !missing && (
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
