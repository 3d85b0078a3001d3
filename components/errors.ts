// What a failed call says, for the page: the message, and the API server's per-field causes.
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
