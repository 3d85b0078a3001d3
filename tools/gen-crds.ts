// Writes the generated manifests: deploy/crds/*.yaml from the zod schemas and
// deploy/webhook/webhook-configurations.yaml. `npm run gen:crds`; unit tests fail when they are stale.
import fs from "node:fs";
import path from "node:path";
import { renderCrds } from "../deploy/crds/render";
import { renderWebhookConfigurations } from "../deploy/webhook/render";

const deploy = path.join(import.meta.dirname, "..", "deploy");
const crds = renderCrds();
for (const [file, text] of crds) fs.writeFileSync(path.join(deploy, "crds", file), text);
fs.writeFileSync(path.join(deploy, "webhook", "webhook-configurations.yaml"), renderWebhookConfigurations());
console.log(`wrote ${crds.size} CRDs to deploy/crds/ and deploy/webhook/webhook-configurations.yaml`);
