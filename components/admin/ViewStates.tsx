"use client";
// The netadmin and audit views' wording of the shared view states, and the field message list of their forms.
import { LoadError as SharedLoadError } from "@/components/ViewStates";

export { buttonClass, Empty, Loading, primaryButtonClass } from "@/components/ViewStates";
export const inputClass = "w-full rounded border border-slate-300 px-2 py-1 text-sm disabled:bg-slate-100";

/** FORBIDDEN means the person is no netadmin; anything else, probably the cluster. */
export function LoadError({ error, what, onRetry }: { error: unknown; what: string; onRetry?: () => void }) {
  return (
    <SharedLoadError
      error={error}
      what={what}
      onRetry={onRetry}
      wording={{
        forbidden: {
          title: (w) => `Only network administrators may see ${w}.`,
          hint: "Kubernetes decides who is a network administrator (whoever may update TenantConfigs). Ask your cluster administrator for the tenet:netadmin role, then sign in again.",
        },
      }}
    />
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
