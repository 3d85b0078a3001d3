// The TenantConfig editor's draft: interface profiles and NetworkID mappings as editable rows, the
// object a save sends, and the rule issues and API causes sorted onto the rows they concern.
import type { FieldCause } from "@/components/errors";
import type { InterfaceProfile, TenantConfig } from "@/server/domain/api/tenantConfig";
import { issueMessage, type Issue } from "@/server/domain/issue";
import { checkTenantConfig } from "@/server/domain/rules/tenantConfig";

export interface ProfileRow {
  key: number;
  name: string;
  vniType: "" | "vlan" | "vxlan";
  vniRange: string;
}

export interface NetworkIdRow {
  key: number;
  networkType: string;
  networkId: string;
}

export interface Draft {
  name: string;
  profiles: ProfileRow[];
  networkIds: NetworkIdRow[];
}

let nextKey = 1;
export const newKey = () => nextKey++;

export function draftFrom(config: TenantConfig | undefined): Draft {
  return {
    name: config?.metadata.name ?? "tenet",
    profiles: (config?.hostDevices ?? []).map((p) => ({
      key: newKey(),
      name: p.name,
      vniType: p.vniType === "vlan" || p.vniType === "vxlan" ? p.vniType : "",
      vniRange: p.vniRange ?? "",
    })),
    networkIds: Object.entries(config?.networkIds ?? {}).map(([networkType, networkId]) => ({ key: newKey(), networkType, networkId })),
  };
}

/** The profiles as the draft has them. No alloc: the webhook keeps each (name, vniType)'s current reservations (decision 4). */
export function draftProfiles(d: Draft): InterfaceProfile[] {
  return d.profiles.map((r) => {
    const p: InterfaceProfile = { name: r.name.trim() };
    if (r.vniType) p.vniType = r.vniType;
    if (r.vniRange.trim()) p.vniRange = r.vniRange.trim();
    return p;
  });
}

/** The object a save sends: `base` (the stored object, for metadata) with the draft's content. */
export function configFrom(d: Draft, base: TenantConfig | undefined): TenantConfig {
  const networkIds = Object.fromEntries(d.networkIds.map((r) => [r.networkType.trim(), r.networkId.trim()]));
  const config: TenantConfig = {
    apiVersion: "danm.k8s.io/v1",
    kind: "TenantConfig",
    metadata: base ? { ...base.metadata } : { name: d.name.trim() },
    hostDevices: draftProfiles(d),
    networkIds,
  };
  if (config.hostDevices!.length === 0) delete config.hostDevices;
  if (d.networkIds.length === 0) delete config.networkIds;
  return config;
}

/** What the draft says, without reservations or metadata: to tell whether two versions differ in substance. */
export function contentOf(d: Draft): string {
  return JSON.stringify({
    p: d.profiles.map((r) => [r.name.trim(), r.vniType, r.vniRange.trim()]),
    n: d.networkIds.map((r) => [r.networkType.trim(), r.networkId.trim()]),
  });
}

/** Where a message goes: a profile row's field, a mapping row, or the editor as a whole (""). */
export type Place = `profile:${number}:${"name" | "vniType" | "vniRange" | "row"}` | `networkId:${number}` | "profiles" | "";

/** Sorts a field path (hostDevices[2].vniRange, networkIds["ipvlan"]) onto the draft's rows. */
export function placeOf(path: string, d: Draft): Place {
  const p = /^\.?hostDevices\[(\d+)\](?:\.(name|vniType|vniRange|alloc))?/.exec(path);
  if (p) {
    const row = d.profiles[Number(p[1])];
    if (!row) return "profiles";
    return `profile:${row.key}:${p[2] === "name" || p[2] === "vniType" || p[2] === "vniRange" ? p[2] : "row"}`;
  }
  if (/^\.?hostDevices$/.test(path)) return "profiles";
  const n = /^\.?networkIds(?:\[("(?:[^"\\]|\\.)*")\]|\.(.+))?/.exec(path);
  if (n) {
    let key: string | undefined = n[2];
    if (n[1]) {
      try {
        key = JSON.parse(n[1]) as string;
      } catch {
        key = undefined;
      }
    }
    const row = key === undefined ? undefined : d.networkIds.find((r) => r.networkType.trim() === key);
    return row ? `networkId:${row.key}` : "";
  }
  return "";
}

export type Messages = Partial<Record<Place, string[]>>;

function push(out: Messages, place: Place, message: string) {
  (out[place] ??= []).push(message);
}

/** Rule issues (checkTenantConfig) by place. */
export function issuesByPlace(issues: Issue[], d: Draft): Messages {
  const out: Messages = {};
  for (const i of issues) {
    const place = placeOf(i.path, d);
    push(out, place, place === "" ? `${i.path}: ${issueMessage(i)}` : issueMessage(i));
  }
  return out;
}

/** The API server's causes by place. */
export function causesByPlace(causes: FieldCause[], d: Draft): Messages {
  const out: Messages = {};
  for (const c of causes) {
    const place = placeOf(c.field ?? "", d);
    const text = c.message ?? c.reason ?? "refused";
    push(out, place, place === "" && c.field ? `${c.field}: ${text}` : text);
  }
  return out;
}

/** Problems of the draft no rule of the webhook catches, but that would surprise: duplicates. */
export function draftProblems(d: Draft): Messages {
  const out: Messages = {};
  const seen = new Map<string, number>();
  for (const r of d.profiles) {
    const k = `${r.name.trim()}\u0000${r.vniType}`;
    if (seen.has(k))
      push(out, `profile:${r.key}:name`, `${r.name.trim()} ${r.vniType ? `(${r.vniType}) ` : ""}is listed above already; tenants only ever get the first one.`);
    else seen.set(k, r.key);
  }
  const types = new Set<string>();
  for (const r of d.networkIds) {
    const t = r.networkType.trim().toLowerCase();
    if (t && types.has(t))
      push(
        out,
        `networkId:${r.key}`,
        `${r.networkType.trim()} is mapped above already (NetworkTypes are compared ignoring case); only one of the two can apply.`,
      );
    types.add(t);
  }
  return out;
}

export function merge(...all: Messages[]): Messages {
  const out: Messages = {};
  for (const m of all) for (const [k, v] of Object.entries(m) as [Place, string[]][]) for (const s of v) push(out, k, s);
  return out;
}

/** The object a draft sends over `base` (none: a new TenantConfig), and the editor's own verdict: rule issues and draft problems by place. */
export function checkDraft(d: Draft, base: TenantConfig | undefined): { object: TenantConfig; messages: Messages; blocked: boolean } {
  const object = configFrom(d, base);
  const messages = merge(issuesByPlace(checkTenantConfig(object, !base), d), draftProblems(d));
  return { object, messages, blocked: Object.values(messages).some((m) => m && m.length > 0) };
}
