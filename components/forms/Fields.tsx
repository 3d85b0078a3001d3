"use client";
// The pieces every editor is made of: a section, a field with its hint and messages, a text input
// marked invalid when its field has messages, and a list of route rows.
import type { ReactNode } from "react";
import { buttonClass, inputClass, sectionClass } from "@/components/styles";
import { FieldMessages, type SourcedMessage } from "./Messages";

export function FormSection({ title, children, columns = 2 }: { title: string; children: ReactNode; columns?: 2 | 3 }) {
  return (
    <fieldset className={sectionClass}>
      <legend className="px-1 text-sm font-semibold text-slate-700">{title}</legend>
      <div className={`grid gap-4 ${columns === 3 ? "sm:grid-cols-3" : "sm:grid-cols-2"}`}>{children}</div>
    </fieldset>
  );
}

/** A labelled field: `field-<testId>` around it, its messages as `error-<testId>`. A group of inputs (radios) is a fieldset. */
export function Field({
  label,
  hint,
  messages,
  testId,
  group,
  children,
}: {
  label: string;
  hint?: ReactNode;
  messages: (string | SourcedMessage)[];
  testId: string;
  group?: boolean;
  children: ReactNode;
}) {
  const body = (
    <>
      <div className="mt-1">{children}</div>
      {hint && <span className="mt-0.5 block text-xs text-slate-500">{hint}</span>}
      <FieldMessages messages={messages} testId={`error-${testId}`} />
    </>
  );
  return group ? (
    <fieldset className="block text-sm" data-testid={`field-${testId}`}>
      <legend className="font-medium text-slate-800">{label}</legend>
      {body}
    </fieldset>
  ) : (
    <label className="block text-sm" data-testid={`field-${testId}`}>
      <span className="font-medium text-slate-800">{label}</span>
      {body}
    </label>
  );
}

/** A text input: `input-<testId>`, aria-invalid when `invalid`. */
export function TextInput({
  value,
  onChange,
  onBlur,
  testId,
  invalid,
  placeholder,
  disabled,
  mono = true,
  className = "",
  label,
  list,
}: {
  value: string;
  onChange: (value: string) => void;
  onBlur?: () => void;
  testId: string;
  invalid?: boolean;
  placeholder?: string;
  disabled?: boolean;
  mono?: boolean;
  className?: string;
  label?: string;
  list?: string;
}) {
  return (
    <input
      className={`${inputClass} ${mono ? "font-mono" : ""} ${className}`}
      value={value}
      placeholder={placeholder}
      disabled={disabled}
      aria-invalid={invalid}
      aria-label={label}
      list={list}
      data-testid={`input-${testId}`}
      onChange={(e) => onChange(e.target.value)}
      onBlur={onBlur}
    />
  );
}

export interface RouteRow {
  destination: string;
  gateway: string;
}

/** Messages about one row carry its index; the others concern the list. */
export type RowMessage = SourcedMessage & { row?: number };

const EXAMPLES = { 4: { destination: "10.70.0.0/16", gateway: "10.61.0.1" }, 6: { destination: "fd00:70::/48", gateway: "fd00:61::1" } };

/** Destination → gateway rows (DANM's routes and routes6 maps), each row with its own messages. */
export function RouteEditor({
  label,
  family,
  rows,
  onChange,
  messages,
  testId,
  disabledHint,
  disabled,
}: {
  label: string;
  family: 4 | 6;
  rows: RouteRow[];
  onChange: (rows: RouteRow[]) => void;
  messages: RowMessage[];
  testId: string;
  disabledHint?: string;
  disabled?: boolean;
}) {
  const example = EXAMPLES[family];
  const update = (i: number, patch: Partial<RouteRow>) => onChange(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  return (
    <fieldset className="text-sm" data-testid={`field-${testId}`}>
      <legend className="font-medium text-slate-800">{label}</legend>
      {rows.length === 0 && <p className="text-xs text-slate-500">No routes: Pods get only the connected route of the subnet.</p>}
      <div className="space-y-1">
        {rows.map((r, i) => {
          const own = messages.filter((m) => m.row === i);
          return (
            <div key={i}>
              <div className="flex items-center gap-2">
                <input
                  className={inputClass}
                  placeholder={`destination, e.g. ${example.destination}`}
                  value={r.destination}
                  disabled={disabled}
                  aria-invalid={own.length > 0}
                  aria-label={`${label} ${i + 1} destination`}
                  data-testid={`${testId}-destination-${i}`}
                  onChange={(e) => update(i, { destination: e.target.value })}
                />
                <span className="text-slate-400">via</span>
                <input
                  className={inputClass}
                  placeholder={`gateway, e.g. ${example.gateway}`}
                  value={r.gateway}
                  disabled={disabled}
                  aria-invalid={own.length > 0}
                  aria-label={`${label} ${i + 1} gateway`}
                  data-testid={`${testId}-gateway-${i}`}
                  onChange={(e) => update(i, { gateway: e.target.value })}
                />
                <button
                  type="button"
                  className={buttonClass}
                  disabled={disabled}
                  aria-label={`Remove route ${i + 1}`}
                  onClick={() => onChange(rows.filter((_, j) => j !== i))}
                >
                  ✕
                </button>
              </div>
              <FieldMessages messages={own} testId={`error-${testId}-${i}`} />
            </div>
          );
        })}
      </div>
      <button
        type="button"
        className={`${buttonClass} mt-1`}
        data-testid={`${testId}-add`}
        disabled={disabled || !!disabledHint}
        title={disabledHint}
        onClick={() => onChange([...rows, { destination: "", gateway: "" }])}
      >
        Add route
      </button>
      <FieldMessages messages={messages.filter((m) => m.row === undefined)} testId={`error-${testId}`} />
    </fieldset>
  );
}

/** One of a few options as radio buttons: `field-<name>-<value>` each. */
export function RadioGroup<V extends string>({
  name,
  value,
  options,
  onChange,
}: {
  name: string;
  value: V;
  options: [V, string][];
  onChange: (value: V) => void;
}) {
  return (
    <div className="flex flex-wrap items-center gap-3 text-sm">
      {options.map(([v, label]) => (
        <label key={v} className="flex items-center gap-1">
          <input type="radio" name={name} data-testid={`field-${name}-${v}`} checked={value === v} onChange={() => onChange(v)} />
          {label}
        </label>
      ))}
    </div>
  );
}
