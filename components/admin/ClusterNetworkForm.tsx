"use client";
// Create or edit a ClusterNetwork. As the netadmin types, the object is sent to the API server as a
// dry run (the webhook judges it, nothing is stored) and the causes of a refusal are shown next to
// the fields they name; Save then does the real create or replace.
import { useMutation, useQuery } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import { errorCauses, errorCode, errorMessage } from "@/components/errors";
import { useTRPC, useTRPCClient } from "@/components/trpc";
import {
  causesByField,
  EMPTY_FORM,
  formFromObject,
  localProblems,
  objectFromForm,
  type ClusterNetworkFormState,
  type ClusterNetworkObject,
  type RouteRow,
} from "./clusterNetworkForm";
import { NetadminLoadError } from "./NetadminLoadError";
import { buttonClass, inputClass, primaryButtonClass } from "@/components/styles";
import { FieldMessages } from "@/components/forms/Messages";

type Check = { state: "idle" | "checking" | "ok" } | { state: "refused"; message: string; causes: Record<string, string[]> };

const NETWORK_TYPES = ["ipvlan", "macvlan", "sriov", "bridge", "flannel", "calico"];

export function ClusterNetworkForm({ original }: { original?: ClusterNetworkObject }) {
  const trpc = useTRPC();
  const client = useTRPCClient();
  const router = useRouter();
  const editing = !!original;
  // `original` follows the cluster (IPAM rewrites alloc as Pods come and go); `base` is the version
  // the form started from. A save sends the form over the newest version, so what IPAM wrote is kept,
  // unless someone changed what the form shows: then the netadmin is told and decides.
  const [base, setBase] = useState(original);
  const [form, setForm] = useState<ClusterNetworkFormState>(() => (original ? formFromObject(original) : EMPTY_FORM));
  const [check, setCheck] = useState<Check>({ state: "idle" });
  const [saved, setSaved] = useState(false);
  const namespaces = useQuery(trpc.admin.namespaces.queryOptions());
  const shownOf = (o: ClusterNetworkObject | undefined) => JSON.stringify(o ? formFromObject(o) : EMPTY_FORM);
  const dirty = JSON.stringify(form) !== shownOf(base);
  const newer = !!original && !!base && Number(original.metadata.resourceVersion) > Number(base.metadata.resourceVersion);
  const changedElsewhere = newer && shownOf(original) !== shownOf(base);
  useEffect(() => {
    if (newer && !dirty) {
      setBase(original);
      setForm(formFromObject(original!));
    }
  }, [newer, dirty, original]);
  const latest = newer ? original : base;
  const object = useMemo(() => objectFromForm(form, latest), [form, latest]);
  const local = useMemo(() => localProblems(form), [form]);
  const objectJson = JSON.stringify(object);
  const seq = useRef(0);

  // the server-side dry run, 600 ms after the last keystroke; only the newest answer counts
  useEffect(() => {
    const mine = ++seq.current;
    if (Object.keys(local).length > 0) {
      setCheck({ state: "idle" });
      return;
    }
    const timer = setTimeout(async () => {
      setCheck({ state: "checking" });
      try {
        const input = { kind: "ClusterNetwork" as const, object: JSON.parse(objectJson) as Record<string, unknown>, dryRun: true };
        await (editing ? client.objects.replace.mutate(input) : client.objects.create.mutate(input));
        if (mine === seq.current) setCheck({ state: "ok" });
      } catch (e) {
        if (mine === seq.current) setCheck({ state: "refused", message: errorMessage(e), causes: causesByField(errorCauses(e)) });
      }
    }, 600);
    return () => clearTimeout(timer);
  }, [objectJson, editing, client, local]);

  const save = useMutation(
    (editing ? trpc.objects.replace : trpc.objects.create).mutationOptions({
      onSuccess: (result) => {
        const stored = result as unknown as ClusterNetworkObject;
        if (!editing) router.push(`/admin/clusternetworks/${encodeURIComponent(stored.metadata.name ?? form.name)}`);
        else {
          setBase(stored);
          setForm(formFromObject(stored));
          setSaved(true);
        }
      },
    }),
  );

  const saveCauses = save.error ? causesByField(errorCauses(save.error)) : {};
  const dryCauses = check.state === "refused" ? check.causes : {};
  const messagesFor = (path: string) => [...(local[path] ?? []), ...(save.error ? (saveCauses[path] ?? []) : (dryCauses[path] ?? []))];
  const set = (patch: Partial<ClusterNetworkFormState>) => {
    setSaved(false);
    setForm((f) => ({ ...f, ...patch }));
    if (save.error) save.reset();
  };
  const conflict = save.error && errorCode(save.error) === "CONFLICT";
  // the whole message only when some cause fits no field (or there are none): otherwise the fields say it all
  const shown = save.error ? saveCauses : dryCauses;
  const allPlaced = Object.keys(shown).length > 0 && !shown[""];
  const topMessages = allPlaced ? [] : save.error ? [save.error.message] : check.state === "refused" ? [check.message] : [];

  // not a netadmin: say so instead of offering a form every check and save of which is refused
  if (namespaces.isError && errorCode(namespaces.error) === "FORBIDDEN") return <NetadminLoadError error={namespaces.error} what="the ClusterNetwork form" />;

  return (
    <form
      className="space-y-6"
      data-testid="clusternetwork-form"
      onSubmit={(e) => {
        e.preventDefault();
        if (Object.keys(local).length === 0 && !changedElsewhere) save.mutate({ kind: "ClusterNetwork", object: object as Record<string, unknown> });
      }}
    >
      {changedElsewhere && (
        <div className="rounded border border-amber-300 bg-amber-50 p-3 text-sm text-amber-900" role="alert" data-testid="changed-elsewhere">
          Someone else changed this ClusterNetwork while you were editing.{" "}
          <button type="button" className="underline" onClick={() => { setBase(original); setForm(formFromObject(original!)); }}>Discard my edits and load theirs</button>, then redo your change.
        </div>
      )}
      <Section title="Identity">
        <Field label="Name" path="metadata.name" messages={messagesFor("metadata.name")} hint={editing ? "The name cannot change." : "Lower-case letters, digits and '-'."}>
          <input className={inputClass} data-testid="field-name" value={form.name} disabled={editing} onChange={(e) => set({ name: e.target.value })} />
        </Field>
        <Field label="NetworkType" path="spec.NetworkType" messages={messagesFor("spec.NetworkType")} hint="ipvlan, macvlan and sriov are handled by tenet; any other name is a CNI plugin configured by NetworkID.conf.">
          <input className={inputClass} list="h2-network-types" data-testid="field-networktype" value={form.networkType} onChange={(e) => set({ networkType: e.target.value })} />
          <datalist id="h2-network-types">{NETWORK_TYPES.map((t) => <option key={t} value={t} />)}</datalist>
        </Field>
        <Field label="NetworkID" path="spec.NetworkID" messages={messagesFor("spec.NetworkID")} hint="Names host interfaces (<NetworkID>.<vlan>, vx_<NetworkID>): at most 10 characters with a VLAN or VxLAN.">
          <input className={inputClass} data-testid="field-networkid" value={form.networkId} onChange={(e) => set({ networkId: e.target.value })} />
        </Field>
      </Section>

      <Section title="Attachment">
        <Field label="Device" path={`spec.Options.${form.device === "device_pool" ? "device_pool" : "host_device"}`} messages={[...messagesFor("spec.Options.host_device"), ...messagesFor("spec.Options.device_pool")]}>
          <div className="flex flex-wrap items-center gap-3 text-sm">
            {(["host_device", "device_pool", "none"] as const).map((d) => (
              <label key={d} className="flex items-center gap-1">
                <input type="radio" name="device" data-testid={`field-device-${d}`} checked={form.device === d} onChange={() => set({ device: d })} />
                {d === "host_device" ? "host NIC (host_device)" : d === "device_pool" ? "SR-IOV pool (device_pool)" : "none"}
              </label>
            ))}
          </div>
          {form.device !== "none" && (
            <input className={`${inputClass} mt-1`} data-testid="field-device-name" placeholder={form.device === "device_pool" ? "vendor.example/sriov_a" : "ens4"} value={form.deviceName} onChange={(e) => set({ deviceName: e.target.value })} />
          )}
        </Field>
        <Field label="VLAN / VxLAN" path={`spec.Options.${form.vniType}`} messages={[...messagesFor("spec.Options.vlan"), ...messagesFor("spec.Options.vxlan")]} hint="A ClusterNetwork's VNI is chosen by you; VLAN 1–4094, VxLAN 1–16777214.">
          <div className="flex flex-wrap items-center gap-3 text-sm">
            {(["none", "vlan", "vxlan"] as const).map((v) => (
              <label key={v} className="flex items-center gap-1">
                <input type="radio" name="vniType" data-testid={`field-vnitype-${v}`} checked={form.vniType === v} onChange={() => set({ vniType: v })} />
                {v === "none" ? "none" : v === "vlan" ? "VLAN" : "VxLAN"}
              </label>
            ))}
          </div>
          {form.vniType !== "none" && <input className={`${inputClass} mt-1 w-40`} inputMode="numeric" data-testid="field-vni" value={form.vni} onChange={(e) => set({ vni: e.target.value })} />}
        </Field>
      </Section>

      <Section title="IPv4">
        <Field label="cidr" path="spec.Options.cidr" messages={messagesFor("spec.Options.cidr")} hint="e.g. 10.20.0.0/22. Empty: no IPv4 (L2 only).">
          <input className={inputClass} data-testid="field-cidr" value={form.cidr} onChange={(e) => set({ cidr: e.target.value })} />
        </Field>
        <Field label="allocation_pool" path="spec.Options.allocation_pool" messages={messagesFor("spec.Options.allocation_pool")} hint="Empty: the whole cidr but its network and broadcast addresses.">
          <div className="flex gap-2">
            <input className={inputClass} placeholder="start" data-testid="field-pool-start" value={form.poolStart} onChange={(e) => set({ poolStart: e.target.value })} />
            <input className={inputClass} placeholder="end" data-testid="field-pool-end" value={form.poolEnd} onChange={(e) => set({ poolEnd: e.target.value })} />
          </div>
        </Field>
        <Field label="routes" path="spec.Options.routes" messages={messagesFor("spec.Options.routes")} hint="Destination CIDR → gateway inside cidr.">
          <RouteEditor rows={form.routes} testId="field-routes" onChange={(routes) => set({ routes })} />
        </Field>
      </Section>

      <Section title="IPv6">
        <Field label="net6" path="spec.Options.net6" messages={messagesFor("spec.Options.net6")} hint="e.g. fd00:20:4::/64. Empty: no IPv6.">
          <input className={inputClass} data-testid="field-net6" value={form.net6} onChange={(e) => set({ net6: e.target.value })} />
        </Field>
        <Field label="routes6" path="spec.Options.routes6" messages={messagesFor("spec.Options.routes6")} hint="Destination IPv6 CIDR → gateway inside net6.">
          <RouteEditor rows={form.routes6} testId="field-routes6" onChange={(routes6) => set({ routes6 })} />
        </Field>
      </Section>

      <Section title="Pod interface">
        <Field label="container_prefix" path="spec.Options.container_prefix" messages={messagesFor("spec.Options.container_prefix")} hint="Interface name prefix inside the Pod.">
          <input className={inputClass} data-testid="field-container-prefix" value={form.containerPrefix} onChange={(e) => set({ containerPrefix: e.target.value })} />
        </Field>
        <Field label="rt_tables" path="spec.Options.rt_tables" messages={messagesFor("spec.Options.rt_tables")} hint="Routing table for Pod policy routes, 0–255; empty ignores them.">
          <input className={`${inputClass} w-40`} inputMode="numeric" data-testid="field-rt-tables" value={form.rtTables} onChange={(e) => set({ rtTables: e.target.value })} />
        </Field>
      </Section>

      <Section title="Tenants">
        <Field label="AllowedTenants" path="spec.AllowedTenants" messages={messagesFor("spec.AllowedTenants")} hint="Namespaces whose Pods may attach. None ticked: every namespace may.">
          <TenantPicker selected={form.allowedTenants} namespaces={namespaces.data} loading={namespaces.isPending} error={namespaces.error} onChange={(allowedTenants) => set({ allowedTenants })} />
        </Field>
      </Section>

      {topMessages.length > 0 && (
        <div className="rounded border border-red-200 bg-red-50 p-3 text-sm text-red-800" data-testid="form-error" role="alert">
          {topMessages.map((m, i) => <p key={i}>{m}</p>)}
          {(shown[""] ?? []).map((m, i) => <p key={`c${i}`}>{m}</p>)}
          {conflict && (
            <p className="mt-1">
              Someone changed this ClusterNetwork since you opened it.{" "}
              <button type="button" className="underline" onClick={() => window.location.reload()}>Reload</button> to see their change, then redo yours.
            </p>
          )}
        </div>
      )}
      <div className="sticky bottom-0 flex flex-wrap items-center gap-3 border-t border-slate-200 bg-slate-50 py-3">
        <button type="submit" className={primaryButtonClass} data-testid="save" disabled={save.isPending || changedElsewhere || Object.keys(local).length > 0}>
          {save.isPending ? "Saving…" : editing ? "Save changes" : "Create ClusterNetwork"}
        </button>
        <span className="text-sm" data-testid="dry-run-status">
          {Object.keys(local).length > 0 ? (
            <span className="text-slate-500">Fill in the marked fields; the cluster checks the network once they are complete.</span>
          ) : check.state === "checking" ? (
            <span className="text-slate-500">Checking with the cluster (dry run)…</span>
          ) : check.state === "ok" ? (
            <span className="text-green-700">The cluster would accept this network.</span>
          ) : check.state === "refused" ? (
            <span className="text-red-700">The cluster would refuse this network; see the marked fields.</span>
          ) : null}
        </span>
        {saved && <span className="text-sm text-green-700" data-testid="saved">Saved.</span>}
      </div>
    </form>
  );
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <fieldset className="rounded-lg border border-slate-200 bg-white p-4">
      <legend className="px-1 text-sm font-semibold text-slate-700">{title}</legend>
      <div className="grid gap-4 md:grid-cols-2">{children}</div>
    </fieldset>
  );
}

