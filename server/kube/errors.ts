// The one error of every API server call, whichever transport made it (client-node or rest.ts):
// what kubectl would show (HTTP status and the server's message) and what forms need (the Status
// reason and its per-field causes, admission webhook causes included).

/** A field-level cause of a refusal, as the API server returns it. */
export interface StatusCause {
  field?: string;
  message?: string;
  reason?: string;
}

export interface KubeErrorDetails {
  /** The Status reason: NotFound, AlreadyExists, Conflict, Invalid, Forbidden, … */
  reason?: string;
  causes?: StatusCause[];
  /** Seconds the server asked to wait before trying again (Retry-After of a 429 or 503). */
  retryAfterSeconds?: number;
}

/** An API server error: HTTP status (undefined when the server was not reached), the server's message, reason and causes. */
export class KubeError extends Error {
  readonly reason?: string;
  readonly causes: StatusCause[];
  readonly retryAfterSeconds?: number;

  constructor(
    readonly status: number | undefined,
    message: string,
    details: KubeErrorDetails = {},
  ) {
    super(message);
    this.reason = details.reason;
    this.causes = details.causes ?? [];
    this.retryAfterSeconds = details.retryAfterSeconds;
  }
}

/** Retry-After as seconds; only the delta-seconds form (what the API server sends). */
export function retryAfterSeconds(value: string | undefined): number | undefined {
  if (value === undefined || !/^\s*\d+\s*$/.test(value)) return undefined;
  return Number(value);
}

/** The error of an answer with a non-2xx `status`: its body is a Status object, or text. */
export function statusError(status: number, body: unknown, retryAfter?: string): KubeError {
  const retry = { retryAfterSeconds: retryAfterSeconds(retryAfter) };
  let parsed = body;
  if (typeof body === "string") {
    try {
      parsed = JSON.parse(body) as unknown;
    } catch {
      return new KubeError(status, body || `HTTP ${status}`, retry);
    }
  }
  const s = (parsed ?? {}) as { message?: unknown; reason?: unknown; details?: { causes?: StatusCause[] } };
  const message = typeof s.message === "string" && s.message ? s.message : typeof body === "string" && body ? body : `HTTP ${status}`;
  return new KubeError(status, message, { reason: typeof s.reason === "string" ? s.reason : undefined, causes: s.details?.causes ?? [], ...retry });
}

/** What a client-node call threw (an ApiException with code, body and headers, or a network error) as a KubeError. */
export function kubeError(e: unknown): KubeError {
  if (e instanceof KubeError) return e;
  const thrown = e as { code?: unknown; body?: unknown; headers?: Record<string, string>; message?: string } | undefined;
  if (typeof thrown?.code === "number") {
    const headers = thrown.headers ?? {};
    const retryAfter = Object.entries(headers).find(([name]) => name.toLowerCase() === "retry-after")?.[1];
    // a 401 carries no body: the exception's own text says what happened
    return statusError(thrown.code, thrown.body === undefined || thrown.body === "" ? (thrown.message ?? "") : thrown.body, retryAfter);
  }
  return new KubeError(undefined, thrown?.message ?? String(e));
}
