// Entry point: `tenet webhook --cert-file F --key-file F [--port 8443] [--host 0.0.0.0] [--kubeconfig F]
//   [--ipam-users U,U] [--ipam-groups G,G]` (who may change allocation state, rule N-28)
import { parseArgs } from "node:util";
import { defaultIpamIdentities, type IpamIdentities } from "../domain/rules/allocationState";
import { loadKubeConfig } from "../kube/config";
import { KubeClusterState } from "../kube/webhookState";
import { createLogger } from "../log";
import { AdmissionHandler } from "./handler";
import { WebhookMetrics } from "./metrics";
import { WebhookServer } from "./server";

export async function runWebhook(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      "cert-file": { type: "string", default: process.env.TENET_WEBHOOK_CERT ?? "/etc/tenet/tls/tls.crt" },
      "key-file": { type: "string", default: process.env.TENET_WEBHOOK_KEY ?? "/etc/tenet/tls/tls.key" },
      port: { type: "string", default: process.env.TENET_WEBHOOK_PORT ?? "8443" },
      host: { type: "string", default: "0.0.0.0" },
      kubeconfig: { type: "string" },
      "ipam-users": { type: "string" },
      "ipam-groups": { type: "string" },
    },
  });
  const ipamIdentities = ipamIdentitiesFrom(values["ipam-users"], values["ipam-groups"], process.env.POD_NAMESPACE);
  const log = createLogger("webhook");
  const state = new KubeClusterState(loadKubeConfig(values.kubeconfig), log);
  const metrics = new WebhookMetrics();
  const handler = new AdmissionHandler({ state, metrics, log, ipamIdentities });
  log("allocation state writers (N-28)", { ...ipamIdentities });
  const server = new WebhookServer({
    certFile: values["cert-file"]!,
    keyFile: values["key-file"]!,
    host: values.host,
    port: Number(values.port),
    handler,
    state,
    metrics,
    log,
  });
  const port = await server.listen();
  log("listening", { port, host: values.host });
  await state.start();
  log("caches synced");
  const stop = async () => {
    log("shutting down");
    await server.close();
    await state.stop();
    process.exit(0);
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
  process.on("uncaughtException", (e) => log.error("uncaught exception", { error: e.stack }));
  process.on("unhandledRejection", (e) => log.error("unhandled rejection", { error: (e as Error)?.stack ?? String(e) }));
}

/** `--ipam-users` / `--ipam-groups`: comma-separated; either one omitted keeps its default. */
export function ipamIdentitiesFrom(users: string | undefined, groups: string | undefined, namespace: string | undefined): IpamIdentities {
  const defaults = defaultIpamIdentities(namespace || undefined);
  const list = (text: string) =>
    text
      .split(",")
      .map((s) => s.trim())
      .filter((s) => s !== "");
  return { users: users === undefined ? defaults.users : list(users), groups: groups === undefined ? defaults.groups : list(groups) };
}
