import { formatIssues, type Issue } from "../issue";

export type Operation = "CREATE" | "UPDATE" | "DELETE";

/**
 * "mutate": the mutating webhook's pass over the user's object: defaults, binding, reservations.
 * "validate": the validating webhook's pass over the final object: the same rules, nothing written.
 */
export type Phase = "mutate" | "validate";

export interface Outcome<T> {
  allowed: boolean;
  issues: Issue[];
  warnings: string[];
  /** The object as admitted (mutated), when allowed. */
  object?: T;
}

export function describeObject(kind: string, meta: { name?: string; namespace?: string } | undefined): string {
  const name = meta?.name || meta?.["generateName" as "name"] || "(unnamed)";
  return `${kind} ${meta?.namespace ? `${meta.namespace}/` : ""}${name}`;
}

/** The sentence a denied request shows: the object, then every issue with field and rule. */
export function denialMessage(kind: string, meta: { name?: string; namespace?: string } | undefined, issues: Issue[]): string {
  return `${describeObject(kind, meta)} is invalid: ${formatIssues(issues)}`;
}
