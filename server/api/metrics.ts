// The console's Prometheus metrics: tRPC calls by procedure and outcome, sign-ins by method and
// result, open live-update streams. Served on /api/metrics (app/api/metrics/route.ts).
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

export class ConsoleMetrics {
  readonly registry = new Registry();
  readonly calls = new Counter({
    name: "tenet_console_trpc_calls_total",
    help: "tRPC calls by procedure, type and result code (OK, UNAUTHORIZED, FORBIDDEN, ...).",
    labelNames: ["procedure", "type", "code"] as const,
    registers: [this.registry],
  });
  readonly duration = new Histogram({
    name: "tenet_console_trpc_call_duration_seconds",
    help: "Time to answer a tRPC query or mutation (Kubernetes calls as the person included).",
    labelNames: ["type"] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  readonly signIns = new Counter({
    name: "tenet_console_sign_ins_total",
    help: "Sign-in attempts by method (local, token, oidc) and result (ok, refused, throttled).",
    labelNames: ["method", "result"] as const,
    registers: [this.registry],
  });
  readonly liveStreams = new Gauge({ name: "tenet_console_live_streams", help: "Open live-update (SSE) subscriptions.", registers: [this.registry] });

  constructor(withProcessMetrics = true) {
    if (withProcessMetrics) collectDefaultMetrics({ register: this.registry, prefix: "tenet_console_" });
  }
}

const g = globalThis as unknown as { tenetConsoleMetrics?: ConsoleMetrics };

export function consoleMetrics(): ConsoleMetrics {
  g.tenetConsoleMetrics ??= new ConsoleMetrics();
  return g.tenetConsoleMetrics;
}
