"use client";
// Messages next to the field they concern: a rule's issue, the API server's cause (marked "cluster"),
// or a warning.
import type { ReactNode } from "react";
import { errorMessage } from "@/components/errors";
import { errorBoxClass } from "@/components/styles";
import type { DryRun } from "./useDraft";

/** A message and who says it: the form's own rules, or the cluster (a dry run or a refused save). */
export interface SourcedMessage {
  message: string;
  source: "form" | "cluster";
}

export function FieldMessages({ messages, testId, tone = "error" }: { messages: (string | SourcedMessage)[]; testId: string; tone?: "error" | "warning" }) {
  if (messages.length === 0) return null;
  return (
    <ul
      className={`mt-1 space-y-0.5 text-xs ${tone === "error" ? "text-red-700" : "text-amber-800"}`}
      data-testid={testId}
      role={tone === "error" ? "alert" : undefined}
    >
      {messages.map((m, i) =>
        typeof m === "string" ? (
          <li key={i}>{m}</li>
        ) : (
          <li key={i}>
            {m.source === "cluster" && <span className="mr-1 rounded bg-red-100 px-1 font-semibold">cluster</span>}
            {m.message}
          </li>
        ),
      )}
    </ul>
  );
}

/** The refusal of the whole form: what no field can show. */
export function FormError({ children }: { children: ReactNode }) {
  return (
    <div className={errorBoxClass} data-testid="form-error" role="alert">
      {children}
    </div>
  );
}

/** The cluster's verdict on the draft (its dry run), or why it was not asked. */
export function DryRunStatus({ check, noun, blocked, idle }: { check: DryRun; noun: string; blocked?: string; idle?: string }) {
  return (
    <span className="text-sm" data-testid="dry-run-status">
      {blocked ? (
        <span className="text-red-700">{blocked}</span>
      ) : check.state === "checking" ? (
        <span className="text-slate-500">Checking with the cluster (dry run)…</span>
      ) : check.state === "ok" ? (
        <span className="text-green-700">The cluster would accept this {noun}.</span>
      ) : check.state === "refused" ? (
        <span className="text-red-700">The cluster would refuse this {noun}; see the marked fields.</span>
      ) : idle ? (
        <span className="text-slate-500">{idle}</span>
      ) : null}
    </span>
  );
}

/**
 * A refused dry run or save, at the top of the form: the API server's whole message only when some
 * cause fits no field (or there are none), since otherwise the fields say it all; then what the form
 * could not place.
 */
export function Refusal({
  error,
  allPlaced,
  unplaced,
  children,
}: {
  error: unknown;
  allPlaced: boolean;
  unplaced: (string | SourcedMessage)[];
  children?: ReactNode;
}) {
  const whole = error !== undefined && error !== null && !allPlaced;
  if (!whole && unplaced.length === 0) return null;
  return (
    <FormError>
      {whole && <p>{errorMessage(error)}</p>}
      <FieldMessages messages={unplaced} testId="error-form" />
      {children}
    </FormError>
  );
}
