import { describe, expect, it } from "vitest";
import { WebhookMetrics } from "./metrics";

describe("WebhookMetrics", () => {
  it("counts requests and denials per label set, each once, however often /metrics is read", async () => {
    const m = new WebhookMetrics(false);
    const read = async () =>
      (await m.registry.metrics()).split("\n").filter((l) => l.startsWith("tenet_webhook_requests_total") || l.startsWith("tenet_webhook_denials_total"));
    expect(await read()).toEqual([]);
    m.requests.inc("TenantNetwork", "CREATE", "denied");
    m.requests.inc("TenantNetwork", "CREATE", "denied");
    m.requests.inc("ClusterNetwork", "UPDATE", "allowed");
    m.denials.inc("TenantNetwork", "N-23");
    const first = [
      'tenet_webhook_requests_total{kind="TenantNetwork",operation="CREATE",verdict="denied"} 2',
      'tenet_webhook_requests_total{kind="ClusterNetwork",operation="UPDATE",verdict="allowed"} 1',
      'tenet_webhook_denials_total{kind="TenantNetwork",rule="N-23"} 1',
    ];
    expect(await read()).toEqual(first);
    expect(await read()).toEqual(first);
    m.requests.inc("TenantNetwork", "CREATE", "denied");
    expect((await read())[0]).toBe('tenet_webhook_requests_total{kind="TenantNetwork",operation="CREATE",verdict="denied"} 3');
  });
});
