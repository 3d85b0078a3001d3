"use client";
// The TenantConfig editor: interface profiles (host NICs and SR-IOV pools, with their VLAN/VxLAN
// ranges) and NetworkID mappings. Each profile shows which VNIs are reserved and which TenantNetwork
// holds each; as the netadmin types, the rules (T-2…T-10) are checked in the browser, a range edit
// that would strand a reservation is warned about, and the cluster is asked for a dry run.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useMemo, useRef, useState } from "react";
import { errorCauses, errorCode, errorMessage } from "@/components/errors";
import { useTRPC, useTRPCClient } from "@/components/trpc";
import { YamlView } from "@/components/YamlView";
import type { TenantConfig } from "@/server/domain/api/tenantConfig";
import { checkTenantConfig } from "@/server/domain/rules/tenantConfig";
import { profileVnis, strandedByEdit, type VniHolding } from "@/server/domain/tenancy/rangeEdit";
import {
  causesByPlace,
  configFrom,
  contentOf,
  draftFrom,
  draftProblems,
  draftProfiles,
  issuesByPlace,
  merge,
  newKey,
  placeOf,
  type Draft,
  type Messages,
  type Place,
  type ProfileRow,
} from "./tenantConfigDraft";
import { VniBar } from "./VniBar";
import { NetadminLoadError } from "./NetadminLoadError";
import { Empty, Loading } from "@/components/LoadStates";
import { buttonClass, inputClass, primaryButtonClass } from "@/components/styles";
import { FieldMessages } from "@/components/forms/Messages";

export function TenantConfigEditor() {
  const trpc = useTRPC();
  const data = useQuery(trpc.admin.tenantConfig.queryOptions());
  const [selected, setSelected] = useState<string>();
  const [creating, setCreating] = useState(false);

  let body;
  if (data.isPending) body = <Loading what="the TenantConfig" />;
  else if (data.isError) body = <NetadminLoadError error={data.error} what="the TenantConfig" onRetry={() => data.refetch()} />;
  else {
    const configs = data.data.configs as TenantConfig[];
    const current = configs.find((c) => c.metadata.name === selected) ?? configs[0];
    if (!current && !creating) {
      body = (
        <Empty testId="no-tenantconfig">
          <p>There is no TenantConfig: tenants cannot create TenantNetworks until one exists (their requests are refused with B-1).</p>
          <button type="button" className={`${primaryButtonClass} mt-3`} data-testid="create-tenantconfig" onClick={() => setCreating(true)}>Create a TenantConfig</button>
        </Empty>
      );
    } else {
      body = (
        <>
          {configs.length > 1 && (
            <div className="mb-3 rounded border border-amber-200 bg-amber-50 p-3 text-sm text-amber-900" data-testid="several-tenantconfigs">
              There are {configs.length} TenantConfigs. The cluster uses only the first by name, <b>{configs[0].metadata.name}</b>; the others are ignored.
              <div className="mt-2 flex flex-wrap gap-1">
                {configs.map((c) => (
                  <button key={c.metadata.name} type="button" className={`rounded px-2 py-0.5 ${c === current ? "bg-slate-900 text-white" : "bg-white"}`} onClick={() => setSelected(c.metadata.name)}>
                    {c.metadata.name}{c === configs[0] ? " (in use)" : ""}
                  </button>
                ))}
              </div>
            </div>
          )}
          <ConfigEditor key={current?.metadata.uid ?? "new"} latest={current} holdings={data.data.holdings} onCreated={(name) => { setCreating(false); setSelected(name); }} />
        </>
      );
    }
  }
  return (
    <div>
      <h1 className="text-2xl font-semibold">TenantConfig</h1>
      <p className="mt-1 max-w-3xl text-sm text-slate-600">
        What TenantNetworks get: the host NICs and SR-IOV pools tenants may use, the VLAN or VxLAN range each hands out, and the NetworkID forced onto each NetworkType. Changing it does not touch existing networks.
      </p>
      <div className="mt-4">{body}</div>
    </div>
  );
}

