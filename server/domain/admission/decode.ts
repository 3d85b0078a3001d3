import type { z } from "zod";
import { issue, type Issue } from "../issue";

/** Strict decoding (danm-spec §8.1): unknown fields and wrong types are refused, each with its path. */
export function decodeStrictly<S extends z.ZodType>(schema: S, value: unknown, rule: string): { ok: true; value: z.infer<S> } | { ok: false; issues: Issue[] } {
  // what the schema accepts is decoded without zod; the rest (and whatever the copy cannot vouch for) by zod, for its words
  const copied = decodedCopy(schema, value);
  if (copied) return { ok: true, value: copied.value as z.infer<S> };
  const parsed = schema.safeParse(value);
  if (parsed.success) return { ok: true, value: parsed.data };
  const issues = parsed.error.issues.map((i) => {
    const path =
      i.path
        .map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`))
        .join("")
        .replace(/^\./, "") || "(object)";
    if (i.code === "unrecognized_keys") {
      const keys = (i as { keys: string[] }).keys;
      return issue(
        rule,
        "NotSupported",
        path,
        `unknown field${keys.length > 1 ? "s" : ""} ${keys.map((k) => JSON.stringify(k)).join(", ")}; check the spelling (field names are case-sensitive)`,
      );
    }
    return issue(rule, "Invalid", path, i.message);
  });
  return { ok: false, issues };
}

// --- the copy: zod's result for a value the schema accepts, built by a function made once per schema ---
// The API schemas are strict and loose objects, strings, bounded integers, literals, string records
// and arrays. For those a value zod accepts comes back as a copy with the shape's members first, in
// the shape's order, then a loose object's other members; a copier makes exactly that, and answers
// UNSURE for anything it does not know (another schema type or check, undefined members, "__proto__",
// objects that are not plain), so zod decides those. decode.test.ts holds the two against each other.

const UNSURE: unique symbol = Symbol("unsure");
type Copier = (value: unknown) => unknown;

interface SchemaDef {
  type: string;
  shape?: Record<string, { _zod: { def: SchemaDef } }>;
  catchall?: { _zod: { def: SchemaDef } };
  innerType?: { _zod: { def: SchemaDef } };
  element?: { _zod: { def: SchemaDef } };
  keyType?: { _zod: { def: SchemaDef } };
  valueType?: { _zod: { def: SchemaDef } };
  values?: unknown[];
  checks?: { _zod: { def: { check: string; format?: string; value?: number; inclusive?: boolean } } }[];
}

const copiers = new WeakMap<object, Copier>();

/** What `schema.parse(value)` returns, made without zod, or undefined where only zod can tell. */
export function decodedCopy(schema: z.ZodType, value: unknown): { value: unknown } | undefined {
  const copied = copierOf(schema)(value);
  return copied === UNSURE ? undefined : { value: copied };
}

const defOf = (schema: unknown) => (schema as { _zod: { def: SchemaDef } })._zod.def;
const unsure: Copier = () => UNSURE;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function copierOf(schema: unknown): Copier {
  let copier = copiers.get(schema as object);
  if (!copier) {
    copier = makeCopier(defOf(schema));
    copiers.set(schema as object, copier);
  }
  return copier;
}

function makeCopier(def: SchemaDef): Copier {
  // a refinement (or any other check) of an object, record, literal or optional is zod's to run
  if (def.type !== "number" && def.checks?.length) return unsure;
  switch (def.type) {
    case "string":
      return def.checks?.length ? unsure : (v) => (typeof v === "string" ? v : UNSURE);
    case "number":
      return numberCopier(def);
    case "literal": {
      const values = def.values ?? [];
      return (v) => (values.includes(v) ? v : UNSURE);
    }
    case "array": {
      if (def.checks?.length) return unsure;
      const element = copierOf(def.element);
      return (v) => {
        if (!Array.isArray(v)) return UNSURE;
        const out: unknown[] = [];
        for (let i = 0; i < v.length; i++) {
          const e = element(v[i]);
          if (e === UNSURE) return UNSURE;
          out.push(e);
        }
        return out;
      };
    }
    case "record": {
      if (defOf(def.keyType).type !== "string" || defOf(def.keyType).checks?.length) return unsure;
      const element = copierOf(def.valueType);
      return (v) => {
        // zod reads a record's symbol keys too (and refuses them as keys that are no strings)
        if (!isPlainObject(v) || Object.getOwnPropertySymbols(v).length > 0) return UNSURE;
        const out: Record<string, unknown> = {};
        for (const key of Object.keys(v)) {
          const e = key === "__proto__" ? UNSURE : element(v[key]);
          if (e === UNSURE) return UNSURE;
          out[key] = e;
        }
        return out;
      };
    }
    case "object":
      return objectCopier(def);
    default:
      return unsure;
  }
}

function numberCopier(def: SchemaDef): Copier {
  let min = -Infinity;
  let max = Infinity;
  let integer = false;
  for (const { _zod: c } of def.checks ?? []) {
    const check = c.def;
    if (check.check === "number_format" && check.format === "safeint") integer = true;
    else if (check.check === "greater_than" && check.inclusive) min = Math.max(min, check.value!);
    else if (check.check === "less_than" && check.inclusive) max = Math.min(max, check.value!);
    else return unsure;
  }
  return (v) => (typeof v === "number" && Number.isFinite(v) && (!integer || Number.isSafeInteger(v)) && v >= min && v <= max ? v : UNSURE);
}

function objectCopier(def: SchemaDef): Copier {
  const catchall = def.catchall ? defOf(def.catchall).type : undefined;
  if (catchall !== "never" && catchall !== "unknown") return unsure;
  const members = Object.entries(def.shape ?? {}).map(([key, schema]) => {
    const d = defOf(schema);
    // an optional member with checks of its own is copied by its own copier (UNSURE)
    const optional = d.type === "optional" && !d.checks?.length;
    return { key, optional, copy: copierOf(optional ? d.innerType : schema) };
  });
  const known = new Set(members.map((m) => m.key));
  return (v) => {
    if (!isPlainObject(v)) return UNSURE;
    const out: Record<string, unknown> = {};
    for (const m of members) {
      if (!Object.hasOwn(v, m.key)) {
        if (m.optional) continue;
        return UNSURE;
      }
      const value = v[m.key];
      if (value === undefined) return UNSURE;
      const copied = m.copy(value);
      if (copied === UNSURE) return UNSURE;
      out[m.key] = copied;
    }
    for (const key of Object.keys(v)) {
      if (known.has(key)) continue;
      // strict: an unknown member is zod's to name; loose: kept as it is
      if (catchall === "never" || key === "__proto__" || v[key] === undefined) return UNSURE;
      out[key] = v[key];
    }
    return out;
  };
}
