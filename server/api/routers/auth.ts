// Sign-in (local account or Kubernetes bearer token), sign-out, and "who am I" with the roles RBAC gives.
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { checkPassword } from "../../db/accounts";
import { createSession, deleteSession, SESSION_TTL_MS } from "../../db/sessions";
import { clearSignInFailures, reserveSignInAttempt } from "../../db/signInFailures";
import { reviewToken } from "../../kube/access";
import type { Identity } from "../../kube/rest";
import { CSRF_COOKIE, SESSION_COOKIE, type Context } from "../context";
import { rolesOf } from "../roles";
import { authedProcedure, kubeToTrpc, publicProcedure, router } from "../trpc";
import { tenantNamespaceCandidates } from "../namespaces";
import { oidcSettings } from "../oidc";
import { consoleMetrics } from "../metrics";

function setCookies(ctx: Context, token: string, csrf: string, maxAgeS: number) {
  const secure = ctx.secure ? "; Secure" : "";
  ctx.resHeaders.append("set-cookie", `${SESSION_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeS}${secure}`);
  // Readable by the page (double submit): sent back in x-tenet-csrf on every mutation.
  ctx.resHeaders.append("set-cookie", `${CSRF_COOKIE}=${csrf}; Path=/; SameSite=Strict; Max-Age=${maxAgeS}${secure}`);
}

export const authRouter = router({
  /** The sign-in methods this console offers (for the sign-in page). */
  methods: publicProcedure.query(() => {
    const oidc = oidcSettings();
    return { local: true, token: true, oidc: oidc ? { displayName: oidc.displayName } : null };
  }),

  signIn: publicProcedure
    .input(
      z.discriminatedUnion("method", [
        z.object({ method: z.literal("local"), name: z.string().min(1).max(100), password: z.string().min(1).max(1000) }),
        z.object({ method: z.literal("token"), token: z.string().min(1).max(10_000) }),
      ]),
    )
    .mutation(async ({ ctx, input }) => {
      if (!ctx.sameOrigin) throw new TRPCError({ code: "FORBIDDEN", message: "cross-origin sign-in refused" });
      let identity: Identity | undefined;
      let account: string | undefined;
      if (input.method === "local") {
        // Slows password guessing per account and client, and per account from every client; counted
        // in the database before the check, so replicas and simultaneous attempts share one count.
        const attempt = await reserveSignInAttempt(ctx.runtime.db, input.name, ctx.client);
        if (!attempt.ok) {
          consoleMetrics().signIns.inc({ method: "local", result: "throttled" });
          const wait = `try again in ${Math.max(1, Math.ceil((attempt.until.getTime() - Date.now()) / 1000))} s`;
          throw new TRPCError({
            code: "TOO_MANY_REQUESTS",
            message:
              attempt.scope === "client"
                ? `too many failed sign-ins for ${input.name} from this client; ${wait}`
                : `sign-ins for ${input.name} are slowed down after many failures from several clients; ${wait}`,
          });
        }
        const found = await checkPassword(ctx.runtime.db, input.name, input.password);
        if (!found) {
          await attempt.failed();
          consoleMetrics().signIns.inc({ method: "local", result: "refused" });
          throw new TRPCError({ code: "UNAUTHORIZED", message: "wrong account name or password" });
        }
        await clearSignInFailures(ctx.runtime.db, input.name, ctx.client);
        identity = { user: found.name, groups: found.groups };
        account = found.name;
      } else {
        try {
          identity = await reviewToken(ctx.runtime.kube, input.token);
        } catch (e) {
          throw kubeToTrpc(e);
        }
        if (!identity) {
          consoleMetrics().signIns.inc({ method: "token", result: "refused" });
          throw new TRPCError({ code: "UNAUTHORIZED", message: "the API server did not accept this token (TokenReview: not authenticated)" });
        }
      }
      const s = await createSession(ctx.runtime.db, { user: identity.user, groups: identity.groups, method: input.method, account });
      consoleMetrics().signIns.inc({ method: input.method, result: "ok" });
      setCookies(ctx, s.token, s.csrfToken, Math.floor(SESSION_TTL_MS / 1000));
      return { user: identity.user };
    }),

  signOut: authedProcedure.mutation(async ({ ctx }) => {
    await deleteSession(ctx.runtime.db, ctx.sessionToken);
    // its open live streams end now (other replicas' streams see the session gone at their next change)
    ctx.runtime.live?.endSession(ctx.session.id);
    setCookies(ctx, "", "", 0);
    return { ok: true };
  }),

  /** The signed-in person and their roles; null when nobody is signed in. */
  me: publicProcedure.query(async ({ ctx }) => {
    if (!ctx.session) return null;
    const identity = { user: ctx.session.user, groups: ctx.session.groups };
    try {
      const roles = await rolesOf(identity, ctx.runtime.kube.as(identity), () => tenantNamespaceCandidates(ctx.runtime));
      return { user: identity.user, groups: identity.groups, method: ctx.session.method, expiresAt: ctx.session.expiresAt.toISOString(), roles };
    } catch (e) {
      throw kubeToTrpc(e);
    }
  }),
});
