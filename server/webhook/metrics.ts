import { Counter, Histogram, Registry, collectDefaultMetrics } from "prom-client";

export class WebhookMetrics {
  readonly registry = new Registry();
  readonly requests = new Counter({
    name: "tenet_webhook_requests_total",
    help: "Admission requests by kind, operation and verdict.",
    labelNames: ["kind", "operation", "verdict"] as const,
    registers: [this.registry],
  });
  readonly denials = new Counter({
    name: "tenet_webhook_denials_total",
    help: "Denied admission requests by rule ID.",
    labelNames: ["kind", "rule"] as const,
    registers: [this.registry],
  });
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
