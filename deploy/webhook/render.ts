import YAML from "yaml";
import { webhookConfigurations } from "./configurations";

/** deploy/webhook/webhook-configurations.yaml: the Service, a CA injected by cert-manager. */
export function renderWebhookConfigurations(): string {
  const docs = webhookConfigurations(
    { service: { name: "tenet-webhook", namespace: "tenet-system", port: 443 } },
    { "cert-manager.io/inject-ca-from": "tenet-system/tenet-webhook" },
  );
  return (
    "# Generated from deploy/webhook/configurations.ts by `npm run gen:crds`. Do not edit.\n" +
    "# The CA bundle is injected by cert-manager from the Certificate tenet-system/tenet-webhook;\n" +
    "# without cert-manager, set webhooks[0].clientConfig.caBundle to the base64 CA of the serving cert.\n" +
    docs.map((d) => YAML.stringify(d, { lineWidth: 0 })).join("---\n")
  );
}
