// What a netadmin's edit of the TenantConfig's interface profiles does to VNIs already handed out:
// which VNIs each profile has reserved and which TenantNetwork holds each (for the editor's bars),
// and which of them an edit would strand — left outside the new vniRange, or in a profile that the
// edit removes. The webhook lets such an edit through (the networks keep their VNIs, danm-spec §3:
// "changing a TenantConfig has no effect on existing networks"), so the editor warns before saving.
import type { InterfaceProfile, VniType } from "../api/tenantConfig";
import { parseVniRange, reservedVnis, vniHeldBy } from "./vni";

/** A TenantNetwork that holds a VNI of a profile (by name and vniType). */
export interface VniHolding {
  namespace: string;
  name: string;
  profile: string;
  vniType: VniType;
  vni: number;
}

export interface NetworkRef {
  namespace: string;
  name: string;
}

/** The TenantNetworks that hold a VNI, from their spec.Options (danm-spec §9.4 step 2). */
export function vniHoldings(
  networks: { metadata: { name?: string; namespace?: string }; spec?: { Options?: Parameters<typeof vniHeldBy>[0] } }[],
): VniHolding[] {
  const out: VniHolding[] = [];
  for (const n of networks) {
    const held = vniHeldBy(n.spec?.Options);
    if (held) out.push({ namespace: n.metadata.namespace ?? "", name: n.metadata.name ?? "", ...held });
  }
  return out;
}

/** One VNI of a profile that is reserved in its alloc bitmap, held by a TenantNetwork, or both. */
export interface ProfileVni {
  vni: number;
  /** its bit is set in the profile's alloc */
  reserved: boolean;
  /** TenantNetworks holding it (normally one; none means the reconciler will free it) */
  holders: NetworkRef[];
  /** inside the profile's vniRange */
  inRange: boolean;
}

const isVniType = (t: string | undefined): t is VniType => t === "vlan" || t === "vxlan";

/** Every reserved or held VNI of a profile, ascending. Profiles without a vniType have none. */
export function profileVnis(profile: InterfaceProfile, holdings: VniHolding[]): ProfileVni[] {
  if (!isVniType(profile.vniType)) return [];
  const parsed = parseVniRange(profile.vniRange ?? "");
  const byVni = new Map<number, ProfileVni>();
  const entry = (vni: number) => {
    let e = byVni.get(vni);
    if (!e) byVni.set(vni, (e = { vni, reserved: false, holders: [], inRange: parsed.ok && parsed.range.has(vni) }));
    return e;
  };
  for (const vni of reservedVnis(profile)) entry(vni).reserved = true;
  for (const h of holdings)
    if (h.profile === profile.name && h.vniType === profile.vniType) entry(h.vni).holders.push({ namespace: h.namespace, name: h.name });
  return [...byVni.values()].sort((a, b) => a.vni - b.vni);
}

/** How many VNIs a vniRange offers (0 when it does not parse). */
export function rangeSize(vniRange: string | undefined): number {
  const parsed = parseVniRange(vniRange ?? "");
  return parsed.ok ? parsed.range.intervals.reduce((n, [a, b]) => n + b - a + 1, 0) : 0;
}

export interface StrandedVni extends ProfileVni {
  /** it was already outside the range before the edit */
  alreadyOutside: boolean;
}

export interface RangeEditWarning {
  profile: string;
  vniType: VniType;
  /** the field of the edited TenantConfig it concerns: hostDevices[i].vniRange, or hostDevices for a removed profile */
  path: string;
  kind: "outsideRange" | "profileRemoved";
  stranded: StrandedVni[];
  /** what happens, in words a netadmin understands */
  message: string;
}

const sameProfile = (p: InterfaceProfile, name: string, vniType: string) => p.name === name && (p.vniType ?? "") === vniType;

function describeVni(v: ProfileVni): string {
  const who = v.holders.length
    ? `held by TenantNetwork ${v.holders.map((h) => `${h.namespace}/${h.name}`).join(", ")}`
    : "reserved but held by no TenantNetwork";
  return `${v.vni} (${who})`;
}

function listed(vnis: ProfileVni[], max = 5): string {
  const shown = vnis.slice(0, max).map(describeVni).join("; ");
  return vnis.length > max ? `${shown}; and ${vnis.length - max} more` : shown;
}

/**
 * The reservations an edit of `hostDevices` would strand. Profiles are matched by (name, vniType) as
 * the webhook matches them; an edited profile's reservations are its own alloc, or the old
 * profile's when the edit omits alloc (decision 4). Ranges that do not parse are left to T-7.
 */
export function strandedByEdit(before: InterfaceProfile[], after: InterfaceProfile[], holdings: VniHolding[]): RangeEditWarning[] {
  const warnings: RangeEditWarning[] = [];
  const seen = new Set<string>();
  after.forEach((p, i) => {
    if (!isVniType(p.vniType)) return;
    const key = `${p.name}\u0000${p.vniType}`;
    if (seen.has(key)) return; // the first profile with this (name, vniType) is the one reservations use
    seen.add(key);
    const range = parseVniRange(p.vniRange ?? "");
    if (!range.ok) return;
    const old = before.find((q) => sameProfile(q, p.name, p.vniType!));
    const oldRange = old ? parseVniRange(old.vniRange ?? "") : undefined;
    const vnis = profileVnis({ ...p, alloc: p.alloc || old?.alloc }, holdings);
    const stranded = vnis
      .filter((v) => !range.range.has(v.vni))
      .map((v) => ({ ...v, inRange: false, alreadyOutside: !!oldRange && (!oldRange.ok || !oldRange.range.has(v.vni)) }));
    if (stranded.length === 0) return;
    const fresh = stranded.filter((v) => !v.alreadyOutside);
    const already = stranded.filter((v) => v.alreadyOutside);
    const parts: string[] = [];
    if (fresh.length) parts.push(`${fresh.length === 1 ? "VNI" : `${fresh.length} VNIs`} ${listed(fresh)} would fall outside the new range ${p.vniRange}`);
    if (already.length)
      parts.push(`${already.length === 1 ? "VNI" : `${already.length} VNIs`} ${listed(already)} ${already.length === 1 ? "is" : "are"} already outside it`);
    warnings.push({
      profile: p.name,
      vniType: p.vniType,
      path: `hostDevices[${i}].vniRange`,
      kind: "outsideRange",
      stranded,
      message: `${p.name} (${p.vniType}): ${parts.join("; ")}. The networks keep them until they are deleted: do not give these ${p.vniType === "vlan" ? "VLANs" : "VxLAN VNIs"} to anything else before then.`,
    });
  });
  const removedSeen = new Set<string>();
  for (const q of before) {
    if (!isVniType(q.vniType)) continue;
    const key = `${q.name}\u0000${q.vniType}`;
    if (removedSeen.has(key) || after.some((p) => sameProfile(p, q.name, q.vniType!))) continue;
    removedSeen.add(key);
    const stranded = profileVnis(q, holdings).map((v) => ({ ...v, inRange: false, alreadyOutside: false }));
    if (stranded.length === 0) continue;
    warnings.push({
      profile: q.name,
      vniType: q.vniType,
      path: "hostDevices",
      kind: "profileRemoved",
      stranded,
      message: `${q.name} (${q.vniType}) would be removed while ${stranded.length === 1 ? "VNI" : `${stranded.length} VNIs`} ${listed(stranded)} ${stranded.length === 1 ? "is" : "are"} reserved from it. The networks keep their VNIs, but nothing records them any more: a profile added back later starts empty and may hand the same VNI out twice.`,
    });
  }
  return warnings;
}
