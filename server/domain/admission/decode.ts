import type { z } from "zod";
import { issue, type Issue } from "../issue";

/** Strict decoding (danm-spec §8.1): unknown fields and wrong types are refused, each with its path. */
export function decodeStrictly<S extends z.ZodType>(schema: S, value: unknown, rule: string): { ok: true; value: z.infer<S> } | { ok: false; issues: Issue[] } {
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
