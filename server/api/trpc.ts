// tRPC for the console. Every procedure but sign-in needs a session; every mutation also needs the
// session's CSRF token in the x-tenet-csrf header. What a failed call tells the browser is in errorShape.ts.
import { initTRPC, TRPCError } from "@trpc/server";
import { KubeError } from "../kube/errors";
import { csrfMatches } from "../db/sessions";
import type { Context } from "./context";
import { formatError } from "./errorShape";
import { MAX_INPUT_DEPTH, nestedDeeperThan } from "../domain/requestLimits";
import { consoleMetrics } from "./metrics";

const t = initTRPC.context<Context>().create({ errorFormatter: formatError });

export const router = t.router;

/** Every call is counted by procedure and outcome, and queries and mutations are timed. */
const measured = t.procedure.use(async ({ path, type, next }) => {
  const metrics = consoleMetrics();
  const end = type === "subscription" ? undefined : metrics.duration.startTimer({ type });
  const result = await next();
  end?.();
  metrics.calls.inc({ procedure: path, type, code: result.ok ? "OK" : result.error.code });
  return result;
});

/** Input nested absurdly deep is refused before any parser or resolver walks it (recursion would overflow the stack). */
const bounded = measured.use(async ({ next, getRawInput }) => {
  if (nestedDeeperThan(await getRawInput(), MAX_INPUT_DEPTH))
    throw new TRPCError({
      code: "BAD_REQUEST",
      message: `the input nests objects or arrays deeper than ${MAX_INPUT_DEPTH} levels; no console form or Kubernetes object needs that`,
    });
  return next();
});

export const publicProcedure = bounded;

const codeFor: Record<number, TRPCError["code"]> = {
  400: "BAD_REQUEST",
  401: "UNAUTHORIZED",
  403: "FORBIDDEN",
  404: "NOT_FOUND",
  409: "CONFLICT",
  422: "UNPROCESSABLE_CONTENT",
  429: "TOO_MANY_REQUESTS",
};

/** A Kubernetes refusal as a tRPC error with the same meaning (403 stays "forbidden", 422 "invalid", ...). */
export function kubeToTrpc(e: unknown): TRPCError {
  if (e instanceof TRPCError) return e;
  if (e instanceof KubeError) {
    const code =
      (e.status !== undefined ? codeFor[e.status] : undefined) ??
      (e.status === undefined ? "SERVICE_UNAVAILABLE" : e.status >= 500 ? "INTERNAL_SERVER_ERROR" : "BAD_REQUEST");
    return new TRPCError({ code, message: e.message, cause: e });
  }
  return new TRPCError({ code: "INTERNAL_SERVER_ERROR", message: (e as Error)?.message ?? String(e), cause: e });
}

/** Signed in: ctx.identity and ctx.kube (impersonating that identity) are set. */
export const authedProcedure = bounded.use(async ({ ctx, type, next }) => {
  if (!ctx.session) throw new TRPCError({ code: "UNAUTHORIZED", message: "sign in first" });
  if (type === "mutation") {
    if (!csrfMatches(ctx.session, ctx.csrfHeader)) throw new TRPCError({ code: "FORBIDDEN", message: "missing or wrong CSRF token: reload the page" });
    if (!ctx.sameOrigin) throw new TRPCError({ code: "FORBIDDEN", message: "cross-origin request refused" });
  }
  const identity = { user: ctx.session.user, groups: ctx.session.groups };
  const result = await next({ ctx: { ...ctx, session: ctx.session, identity, kube: ctx.runtime.kube.as(identity) } });
  // A Kubernetes refusal thrown by a resolver keeps its meaning: 403 stays FORBIDDEN, 422 invalid.
  if (!result.ok && result.error.code === "INTERNAL_SERVER_ERROR" && result.error.cause instanceof KubeError) throw kubeToTrpc(result.error.cause);
  return result;
});
