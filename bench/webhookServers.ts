// Child processes of bench/webhook.ts: `webhook` (tenet's real server and handler over an in-memory
process.on("SIGINT", () => process.exit(0));
// cluster state) or `bare` (an HTTPS server that answers every request with a fixed AdmissionReview).
import https from "node:https";
import fs from "node:fs";
import type { AddressInfo } from "node:net";
import { admitTenantConfig } from "../server/domain/admission/tenantConfig";
import { StaticClusterState } from "../server/webhook/clusterState";
import { AdmissionHandler } from "../server/webhook/handler";
import { WebhookMetrics } from "../server/webhook/metrics";
import { WebhookServer } from "../server/webhook/server";
import { benchEndpoints, benchTenantConfig } from "./webhookMix";

const [mode, certFile, keyFile] = process.argv.slice(2);

if (mode === "webhook") {
  const state = new StaticClusterState([admitTenantConfig("CREATE", benchTenantConfig()).object!], benchEndpoints());
  const metrics = new WebhookMetrics();
  const server = new WebhookServer({ certFile, keyFile, host: "127.0.0.1", port: 0, handler: new AdmissionHandler({ state, metrics }), state, metrics });
  const port = await server.listen();
  process.stdout.write(`${port}\n`);
} else {
  const fixed = JSON.stringify({ apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview", response: { uid: "fixed", allowed: true } });
  const server = https.createServer({ cert: fs.readFileSync(certFile), key: fs.readFileSync(keyFile), keepAliveTimeout: 30_000 }, (req, res) => {
    req.resume();
    req.on("end", () => {
      res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(fixed) });
      res.end(fixed);
    });
  });
  server.listen(0, "127.0.0.1", () => process.stdout.write(`${(server.address() as AddressInfo).port}\n`));
}
