// Admission of DanmNet, TenantNetwork and ClusterNetwork (danm-spec §8.2 pipeline, §9 mutation).
import type { DanmEp } from "../api/danmEp";
import { isNetworkKind, networkSchemaByKind, normalNetworkType, type NetworkKind, type NetworkObject } from "../api/network";
import type { TenantConfig } from "../api/tenantConfig";
import { issue, type Issue } from "../issue";
import { checkAddressing } from "../rules/networkAddressing";
import {
  carryOver,
  checkDevices,
  checkNetworkId,
  checkNoAllowedTenants,
  checkSubnetChange,
  checkTenantRestrictions,
  checkVniChangeInUse,
  checkVniExclusive,
  endpointsUsing,
} from "../rules/networkIdentity";
import { bindTenantNetwork, chooseRandomly, type Binding, type ProfileChooser } from "../tenancy/binding";
import { decodeStrictly } from "./decode";
import type { Outcome, Phase } from "./outcome";

export interface NetworkAdmissionRequest {
  operation: "CREATE" | "UPDATE";
  phase: Phase;
  object: unknown;
  oldObject?: unknown;
}

/** Cluster state the rules read, passed in (style.md point 7). */
export interface NetworkAdmissionContext {
  tenantConfig?: TenantConfig;
  /** undefined while the endpoints are not known (cache not synced): N-25 then denies. */
  danmEps: readonly DanmEp[] | undefined;
  chooseProfile?: ProfileChooser;
}

export interface NetworkOutcome extends Outcome<NetworkObject> {
  /** TenantNetwork CREATE: the TenantConfig with the new reservation, to persist before answering. */
  tenantConfig?: TenantConfig;
  reserved?: Binding["reserved"];
}

function deny(issues: Issue[], warnings: string[] = []): NetworkOutcome {
  return { allowed: false, issues, warnings };
}

export function decodeNetwork(value: unknown, rule = "N-0"): { ok: true; value: NetworkObject } | { ok: false; issues: Issue[] } {
  const kind = (value as { kind?: unknown } | null)?.kind;
  if (!isNetworkKind(kind)) return { ok: false, issues: [issue(rule, "NotSupported", "kind", `type not handled: expected one of DanmNet, TenantNetwork, ClusterNetwork`, kind)] };
  return decodeStrictly(networkSchemaByKind[kind], value, rule);
}

/** Lower-cases NetworkType (decision 8) and defaults it to ipvlan (§9.1). */
function normaliseType(net: NetworkObject, warnings: string[]): NetworkObject {
  const given = net.spec?.NetworkType ?? "";
  const lower = normalNetworkType(given);
  if (given !== "" && given !== lower) warnings.push(`spec.NetworkType: stored as "${lower}" (NetworkType is case-insensitive)`);
  return { ...net, spec: { ...(net.spec ?? {}), NetworkType: lower } } as NetworkObject;
}

export function admitNetwork(request: NetworkAdmissionRequest, context: NetworkAdmissionContext): NetworkOutcome {
  const warnings: string[] = [];
  // 1. decode strictly
  const decoded = decodeNetwork(request.object);
  if (!decoded.ok) return deny(decoded.issues);
  let old: NetworkObject | undefined;
  if (request.operation === "UPDATE" && request.oldObject !== undefined) {
    const o = decodeNetwork(request.oldObject);
    // an old object stored before these rules existed is still a valid starting point
    old = o.ok ? o.value : (request.oldObject as NetworkObject);
  }
  const kind: NetworkKind = decoded.value.kind;
  if (old && old.kind !== kind) return deny([issue("N-0", "Forbidden", "kind", `cannot change kind from ${old.kind}`)]);
  if (old) old = normaliseType(old, []);
  // what the cluster wrote is carried over before defaults fill the rest
  const net0 = old ? carryOver(decoded.value, old) : decoded.value;
  let net = normaliseType(net0, warnings);

  // 2–3. the kind's rules in the order of §8.2
  const mutating = request.phase === "mutate";
  const addressing = checkAddressing({ options: net.spec?.Options ?? {}, checkUserBitmaps: mutating && !old });
  net = { ...net, spec: { ...net.spec, Options: addressing.options } } as NetworkObject;
  const issues: Issue[] = [...addressing.issues];
  const usedBy = old ? (context.danmEps ? endpointsUsing(old, context.danmEps) : undefined) : [];
  const o = net.spec?.Options ?? {};
  if (kind === "DanmNet" || kind === "ClusterNetwork") {
    issues.push(...checkVniExclusive(o));
    issues.push(...checkNetworkId(net, ""));
  }
  if (kind === "DanmNet" || kind === "TenantNetwork") issues.push(...checkNoAllowedTenants(net));
  if (kind === "TenantNetwork" && (mutating || old)) issues.push(...checkTenantRestrictions(net, old));
  issues.push(...checkDevices(net));
  if (old && kind !== "TenantNetwork") issues.push(...checkVniChangeInUse(net, old, usedBy));
  if (old) issues.push(...checkSubnetChange(net, old));
  if (issues.length > 0) return deny(issues, warnings);

  // 4. mutation: TenantNetwork binding on CREATE (on UPDATE the binding is carried over)
  let tenantConfig: TenantConfig | undefined;
  let reserved: Binding["reserved"];
  if (kind === "TenantNetwork" && mutating && !old) {
    const bound = bindTenantNetwork(net, context.tenantConfig, context.chooseProfile ?? chooseRandomly);
    if (!bound.ok) return deny(bound.issues, warnings);
    ({ network: net, tenantConfig, reserved } = bound);
  }

  // 5. post-validation N-21 on the mutated object (before anything is persisted: decision 3)
  if (kind === "TenantNetwork") {
    const hint = context.tenantConfig ? `; TenantConfig ${context.tenantConfig.metadata.name} maps no NetworkID for NetworkType ${net.spec?.NetworkType}, so set spec.NetworkID` : "";
    const post = checkNetworkId(net, hint);
    if (post.length > 0) return deny(post, warnings);
  }
  return { allowed: true, issues: [], warnings, object: net, tenantConfig, reserved };
}
