"use client";
// The two lists of the TenantConfig editor: interface profiles (host NICs and SR-IOV pools with their
// VLAN/VxLAN ranges and who holds each VNI) and NetworkID mappings, each row with its messages.
import type { ReactNode } from "react";
import { FieldMessages } from "@/components/forms/Messages";
import { buttonClass, inputClass, rowButtonClass, sectionClass } from "@/components/styles";
import type { TenantConfig } from "@/server/domain/api/tenantConfig";
import { profileVnis, type VniHolding } from "@/server/domain/tenancy/rangeEdit";
import { newKey, type Draft, type Place, type ProfileRow } from "./tenantConfigDraft";
import { VniBar } from "./VniBar";

interface RowsProps {
  draft: Draft;
  edit: (change: (d: Draft) => Draft) => void;
  /** Errors (rules, duplicates, the cluster's causes) and warnings (stranded VNIs) of a place. */
  messages: (place: Place) => string[];
  warnings: (place: Place) => string[];
}

function ListSection({ title, note, actions, children }: { title: string; note: string; actions: ReactNode; children: ReactNode }) {
  return (
    <section className={sectionClass}>
      <div className="flex flex-wrap items-center gap-2">
        <h2 className="font-semibold">{title}</h2>
        <span className="text-xs text-slate-500">{note}</span>
        <div className="ml-auto flex gap-2">{actions}</div>
      </div>
      {children}
    </section>
  );
}

export function ProfileRows({ draft, edit, messages, warnings, stored, holdings }: RowsProps & { stored?: TenantConfig; holdings: VniHolding[] }) {
  const add = (name: string) => edit((d) => ({ ...d, profiles: [...d.profiles, { key: newKey(), name, vniType: "vlan", vniRange: "" }] }));
  const set = (key: number, patch: Partial<ProfileRow>) => edit((d) => ({ ...d, profiles: d.profiles.map((r) => (r.key === key ? { ...r, ...patch } : r)) }));
  const move = (i: number, by: number) =>
    edit((d) => {
      const profiles = [...d.profiles];
      profiles.splice(i + by, 0, ...profiles.splice(i, 1));
      return { ...d, profiles };
    });
  const actions = (
    <>
      <button type="button" className={buttonClass} data-testid="add-host-nic" onClick={() => add("")}>
        Add host NIC
      </button>
      <button type="button" className={buttonClass} data-testid="add-sriov-pool" onClick={() => add("vendor.example/")}>
        Add SR-IOV pool
      </button>
    </>
  );
  return (
    <ListSection title="Interface profiles" note="Tenants get the first matching profile in this order." actions={actions}>
      <FieldMessages messages={messages("profiles")} testId="profiles-errors" />
      <FieldMessages messages={warnings("profiles")} testId="profiles-warnings" tone="warning" />
      {draft.profiles.length === 0 ? (
        <p className="mt-3 text-sm text-slate-500" data-testid="no-profiles">
          No profiles: dynamic TenantNetworks (ipvlan, macvlan, sriov) are refused (B-3). Add a host NIC or an SR-IOV pool.
        </p>
      ) : (
        <ul className="mt-3 divide-y divide-slate-100" data-testid="profiles">
          {draft.profiles.map((r, i) => {
            const pool = r.name.includes("/");
            const held = stored?.hostDevices?.find((p) => p.name === r.name.trim() && (p.vniType ?? "") === r.vniType);
            const vnis = r.vniType ? profileVnis({ name: r.name.trim(), vniType: r.vniType, vniRange: r.vniRange.trim(), alloc: held?.alloc }, holdings) : [];
            const at = (field: "name" | "vniType" | "vniRange" | "row") => messages(`profile:${r.key}:${field}`);
            return (
              <li key={r.key} className="py-3" data-testid={`profile-${i}`}>
                <div className="grid items-start gap-2 md:grid-cols-[2fr_1fr_2fr_auto]">
                  <div>
                    <div className="flex items-center gap-2">
                      <input
                        className={inputClass}
                        aria-label="name"
                        aria-invalid={at("name").length > 0}
                        data-testid="profile-name"
                        placeholder={pool ? "vendor.example/sriov_a" : "ens4"}
                        value={r.name}
                        onChange={(e) => set(r.key, { name: e.target.value })}
                      />
                      <span
                        className={`whitespace-nowrap rounded px-1.5 text-xs ${pool ? "bg-violet-100 text-violet-900" : "bg-slate-100 text-slate-700"}`}
                        title={pool ? "The name contains '/': an SR-IOV device-plugin pool" : "A host NIC"}
                      >
                        {pool ? "SR-IOV pool" : "host NIC"}
                      </span>
                    </div>
                    <FieldMessages messages={at("name")} testId="profile-name-errors" />
                  </div>
                  <div>
                    <select
                      className={inputClass}
                      aria-label="vniType"
                      aria-invalid={at("vniType").length > 0}
                      data-testid="profile-vnitype"
                      value={r.vniType}
                      onChange={(e) => set(r.key, { vniType: e.target.value as ProfileRow["vniType"], vniRange: e.target.value ? r.vniRange : "" })}
                    >
                      <option value="">no VNI (direct)</option>
                      <option value="vlan">VLAN</option>
                      <option value="vxlan">VxLAN</option>
                    </select>
                    <FieldMessages messages={at("vniType")} testId="profile-vnitype-errors" />
                  </div>
                  <div>
                    <input
                      className={inputClass}
                      aria-label="vniRange"
                      aria-invalid={at("vniRange").length > 0}
                      data-testid="profile-vnirange"
                      placeholder={r.vniType ? "e.g. 1000-1999,2100" : "no range without a VNI type"}
                      disabled={!r.vniType}
                      value={r.vniRange}
                      onChange={(e) => set(r.key, { vniRange: e.target.value })}
                    />
                    <FieldMessages messages={at("vniRange")} testId="profile-vnirange-errors" />
                    <FieldMessages messages={warnings(`profile:${r.key}:vniRange`)} testId="profile-vnirange-warnings" tone="warning" />
                  </div>
                  <div className="flex gap-1">
                    <button type="button" className={rowButtonClass} aria-label="move up" disabled={i === 0} onClick={() => move(i, -1)}>
                      ↑
                    </button>
                    <button
                      type="button"
                      className={rowButtonClass}
                      aria-label="move down"
                      disabled={i === draft.profiles.length - 1}
                      onClick={() => move(i, 1)}
                    >
                      ↓
                    </button>
                    <button
                      type="button"
                      className={rowButtonClass}
                      aria-label="remove profile"
                      data-testid="remove-profile"
                      onClick={() => edit((d) => ({ ...d, profiles: d.profiles.filter((x) => x.key !== r.key) }))}
                    >
                      ✕
                    </button>
                  </div>
                </div>
                <FieldMessages messages={at("row")} testId="profile-errors" />
                {r.vniType && <VniBar profileKey={String(i)} vniRange={r.vniRange.trim()} vnis={vnis} />}
              </li>
            );
          })}
        </ul>
      )}
    </ListSection>
  );
}

