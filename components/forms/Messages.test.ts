import { createElement as h } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { DryRunStatus, FieldMessages, Refusal } from "./Messages";

const html = (element: ReturnType<typeof h>) => renderToStaticMarkup(element);

describe("FieldMessages", () => {
  it("marks what the cluster said, and errors as alerts, warnings not", () => {
    const out = html(
      h(FieldMessages, { testId: "error-cidr", messages: ["mine", { message: "theirs (B-2)", source: "cluster" }, { message: "the form's", source: "form" }] }),
    );
    expect(out).toBe(
      '<ul class="mt-1 space-y-0.5 text-xs text-red-700" data-testid="error-cidr" role="alert"><li>mine</li><li><span class="mr-1 rounded bg-red-100 px-1 font-semibold">cluster</span>theirs (B-2)</li><li>the form&#x27;s</li></ul>',
    );
    expect(html(h(FieldMessages, { testId: "w", tone: "warning", messages: ["stranded"] }))).not.toContain("role");
    expect(html(h(FieldMessages, { testId: "e", messages: [] }))).toBe("");
  });
});

describe("DryRunStatus", () => {
  const status = (props: Parameters<typeof DryRunStatus>[0]) => html(h(DryRunStatus, props)).replace(/<[^>]+>/g, "");
  it("says why the cluster was not asked, or what it answered", () => {
    expect(status({ check: { state: "ok", answer: {} }, noun: "network", blocked: "1 problem to fix" })).toBe("1 problem to fix");
    expect(status({ check: { state: "checking" }, noun: "network" })).toBe("Checking with the cluster (dry run)…");
    expect(status({ check: { state: "ok", answer: {} }, noun: "network" })).toBe("The cluster would accept this network.");
    expect(status({ check: { state: "refused", error: new Error("no") }, noun: "TenantConfig" })).toBe(
      "The cluster would refuse this TenantConfig; see the marked fields.",
    );
    expect(status({ check: { state: "idle" }, noun: "TenantConfig", idle: "No changes." })).toBe("No changes.");
    expect(status({ check: { state: "idle" }, noun: "network" })).toBe("");
  });
});

describe("Refusal", () => {
  const error = { message: "admission webhook denied the request: spec.Options.cidr: Invalid value", data: {} };
  it("shows the whole message only when some cause fits no field", () => {
    expect(html(h(Refusal, { error, allPlaced: true, unplaced: [] }))).toBe("");
    const out = html(h(Refusal, { error, allPlaced: false, unplaced: ["spec.Options.alloc: written by the cluster"] }));
    expect(out).toContain('data-testid="form-error"');
    expect(out).toContain("<p>admission webhook denied the request: spec.Options.cidr: Invalid value</p>");
    expect(out).toContain("spec.Options.alloc: written by the cluster");
  });

  it("shows nothing without an error or unplaced messages", () => {
    expect(html(h(Refusal, { error: undefined, allPlaced: false, unplaced: [] }))).toBe("");
  });
});
