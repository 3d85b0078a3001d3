import { Counter, Histogram, Registry, collectDefaultMetrics } from "prom-client";

/**
 * A labelled counter counted in plain numbers per label set and handed to prom-client when it is
 * read: prom-client hashes and checks a label object on every inc, on every admission.
 */
class TalliedCounter<L extends string> {
  private readonly pending = new Map<string, { labels: Record<L, string>; count: number }>();
  readonly counter: Counter<L>;

  constructor(
    name: string,
    help: string,
    private readonly labelNames: readonly L[],
    registry: Registry,
  ) {
    const pending = this.pending;
    this.counter = new Counter<L>({
      name,
      help,
      labelNames,
      registers: [registry],
      collect() {
        for (const p of pending.values()) {
          if (p.count > 0) this.inc(p.labels, p.count);
          p.count = 0;
        }
      },
    });
  }

  /** Adds one for these label values, given in labelNames order. */
  inc(...values: string[]) {
    const key = values.join("\u0000");
    let p = this.pending.get(key);
    if (!p) {
      const labels = {} as Record<L, string>;
      this.labelNames.forEach((name, i) => (labels[name] = values[i]));
      p = { labels, count: 0 };
      this.pending.set(key, p);
    }
    p.count++;
  }
}

export class WebhookMetrics {
  readonly registry = new Registry();
  readonly requests = new TalliedCounter(
    "tenet_webhook_requests_total",
    "Admission requests by kind, operation and verdict.",
    ["kind", "operation", "verdict"],
    this.registry,
  );
  readonly denials = new TalliedCounter("tenet_webhook_denials_total", "Denied admission requests by rule ID.", ["kind", "rule"], this.registry);
  readonly latency = new Histogram({
    name: "tenet_webhook_request_duration_seconds",
    help: "Time to answer an admission request.",
    labelNames: ["kind", "operation"] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  readonly badRequests = new Counter({ name: "tenet_webhook_bad_requests_total", help: "Requests answered with HTTP 400.", registers: [this.registry] });
  readonly vniConflicts = new Counter({
    name: "tenet_webhook_tenantconfig_conflicts_total",
    help: "Optimistic-lock conflicts while writing VNI reservations.",
    registers: [this.registry],
  });

  constructor(withProcessMetrics = true) {
    if (withProcessMetrics) collectDefaultMetrics({ register: this.registry, prefix: "tenet_webhook_" });
  }
}