export function NetworkIdRows({ draft, edit, messages }: RowsProps) {
  const set = (key: number, patch: { networkType?: string; networkId?: string }) =>
    edit((d) => ({ ...d, networkIds: d.networkIds.map((x) => (x.key === key ? { ...x, ...patch } : x)) }));
  const add = (
    <button
      type="button"
      className={buttonClass}
      data-testid="add-networkid"
      onClick={() => edit((d) => ({ ...d, networkIds: [...d.networkIds, { key: newKey(), networkType: "", networkId: "" }] }))}
    >
      Add mapping
    </button>
  );
  return (
    <ListSection title="NetworkID mappings" note="A TenantNetwork of this NetworkType gets this NetworkID, whatever it asked for." actions={add}>
      {draft.networkIds.length === 0 ? (
        <p className="mt-3 text-sm text-slate-500">No mappings: TenantNetworks keep the NetworkID they ask for, and must give one.</p>
      ) : (
        <ul className="mt-3 space-y-2" data-testid="networkids">
          {draft.networkIds.map((r) => (
            <li key={r.key} data-testid={`networkid-${r.networkType}`}>
              <div className="flex items-center gap-2">
                <input
                  className={`${inputClass} max-w-48`}
                  aria-label="NetworkType"
                  placeholder="NetworkType, e.g. ipvlan"
                  value={r.networkType}
                  onChange={(e) => set(r.key, { networkType: e.target.value })}
                />
                <span className="text-slate-400">→</span>
                <input
                  className={`${inputClass} max-w-48`}
                  aria-label="NetworkID"
                  aria-invalid={messages(`networkId:${r.key}`).length > 0}
                  placeholder="NetworkID"
                  value={r.networkId}
                  onChange={(e) => set(r.key, { networkId: e.target.value })}
                />
                <button
                  type="button"
                  className={rowButtonClass}
                  aria-label="remove mapping"
                  onClick={() => edit((d) => ({ ...d, networkIds: d.networkIds.filter((x) => x.key !== r.key) }))}
                >
                  ✕
                </button>
              </div>
              <FieldMessages messages={messages(`networkId:${r.key}`)} testId="networkid-errors" />
            </li>
          ))}
        </ul>
      )}
    </ListSection>
  );
}
