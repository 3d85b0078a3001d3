// Entry point: `tenet agent --node NAME [--kubeconfig F] [--netns NAME] [--sysfs-root DIR]
//   [--sriov-config F] [--heartbeat-seconds N] [--not-applied REASON] [--metrics-port N --metrics-host H]
//   [--ipam-stats-dir DIR]` — the node agent of one node
// (DaemonSet in deploy/agent, or a simulated node of the local cluster). docs/node-agent.md.
import http from "node:http";
import { parseArgs } from "node:util";
import { KubeRest } from "../kube/rest";
import { createLogger } from "../log";
import { NodeAgent } from "./nodeAgent";
import { runIp } from "./links";
import { IpamStatsCollector } from "./ipamStatsCollector";
import { AgentMetrics } from "./metrics";

export async function runAgent(argv: string[]): Promise<NodeAgent> {
  const { values } = parseArgs({
    args: argv,
    options: {
      node: { type: "string", default: process.env.NODE_NAME },
      kubeconfig: { type: "string" },
      netns: { type: "string" },
      "sysfs-root": { type: "string", default: "/" },
      "sriov-config": { type: "string" },
      "heartbeat-seconds": { type: "string", default: "30" },
      "not-applied": { type: "string" },
      "metrics-port": { type: "string" },
      "metrics-host": { type: "string", default: "0.0.0.0" },
      // where the danm plugin runs of this node leave their IPAM statistics (netconf ipamStatsDir, as this agent sees it)
      "ipam-stats-dir": { type: "string" },
    },
  });
  if (!values.node) throw new Error("tenet agent: give --node NAME (or set NODE_NAME)");
  const heartbeatSeconds = Number(values["heartbeat-seconds"]);
  if (!Number.isInteger(heartbeatSeconds) || heartbeatSeconds < 1)
    throw new Error(`tenet agent: --heartbeat-seconds must be a whole number of seconds, not "${values["heartbeat-seconds"]}"`);
  const log = createLogger("agent", { fields: { node: values.node } });
  if (values.netns && !values["not-applied"]) {
    // fail early and clearly when the namespace is not there
    const probe = await runIp(["link", "show", "lo"], { netns: values.netns });
    if (probe.code !== 0) throw new Error(`tenet agent: cannot use network namespace ${values.netns}: ${probe.stderr.trim()}`);
  }
  const metrics = new AgentMetrics();
  const agent = new NodeAgent({
    metrics,
    node: values.node,
    kube: await KubeRest.fromFile(values.kubeconfig),
    netns: values.netns,
    sysfsRoot: values["sysfs-root"],
    sriovConfigFile: values["sriov-config"],
    heartbeatSeconds,
    notAppliedReason: values["not-applied"],
    log,
  });
  log("starting", {
    netns: values.netns,
    sysfsRoot: values["sysfs-root"],
    sriovConfig: values["sriov-config"],
    heartbeatSeconds,
    applying: !values["not-applied"],
  });
  const stop = () => void agent.stop().then(() => process.exit(0));
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
  await agent.start();
  const ipamStats = values["ipam-stats-dir"] ? new IpamStatsCollector({ dir: values["ipam-stats-dir"], metrics, log }) : undefined;
  if (ipamStats) {
    try {
      await ipamStats.start();
    } catch (e) {
      log("cannot create the IPAM statistics directory; the danm plugin's IPAM metrics are not collected", { dir: ipamStats.dir, error: (e as Error).message });
    }
  }
  if (values["metrics-port"]) {
    const server = http.createServer(async (req, res) => {
      if (req.url === "/metrics") {
        // the plugin runs since the last sweep count in this scrape
        await ipamStats?.sweep();
        res.writeHead(200, { "content-type": metrics.registry.contentType });
        res.end(await metrics.registry.metrics());
      } else if (req.url === "/healthz") res.end("ok");
      else res.writeHead(404).end();
    });
    server.listen(Number(values["metrics-port"]), values["metrics-host"]);
    process.once("exit", () => server.close());
  }
  log("running", { metricsPort: values["metrics-port"], ipamStatsDir: values["ipam-stats-dir"] });
  return agent;
}
