// Network deletion (danm-spec §8.5): D-1 … D-4.
import type { DanmEp } from "../api/danmEp";
import { isDynamicNetworkType } from "../api/network";
import type { TenantConfig } from "../api/tenantConfig";
import { issue } from "../issue";
import { networkLabel, networkRefOf } from "../networkRef";
import { describeEndpoint, endpointsUsing } from "../rules/networkIdentity";
import { releaseVni, vniHeldBy } from "../tenancy/vni";
import { decodeNetwork } from "./network";
import type { Outcome } from "./outcome";

export interface DeletionContext {
  /** undefined when the endpoints cannot be listed (cache not synced): D-2 denies. */
  danmEps: readonly DanmEp[] | undefined;
  tenantConfig?: TenantConfig;
}

export interface DeletionOutcome extends Outcome<never> {
  /** A TenantConfig with the VNI released, to persist (not on dry run). */
  tenantConfig?: TenantConfig;
  released?: { profile: string; vniType: "vlan" | "vxlan"; vni: number };
}

export function admitNetworkDeletion(oldObject: unknown, context: DeletionContext): DeletionOutcome {
  // D-1 the stored object must decode
  const decoded = decodeNetwork(oldObject, "D-1");
  if (!decoded.ok) return { allowed: false, issues: decoded.issues, warnings: [] };
  const net = decoded.value;
  const name = networkLabel(networkRefOf(net));
  // D-2 endpoints must be known
  if (!context.danmEps) {
    return {
      allowed: false,
      issues: [issue("D-2", "Internal", "metadata.name", `cannot tell whether Pods still use ${name}: DanmEps could not be listed; try again`)],
      warnings: [],
    };
  }
  // D-3 in use
  const usedBy = endpointsUsing(net, context.danmEps);
  if (usedBy.length > 0) {
    const more = usedBy.length > 1 ? ` and ${usedBy.length - 1} more endpoint${usedBy.length > 2 ? "s" : ""}` : "";
    return {
      allowed: false,
      issues: [issue("D-3", "Forbidden", "metadata.name", `${name} is in use by ${describeEndpoint(usedBy[0])}${more}; delete those Pods first`)],
      warnings: [],
    };
  }
  // D-4 dynamic TenantNetworks give their VNI back
  const held = net.kind === "TenantNetwork" && isDynamicNetworkType(net.spec?.NetworkType) ? vniHeldBy(net.spec?.Options) : undefined;
  if (!held) return { allowed: true, issues: [], warnings: [] };
  if (!context.tenantConfig)
    return { allowed: true, issues: [], warnings: [`no TenantConfig exists; ${held.vniType} ${held.vni} of ${name} had nothing to be released from`] };
  const r = releaseVni(context.tenantConfig, held.profile, held.vniType, held.vni);
  if (!r.ok && r.rule === "B-5") {
    return {
      allowed: true,
      issues: [],
      warnings: [
        `TenantConfig ${context.tenantConfig.metadata.name} has no ${held.vniType} profile ${held.profile} any more; ${held.vniType} ${held.vni} was not released`,
      ],
    };
  }
  if (!r.ok)
    return {
      allowed: false,
      issues: [issue("D-4", "Internal", `spec.Options.${held.vniType}`, `${held.vniType} ${held.vni} of ${name} could not be freed: ${r.reason}`)],
      warnings: [],
    };
  return { allowed: true, issues: [], warnings: [], tenantConfig: r.config, released: held };
}
