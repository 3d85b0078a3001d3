// Live updates over SSE: what changed (kind, namespace, name), only for objects the person may get.
// The browser refetches what it shows; object contents never travel through this channel.
import { findSession } from "../../db/sessions";
import { liveSource } from "../live";
import { consoleMetrics } from "../metrics";
import { mayGet } from "../roles";
import { authedProcedure, router } from "../trpc";

export const liveRouter = router({
  changes: authedProcedure.subscription(async function* ({ ctx, signal }) {
    // the stream ends with the request, and when its session signs out or expires
    const session = ctx.runtime.live.sessionSignal(ctx.session, signal ?? new AbortController().signal);
    const streams = consoleMetrics().liveStreams;
    streams.inc();
    try {
      yield { kind: "hello" as const };
      for await (const change of ctx.runtime.live.changes(session.signal)) {
        // signed out on another replica (or expired) since: nothing more for this stream
        if (!(await findSession(ctx.runtime.db, ctx.sessionToken))) return;
        const { group, resource } = liveSource(change.kind);
        if (await mayGet(ctx.identity, ctx.kube, resource, change.namespace, group).catch(() => false)) yield { kind: "change" as const, change };
      }
    } catch (e) {
      // ended by sign-out or expiry: a normal end of the stream, not an error
      if (!session.signal.aborted) throw e;
    } finally {
      session.dispose();
      streams.dec();
    }
  }),
});
