import { Bitmap } from "../bitmap";
import type { InterfaceProfile, TenantConfig, VniType } from "../api/tenantConfig";

/** Dimensioning limit of DANM's VNI bitmaps (danm-spec §3, §7): VNIs 0..5000, bit 0 pre-set. */
export const MAX_VNI = 5000;
export const VNI_BITMAP_BITS = MAX_VNI + 1;

/** A parsed vniRange: ascending, merged, inclusive intervals. */
export interface VniRange {
  intervals: [number, number][];
  has(vni: number): boolean;
  /** Every VNI in ascending order (callers stop early; ranges hold at most 5001 values). */
  values(): Generator<number>;
}

export type VniRangeResult = { ok: true; range: VniRange; min: number; max: number } | { ok: false; reason: string };

/** Parses "2000-2500,2601,2650-2700" (no whitespace). */
export function parseVniRange(text: string): VniRangeResult {
  const spans: [number, number][] = [];
  for (const element of text.split(",")) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(element);
    if (!m) return { ok: false, reason: `"${element}" is neither a number nor a range a-b` };
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    if (to < from) return { ok: false, reason: `range "${element}" is inverted; write it as ${to}-${from}` };
    spans.push([from, to]);
  }
  spans.sort((a, b) => a[0] - b[0]);
  const intervals: [number, number][] = [];
  for (const [from, to] of spans) {
    const last = intervals[intervals.length - 1];
    if (last && from <= last[1] + 1) last[1] = Math.max(last[1], to);
    else intervals.push([from, to]);
  }
  const range: VniRange = {
    intervals,
    has(vni) {
      for (const [a, b] of intervals) if (vni >= a && vni <= b) return true;
      return false;
    },
    *values() {
      for (const [a, b] of intervals) for (let v = a; v <= b; v++) yield v;
    },
  };
  return { ok: true, range, min: intervals.length ? intervals[0][0] : 0, max: intervals.length ? intervals[intervals.length - 1][1] : 0 };
}

let freshVniText: string | undefined;

/** The bitmap of a profile nothing is reserved from: always the same text, so it is encoded once. */
export function freshVniBitmap(): string {
  if (freshVniText === undefined) {
    const bitmap = Bitmap.create(VNI_BITMAP_BITS);
    bitmap.set(0);
    freshVniText = bitmap.encode();
  }
  return freshVniText;
}

export function isDevicePoolName(name: string): boolean {
  return name.includes("/");
}

/** First profile with this (name, vniType), in list order (danm-spec §3). */
export function findProfile(config: TenantConfig, name: string, vniType: VniType): number {
  return (config.hostDevices ?? []).findIndex((p) => p.name === name && (p.vniType ?? "") === vniType);
}

/** VNIs currently reserved in a profile (bit 0 excluded). */
export function reservedVnis(profile: InterfaceProfile): number[] {
  // a fresh bitmap reserves bit 0 only (the same text, often the very same string)
  if (profile.alloc === freshVniBitmap()) return [];
  const bitmap = Bitmap.decode(profile.alloc ?? "");
  const out: number[] = [];
  for (let v = bitmap.findSet(1); v >= 0 && v <= MAX_VNI; v = bitmap.findSet(v + 1)) out.push(v);
  return out;
}

export type VniChange = { ok: true; config: TenantConfig; vni: number } | { ok: false; rule: "B-4" | "B-5"; reason: string };

function withProfileAlloc(config: TenantConfig, index: number, alloc: string): TenantConfig {
  const hostDevices = (config.hostDevices ?? []).map((p, i) => (i === index ? { ...p, alloc } : p));
  return { ...config, hostDevices };
}

