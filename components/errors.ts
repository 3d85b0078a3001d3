// What a failed call says, for the page: the message, the API server's per-field causes and the
// rule IDs they name (server/api/errorShape.ts).
export interface FieldCause {
  field?: string;
  message?: string;
  reason?: string;
}

export function errorMessage(e: unknown): string {
  return (e as { message?: string })?.message ?? String(e);
}

export function errorCauses(e: unknown): FieldCause[] {
  return (e as { data?: { kube?: { causes?: FieldCause[] } } })?.data?.kube?.causes ?? [];
}

export function errorCode(e: unknown): string | undefined {
  return (e as { data?: { code?: string } })?.data?.code;
}

/** The rule IDs (D-3, N-23, …) the refusal names: pages decide by rule, not by wording. */
export function errorRules(e: unknown): string[] {
  return (e as { data?: { rules?: string[] } })?.data?.rules ?? [];
}
