// Limits on what one request to the console's API may ask for. Shared by the server (the tRPC route
// and middleware) and the browser's client, which never sends more than the server accepts.

/** Procedure calls in one batched request (each may make API server calls as the person). */
export const MAX_BATCH_SIZE = 16;

/** Nesting of objects and arrays in one call's input; Kubernetes objects need far less. */
export const MAX_INPUT_DEPTH = 64;

/** Whether `value` nests objects/arrays deeper than `max` levels; iterative, so any depth is safe to check. */
export function nestedDeeperThan(value: unknown, max: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== "object") continue;
    if (depth + 1 > max) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, depth + 1]);
  }
  return false;
}
