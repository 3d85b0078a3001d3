// TenantConfig rules T-2 … T-10 (danm-spec §8.4; T-1 is strict decoding) and its mutation.
import { DYNAMIC_NETWORK_TYPES, MAX_VLAN_ID, MAX_VXLAN_ID } from "../api/network";
import type { TenantConfig } from "../api/tenantConfig";
import { issue, type Issue } from "../issue";
import { MAX_NETWORK_ID_LENGTH, networkIdProblem, shownNetworkId } from "./networkIdentity";
import { freshVniBitmap, MAX_VNI, parseVniRange, reservedVnis } from "../tenancy/vni";

/** `checkUserBitmaps`: T-6 applies to the object a user submitted (mutating pass of a CREATE). */
export function checkTenantConfig(tc: TenantConfig, checkUserBitmaps: boolean): Issue[] {
  const issues: Issue[] = [];
  const devices = tc.hostDevices ?? [];
  const ids = tc.networkIds ?? {};
  if (devices.length === 0 && Object.keys(ids).length === 0) {
    issues.push(issue("T-2", "Required", "hostDevices", "a TenantConfig needs hostDevices or networkIds"));
  }
  devices.forEach((p, i) => {
    const at = `hostDevices[${i}]`;
    if (!p.name) issues.push(issue("T-3", "Required", `${at}.name`, "every interface profile needs a name (a host NIC or an SR-IOV pool)"));
    if (!!p.vniType !== !!p.vniRange) {
      issues.push(issue("T-4", "Required", `${at}.${p.vniType ? "vniRange" : "vniType"}`, "vniType and vniRange go together; set both or neither"));
    }
    if (p.vniType && p.vniType !== "vlan" && p.vniType !== "vxlan") {
      issues.push(issue("T-5", "NotSupported", `${at}.vniType`, 'supported values: "vlan", "vxlan"', p.vniType));
    }
    if (checkUserBitmaps && p.alloc) issues.push(issue("T-6", "Forbidden", `${at}.alloc`, "alloc is written by the cluster; remove it"));
    if (p.vniRange) {
      const range = parseVniRange(p.vniRange);
      if (!range.ok)
        issues.push(
          issue(
            "T-7",
            "Invalid",
            `${at}.vniRange`,
            `${range.reason}; write numbers and ranges separated by commas without spaces, e.g. 2000-2500,2601`,
            p.vniRange,
          ),
        );
      // T-8: ids the networks' schema accepts (VLAN 1–4094, VxLAN 1–16777215) within the bitmap's 5000
      else {
        const limit = vniLimit(p.vniType);
        if (range.min < 1 || range.max > limit.max)
          issues.push(issue("T-8", "Invalid", `${at}.vniRange`, `${limit.what}; a TenantNetwork could not carry ${range.min < 1 ? 0 : range.max}`, p.vniRange));
      }
    }
  });
  for (const [type, id] of Object.entries(ids)) {
    const at = `networkIds[${JSON.stringify(type)}]`;
    if (!type || !id) issues.push(issue("T-9", "Required", at, "NetworkType keys and NetworkID values must not be empty"));
    // T-10: the value becomes the TenantNetworks' NetworkID, so it must be one (N-27)
    else if (networkIdProblem(id)) issues.push(issue("T-10", "Invalid", at, networkIdProblem(id)!, shownNetworkId(id)));
    else if ((DYNAMIC_NETWORK_TYPES as readonly string[]).includes(type.toLowerCase()) && id.length > MAX_NETWORK_ID_LENGTH) {
      issues.push(
        issue(
          "T-10",
          "TooLong",
          at,
          `a NetworkID for the dynamic type ${type} must be at most ${MAX_NETWORK_ID_LENGTH} characters (host interface names have 15)`,
          id,
        ),
      );
    }
  }
  return issues;
}

/** T-8: the ids a profile of this vniType may hand out. */
function vniLimit(vniType: string | undefined): { max: number; what: string } {
  if (vniType === "vlan") return { max: MAX_VLAN_ID, what: `VLAN ids are 1–${MAX_VLAN_ID}` };
  return { max: MAX_VNI, what: `VxLAN ids are 1–${MAX_VXLAN_ID}, and a TenantConfig hands out at most up to ${MAX_VNI}` };
}

/**
 * §8.4 mutation: every profile with a vniType and no alloc gets a fresh bitmap. On UPDATE a profile
 * that omits alloc keeps the old object's reservations (decision 4), and reservations a range edit
 * strands are reported as warnings.
 */
export function mutateTenantConfig(tc: TenantConfig, old: TenantConfig | undefined): { config: TenantConfig; warnings: string[] } {
  const warnings: string[] = [];
  const hostDevices = (tc.hostDevices ?? []).map((p) => {
    if (!p.vniType) return p;
    const before = old?.hostDevices?.find((q) => q.name === p.name && (q.vniType ?? "") === p.vniType);
    const alloc = p.alloc || before?.alloc || freshVniBitmap();
    const next = { ...p, alloc };
    const range = parseVniRange(p.vniRange ?? "");
    if (range.ok && before) {
      const stranded = reservedVnis(next).filter((v) => !range.range.has(v));
      if (stranded.length > 0)
        warnings.push(
          `hostDevices ${p.name}/${p.vniType}: ${stranded.length} reserved VNI(s) now outside vniRange (${stranded.slice(0, 10).join(", ")}${stranded.length > 10 ? ", …" : ""}); the TenantNetworks holding them keep them`,
        );
    }
    return next;
  });
  if (old) {
    for (const q of old.hostDevices ?? []) {
      if (!q.vniType) continue;
      const kept = hostDevices.some((p) => p.name === q.name && p.vniType === q.vniType);
      const held = reservedVnis(q);
      if (!kept && held.length > 0)
        warnings.push(
          `hostDevices ${q.name}/${q.vniType} removed while ${held.length} VNI(s) are reserved from it (${held.slice(0, 10).join(", ")}); their TenantNetworks keep them`,
        );
    }
  }
  return { config: tc.hostDevices ? { ...tc, hostDevices } : tc, warnings };
}
