import { describe, expect, it } from "vitest";
import type { NodeStatusContent } from "../domain/nodeNetworkStatus";
import { AgentMetrics } from "./metrics";

const content = (states: string[], pools: { name: string; allocated: number; free: number }[]) =>
  ({ hostInterfaces: states.map((state, i) => ({ name: `vx_n${i}`, state })), sriovPools: pools }) as unknown as NodeStatusContent;

const value = async (m: AgentMetrics, name: string, labels: Record<string, string>) => {
  const metric = (await m.registry.getMetricsAsJSON()).find((x) => x.name === name) as
    { values: { labels: Record<string, string>; value: number }[] } | undefined;
  return metric?.values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l))?.value;
};

describe("node agent metrics", () => {
  it("counts interfaces by state and VFs by pool from each pass, and failures cumulatively", async () => {
    const m = new AgentMetrics(false);
    m.observe(content(["Present", "Present", "Failed"], [{ name: "intel.com/sriov_a", allocated: 3, free: 5 }]), ["ens4.1000"]);
    m.observe(content(["Present", "Failed", "Failed"], [{ name: "intel.com/sriov_a", allocated: 4, free: 4 }]), ["ens4.1000", "ens4.1001"]);
    expect(await value(m, "tenet_agent_host_interfaces", { state: "Present" })).toBe(1);
    expect(await value(m, "tenet_agent_host_interfaces", { state: "Failed" })).toBe(2);
    expect(await value(m, "tenet_agent_interface_failures_total", { interface: "ens4.1000" })).toBe(2);
    expect(await value(m, "tenet_agent_interface_failures_total", { interface: "ens4.1001" })).toBe(1);
    expect(await value(m, "tenet_agent_sriov_vfs", { pool: "intel.com/sriov_a", state: "allocated" })).toBe(4);
    expect(await value(m, "tenet_agent_sriov_vfs", { pool: "intel.com/sriov_a", state: "free" })).toBe(4);
  });

  it("forgets a pool that is gone", async () => {
    const m = new AgentMetrics(false);
    m.observe(content([], [{ name: "p1", allocated: 1, free: 1 }]), []);
    m.observe(content([], []), []);
    expect(await value(m, "tenet_agent_sriov_vfs", { pool: "p1", state: "free" })).toBeUndefined();
  });
});
