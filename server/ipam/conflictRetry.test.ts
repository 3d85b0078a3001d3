import { describe, expect, it } from "vitest";
import { backoffBound, ConflictRetryExhausted, DEFAULT_CONFLICT_RETRY, retryOnConflict, type RetryEnvironment } from "./conflictRetry";

const conflict = () => Object.assign(new Error("the object has been modified"), { status: 409 });

/** A clock that moves only when the loop sleeps or an attempt says it took time; records the sleeps. */
function fakeEnvironment(random = () => 1) {
  let t = 0;
  const sleeps: number[] = [];
  const env: RetryEnvironment = {
    now: () => t,
    random,
    sleep: async (ms) => {
      sleeps.push(ms);
      t += ms;
    },
  };
  return { env, sleeps, advance: (ms: number) => void (t += ms), now: () => t };
}

describe("retryOnConflict", () => {
  it("returns the first attempt's value without sleeping", async () => {
    const { env, sleeps } = fakeEnvironment();
    expect(await retryOnConflict("x", async () => 7, DEFAULT_CONFLICT_RETRY, env)).toBe(7);
    expect(sleeps).toEqual([]);
  });

  it("backs off below a bound that doubles from baseDelayMs up to maxDelayMs, jittered", async () => {
    const { env, sleeps } = fakeEnvironment(() => 0.5);
    const policy = { maxAttempts: 50, deadlineMs: 60_000, baseDelayMs: 4, maxDelayMs: 100 };
    const result = await retryOnConflict("x", async (n) => (n < 8 ? Promise.reject(conflict()) : n), policy, env);
    expect(result).toBe(8);
    expect(sleeps).toEqual([2, 4, 8, 16, 32, 50, 50]);
  });

  it("counts the backoff in units of the failed attempt's duration when it is longer than baseDelayMs", async () => {
    const fake = fakeEnvironment();
    const policy = { maxAttempts: 50, deadlineMs: 60_000, baseDelayMs: 4, maxDelayMs: 1_000 };
    await retryOnConflict(
      "x",
      async (n) => {
        fake.advance(30); // a slow API server: each read + write takes 30 ms
        if (n < 6) throw conflict();
      },
      policy,
      fake.env,
    );
    expect(fake.sleeps).toEqual([30, 60, 120, 240, 480]);
    expect([backoffBound(policy, 1, 1), backoffBound(policy, 1, 30), backoffBound(policy, 7, 30)]).toEqual([4, 30, 1_000]);
  });

  it("gives up after maxAttempts conflicts, naming the object and the attempts", async () => {
    let attempts = 0;
    const e = await retryOnConflict(
      "DanmNet team-b/pool",
      async () => {
        attempts++;
        throw conflict();
      },
      { ...DEFAULT_CONFLICT_RETRY, maxAttempts: 5 },
      fakeEnvironment().env,
    ).catch((x) => x);
    expect(e).toBeInstanceOf(ConflictRetryExhausted);
    expect(attempts).toBe(5);
    expect(e.attempts).toBe(5);
    expect(e.message).toBe(
      "DanmNet team-b/pool was changed by other writers during each of 5 attempts in 0.1 s (409 Conflict every time); giving up, try again",
    );
  });

  it("starts no attempt after the deadline: the last backoff is cut to the time left", async () => {
    const fake = fakeEnvironment();
    const starts: number[] = [];
    const e = await retryOnConflict(
      "x",
      async () => {
        starts.push(fake.now());
        throw conflict();
      },
      { maxAttempts: 50, deadlineMs: 1_000, baseDelayMs: 4, maxDelayMs: 500 },
      fake.env,
    ).catch((x) => x);
    // 4+8+16+32+64+128+256 = 508 ms, then 492 instead of 500, then one last attempt at 1 s
    expect(fake.sleeps).toEqual([4, 8, 16, 32, 64, 128, 256, 492]);
    expect(starts.at(-1)).toBe(1_000);
    expect(e).toMatchObject({ attempts: 9, elapsedMs: 1_000 });
  });

  it("does not retry other errors", async () => {
    let attempts = 0;
    const forbidden = Object.assign(new Error("forbidden"), { status: 403 });
    await expect(
      retryOnConflict(
        "x",
        async () => {
          attempts++;
          throw forbidden;
        },
        DEFAULT_CONFLICT_RETRY,
        fakeEnvironment().env,
      ),
    ).rejects.toBe(forbidden);
    expect(attempts).toBe(1);
  });
});
