// Optimistic concurrency against the API server (danm-spec §10.5): run a read-compute-write
// attempt again whenever the write is refused with 409 Conflict (the object changed since it was
// read), after a jittered exponential backoff, within a bound on attempts and on total time.
//
// The backoff is counted in units of the attempt that just failed (at least baseDelayMs): a conflict
// means another writer committed inside that window, and under load the window itself grows (each
// refused write still costs the API server a read and the mutating webhook), so callers spread out
// in proportion to how slow the server has become instead of hammering it with short fixed delays.

export interface ConflictRetryPolicy {
  /** Attempts in all, the first one included. */
  maxAttempts: number;
  /** No attempt starts later than this after the first one. */
  deadlineMs: number;
  /** Smallest backoff unit; the unit is the failed attempt's duration when that is longer. */
  baseDelayMs: number;
  /** Upper bound of any one backoff. The backoff is drawn uniformly in [0, min(maxDelayMs, unit·2^(n−1))) ("full jitter"). */
  maxDelayMs: number;
}

export const DEFAULT_CONFLICT_RETRY: ConflictRetryPolicy = { maxAttempts: 50, deadlineMs: 30_000, baseDelayMs: 10, maxDelayMs: 5_000 };

/** The clock, sleep and randomness the loop uses; replaced by tests. */
export interface RetryEnvironment {
  now(): number;
  sleep(ms: number): Promise<void>;
  random(): number;
}

export const realEnvironment: RetryEnvironment = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: Math.random,
};

/** A refused write because the object changed since it was read (HTTP 409). */
export function isConflict(e: unknown): boolean {
  return (e as { status?: unknown } | null)?.status === 409;
}

/** Every attempt conflicted until the policy's bound was reached. */
export class ConflictRetryExhausted extends Error {
  constructor(
    readonly what: string,
    readonly attempts: number,
    readonly elapsedMs: number,
  ) {
    super(
      `${what} was changed by other writers during each of ${attempts} attempts in ${(elapsedMs / 1000).toFixed(1)} s (409 Conflict every time); giving up, try again`,
    );
  }
}

/** Upper bound of the backoff after the n-th conflict (n ≥ 1) of an attempt that took `attemptMs`. */
export function backoffBound(policy: ConflictRetryPolicy, conflicts: number, attemptMs: number): number {
  return Math.min(policy.maxDelayMs, Math.max(policy.baseDelayMs, attemptMs) * 2 ** Math.min(conflicts - 1, 30));
}

/**
 * Runs `attempt` until it returns or throws something other than a conflict. Each attempt must
 * read the object afresh: a conflict means whatever it read is stale.
 */
export async function retryOnConflict<R>(
  what: string,
  attempt: (n: number) => Promise<R>,
  policy: ConflictRetryPolicy = DEFAULT_CONFLICT_RETRY,
  env: RetryEnvironment = realEnvironment,
): Promise<R> {
  const started = env.now();
  for (let n = 1; ; n++) {
    const attemptStarted = env.now();
    try {
      return await attempt(n);
    } catch (e) {
      if (!isConflict(e)) throw e;
      const now = env.now();
      const remaining = started + policy.deadlineMs - now;
      if (n >= policy.maxAttempts || remaining <= 0) throw new ConflictRetryExhausted(what, n, now - started);
      await env.sleep(Math.min(remaining, env.random() * backoffBound(policy, n, now - attemptStarted)));
    }
  }
}
