// The node agent's Prometheus metrics: host interfaces by state, interface failures, SR-IOV VFs per
// pool, and status publishing. Served on --metrics-port (the chart's ServiceMonitor scrapes it).
import { Counter, Gauge, Registry, collectDefaultMetrics } from "prom-client";
import type { NodeStatusContent } from "../domain/nodeNetworkStatus";

export class AgentMetrics {
  readonly registry = new Registry();
  private readonly interfaces = new Gauge({ name: "tenet_agent_host_interfaces", help: "Host interfaces the networks want on this node, by state (Present, Missing, Failed, NotApplied).", labelNames: ["state"] as const, registers: [this.registry] });
  private readonly failures = new Counter({ name: "tenet_agent_interface_failures_total", help: "Reconcile passes in which a host interface could not be created or brought up, by interface.", labelNames: ["interface"] as const, registers: [this.registry] });
  private readonly vfs = new Gauge({ name: "tenet_agent_sriov_vfs", help: "SR-IOV virtual functions of a pool on this node, by state (allocated to a Pod, or free).", labelNames: ["pool", "state"] as const, registers: [this.registry] });
  readonly publishErrors = new Counter({ name: "tenet_agent_status_publish_errors_total", help: "Failed writes of this node's NodeNetworkStatus.", registers: [this.registry] });
  private readonly lastPass = new Gauge({ name: "tenet_agent_last_pass_timestamp_seconds", help: "When the agent last reconciled and inventoried this node.", registers: [this.registry] });

  constructor(withProcessMetrics = true) {
    if (withProcessMetrics) collectDefaultMetrics({ register: this.registry, prefix: "tenet_agent_" });
  }

  /** Records one pass: the status it computed and the interfaces that failed in it. */
  observe(content: NodeStatusContent, failedInterfaces: readonly string[], at = Date.now()) {
    this.interfaces.reset();
    for (const state of ["Present", "Missing", "Failed", "NotApplied"]) this.interfaces.set({ state }, content.hostInterfaces.filter((i) => i.state === state).length);
    for (const name of failedInterfaces) this.failures.inc({ interface: name });
    this.vfs.reset();
    for (const p of content.sriovPools) {
      this.vfs.set({ pool: p.name, state: "allocated" }, p.allocated);
      this.vfs.set({ pool: p.name, state: "free" }, p.free);
    }
    this.lastPass.set(at / 1000);
  }
}
