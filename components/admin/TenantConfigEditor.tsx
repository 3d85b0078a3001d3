"use client";
// The TenantConfig editor: interface profiles (host NICs and SR-IOV pools, with their VLAN/VxLAN
// ranges) and NetworkID mappings. Each profile shows which VNIs are reserved and which TenantNetwork
// holds each; as the netadmin types, the rules (T-2…T-10) are checked in the browser, a range edit
// that would strand a reservation is warned about, and the cluster is asked for a dry run.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useMemo, useState } from "react";
import { errorCauses, errorCode } from "@/components/errors";
import { DryRunStatus, Refusal } from "@/components/forms/Messages";
import { useDraft } from "@/components/forms/useDraft";
import { Empty, Loading } from "@/components/LoadStates";
import { buttonClass, formBarClass, inputClass, primaryButtonClass, warningBoxClass } from "@/components/styles";
import { useTRPC, useTRPCClient } from "@/components/trpc";
import { YamlView } from "@/components/YamlView";
import type { TenantConfig } from "@/server/domain/api/tenantConfig";
import { strandedByEdit, type VniHolding } from "@/server/domain/tenancy/rangeEdit";
import { NetadminLoadError } from "./NetadminLoadError";
import { causesByPlace, checkDraft, contentOf, draftFrom, draftProfiles, placeOf, type Place } from "./tenantConfigDraft";
import { NetworkIdRows, ProfileRows } from "./TenantConfigSections";

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
          <button type="button" className={`${primaryButtonClass} mt-3`} data-testid="create-tenantconfig" onClick={() => setCreating(true)}>
            Create a TenantConfig
          </button>
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
                  <button
                    key={c.metadata.name}
                    type="button"
                    className={`rounded px-2 py-0.5 ${c === current ? "bg-slate-900 text-white" : "bg-white"}`}
                    onClick={() => setSelected(c.metadata.name)}
                  >
                    {c.metadata.name}
                    {c === configs[0] ? " (in use)" : ""}
                  </button>
                ))}
              </div>
            </div>
          )}
          <ConfigEditor
            key={current?.metadata.uid ?? "new"}
            stored={current}
            holdings={data.data.holdings}
            onCreated={(name) => {
              setCreating(false);
              setSelected(name);
            }}
          />
        </>
      );
    }
  }
  return (
    <div>
      <h1 className="text-2xl font-semibold">TenantConfig</h1>
      <p className="mt-1 max-w-3xl text-sm text-slate-600">
        What TenantNetworks get: the host NICs and SR-IOV pools tenants may use, the VLAN or VxLAN range each hands out, and the NetworkID forced onto each
        NetworkType. Changing it does not touch existing networks.
      </p>
      <div className="mt-4">{body}</div>
    </div>
  );
}