/** §9.3: the lowest free VNI of the profile's range, in ascending order. Returns a new TenantConfig. */
export function reserveVni(config: TenantConfig, name: string, vniType: VniType): VniChange {
  const index = findProfile(config, name, vniType);
  if (index < 0) return { ok: false, rule: "B-5", reason: `TenantConfig ${config.metadata.name} has no ${vniType} profile for ${name}` };
  const profile = config.hostDevices![index];
  const bitmap = Bitmap.decode(profile.alloc ?? "");
  if (bitmap.length < VNI_BITMAP_BITS) {
    return {
      ok: false,
      rule: "B-4",
      reason: `the VNI allocation of profile ${name}/${vniType} in TenantConfig ${config.metadata.name} is corrupt (was it created without the webhook?)`,
    };
  }
  const range = parseVniRange(profile.vniRange ?? "");
  if (!range.ok) return { ok: false, rule: "B-4", reason: `profile ${name}/${vniType} has an unreadable vniRange: ${range.reason}` };
  // host interfaces are named by NetworkID and VNI, not by device, so a VNI already held
  // through another host NIC profile of this vniType is skipped (two devices, one name, a conflict)
  const siblings = isDevicePoolName(name)
    ? []
    : config.hostDevices!.filter((p, i) => i !== index && p.vniType === vniType && !isDevicePoolName(p.name)).map((p) => Bitmap.decode(p.alloc ?? ""));
  let vni: number | undefined;
  for (const v of range.range.values()) {
    if (v > MAX_VNI) break;
    if (!bitmap.isSet(v) && !siblings.some((b) => b.isSet(v))) {
      vni = v;
      break;
    }
  }
  if (vni === undefined) {
    return {
      ok: false,
      rule: "B-4",
      reason: `the ${vniType} range ${profile.vniRange} of profile ${name} in TenantConfig ${config.metadata.name} is exhausted; ask a network administrator to widen it`,
    };
  }
  bitmap.set(vni);
  return { ok: true, config: withProfileAlloc(config, index, bitmap.encode()), vni };
}

/** §9.4: clears the VNI's bit (also when already clear). */
export function releaseVni(config: TenantConfig, name: string, vniType: VniType, vni: number): VniChange {
  const index = findProfile(config, name, vniType);
  if (index < 0) return { ok: false, rule: "B-5", reason: `TenantConfig ${config.metadata.name} has no ${vniType} profile for ${name}` };
  const bitmap = Bitmap.decode(config.hostDevices![index].alloc ?? "");
  if (bitmap.length < VNI_BITMAP_BITS || vni > MAX_VNI) {
    return { ok: false, rule: "B-4", reason: `the VNI allocation of profile ${name}/${vniType} in TenantConfig ${config.metadata.name} is corrupt` };
  }
  bitmap.clear(vni);
  return { ok: true, config: withProfileAlloc(config, index, bitmap.encode()), vni };
}

export interface VniHolder {
  profile: string;
  vniType: VniType;
  vni: number;
}

/** The VNI a TenantNetwork holds, and the profile it came from (§9.4 step 2). */
export function vniHeldBy(options: { vlan?: number; vxlan?: number; host_device?: string; device_pool?: string } | undefined): VniHolder | undefined {
  if (!options) return undefined;
  const vniType: VniType | undefined = options.vxlan ? "vxlan" : options.vlan ? "vlan" : undefined;
  if (!vniType) return undefined;
  const profile = options.device_pool || options.host_device || "";
  return { profile, vniType, vni: (vniType === "vxlan" ? options.vxlan : options.vlan)! };
}

/** Reservations no TenantNetwork holds (for the reconciler and for tests): profile -> VNIs. */
export function staleVniReservations(config: TenantConfig, holders: VniHolder[]): { profile: string; vniType: VniType; vni: number }[] {
  const stale: { profile: string; vniType: VniType; vni: number }[] = [];
  for (const p of config.hostDevices ?? []) {
    if (p.vniType !== "vlan" && p.vniType !== "vxlan") continue;
    const held = new Set(holders.filter((h) => h.profile === p.name && h.vniType === p.vniType).map((h) => h.vni));
    for (const vni of reservedVnis(p)) if (!held.has(vni)) stale.push({ profile: p.name, vniType: p.vniType, vni });
  }
  return stale;
}
