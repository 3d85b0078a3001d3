import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import YAML from "yaml";
import { renderCrds } from "./render";

describe("generated CRDs", () => {
  const rendered = renderCrds();
  for (const [file, text] of rendered) {
    it(`${file} is up to date with the zod schemas (run npm run gen:crds)`, () => {
      expect(fs.readFileSync(path.join(import.meta.dirname, file), "utf8")).toBe(text);
    });
  }

  it("every CRD is structural: no object mixes properties with additionalProperties, every node has a type", () => {
    const walk = (node: Record<string, unknown>, where: string) => {
      expect(node.type, where).toBeTypeOf("string");
      if (node.properties) {
        expect(node.additionalProperties, where).toBeUndefined();
        for (const [k, v] of Object.entries(node.properties as Record<string, Record<string, unknown>>)) walk(v, `${where}.${k}`);
      }
      if (node.items) walk(node.items as Record<string, unknown>, `${where}[]`);
      if (typeof node.additionalProperties === "object") walk(node.additionalProperties as Record<string, unknown>, `${where}{}`);
    };
    for (const text of rendered.values()) {
      const crd = YAML.parse(text);
      walk(crd.spec.versions[0].schema.openAPIV3Schema, crd.metadata.name);
    }
  });

  it("network CRDs carry the short names, categories and printer columns of danm-spec §1", () => {
    const tn = YAML.parse(rendered.get("tenantnetworks.yaml")!);
    expect(tn.spec.names.shortNames).toEqual(["tn", "tnet"]);
    expect(tn.spec.names.categories).toContain("all");
    expect(tn.spec.versions[0].additionalPrinterColumns.map((c: { name: string }) => c.name)).toEqual(
      expect.arrayContaining(["Type", "CIDR", "Net6", "VLAN", "VxLAN", "Device", "Age"]),
    );
    const vlan = tn.spec.versions[0].schema.openAPIV3Schema.properties.spec.properties.Options.properties.vlan;
    expect(vlan).toMatchObject({ type: "integer", minimum: 0, maximum: 4094 });
    expect(vlan.description).toMatch(/VLAN id/);
    const tc = YAML.parse(rendered.get("tenantconfigs.yaml")!);
    expect(tc.spec.scope).toBe("Cluster");
    expect(Object.keys(tc.spec.versions[0].schema.openAPIV3Schema.properties)).toEqual(expect.arrayContaining(["hostDevices", "networkIds"]));
  });
});
