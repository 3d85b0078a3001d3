// Entry point: `tenet controllers [--kubeconfig F] [--interval-seconds 30] [--grace-seconds 120] [--metrics-port 9090]
//   [--database-url file:… (or DATABASE_URL)] [--usage-interval-seconds 60]
//   [--webhook-certificates [--webhook-service tenet-webhook] [--webhook-tls-secret tenet-webhook-tls]
//    [--webhook-ca-secret tenet-webhook-ca] [--webhook-configuration tenet] [--webhook-ca-validity-days 3650]
//    [--webhook-cert-validity-days 365] [--webhook-cert-check-seconds 3600]]`
// One leader (Lease tenet-system/tenet-controllers) runs the reconcilers (and, given a database, the
// IP usage sampler, and with --webhook-certificates the webhook's CA and serving certificate);
// every replica serves /metrics.
import http from "node:http";
import os from "node:os";
import { parseArgs } from "node:util";
import { collectDefaultMetrics, Registry } from "prom-client";
import { recordEvent } from "../kube/events";
import { LeaseStore } from "../kube/leases";
import { loadKubeConfig } from "../kube/config";
import { WebhookTlsStore } from "../kube/webhookTls";
import { createLogger } from "../log";
import { LeaderElector } from "./leaderElection";
import { Reconcilers } from "./reconcilers";
import { Svcwatcher } from "./svcwatcher";
import { UsageSampler } from "./usageSampler";
import { WebhookCertificates } from "./webhookCertificates";

function positiveDays(value: string, flag: string): number {
  const days = Number(value);
  if (!Number.isFinite(days) || days <= 0) throw new Error(`${flag}: "${value}" is not a positive number of days`);
  return days * 86_400_000;
}

export async function runControllers(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      kubeconfig: { type: "string" },
      "interval-seconds": { type: "string", default: "30" },
      "grace-seconds": { type: "string", default: "120" },
      "metrics-port": { type: "string", default: "9090" },
      "metrics-host": { type: "string", default: "0.0.0.0" },
      "lease-namespace": { type: "string", default: process.env.POD_NAMESPACE ?? "tenet-system" },
      "database-url": { type: "string", default: process.env.DATABASE_URL },
      "usage-interval-seconds": { type: "string", default: "60" },
      "webhook-certificates": { type: "boolean", default: false },
      "webhook-service": { type: "string", default: "tenet-webhook" },
      "webhook-tls-secret": { type: "string", default: "tenet-webhook-tls" },
      "webhook-ca-secret": { type: "string", default: "tenet-webhook-ca" },
      "webhook-configuration": { type: "string", default: "tenet" },
      "webhook-ca-validity-days": { type: "string", default: "3650" },
      "webhook-cert-validity-days": { type: "string", default: "365" },
      "webhook-cert-check-seconds": { type: "string", default: "3600" },
    },
  });
  const log = createLogger("controllers");
  const kc = loadKubeConfig(values.kubeconfig);
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "tenet_controllers_" });
  const reconcilers = new Reconcilers({ kubeconfig: kc, graceMs: Number(values["grace-seconds"]) * 1000, log, registry });
  let timer: NodeJS.Timeout | undefined;
  const pass = async () => {
    try {
      const fixes = await reconcilers.runOnce();
      log("reconcile pass done", { fixes: fixes.length });
    } catch (e) {
      log.error("reconcile pass failed", { error: (e as Error).message });
    }
    timer = setTimeout(pass, Number(values["interval-seconds"]) * 1000);
  };
  const identity = `${os.hostname()}-${process.pid}`;
  // svcwatcher: a fresh instance per leadership term
  let svcwatcher: Svcwatcher | undefined;
  // IP usage sampler: only with a database, a fresh instance per leadership term
  const databaseUrl = values["database-url"];
  const db = databaseUrl ? await (await import("../db/migrate")).openMigratedDb(databaseUrl) : undefined;
  let sampler: UsageSampler | undefined;
  const namespace = values["lease-namespace"]!;
  const certificates = values["webhook-certificates"]
    ? new WebhookCertificates({
        api: new WebhookTlsStore(kc, namespace),
        service: values["webhook-service"]!,
        tlsSecret: values["webhook-tls-secret"]!,
        caSecret: values["webhook-ca-secret"]!,
        configuration: values["webhook-configuration"]!,
        caValidityMs: positiveDays(values["webhook-ca-validity-days"]!, "--webhook-ca-validity-days"),
        servingValidityMs: positiveDays(values["webhook-cert-validity-days"]!, "--webhook-cert-validity-days"),
        log: createLogger("webhook-certificates"),
        event: (secret, reason, message) => recordEvent(kc, { apiVersion: "v1", kind: "Secret", namespace, ...secret }, reason, message),
        registry,
      })
    : undefined;
  const elector = new LeaderElector(new LeaseStore(kc, namespace, "tenet-controllers"), {
    identity,
    log,
    onStartedLeading: () => {
      void pass();
      certificates?.start(Number(values["webhook-cert-check-seconds"]) * 1000);
      svcwatcher = new Svcwatcher(kc, { log: createLogger("svcwatcher"), registry });
      svcwatcher.start().catch((e) => log.error("svcwatcher failed to start", { error: (e as Error).message }));
      if (db) {
        sampler = new UsageSampler({ kubeconfig: kc, db, intervalMs: Number(values["usage-interval-seconds"]) * 1000, log: createLogger("usage-sampler") });
        sampler.start();
      }
    },
    onStoppedLeading: () => {
      clearTimeout(timer);
      certificates?.stop();
      void svcwatcher?.stop();
      svcwatcher = undefined;
      void sampler?.stop();
      sampler = undefined;
    },
  });
  elector.start();
  const server = http.createServer(async (req, res) => {
    if (req.url === "/metrics") {
      res.writeHead(200, { "content-type": registry.contentType });
      res.end(await registry.metrics());
    } else if (req.url === "/healthz") {
      res.end("ok");
    } else if (req.url === "/leader") {
      res.end(elector.isLeader() ? "leader" : "follower");
    } else {
      res.writeHead(404).end();
    }
  });
  server.listen(Number(values["metrics-port"]), values["metrics-host"]);
  log("started", { identity, metricsPort: values["metrics-port"] });
  const stop = async () => {
    await elector.stop();
    server.close();
    process.exit(0);
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}