/** a is an older version of the object than b (resourceVersions are opaque, but numeric on every API server we know) */
function olderThan(a: TenantConfig, b: TenantConfig | undefined): boolean {
  const x = Number(a.metadata.resourceVersion);
  const y = Number(b?.metadata.resourceVersion);
  return Number.isFinite(x) && Number.isFinite(y) && x < y;
}

type Check = { state: "idle" | "checking" | "ok" } | { state: "refused"; message: string; messages: Messages };

function ConfigEditor({ latest, holdings, onCreated }: { latest?: TenantConfig; holdings: VniHolding[]; onCreated: (name: string) => void }) {
  const trpc = useTRPC();
  const client = useTRPCClient();
  const creating = !latest;
  const [base, setBase] = useState(latest); // the version the draft started from
  const [draft, setDraft] = useState<Draft>(() => draftFrom(latest));
  const [acknowledged, setAcknowledged] = useState(false);
  const [saved, setSaved] = useState(false);
  const [check, setCheck] = useState<Check>({ state: "idle" });

  const dirty = contentOf(draft) !== contentOf(draftFrom(base));
  const changedElsewhere = !!latest && !!base && !olderThan(latest, base) && contentOf(draftFrom(latest)) !== contentOf(draftFrom(base));

  // follow the cluster (VNI reservations change the object all the time) while the netadmin edits nothing
  useEffect(() => {
    if (!dirty && latest && latest.metadata.resourceVersion !== base?.metadata.resourceVersion && !olderThan(latest, base)) {
      setBase(latest);
      setDraft(draftFrom(latest));
    }
  }, [dirty, latest, base]);

  const object = useMemo(() => configFrom(draft, latest), [draft, latest]);
  const issues = useMemo(() => checkTenantConfig(object, creating), [object, creating]);
  const warnings = useMemo(() => strandedByEdit(latest?.hostDevices ?? [], draftProfiles(draft), holdings), [latest, draft, holdings]);
  const local = useMemo(() => merge(issuesByPlace(issues, draft), draftProblems(draft)), [issues, draft]);
  const blocking = Object.values(local).some((m) => m && m.length > 0);
  const objectJson = JSON.stringify(object);
  const seq = useRef(0);

  useEffect(() => setAcknowledged(false), [warnings.length]);

  // the cluster's verdict (dry run), 600 ms after the last keystroke; only the newest answer counts
  useEffect(() => {
    const mine = ++seq.current;
    if (blocking || (!creating && !dirty)) {
      setCheck({ state: "idle" });
      return;
    }
    const timer = setTimeout(async () => {
      setCheck({ state: "checking" });
      const input = { kind: "TenantConfig" as const, object: JSON.parse(objectJson) as Record<string, unknown>, dryRun: true };
      try {
        await (creating ? client.objects.create.mutate(input) : client.objects.replace.mutate(input));
        if (mine === seq.current) setCheck({ state: "ok" });
      } catch (e) {
        if (mine === seq.current) setCheck({ state: "refused", message: errorMessage(e), messages: causesByPlace(errorCauses(e), JSON.parse(draftJson.current) as Draft) });
      }
    }, 600);
    return () => clearTimeout(timer);
  }, [objectJson, blocking, creating, dirty, client]);
  const draftJson = useRef("");
  draftJson.current = JSON.stringify(draft);

  const queryClient = useQueryClient();
  const save = useMutation(
    (creating ? trpc.objects.create : trpc.objects.replace).mutationOptions({
      onSuccess: (result) => {
        const stored = result as unknown as TenantConfig;
        // the list still holds the version before the save until it refetches: put the stored one in
        queryClient.setQueryData(trpc.admin.tenantConfig.queryKey(), (old) =>
          old && { ...old, configs: [...old.configs.filter((c) => c.metadata.name !== stored.metadata.name), stored].sort((a, b) => String(a.metadata.name ?? "").localeCompare(String(b.metadata.name ?? ""))) },
        );
        setSaved(true);
        if (creating) onCreated(stored.metadata.name ?? draft.name);
        else {
          setBase(stored);
          setDraft(draftFrom(stored));
        }
      },
    }),
  );
  const saveMessages = save.error ? causesByPlace(errorCauses(save.error), draft) : {};
  const remote = save.error ? saveMessages : check.state === "refused" ? check.messages : {};
  const messages = (place: Place) => [...(local[place] ?? []), ...(remote[place] ?? [])];
  const warningsAt = (place: Place) => warnings.filter((w) => placeOf(w.path, draft) === place).map((w) => w.message);

  const edit = (f: (d: Draft) => Draft) => {
    setSaved(false);
    if (save.error) save.reset();
    setDraft(f);
  };
  const setProfile = (key: number, patch: Partial<ProfileRow>) => edit((d) => ({ ...d, profiles: d.profiles.map((r) => (r.key === key ? { ...r, ...patch } : r)) }));
  const moveProfile = (i: number, by: number) =>
    edit((d) => {
      const profiles = [...d.profiles];
      const [row] = profiles.splice(i, 1);
      profiles.splice(i + by, 0, row);
      return { ...d, profiles };
    });
  const latestProfile = (r: ProfileRow) => latest?.hostDevices?.find((p) => p.name === r.name.trim() && (p.vniType ?? "") === r.vniType);
  const canSave = (creating || dirty) && !blocking && !changedElsewhere && (warnings.length === 0 || acknowledged) && !save.isPending;
  // the whole message only when some cause fits no row (or there are none): otherwise the rows say it all
  const allPlaced = Object.keys(remote).length > 0 && !remote[""];
  const topMessages = [...(allPlaced ? [] : save.error ? [errorMessage(save.error)] : check.state === "refused" ? [check.message] : []), ...(remote[""] ?? []), ...(local[""] ?? [])];

  return (
    <form
      className="space-y-6"
      data-testid="tenantconfig-editor"
      onSubmit={(e) => {
        e.preventDefault();
        if (canSave) save.mutate({ kind: "TenantConfig", object: object as unknown as Record<string, unknown> });
      }}
    >
      {creating ? (
        <div className="max-w-sm">
          <label className="text-sm font-medium" htmlFor="tc-name">Name</label>
          <input id="tc-name" className={inputClass} data-testid="tenantconfig-name" value={draft.name} onChange={(e) => edit((d) => ({ ...d, name: e.target.value }))} />
          <div className="text-xs text-slate-500">The cluster uses the first TenantConfig by name.</div>
        </div>
      ) : (
        <div className="text-sm text-slate-600">
          Editing <b data-testid="tenantconfig-name">{latest.metadata.name}</b>
          {dirty && <span className="ml-2 rounded bg-amber-100 px-1.5 text-amber-900">unsaved changes</span>}
        </div>
      )}
      {changedElsewhere && (
        <div className="rounded border border-amber-300 bg-amber-50 p-3 text-sm text-amber-900" role="alert" data-testid="changed-elsewhere">
          Someone else changed the profiles or NetworkID mappings of this TenantConfig while you were editing.{" "}
          <button type="button" className="underline" onClick={() => { setBase(latest); setDraft(draftFrom(latest)); }}>Discard my edits and load theirs</button>, then redo your change.
        </div>
      )}

      <section className="rounded-lg border border-slate-200 bg-white p-4">
        <div className="flex flex-wrap items-center gap-2">
          <h2 className="font-semibold">Interface profiles</h2>
          <span className="text-xs text-slate-500">Tenants get the first matching profile in this order.</span>
          <div className="ml-auto flex gap-2">
            <button type="button" className={buttonClass} data-testid="add-host-nic" onClick={() => edit((d) => ({ ...d, profiles: [...d.profiles, { key: newKey(), name: "", vniType: "vlan", vniRange: "" }] }))}>Add host NIC</button>
            <button type="button" className={buttonClass} data-testid="add-sriov-pool" onClick={() => edit((d) => ({ ...d, profiles: [...d.profiles, { key: newKey(), name: "vendor.example/", vniType: "vlan", vniRange: "" }] }))}>Add SR-IOV pool</button>
          </div>
        </div>
        <FieldMessages messages={messages("profiles")} testId="profiles-errors" />
        <FieldMessages messages={warningsAt("profiles")} testId="profiles-warnings" tone="warning" />
        {draft.profiles.length === 0 ? (
          <p className="mt-3 text-sm text-slate-500" data-testid="no-profiles">No profiles: dynamic TenantNetworks (ipvlan, macvlan, sriov) are refused (B-3). Add a host NIC or an SR-IOV pool.</p>
        ) : (
          <ul className="mt-3 divide-y divide-slate-100" data-testid="profiles">
            {draft.profiles.map((r, i) => {
              const pool = r.name.includes("/");
              const held = latestProfile(r);
              const vnis = r.vniType ? profileVnis({ name: r.name.trim(), vniType: r.vniType, vniRange: r.vniRange.trim(), alloc: held?.alloc }, holdings) : [];
              const rangeWarnings = warningsAt(`profile:${r.key}:vniRange`);
              return (
                <li key={r.key} className="py-3" data-testid={`profile-${i}`}>
                  <div className="grid items-start gap-2 md:grid-cols-[2fr_1fr_2fr_auto]">
                    <div>
                      <div className="flex items-center gap-2">
                        <input className={inputClass} aria-label="name" data-testid="profile-name" placeholder={pool ? "vendor.example/sriov_a" : "ens4"} value={r.name} onChange={(e) => setProfile(r.key, { name: e.target.value })} />
                        <span className={`whitespace-nowrap rounded px-1.5 text-xs ${pool ? "bg-violet-100 text-violet-900" : "bg-slate-100 text-slate-700"}`} title={pool ? "The name contains '/': an SR-IOV device-plugin pool" : "A host NIC"}>{pool ? "SR-IOV pool" : "host NIC"}</span>
                      </div>
                      <FieldMessages messages={messages(`profile:${r.key}:name`)} testId="profile-name-errors" />
                    </div>
                    <div>
                      <select className={inputClass} aria-label="vniType" data-testid="profile-vnitype" value={r.vniType} onChange={(e) => setProfile(r.key, { vniType: e.target.value as ProfileRow["vniType"], vniRange: e.target.value ? r.vniRange : "" })}>
                        <option value="">no VNI (direct)</option>
                        <option value="vlan">VLAN</option>
                        <option value="vxlan">VxLAN</option>
                      </select>
                      <FieldMessages messages={messages(`profile:${r.key}:vniType`)} testId="profile-vnitype-errors" />
                    </div>
                    <div>
                      <input className={inputClass} aria-label="vniRange" data-testid="profile-vnirange" placeholder={r.vniType ? "e.g. 1000-1999,2100" : "no range without a VNI type"} disabled={!r.vniType} value={r.vniRange} onChange={(e) => setProfile(r.key, { vniRange: e.target.value })} />
                      <FieldMessages messages={messages(`profile:${r.key}:vniRange`)} testId="profile-vnirange-errors" />
                      <FieldMessages messages={rangeWarnings} testId="profile-vnirange-warnings" tone="warning" />
                    </div>
                    <div className="flex gap-1">
                      <button type="button" className="px-1 text-slate-500 disabled:opacity-30" aria-label="move up" disabled={i === 0} onClick={() => moveProfile(i, -1)}>↑</button>
                      <button type="button" className="px-1 text-slate-500 disabled:opacity-30" aria-label="move down" disabled={i === draft.profiles.length - 1} onClick={() => moveProfile(i, 1)}>↓</button>
                      <button type="button" className="px-1 text-slate-500 hover:text-red-700" aria-label="remove profile" data-testid="remove-profile" onClick={() => edit((d) => ({ ...d, profiles: d.profiles.filter((x) => x.key !== r.key) }))}>✕</button>
                    </div>
                  </div>
                  <FieldMessages messages={messages(`profile:${r.key}:row`)} testId="profile-errors" />
                  {r.vniType && <VniBar profileKey={String(i)} vniRange={r.vniRange.trim()} vnis={vnis} />}
                </li>
              );
            })}
          </ul>
        )}
      </section>

      <section className="rounded-lg border border-slate-200 bg-white p-4">
        <div className="flex items-center gap-2">
          <h2 className="font-semibold">NetworkID mappings</h2>
          <span className="text-xs text-slate-500">A TenantNetwork of this NetworkType gets this NetworkID, whatever it asked for.</span>
          <button type="button" className={`${buttonClass} ml-auto`} data-testid="add-networkid" onClick={() => edit((d) => ({ ...d, networkIds: [...d.networkIds, { key: newKey(), networkType: "", networkId: "" }] }))}>Add mapping</button>
        </div>
        {draft.networkIds.length === 0 ? (
          <p className="mt-3 text-sm text-slate-500">No mappings: TenantNetworks keep the NetworkID they ask for, and must give one.</p>
        ) : (
          <ul className="mt-3 space-y-2" data-testid="networkids">
            {draft.networkIds.map((r) => (
              <li key={r.key} data-testid={`networkid-${r.networkType}`}>
                <div className="flex items-center gap-2">
                  <input className={`${inputClass} max-w-48`} aria-label="NetworkType" placeholder="NetworkType, e.g. ipvlan" value={r.networkType} onChange={(e) => edit((d) => ({ ...d, networkIds: d.networkIds.map((x) => (x.key === r.key ? { ...x, networkType: e.target.value } : x)) }))} />
                  <span className="text-slate-400">→</span>
                  <input className={`${inputClass} max-w-48`} aria-label="NetworkID" placeholder="NetworkID" value={r.networkId} onChange={(e) => edit((d) => ({ ...d, networkIds: d.networkIds.map((x) => (x.key === r.key ? { ...x, networkId: e.target.value } : x)) }))} />
                  <button type="button" className="px-1 text-slate-500 hover:text-red-700" aria-label="remove mapping" onClick={() => edit((d) => ({ ...d, networkIds: d.networkIds.filter((x) => x.key !== r.key) }))}>✕</button>
                </div>
                <FieldMessages messages={messages(`networkId:${r.key}`)} testId="networkid-errors" />
              </li>
            ))}
          </ul>
        )}
      </section>

      {topMessages.length > 0 && (
        <div className="rounded border border-red-200 bg-red-50 p-3 text-sm text-red-800" role="alert" data-testid="form-error">
          {topMessages.map((m, i) => <p key={i}>{m}</p>)}
          {save.error && errorCode(save.error) === "CONFLICT" && <p className="mt-1">The TenantConfig changed while saving (a VNI was probably just reserved). Save again.</p>}
        </div>
      )}

      <div className="sticky bottom-0 flex flex-wrap items-center gap-3 border-t border-slate-200 bg-slate-50 py-3">
        {warnings.length > 0 && (
          <label className="flex items-center gap-1 text-sm text-amber-900" data-testid="acknowledge-stranding">
            <input type="checkbox" checked={acknowledged} onChange={(e) => setAcknowledged(e.target.checked)} />
            Save anyway: {warnings.reduce((n, w) => n + w.stranded.length, 0)} VNI(s) would be stranded
          </label>
        )}
        <button type="submit" className={primaryButtonClass} data-testid="save" disabled={!canSave}>
          {save.isPending ? "Saving…" : creating ? "Create TenantConfig" : "Save"}
        </button>
        {dirty && !creating && (
          <button type="button" className={buttonClass} data-testid="discard" onClick={() => { setBase(latest); setDraft(draftFrom(latest)); save.reset(); }}>Discard changes</button>
        )}
        <span className="text-sm" data-testid="dry-run-status">
          {blocking ? (
            <span className="text-red-700">Fix the marked fields first.</span>
          ) : check.state === "checking" ? (
            <span className="text-slate-500">Checking with the cluster (dry run)…</span>
          ) : check.state === "ok" ? (
            <span className="text-green-700">The cluster would accept this TenantConfig.</span>
          ) : check.state === "refused" ? (
            <span className="text-red-700">The cluster would refuse this TenantConfig; see the marked fields.</span>
          ) : !dirty && !creating ? (
            <span className="text-slate-500">No changes.</span>
          ) : null}
        </span>
        {saved && !dirty && <span className="text-sm text-green-700" data-testid="saved">Saved.</span>}
      </div>
      {latest && (
        <details className="rounded-lg border border-slate-200 bg-white p-4" data-testid="tenantconfig-stored">
          <summary className="cursor-pointer text-sm font-semibold text-slate-700">Stored object (as kubectl get -o yaml shows it)</summary>
          <div className="mt-2">
            <YamlView object={latest} />
          </div>
        </details>
      )}
    </form>
  );
}
