// Service annotations read by svcwatcher (danm-spec §6) and the offline check S-1.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkServiceAnnotations } from "./rules/workloadAnnotations";
import { NETWORK_ANNOTATIONS, parseServiceAnnotations, SELECTOR_ANNOTATION, TOLERATE_UNREADY_ANNOTATION } from "./serviceAnnotations";

const SELECTOR = SELECTOR_ANNOTATION;
const NET = NETWORK_ANNOTATIONS.DanmNet;
const TNET = NETWORK_ANNOTATIONS.TenantNetwork;
const CNET = NETWORK_ANNOTATIONS.ClusterNetwork;

describe("parseServiceAnnotations (danm-spec §6)", () => {
  it("uses the annotation keys of §6", () => {
    expect([SELECTOR, NET, TNET, CNET, TOLERATE_UNREADY_ANNOTATION]).toEqual([
      "danm.k8s.io/selector",
      "danm.k8s.io/network",
      "danm.k8s.io/tenantNetwork",
      "danm.k8s.io/clusterNetwork",
      "service.alpha.kubernetes.io/tolerate-unready-endpoints",
    ]);
  });

  it("handles a Service with a selector and a network annotation", () => {
    expect(parseServiceAnnotations({ [SELECTOR]: '{"app": "sig", "tier": "be"}', [TNET]: "signalling" })).toEqual({
      ok: true,
      handled: true,
      value: { selector: { app: "sig", tier: "be" }, networks: [{ kind: "TenantNetwork", name: "signalling" }], tolerateUnready: false },
    });
  });

  it("lists every network annotation set (a DanmEp matching any of them qualifies)", () => {
    const r = parseServiceAnnotations({ [SELECTOR]: '{"app": "x"}', [CNET]: "oam", [NET]: "fh", [TNET]: "sig" });
    expect(r.ok && r.handled && r.value.networks).toEqual([
      { kind: "DanmNet", name: "fh" },
      { kind: "TenantNetwork", name: "sig" },
      { kind: "ClusterNetwork", name: "oam" },
    ]);
  });

  it.each([
    ["true", true],
    ["false", false],
    ["True", false],
    ["1", false],
    ["", false],
  ])('tolerate-unready-endpoints %j gives tolerateUnready %s (only "true" counts)', (value, expected) => {
    const r = parseServiceAnnotations({ [SELECTOR]: '{"app": "x"}', [NET]: "fh", [TOLERATE_UNREADY_ANNOTATION]: value });
    expect(r.ok && r.handled && r.value.tolerateUnready).toBe(expected);
  });

  it.each([
    ["no annotations at all", undefined],
    ["unrelated annotations", { team: "a" }],
    ["an empty selector and no network", { [SELECTOR]: "{}" }],
    ["empty network annotations and no selector", { [NET]: "", [TNET]: "" }],
    ["only the tolerate annotation", { [TOLERATE_UNREADY_ANNOTATION]: "true" }],
  ])("does not handle a Service with %s", (_, annotations) => {
    expect(parseServiceAnnotations(annotations)).toEqual({ ok: true, handled: false });
  });

  it.each([
    ["a selector that is not JSON", { [SELECTOR]: "app=sig", [NET]: "fh" }, "is not valid JSON"],
    ["a selector that is a JSON array", { [SELECTOR]: '[{"app": "sig"}]', [NET]: "fh" }, "must be a single JSON object"],
    ["a selector that is a JSON string", { [SELECTOR]: '"app"', [NET]: "fh" }, "must be a single JSON object"],
    ["a selector with a non-string value", { [SELECTOR]: '{"replicas": 3}', [NET]: "fh" }, "must be a single JSON object"],
    ["a selector of null", { [SELECTOR]: "null", [NET]: "fh" }, "must be a single JSON object"],
    ["a network annotation but an empty selector", { [SELECTOR]: "{}", [NET]: "fh" }, "missing or empty"],
    ["a network annotation and no selector", { [CNET]: "oam" }, "missing or empty"],
    [
      "a selector but no network annotation",
      { [SELECTOR]: '{"app": "sig"}' },
      "needs one of danm.k8s.io/network, danm.k8s.io/tenantNetwork, danm.k8s.io/clusterNetwork",
    ],
    ["a selector and only empty network annotations", { [SELECTOR]: '{"app": "sig"}', [CNET]: "" }, "needs one of"],
  ])("refuses a Service with %s", (_, annotations, words) => {
    const r = parseServiceAnnotations(annotations);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error).toContain(words);
  });

  it("never throws, and is handled only with a non-empty selector and a network", () => {
    const value = fc.oneof(fc.string(), fc.json(), fc.constantFrom("{}", '{"app":"x"}', "true", ""));
    const annotations = fc.dictionary(fc.constantFrom(SELECTOR, NET, TNET, CNET, TOLERATE_UNREADY_ANNOTATION, "other"), value);
    fc.assert(
      fc.property(annotations, (a) => {
        const r = parseServiceAnnotations(a);
        if (r.ok && r.handled) {
          expect(Object.keys(r.value.selector).length).toBeGreaterThan(0);
          expect(r.value.networks.length).toBeGreaterThan(0);
          for (const n of r.value.networks) expect(n.name).not.toBe("");
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe("checkServiceAnnotations (S-1)", () => {
  it("a handled or an ordinary Service has no issue", () => {
    expect(checkServiceAnnotations({ metadata: { annotations: { [SELECTOR]: '{"app": "x"}', [NET]: "fh" } } })).toEqual([]);
    expect(checkServiceAnnotations({ metadata: {} })).toEqual([]);
    expect(checkServiceAnnotations({})).toEqual([]);
  });

  it("a Service with a selector but no network is reported by S-1", () => {
    const issues = checkServiceAnnotations({ metadata: { annotations: { [SELECTOR]: '{"app": "x"}' } } });
    expect(issues.map(({ rule, type, path }) => ({ rule, type, path }))).toEqual([{ rule: "S-1", type: "Invalid", path: "metadata.annotations" }]);
  });
});