function Field({ label, path, hint, messages, children }: { label: string; path: string; hint?: string; messages: string[]; children: ReactNode }) {
  return (
    <div data-field={path}>
      <div className="text-sm font-medium text-slate-800">{label}</div>
      <div className="mt-1">{children}</div>
      {hint && <div className="mt-0.5 text-xs text-slate-500">{hint}</div>}
      <FieldMessages messages={messages} testId={`field-error-${path}`} />
    </div>
  );
}

function RouteEditor({ rows, onChange, testId }: { rows: RouteRow[]; onChange: (rows: RouteRow[]) => void; testId: string }) {
  const update = (i: number, patch: Partial<RouteRow>) => onChange(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  return (
    <div className="space-y-1" data-testid={testId}>
      {rows.map((r, i) => (
        <div key={i} className="flex items-center gap-1">
          <input className={inputClass} placeholder="destination" value={r.destination} onChange={(e) => update(i, { destination: e.target.value })} />
          <span className="text-slate-400">→</span>
          <input className={inputClass} placeholder="gateway" value={r.gateway} onChange={(e) => update(i, { gateway: e.target.value })} />
          <button type="button" className="px-1 text-slate-500 hover:text-red-700" aria-label="remove route" onClick={() => onChange(rows.filter((_, j) => j !== i))}>✕</button>
        </div>
      ))}
      <button type="button" className="text-xs text-slate-700 underline" onClick={() => onChange([...rows, { destination: "", gateway: "" }])}>Add route</button>
    </div>
  );
}

function TenantPicker({ selected, namespaces, loading, error, onChange }: { selected: string[]; namespaces?: string[]; loading: boolean; error: unknown; onChange: (v: string[]) => void }) {
  if (loading) return <div className="text-sm text-slate-500">Loading namespaces…</div>;
  // a tenant listed in the object but gone from the cluster stays visible, so it can be removed
  const all = [...new Set([...(namespaces ?? []), ...selected])].sort();
  const toggle = (ns: string) => onChange(selected.includes(ns) ? selected.filter((s) => s !== ns) : [...selected, ns]);
  return (
    <div data-testid="field-allowedtenants">
      {error ? <div className="text-xs text-red-700">Could not list namespaces ({errorMessage(error)}); the ones already allowed are shown.</div> : null}
      {all.length === 0 ? (
        <div className="text-sm text-slate-500">No tenant namespaces exist yet; the network is open to every namespace.</div>
      ) : (
        <div className="flex flex-wrap gap-2">
          {all.map((ns) => (
            <label key={ns} className={`flex items-center gap-1 rounded border px-2 py-0.5 text-sm ${selected.includes(ns) ? "border-slate-900 bg-slate-100" : "border-slate-300"}`}>
              <input type="checkbox" data-testid={`tenant-${ns}`} checked={selected.includes(ns)} onChange={() => toggle(ns)} />
              {ns}
              {namespaces && !namespaces.includes(ns) && <span className="text-xs text-amber-700">(no such namespace)</span>}
            </label>
          ))}
        </div>
      )}
      <div className="mt-1 text-xs text-slate-600">{selected.length === 0 ? "Open to every namespace." : `Only ${[...selected].sort().join(", ")}.`}</div>
    </div>
  );
}
