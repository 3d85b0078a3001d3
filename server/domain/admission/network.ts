// Admission of DanmNet, TenantNetwork and ClusterNetwork (danm-spec §8.2 pipeline, §9 mutation).
import type { DanmEp } from "../api/danmEp";
import { isNetworkKind, networkSchemaByKind, normalNetworkType, type NetworkKind, type NetworkObject } from "../api/network";
import type { TenantConfig } from "../api/tenantConfig";
import { issue, type Issue } from "../issue";
import { checkAllocationStateChange, checkAllocationStateFormat, type IpamIdentities, type Requester } from "../rules/allocationState";
import { defaultAddressing, validateAddressing } from "../rules/networkAddressing";
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
import { describeObject, type Outcome, type Phase } from "./outcome";

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
  /** Who sent the request (AdmissionReview userInfo) and who is tenet's IPAM (N-28). */
  requester?: Requester;
  ipamIdentities?: IpamIdentities;
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
  if (!isNetworkKind(kind))
    return { ok: false, issues: [issue(rule, "NotSupported", "kind", `type not handled: expected one of DanmNet, TenantNetwork, ClusterNetwork`, kind)] };
  return decodeStrictly(networkSchemaByKind[kind], value, rule);
}

/** Lower-cases NetworkType (decision 8) and defaults it to ipvlan (§9.1). */
function normaliseType(net: NetworkObject, warnings: string[]): NetworkObject {
  const given = net.spec?.NetworkType ?? "";
  const lower = normalNetworkType(given);
  if (given !== "" && given !== lower) warnings.push(`spec.NetworkType: stored as "${lower}" (NetworkType is case-insensitive)`);
  return { ...net, spec: { ...(net.spec ?? {}), NetworkType: lower } } as NetworkObject;
}

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const MAX_NAME_LENGTH = 253;

/**
 * B-6 (ours): the API server validates metadata.name only after the mutating webhooks ran, so a
 * TenantNetwork it will refuse by name is refused here, before a VNI is reserved for it.
 */
export function checkStorableName(net: NetworkObject): Issue[] {
  const meta = net.metadata as { name?: string; generateName?: string };
  const generated = !meta.name && !!meta.generateName;
  // a generated name is the prefix and five more characters
  const name = meta.name || (meta.generateName ? `${meta.generateName}x0000` : "");
  if (name === "" || (name.length <= MAX_NAME_LENGTH && DNS_SUBDOMAIN.test(name))) return [];
  const field = generated ? "metadata.generateName" : "metadata.name";
  const shown = (meta.name || meta.generateName || "").slice(0, 64);
  return [
    issue(
      "B-6",
      "Invalid",
      field,
      `a TenantNetwork name must be lowercase letters, digits, "-" and ".", start and end with a letter or digit, and have at most ${MAX_NAME_LENGTH} characters; no VNI was reserved`,
      shown,
    ),
  ];
}

/**
 * B-7 (ours): the API server refuses a TenantNetwork whose name is taken only after the mutating
 * webhook ran, so the webhook asks first and refuses it before a VNI is reserved for it.
 */
export function nameTaken(namespace: string | undefined, name: string): Issue {
  return issue(
    "B-7",
    "Conflict",
    "metadata.name",
    `TenantNetwork ${namespace ?? ""}/${name} exists already; choose another name or change the existing one (no VNI was reserved)`,
  );
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
  // N-7 runs on CREATE of a user's object only: the mutating pass
  const sent = net.spec?.Options ?? {};
  net = { ...net, spec: { ...net.spec, Options: defaultAddressing(sent) } } as NetworkObject;
  const addressingIssues = validateAddressing(net.spec?.Options ?? {}, mutating && !old ? sent : undefined);
  const issues: Issue[] = [...addressingIssues];
  // N-28 on the user's own object (the mutating pass; defaults the webhook adds are no user change)
  if (old && mutating) {
    const ipam = context.ipamIdentities ?? { users: [], groups: [] };
    issues.push(
      ...checkAllocationStateChange(decoded.value.spec?.Options ?? {}, old.spec?.Options ?? {}, context.requester, ipam, describeObject(kind, net.metadata)),
    );
  }
  // N-29 on every write (the mutating pass sees them all), once the subnets themselves are valid
  if (mutating && addressingIssues.length === 0) issues.push(...checkAllocationStateFormat(net.spec?.Options ?? {}, old?.spec?.Options));
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
    // B-6: what the API server checks after us must not strand a reservation (decision 3)
    const unstorable = checkStorableName(net);
    if (unstorable.length > 0) return deny(unstorable, warnings);
    const bound = bindTenantNetwork(net, context.tenantConfig, context.chooseProfile ?? chooseRandomly);
    if (!bound.ok) return deny(bound.issues, warnings);
    ({ network: net, tenantConfig, reserved } = bound);
  }

  // 5. post-validation N-21 on the mutated object (before anything is persisted: decision 3)
  if (kind === "TenantNetwork") {
    const hint = context.tenantConfig
      ? `; TenantConfig ${context.tenantConfig.metadata.name} maps no NetworkID for NetworkType ${net.spec?.NetworkType}, so set spec.NetworkID`
      : "";
    const post = checkNetworkId(net, hint);
    if (post.length > 0) return deny(post, warnings);
  }
  return { allowed: true, issues: [], warnings, object: net, tenantConfig, reserved };
}
