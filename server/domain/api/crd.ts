// CustomResourceDefinitions generated from the zod schemas (one description per field, written once).
import { z } from "zod";
import { API_GROUP } from "./meta";
import type { KindInfo } from "./kinds";

type JsonSchema = Record<string, unknown>;

/** Turns zod's OpenAPI output into a structural schema the API server accepts. */
function structural(node: JsonSchema, top = false): JsonSchema {
  const out: JsonSchema = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === "$schema" || key === "id") continue;
    if (key === "additionalProperties") {
      // structural schemas may not combine properties with additionalProperties; unknown fields are pruned
      if (node.properties || value === false || (typeof value === "object" && value !== null && Object.keys(value).length === 0)) continue;
      out[key] = structural(value as JsonSchema);
    } else if (key === "properties") {
      const props: Record<string, JsonSchema> = {};
      for (const [name, child] of Object.entries(value as Record<string, JsonSchema>)) {
        if (top && name === "metadata") props[name] = { type: "object" };
        else if (top && (name === "apiVersion" || name === "kind"))
          props[name] = { type: "string", description: name === "kind" ? "Kind of the object." : "Versioned schema of the object: danm.k8s.io/v1." };
        else props[name] = structural(child);
      }
      out[key] = props;
    } else if (key === "items") {
      out[key] = structural(value as JsonSchema);
    } else if (key === "required" && top) {
      continue;
    } else {
      out[key] = value;
    }
  }
  return out;
}

export function crdFor(info: KindInfo): JsonSchema {
  const schema = structural(z.toJSONSchema(info.schema, { target: "openapi-3.0", io: "input", unrepresentable: "any" }) as JsonSchema, true);
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: {
      name: `${info.plural}.${API_GROUP}`,
      labels: { "app.kubernetes.io/part-of": "tenet" },
      // *.k8s.io groups are protected; DANM's group predates the API review process
      annotations: { "api-approved.kubernetes.io": "unapproved, DANM 4.x compatibility: the danm.k8s.io group is kept as upstream defined it" },
    },
    spec: {
      group: API_GROUP,
      scope: info.scope,
      names: {
        kind: info.kind,
        listKind: `${info.kind}List`,
        plural: info.plural,
        singular: info.singular,
        shortNames: info.shortNames,
        categories: info.categories,
      },
      versions: [
        {
          name: "v1",
          served: true,
          storage: true,
          schema: { openAPIV3Schema: schema },
          additionalPrinterColumns: info.printerColumns,
          ...(info.selectableFields ? { selectableFields: info.selectableFields } : {}),
        },
      ],
    },
  };
}