function ConfigEditor({ stored, holdings, onCreated }: { stored?: TenantConfig; holdings: VniHolding[]; onCreated: (name: string) => void }) {
  const trpc = useTRPC();
  const client = useTRPCClient();
  const queryClient = useQueryClient();
  const kind = "TenantConfig" as const;
  const d = useDraft({
    stored,
    draftOf: draftFrom,
    contentOf,
    build: checkDraft,
    dryRun: (object) => (stored ? client.objects.replace : client.objects.create).mutate({ kind, object: object as Record<string, unknown>, dryRun: true }),
  });
  const { draft, creating, dirty } = d;
  const [acknowledged, setAcknowledged] = useState(false);
  const warnings = useMemo(() => strandedByEdit(stored?.hostDevices ?? [], draftProfiles(draft), holdings), [stored, draft, holdings]);
  useEffect(() => setAcknowledged(false), [warnings.length]);

  const save = useMutation(
    (creating ? trpc.objects.create : trpc.objects.replace).mutationOptions({
      onSuccess: (result) => {
        const saved = result as unknown as TenantConfig;
        // the list still holds the version before the save until it refetches: put the stored one in
        queryClient.setQueryData(
          trpc.admin.tenantConfig.queryKey(),
          (old) =>
            old && {
              ...old,
              configs: [...old.configs.filter((c) => c.metadata.name !== saved.metadata.name), saved].sort((a, b) =>
                String(a.metadata.name ?? "").localeCompare(String(b.metadata.name ?? "")),
              ),
            },
        );
        if (creating) onCreated(saved.metadata.name ?? draft.name);
        else d.rebase(saved);
      },
    }),
  );
  const error = save.error ?? (d.check.state === "refused" ? d.check.error : undefined);
  const remote = causesByPlace(errorCauses(error), draft);
  const messages = (place: Place) => [...(d.built.messages[place] ?? []), ...(remote[place] ?? [])];
  const warningsAt = (place: Place) => warnings.filter((w) => placeOf(w.path, draft) === place).map((w) => w.message);
  const edit: typeof d.edit = (change) => {
    if (save.isError || save.isSuccess) save.reset();
    d.edit(change);
  };
  const canSave = (creating || dirty) && !d.built.blocked && !d.changedElsewhere && (warnings.length === 0 || acknowledged) && !save.isPending;

  return (
    <form
      className="space-y-6"
      data-testid="tenantconfig-editor"
      onSubmit={(e) => (e.preventDefault(), canSave && save.mutate({ kind, object: d.built.object as unknown as Record<string, unknown> }))}
    >
      {creating ? (
        <div className="max-w-sm">
          <label className="text-sm font-medium" htmlFor="tc-name">
            Name
          </label>
          <input
            id="tc-name"
            className={inputClass}
            data-testid="tenantconfig-name"
            value={draft.name}
            onChange={(e) => edit((x) => ({ ...x, name: e.target.value }))}
          />
          <div className="text-xs text-slate-500">The cluster uses the first TenantConfig by name.</div>
        </div>
      ) : (
        <div className="text-sm text-slate-600">
          Editing <b data-testid="tenantconfig-name">{stored?.metadata.name}</b>
          {dirty && <span className="ml-2 rounded bg-amber-100 px-1.5 text-amber-900">unsaved changes</span>}
        </div>
      )}
      {d.changedElsewhere && (
        <div className={warningBoxClass} role="alert" data-testid="changed-elsewhere">
          Someone else changed the profiles or NetworkID mappings of this TenantConfig while you were editing.{" "}
          <button type="button" className="underline" onClick={d.loadLatest}>
            Discard my edits and load theirs
          </button>
          , then redo your change.
        </div>
      )}
      <ProfileRows draft={draft} edit={edit} messages={messages} warnings={warningsAt} stored={stored} holdings={holdings} />
      <NetworkIdRows draft={draft} edit={edit} messages={messages} warnings={warningsAt} />
      <Refusal error={error} allPlaced={Object.keys(remote).length > 0 && !remote[""]} unplaced={[...(remote[""] ?? []), ...(d.built.messages[""] ?? [])]}>
        {errorCode(save.error) === "CONFLICT" && <p className="mt-1">The TenantConfig changed while saving (a VNI was probably just reserved). Save again.</p>}
      </Refusal>
      <div className={formBarClass}>
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
          <button type="button" className={buttonClass} data-testid="discard" onClick={() => (d.loadLatest(), save.reset())}>
            Discard changes
          </button>
        )}
        <DryRunStatus
          check={d.check}
          noun="TenantConfig"
          blocked={d.built.blocked ? "Fix the marked fields first." : undefined}
          idle={!dirty && !creating ? "No changes." : undefined}
        />
        {save.isSuccess && !dirty && (
          <span className="text-sm text-green-700" data-testid="saved">
            Saved.
          </span>
        )}
      </div>
      {stored && (
        <details className="rounded-lg border border-slate-200 bg-white p-4" data-testid="tenantconfig-stored">
          <summary className="cursor-pointer text-sm font-semibold text-slate-700">Stored object (as kubectl get -o yaml shows it)</summary>
          <div className="mt-2">
            <YamlView object={stored} />
          </div>
        </details>
      )}
    </form>
  );
}
