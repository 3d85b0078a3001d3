// Live updates over SSE: what changed (kind, namespace, name), only for objects the person may get.
// The browser refetches what it shows; object contents never travel through this channel.
import { liveSource } from "../live";
import { consoleMetrics } from "../metrics";
import { mayGet } from "../roles";
import { authedProcedure, router } from "../trpc";

export const liveRouter = router({
  changes: authedProcedure.subscription(async function* ({ ctx, signal }) {
    const abort = signal ?? new AbortController().signal;
    const streams = consoleMetrics().liveStreams;
    streams.inc();
    try {
      yield { kind: "hello" as const };
      for await (const change of ctx.runtime.live.changes(abort)) {
        const { group, resource } = liveSource(change.kind);
        if (await mayGet(ctx.identity, ctx.kube, resource, change.namespace, group).catch(() => false)) yield { kind: "change" as const, change };
      }
    } finally {
      streams.dec();
    }
  }),
});
