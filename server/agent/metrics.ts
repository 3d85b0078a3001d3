// The node agent's Prometheus metrics: host interfaces by state, interface failures, SR-IOV VFs per
// pool, status publishing, and the danm plugin's IPAM operations on this node (collected from the
// plugin's stats files, ipamStatsCollector.ts). Served on --metrics-port (the chart's PodMonitor scrapes it).
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { IpamOperationRecord } from "../domain/ipam/operationStats";
import type { NodeStatusContent } from "../domain/nodeNetworkStatus";

/** Seconds: an uncontended operation takes ~25 ms; an ADD gives IPAM 20 s of its 30 s (cni/main.ts). */
export const IPAM_DURATION_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30];

export class AgentMetrics {
  readonly registry = new Registry();
  private readonly interfaces = new Gauge({
    name: "tenet_agent_host_interfaces",
    help: "Host interfaces the networks want on this node, by state (Present, Missing, Failed, NotApplied).",
    labelNames: ["state"] as const,
    registers: [this.registry],
  });
  private readonly failures = new Counter({
    name: "tenet_agent_interface_failures_total",
    help: "Reconcile passes in which a host interface could not be created or brought up, by interface.",
    labelNames: ["interface"] as const,
    registers: [this.registry],
  });
  private readonly vfs = new Gauge({
    name: "tenet_agent_sriov_vfs",
    help: "SR-IOV virtual functions of a pool on this node, by state (allocated to a Pod, or free).",
    labelNames: ["pool", "state"] as const,
    registers: [this.registry],
  });
  readonly publishErrors = new Counter({
    name: "tenet_agent_status_publish_errors_total",
    help: "Failed writes of this node's NodeNetworkStatus.",
    registers: [this.registry],
  });
  private readonly lastPass = new Gauge({
    name: "tenet_agent_last_pass_timestamp_seconds",
    help: "When the agent last reconciled and inventoried this node.",
    registers: [this.registry],
  });
  // IPAM of the danm plugin runs on this node. The histograms have no network label (a dozen series
  // per operation and outcome, whatever the number of networks); the counters carry the network
  // (kind, namespace, network, as tenet_network_pool_* do), one series per network used on the node.
  private readonly ipamDuration = new Histogram({
    name: "tenet_ipam_operation_duration_seconds",
    help: "Duration of the danm plugin's IPAM operations on this node (allocate, free), from start to end: node lock waits and conflict retries included.",
    labelNames: ["operation", "outcome"] as const,
    buckets: IPAM_DURATION_BUCKETS,
    registers: [this.registry],
  });
  private readonly ipamLockWait = new Histogram({
    name: "tenet_ipam_lock_wait_seconds",
    help: "Time an IPAM operation of the danm plugin waited for the node-local lock of its network (other runs on this node writing the same network).",
    labelNames: ["operation"] as const,
    buckets: IPAM_DURATION_BUCKETS,
    registers: [this.registry],
  });
  private readonly ipamOperations = new Counter({
    name: "tenet_ipam_operations_total",
    help: "IPAM operations of the danm plugin on this node, by network, operation and outcome (ok, exhausted, refused, timeout, error).",
    labelNames: ["kind", "namespace", "network", "operation", "outcome"] as const,
    registers: [this.registry],
  });
  private readonly ipamConflicts = new Counter({
    name: "tenet_ipam_conflicts_total",
    help: "Writes of a network by the danm plugin on this node that the API server refused with 409 Conflict (another writer changed it first) and that were retried from a fresh read.",
    labelNames: ["kind", "namespace", "network"] as const,
    registers: [this.registry],
  });
  readonly ipamStatsFiles = new Counter({
    name: "tenet_ipam_stats_files_total",
    help: "Statistics files of danm plugin runs the agent collected.",
    registers: [this.registry],
  });
  readonly ipamStatsRejected = new Counter({
    name: "tenet_ipam_stats_files_rejected_total",
    help: "Files in the IPAM statistics directory the agent removed without counting them (malformed, too large, or of another version).",
    registers: [this.registry],
  });

  constructor(withProcessMetrics = true) {
    if (withProcessMetrics) collectDefaultMetrics({ register: this.registry, prefix: "tenet_agent_" });
  }

  /** Records one pass: the status it computed and the interfaces that failed in it. */
  observe(content: NodeStatusContent, failedInterfaces: readonly string[], at = Date.now()) {
    this.interfaces.reset();
    for (const state of ["Present", "Missing", "Failed", "NotApplied"])
      this.interfaces.set({ state }, content.hostInterfaces.filter((i) => i.state === state).length);
    for (const name of failedInterfaces) this.failures.inc({ interface: name });
    this.vfs.reset();
    for (const p of content.sriovPools) {
      this.vfs.set({ pool: p.name, state: "allocated" }, p.allocated);
      this.vfs.set({ pool: p.name, state: "free" }, p.free);
    }
    this.lastPass.set(at / 1000);
  }

  /** Adds one IPAM operation of a plugin run. */
  observeIpam(r: IpamOperationRecord) {
    const network = { kind: r.kind, namespace: r.namespace, network: r.network };
    this.ipamDuration.observe({ operation: r.operation, outcome: r.outcome }, r.seconds);
    this.ipamLockWait.observe({ operation: r.operation }, r.lockWaitSeconds);
    this.ipamOperations.inc({ ...network, operation: r.operation, outcome: r.outcome });
    // an operation without conflicts still makes the network's series exist (0), so rate() sees its first conflict
    this.ipamConflicts.inc(network, r.conflicts);
  }
}
