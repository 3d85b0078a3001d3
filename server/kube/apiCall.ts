// One API call, for both transports (client-node's generated clients and rest.ts): failures are
// KubeErrors, and what the API server asks to be retried is retried the same way.
import { kubeError, KubeError } from "./errors";

/** Attempts of one call that the API server keeps throttling, the first included. */
export const THROTTLED_ATTEMPTS = 8;
/** The longest wait between two attempts, whatever Retry-After says. */
export const MAX_RETRY_WAIT_MS = 5_000;

const wait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** How long to wait before attempt `attempt + 1` after `error`: its Retry-After, else a growing backoff. */
export function retryDelayMs(error: KubeError, attempt: number): number {
  if (error.retryAfterSeconds !== undefined) return Math.min(MAX_RETRY_WAIT_MS, error.retryAfterSeconds * 1000);
  return Math.min(2_000, 50 * 2 ** attempt);
}

/**
 * Runs `attempt` again while it fails with 429 Too Many Requests (API priority and fairness, "storage
 * is (re)initializing") or 503, waiting what Retry-After asks, as kubectl does. Other failures, and
 * the last throttled one, are thrown.
 */
export async function retryThrottled<T>(attempt: () => Promise<T>, options: { attempts?: number; sleep?: (ms: number) => Promise<void> } = {}): Promise<T> {
  const attempts = options.attempts ?? THROTTLED_ATTEMPTS;
  const sleep = options.sleep ?? wait;
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (e) {
      if (!(e instanceof KubeError) || (e.status !== 429 && e.status !== 503) || n >= attempts) throw e;
      await sleep(retryDelayMs(e, n));
    }
  }
}

/** One call through a client-node API client: its failure becomes a KubeError; 429/503 are retried. */
export function apiCall<T>(run: () => Promise<T>): Promise<T> {
  return retryThrottled(async () => {
    try {
      return await run();
    } catch (e) {
      throw kubeError(e);
    }
  });
}
