const USAGE = `tenet — multi-tenant network management for Kubernetes (DANM 4.x APIs)

Usage:
  tenet validate -f FILE... [--context FILE...] [-n NAMESPACE] [-o yaml|json]
        Check manifests offline with the webhook's rules; exit 0 all allowed, 1 any denied, 2 unreadable input.
  tenet start [PORT]                Serve the console; without KUBECONFIG, run the local cluster first.
  tenet console [--port N --hostname H]
        Serve a production build of the console (the image's and the chart's); TENET_LOG_FORMAT=json logs JSON lines.
  tenet cluster up|down|status      Run a local Kubernetes control plane with tenet installed (.tenet/).
  tenet cluster build               Build the control plane binary (cached; the first build takes minutes).
  tenet cluster kubeconfig USER     Print the path of USER's kubeconfig (admin, netadmin, alice, bob, olga).
  tenet db migrate                  Apply pending console database migrations (DATABASE_URL, default .tenet/console.db).
  tenet db account NAME [--group G]... < PASSWORD
        Create or reset a console account that signs in as Kubernetes user NAME with groups G.
  tenet webhook [--cert-file F --key-file F --port N --kubeconfig F]
        Serve the admission webhook.
  tenet controllers [--kubeconfig F --interval-seconds N --grace-seconds N --metrics-port N --webhook-certificates …]
        Run the reconcilers and svcwatcher (leader-elected through a Lease); with --webhook-certificates
        also issue and rotate the webhook's CA and serving certificate (server/controllers/main.ts lists the flags).
  tenet agent --node NAME [--kubeconfig F --netns NAME --sysfs-root DIR --sriov-config F --heartbeat-seconds N
              --not-applied REASON --metrics-port N --ipam-stats-dir D]
        Run the node agent: host interfaces, SR-IOV inventory, the node's NodeNetworkStatus, the danm plugin's IPAM metrics.
  tenet install-cni [--bin-dir D --conf-dir D --daemon-socket PATH --once]
        Install the danm CNI executable and its configuration on a node (the DaemonSet in deploy/cni).
  tenet cni-daemon [--socket PATH --node NAME]
        Serve the danm executable's requests on this node (IPAM, DanmEps, delegation; docs/cni.md).
`;

/**
 * TENET_LOG_FORMAT=json (the image sets it): what a command that runs in a Pod writes (the console's
 * migrate init container, the CNI installer) becomes JSON lines like every long-running component's.
 */
async function jsonLogsWhenAsked(component: string) {
  const { installJsonLogs, logFormat } = await import("../../server/api/consoleLog");
  // their progress goes to stderr; their failures through console.error (tenet.mjs)
  if (logFormat(process.env.TENET_LOG_FORMAT) === "json") installJsonLogs(component, undefined, undefined, { rawStderrLevel: "info" });
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case "validate": {
      const { runValidate } = await import("./validate");
      return runValidate(rest, process.stdout, process.stderr);
    }
    case "start": {
      const { runStart } = await import("./start");
      return runStart(rest);
    }
    case "console": {
      const { runConsole } = await import("./console");
      return runConsole(rest);
    }
    case "cluster": {
      const { runCluster } = await import("./cluster");
      return runCluster(rest);
    }
    case "db": {
      await jsonLogsWhenAsked("db");
      const { runDb } = await import("./db");
      return runDb(rest);
    }
    case "controllers": {
      const { runControllers } = await import("../../server/controllers/main");
      await runControllers(rest);
      return await new Promise<number>(() => {});
    }
    case "agent": {
      const { runAgent } = await import("../../server/agent/main");
      await runAgent(rest);
      return await new Promise<number>(() => {});
    }
    case "install-cni": {
      await jsonLogsWhenAsked("install-cni");
      const { runInstallCni } = await import("./installCni");
      return runInstallCni(rest);
    }
    case "cni-daemon": {
      const { runCniDaemon } = await import("../../server/cni/daemonMain");
      await runCniDaemon(rest);
      return await new Promise<number>(() => {});
    }
    case "webhook": {
      const { runWebhook } = await import("../../server/webhook/main");
      await runWebhook(rest);
      return await new Promise<number>(() => {});
    }
    case undefined:
    case "help":
    case "--help":
    case "-h":
      process.stdout.write(USAGE);
      return command === undefined ? 2 : 0;
    default:
      process.stderr.write(`tenet: unknown command "${command}"\n\n${USAGE}`);
      return 2;
  }
}
