// The Pod network request annotation (danm-spec §5) and its offline check P-1.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkPodAnnotations } from "./rules/workloadAnnotations";
import { INTERFACES_ANNOTATION, interfacesAnnotationValue, parseInterfacesAnnotation, type AnnotationResult } from "./annotation";

function error(result: AnnotationResult): string {
  if (result.ok) throw new Error(`expected an error, got ${JSON.stringify(result.interfaces)}`);
  return result.error;
}

describe("parseInterfacesAnnotation (danm-spec §5)", () => {
  it("reads the §5 example: one interface per element, in order, with the reference kind", () => {
    const text = `[
      {"clusterNetwork": "oam", "ip": "dynamic"},
      {"tenantNetwork": "signalling", "ip": "10.60.0.17", "ip6": "none"},
      {"network": "fronthaul", "ip": "none", "proutes": {"10.99.0.0/16": "10.61.0.1"}}
    ]`;
    expect(parseInterfacesAnnotation(text)).toEqual({
      ok: true,
      interfaces: [
        { kind: "ClusterNetwork", name: "oam", ip: "dynamic" },
        { kind: "TenantNetwork", name: "signalling", ip: "10.60.0.17", ip6: "none" },
        { kind: "DanmNet", name: "fronthaul", ip: "none", proutes: { "10.99.0.0/16": "10.61.0.1" } },
      ],
    });
  });

  it.each([undefined, "", "   ", "[]"])("an absent or empty annotation %j requests no interface (default network logic)", (text) => {
    expect(parseInterfacesAnnotation(text)).toEqual({ ok: true, interfaces: [] });
  });

  it("omitted ip and ip6 stay absent: nothing of that family is allocated", () => {
    expect(parseInterfacesAnnotation('[{"network": "fh"}]')).toEqual({ ok: true, interfaces: [{ kind: "DanmNet", name: "fh" }] });
  });

  it("keeps static addresses, with or without prefix, as given", () => {
    const r = parseInterfacesAnnotation('[{"network": "fh", "ip": "10.0.0.5/24", "ip6": "fd00::5"}]');
    expect(r).toEqual({ ok: true, interfaces: [{ kind: "DanmNet", name: "fh", ip: "10.0.0.5/24", ip6: "fd00::5" }] });
  });

  it("reads proutes and proutes6", () => {
    const r = parseInterfacesAnnotation(
      '[{"clusterNetwork": "bh", "ip": "dynamic", "ip6": "dynamic", "proutes": {"10.99.0.0/16": "172.20.4.1"}, "proutes6": {"fd00:99::/48": "fd00:20:4::1"}}]',
    );
    expect(r).toEqual({
      ok: true,
      interfaces: [
        {
          kind: "ClusterNetwork",
          name: "bh",
          ip: "dynamic",
          ip6: "dynamic",
          proutes: { "10.99.0.0/16": "172.20.4.1" },
          proutes6: { "fd00:99::/48": "fd00:20:4::1" },
        },
      ],
    });
  });

  describe("exactly one network reference per element", () => {
    it("an element without a reference is refused, naming its zero-based index", () => {
      expect(error(parseInterfacesAnnotation('[{"network": "a"}, {"ip": "dynamic"}]'))).toBe(
        "danm.k8s.io/interfaces[1]: invalid number of network references (0); give exactly one of network, tenantNetwork, clusterNetwork",
      );
    });

    it.each([
      '[{"network": "a", "tenantNetwork": "b"}]',
      '[{"network": "a", "clusterNetwork": "b"}]',
      '[{"tenantNetwork": "a", "clusterNetwork": "b", "network": "c"}]',
    ])("%s is refused: more than one reference", (text) => {
      expect(error(parseInterfacesAnnotation(text))).toContain("danm.k8s.io/interfaces[0]: invalid number of network references");
    });

    it("the same key twice in different case is one reference; the later value wins, as in Go", () => {
      expect(parseInterfacesAnnotation('[{"network": "a", "Network": "b"}]')).toEqual({ ok: true, interfaces: [{ kind: "DanmNet", name: "b" }] });
    });

    it.each(['[{"network": ""}]', '[{"network": 5}]', '[{"tenantNetwork": null}]', '[{"clusterNetwork": ["a"]}]'])(
      "%s is refused: the name must be a non-empty string",
      (text) => {
        expect(error(parseInterfacesAnnotation(text))).toContain("[0]");
      },
    );
  });

  describe("strict decoding", () => {
    it.each(["ipv6", "ip4", "name", "interface", "proute", "namespace"])("an unknown key %s is refused and named", (key) => {
      expect(error(parseInterfacesAnnotation(`[{"network": "fh", "${key}": "x"}]`))).toContain(`danm.k8s.io/interfaces[0] has unknown key "${key}"`);
    });

    it("an unknown key in a later element names that element", () => {
      expect(error(parseInterfacesAnnotation('[{"network": "a"}, {"network": "b"}, {"network": "c", "vlan": 5}]'))).toContain("[2] has unknown key");
    });

    it.each([
      ["not JSON", '[{"network": "a"'],
      ["a single object instead of an array", '{"network": "a"}'],
      ["a string", '"fh"'],
      ["an array of strings", '["fh"]'],
      ["an array holding null", "[null]"],
      ["a nested array", '[["fh"]]'],
      ["ip as a number", '[{"network": "a", "ip": 10}]'],
      ["ip6 as null", '[{"network": "a", "ip6": null}]'],
      ["proutes as an array", '[{"network": "a", "proutes": ["10.0.0.0/8"]}]'],
      ["proutes as a string", '[{"network": "a", "proutes": "10.0.0.0/8"}]'],
      ["a proutes gateway that is not a string", '[{"network": "a", "proutes": {"10.0.0.0/8": 1}}]'],
      ["a proutes6 gateway that is not a string", '[{"network": "a", "proutes6": {"fd00::/8": null}}]'],
    ])("%s is refused", (_, text) => {
      expect(parseInterfacesAnnotation(text).ok).toBe(false);
    });
  });

  describe("keys match case-insensitively (Go JSON compatibility)", () => {
    it.each([
      ['[{"Network": "fh", "IP": "dynamic"}]', { kind: "DanmNet", name: "fh", ip: "dynamic" }],
      ['[{"TENANTNETWORK": "sig", "Ip6": "none"}]', { kind: "TenantNetwork", name: "sig", ip6: "none" }],
      ['[{"clusternetwork": "oam", "PRoutes": {"10.9.0.0/16": "10.0.0.1"}}]', { kind: "ClusterNetwork", name: "oam", proutes: { "10.9.0.0/16": "10.0.0.1" } }],
      ['[{"ClusterNetwork": "oam", "Proutes6": {"fd00::/8": "fd01::1"}}]', { kind: "ClusterNetwork", name: "oam", proutes6: { "fd00::/8": "fd01::1" } }],
    ])("%s is accepted", (text, request) => {
      expect(parseInterfacesAnnotation(text)).toEqual({ ok: true, interfaces: [request] });
    });
  });

  it("never throws and always answers ok with interfaces or an error text, for any string", () => {
    const element = fc.dictionary(
      fc.constantFrom("network", "tenantNetwork", "clusterNetwork", "ip", "ip6", "proutes", "IP", "other"),
      fc.jsonValue({ maxDepth: 2 }),
      { maxKeys: 4 },
    );
    const text = fc.oneof(
      fc.string(),
      fc.json(),
      fc.array(element, { maxLength: 4 }).map((a) => JSON.stringify(a)),
    );
    fc.assert(
      fc.property(text, (t) => {
        const r = parseInterfacesAnnotation(t);
        if (r.ok) {
          for (const i of r.interfaces) {
            expect(["DanmNet", "TenantNetwork", "ClusterNetwork"]).toContain(i.kind);
            expect(typeof i.name === "string" && i.name.length > 0).toBe(true);
          }
        } else {
          expect(r.error).toMatch(/\S/);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe("interfacesAnnotationValue", () => {
  it("takes the exact key first", () => {
    expect(interfacesAnnotationValue({ "x.danm.k8s.io/interfaces-old": "[1]", [INTERFACES_ANNOTATION]: "[2]" })).toBe("[2]");
  });

  it("falls back to any key containing it (upstream behaviour)", () => {
    expect(interfacesAnnotationValue({ other: "x", "legacy.danm.k8s.io/interfaces": "[3]" })).toBe("[3]");
  });

  it.each<Record<string, string> | undefined>([undefined, {}, { "danm.k8s.io/interface": "[]", "danm.io/interfaces": "[]" }])(
    "is undefined without such a key: %j",
    (annotations) => {
      expect(interfacesAnnotationValue(annotations)).toBeUndefined();
    },
  );
});

describe("checkPodAnnotations (P-1)", () => {
  it("a Pod with a valid annotation, with none, or without annotations has no issue", () => {
    expect(checkPodAnnotations({ metadata: { annotations: { [INTERFACES_ANNOTATION]: '[{"network": "fh", "ip": "dynamic"}]' } } })).toEqual([]);
    expect(checkPodAnnotations({ metadata: { annotations: { team: "a" } } })).toEqual([]);
    expect(checkPodAnnotations({})).toEqual([]);
  });

  it("a Pod with two references in one element is reported by P-1 at the annotation's path", () => {
    const issues = checkPodAnnotations({ metadata: { annotations: { [INTERFACES_ANNOTATION]: '[{"network": "a", "clusterNetwork": "b"}]' } } });
    expect(issues.map(({ rule, type, path }) => ({ rule, type, path }))).toEqual([
      { rule: "P-1", type: "Invalid", path: 'metadata.annotations["danm.k8s.io/interfaces"]' },
    ]);
    expect(issues[0].detail).toContain("invalid number of network references");
  });
});
