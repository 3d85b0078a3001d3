import { TenantConfig } from "../api/tenantConfig";
import { issue } from "../issue";
import { checkTenantConfig, mutateTenantConfig } from "../rules/tenantConfig";
import { decodeStrictly } from "./decode";
import type { Outcome, Phase } from "./outcome";

export function admitTenantConfig(operation: "CREATE" | "UPDATE", object: unknown, oldObject?: unknown, phase: Phase = "mutate"): Outcome<TenantConfig> {
  // T-1 strict decoding, kind TenantConfig
  if ((object as { kind?: unknown } | null)?.kind !== "TenantConfig") {
    return {
      allowed: false,
      issues: [issue("T-1", "NotSupported", "kind", "expected TenantConfig", (object as { kind?: unknown } | null)?.kind)],
      warnings: [],
    };
  }
  const decoded = decodeStrictly(TenantConfig, object, "T-1");
  if (!decoded.ok) return { allowed: false, issues: decoded.issues, warnings: [] };
  const issues = checkTenantConfig(decoded.value, phase === "mutate" && operation === "CREATE");
  if (issues.length > 0) return { allowed: false, issues, warnings: [] };
  const old = operation === "UPDATE" && oldObject ? decodeStrictly(TenantConfig, oldObject, "T-1") : undefined;
  const { config, warnings } = mutateTenantConfig(decoded.value, old?.ok ? old.value : (oldObject as TenantConfig | undefined));
  return { allowed: true, issues: [], warnings, object: config };
}
