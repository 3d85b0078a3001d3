// parseReview checks the envelope by hand and asks the zod schema only about bodies it refuses: the
// answers (the request, or the 400's text) must be the schema's for every body.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AdmissionReview, BadRequest, parseReview } from "./review";
import { review, tenantNetwork } from "./testReviews";

/** parseReview as it was: the schema alone. */
function bySchema(body: string) {
  const parsed = AdmissionReview.safeParse(JSON.parse(body));
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    return { error: `not an admission.k8s.io/v1 AdmissionReview: ${first.path.join(".") || "(body)"}: ${first.message}` };
  }
  return { request: parsed.data.request };
}

function answer(body: string) {
  try {
    return { request: parseReview(body) };
  } catch (e) {
    if (!(e instanceof BadRequest)) throw e;
    return { error: e.message };
  }
}

const VALUES: unknown[] = [undefined, null, "", "x", "CREATE", 0, 1, true, false, [], ["a"], [1], {}, { kind: "K", resource: "r" }, { group: 1 }];
const PATHS = [
  [],
  ["apiVersion"],
  ["kind"],
  ["request"],
  ["request", "uid"],
  ["request", "kind"],
  ["request", "kind", "group"],
  ["request", "kind", "version"],
  ["request", "kind", "kind"],
  ["request", "resource"],
  ["request", "resource", "group"],
  ["request", "resource", "version"],
  ["request", "resource", "resource"],
  ["request", "name"],
  ["request", "namespace"],
  ["request", "operation"],
  ["request", "userInfo"],
  ["request", "userInfo", "username"],
  ["request", "userInfo", "groups"],
  ["request", "userInfo", "groups", "1"],
  ["request", "object"],
  ["request", "oldObject"],
  ["request", "dryRun"],
  ["request", "extra"],
];

/** A copy of `doc` with the member at `path` set to `value` (removed for undefined). */
function withValue(doc: unknown, path: string[], value: unknown): unknown {
  if (path.length === 0) return value;
  const copy = structuredClone(doc) as Record<string, unknown>;
  let parent = copy;
  for (const key of path.slice(0, -1)) {
    if (typeof parent[key] !== "object" || parent[key] === null) parent[key] = {};
    parent = parent[key] as Record<string, unknown>;
  }
  if (value === undefined) delete parent[path[path.length - 1]];
  else parent[path[path.length - 1]] = value;
  return copy;
}

describe("parseReview", () => {
  const valid = review("TenantNetwork", "CREATE", tenantNetwork("a"), { dryRun: true });

  it("returns the request of a valid AdmissionReview", () => {
    expect(answer(JSON.stringify(valid))).toEqual({ request: valid.request });
  });

  it("answers every single-member change of a review as the schema does", () => {
    let refused = 0;
    for (const path of PATHS)
      for (const value of VALUES) {
        const body = JSON.stringify(withValue(valid, path, value)) ?? "";
        if (body === "") continue;
        const expected = bySchema(body);
        if ("error" in expected) refused++;
        expect(answer(body), `${path.join(".")} = ${JSON.stringify(value)}`).toEqual(expected);
      }
    expect(refused).toBeGreaterThan(150);
  });

  it("answers random envelopes as the schema does", () => {
    // mostly what the schema wants, so that many envelopes pass and each refused one has few faults
    const maybe = <T>(a: fc.Arbitrary<T>) =>
      fc.oneof({ weight: 18, arbitrary: a }, { weight: 1, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.jsonValue() });
    const gv = fc.record({ group: maybe(fc.string()), version: maybe(fc.string()), kind: maybe(fc.string()), resource: maybe(fc.string()) });
    const envelope = fc.record({
      apiVersion: maybe(fc.constant("admission.k8s.io/v1")),
      kind: maybe(fc.constant("AdmissionReview")),
      request: maybe(
        fc.record({
          uid: maybe(fc.string({ minLength: 1 })),
          kind: maybe(gv),
          resource: maybe(gv),
          name: maybe(fc.string()),
          namespace: maybe(fc.string()),
          operation: maybe(fc.constantFrom("CREATE", "UPDATE", "DELETE", "CONNECT", "PATCH")),
          userInfo: maybe(fc.record({ username: maybe(fc.string()), groups: maybe(fc.array(fc.oneof(fc.string(), fc.jsonValue()))) })),
          object: maybe(fc.jsonValue()),
          dryRun: maybe(fc.boolean()),
        }),
      ),
    });
    let accepted = 0;
    fc.assert(
      fc.property(envelope, (doc) => {
        const body = JSON.stringify(doc);
        const expected = bySchema(body);
        if ("request" in expected) accepted++;
        expect(answer(body)).toEqual(expected);
      }),
      { numRuns: 2000 },
    );
    expect(accepted).toBeGreaterThan(100);
  });

  it("returns no own __proto__ member the schema strips, in the request or its kind, resource or userInfo", () => {
    const body = JSON.stringify(valid);
    // JSON.parse makes "__proto__" an own member (the first of each object named here)
    for (const at of ['"request":{', '"kind":{', '"resource":{', '"userInfo":{']) {
      const crafted = body.replace(at, `${at}"__proto__":{"polluted":true},`);
      expect(crafted, at).not.toBe(body);
      const expected = bySchema(crafted);
      expect("request" in expected, at).toBe(true);
      const got = answer(crafted);
      expect(got, at).toStrictEqual(expected);
      const r = got.request as Record<string, unknown>;
      for (const member of [r, r.kind, r.resource, r.userInfo]) expect(Object.hasOwn(member as object, "__proto__"), at).toBe(false);
    }
  });

  it("refuses empty and non-JSON bodies", () => {
    expect(answer(" ")).toEqual({ error: "empty request body; expected an AdmissionReview" });
    expect(answer("{").error).toMatch(/^request body is not JSON: /);
  });
});
