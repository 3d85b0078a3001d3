import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import YAML from "yaml";
import { renderWebhookConfigurations } from "./render";

describe("deploy/webhook/webhook-configurations.yaml", () => {
  it("is up to date with configurations.ts (run npm run gen:crds)", () => {
    expect(fs.readFileSync(path.join(import.meta.dirname, "webhook-configurations.yaml"), "utf8")).toBe(renderWebhookConfigurations());
  });
  it("fails closed, has no side effects on dry run and covers DELETE in the validating webhook", () => {
    const [mutating, validating] = YAML.parseAllDocuments(renderWebhookConfigurations()).map((d) => d.toJS());
    for (const c of [mutating, validating]) {
      expect(c.webhooks[0]).toMatchObject({ failurePolicy: "Fail", sideEffects: "NoneOnDryRun", admissionReviewVersions: ["v1"] });
      expect(c.webhooks[0].rules[0].resources).toEqual(["danmnets", "tenantnetworks", "clusternetworks", "tenantconfigs"]);
    }
    expect(mutating.webhooks[0].rules[0].operations).toEqual(["CREATE", "UPDATE", "DELETE"]);
    expect(validating.webhooks[0].rules[0].operations).toEqual(["CREATE", "UPDATE", "DELETE"]);
  });
});
