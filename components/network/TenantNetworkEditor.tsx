"use client";
// Create or edit a TenantNetwork. Validates as the tenant types with the webhook's own rules
// (server/domain/forms), then asks the cluster with a server-side dry run before the real request,
// so the webhook's messages (binding, NetworkID, anything needing cluster state) appear next to the
// field they concern. Physical details (host device, VLAN/VxLAN) are the cluster's: never offered,
// shown read-only once assigned.
import { useMutation } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useMemo, useState, type ReactNode } from "react";
import { errorCauses, errorCode, errorMessage, type FieldCause } from "@/components/errors";
import { useTRPC } from "@/components/trpc";
import type { NetworkObject } from "@/server/domain/api/network";
import {
  emptyTenantNetworkForm,
  fieldOfPath,
  formFromTenantNetwork,
  routeRowOfPath,
  validateTenantNetworkForm,
  type FormField,
  type RouteRow,
  type TenantNetworkForm as FormValues,
} from "@/server/domain/forms/tenantNetworkForm";
import { issueMessage } from "@/server/domain/issue";
import { AssignedDetails } from "./AssignedDetails";
import { networkHref } from "./NetworkList";
import { buttonClass, inputClass, linkClass, primaryButtonClass } from "@/components/styles";

type FieldKey = FormField | "routes" | "routes6" | "form";
interface Shown {
  field: FieldKey;
  /** row of a route editor, when the message names one */
  row?: number;
  message: string;
  source: "form" | "cluster";
}

const KNOWN_TYPES = ["ipvlan", "macvlan", "sriov"];

function Field({ label, hint, messages, children, testId }: { label: string; hint?: ReactNode; messages: Shown[]; children: ReactNode; testId: string }) {
  return (
    <label className="block text-sm" data-testid={`field-${testId}`}>
      <span className="font-medium text-slate-800">{label}</span>
      <div className="mt-1">{children}</div>
      {hint && <span className="mt-0.5 block text-xs text-slate-500">{hint}</span>}
      <Messages messages={messages} testId={`error-${testId}`} />
    </label>
  );
}

function Messages({ messages, testId }: { messages: Shown[]; testId: string }) {
  if (messages.length === 0) return null;
  return (
    <ul className="mt-1 space-y-0.5 text-xs text-red-700" data-testid={testId} role="alert">
      {messages.map((m, i) => (
        <li key={i}>
          {m.source === "cluster" && <span className="mr-1 rounded bg-red-100 px-1 font-semibold">cluster</span>}
          {m.message}
        </li>
      ))}
    </ul>
  );
}

function RoutesEditor({ label, family, rows, onChange, messages, testId, disabledHint }: { label: string; family: 4 | 6; rows: RouteRow[]; onChange: (rows: RouteRow[]) => void; messages: Shown[]; testId: string; disabledHint?: string }) {
  const example = family === 4 ? { destination: "10.70.0.0/16", gateway: "10.61.0.1" } : { destination: "fd00:70::/48", gateway: "fd00:61::1" };
  const general = messages.filter((m) => m.row === undefined);
  return (
    <fieldset className="text-sm" data-testid={`field-${testId}`}>
      <legend className="font-medium text-slate-800">{label}</legend>
      {rows.length === 0 && <p className="text-xs text-slate-500">No routes: Pods get only the connected route of the subnet.</p>}
      <div className="space-y-1">
        {rows.map((r, i) => {
          const own = messages.filter((m) => m.row === i);
          return (
            <div key={i}>
              <div className="flex items-center gap-2">
                <input className={inputClass} placeholder={`destination, e.g. ${example.destination}`} value={r.destination} aria-invalid={own.length > 0} aria-label={`${label} ${i + 1} destination`} data-testid={`${testId}-destination-${i}`} onChange={(e) => onChange(rows.map((x, j) => (j === i ? { ...x, destination: e.target.value } : x)))} />
                <span className="text-slate-400">via</span>
                <input className={inputClass} placeholder={`gateway, e.g. ${example.gateway}`} value={r.gateway} aria-invalid={own.length > 0} aria-label={`${label} ${i + 1} gateway`} data-testid={`${testId}-gateway-${i}`} onChange={(e) => onChange(rows.map((x, j) => (j === i ? { ...x, gateway: e.target.value } : x)))} />
                <button type="button" className={buttonClass} aria-label={`Remove route ${i + 1}`} onClick={() => onChange(rows.filter((_, j) => j !== i))}>
                  ✕
                </button>
              </div>
              <Messages messages={own} testId={`error-${testId}-${i}`} />
            </div>
          );
        })}
      </div>
      <button type="button" className={`${buttonClass} mt-1`} data-testid={`${testId}-add`} disabled={!!disabledHint} title={disabledHint} onClick={() => onChange([...rows, { destination: "", gateway: "" }])}>
        Add route
      </button>
      <Messages messages={general} testId={`error-${testId}`} />
    </fieldset>
  );
}

function causeToShown(cause: FieldCause, values: FormValues): Shown {
  const field = fieldOfPath(cause.field);
  const row = field === "routes" || field === "routes6" ? routeRowOfPath(cause.field ?? "", values[field]) : undefined;
  const message = cause.message ?? cause.reason ?? "refused";
  // a message the form cannot place keeps its path, so the tenant still knows which field it means
  return { field, row, message: field === "form" && cause.field ? `${cause.field}: ${message}` : message, source: "cluster" };
}

export function TenantNetworkEditor({ namespace, existing }: { namespace: string; existing?: NetworkObject }) {
  const trpc = useTRPC();
  const router = useRouter();
  const editing = !!existing;
  const [values, setValues] = useState<FormValues>(() => (existing ? formFromTenantNetwork(existing) : emptyTenantNetworkForm(namespace)));
  const [touched, setTouched] = useState<Set<FieldKey>>(new Set());
  const [showAll, setShowAll] = useState(false);
  const [cluster, setCluster] = useState<{ shown: Shown[]; message?: string; code?: string } | undefined>();
  const [preview, setPreview] = useState<NetworkObject | undefined>();
  const validation = useMemo(() => validateTenantNetworkForm(values, existing), [values, existing]);
  const create = useMutation(trpc.objects.create.mutationOptions());
  const replace = useMutation(trpc.objects.replace.mutationOptions());
  const busy = create.isPending || replace.isPending;

  const local: Shown[] = validation.issues.map((i) => {
    const field = fieldOfPath(i.path);
    const row = field === "routes" || field === "routes6" ? routeRowOfPath(i.path, values[field]) : undefined;
    return { field, row, message: field === "form" ? `${i.path}: ${issueMessage(i)}` : issueMessage(i), source: "form" };
  });
  const shown = [...local.filter((m) => showAll || touched.has(m.field)), ...(cluster?.shown ?? [])];
  const at = (field: FieldKey) => shown.filter((m) => m.field === field);

  function update<K extends keyof FormValues>(key: K, value: FormValues[K]) {
    setValues((v) => ({ ...v, [key]: value }));
    setTouched((t) => new Set(t).add(key as FieldKey));
    // the cluster's verdict was about the old value; keep the rest until the next check
    setCluster((c) => (c ? { ...c, shown: c.shown.filter((m) => m.field !== key) } : c));
    setPreview(undefined);
  }

  const text = (key: Exclude<FormField, "namespace">, props: { placeholder?: string; disabled?: boolean; mono?: boolean } = {}) => (
    <input
      className={`${inputClass} ${props.mono === false ? "" : "font-mono"}`}
      value={values[key]}
      placeholder={props.placeholder}
      disabled={props.disabled || busy}
      aria-invalid={at(key).length > 0}
      data-testid={`input-${key}`}
      onChange={(e) => update(key, e.target.value)}
      onBlur={() => setTouched((t) => new Set(t).add(key))}
    />
  );

  /** Dry run, then (unless only checking) the real request. Returns the stored object when created/saved. */
  async function send(check: boolean) {
    setShowAll(true);
    setCluster(undefined);
    setPreview(undefined);
    if (validation.issues.length > 0) return;
    const mutation = editing ? replace : create;
    const input = { kind: "TenantNetwork" as const, object: validation.object as unknown as Record<string, unknown> };
    try {
      const dry = (await mutation.mutateAsync({ ...input, dryRun: true })) as unknown as NetworkObject;
      if (check) {
        setPreview(dry);
        return;
      }
      const saved = (await mutation.mutateAsync({ ...input, dryRun: false })) as unknown as NetworkObject;
      router.push(`${networkHref({ kind: "TenantNetwork", namespace: saved.metadata.namespace, name: saved.metadata.name ?? values.name })}${editing ? "?saved=1" : "?created=1"}`);
    } catch (e) {
      setCluster({ shown: errorCauses(e).map((c) => causeToShown(c, values)), message: errorMessage(e), code: errorCode(e) });
    }
  }

  const type = values.networkType.trim().toLowerCase();
  const custom = !KNOWN_TYPES.includes(type);
  const problems = validation.issues.length;
  const title = editing ? `Edit TenantNetwork ${namespace}/${existing.metadata.name}` : `New TenantNetwork in ${namespace}`;

  return (
    <form
      className="max-w-3xl space-y-6"
      data-testid="tenantnetwork-form"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        void send(false);
      }}
    >
      <div>
        <div className="text-sm">
          <Link className={linkClass} href={editing ? networkHref({ kind: "TenantNetwork", namespace, name: existing.metadata.name ?? "" }) : `/networks?ns=${encodeURIComponent(namespace)}`}>
            ← {editing ? existing.metadata.name : `Networks of ${namespace}`}
          </Link>
        </div>
        <h1 className="mt-1 text-2xl font-semibold">{title}</h1>
        <p className="mt-1 text-sm text-slate-600">
          The cluster assigns the host device, the VLAN or VxLAN and (usually) the NetworkID from its TenantConfig{editing ? "; they cannot change after creation." : " when you create the network."}
        </p>
      </div>

      <section className="grid gap-4 rounded-lg border border-slate-200 bg-white p-4 sm:grid-cols-2">
        <Field label="Name" testId="name" messages={at("name")} hint={editing ? "A network cannot be renamed." : "Lower-case letters, digits and '-'. Pods name it in their danm.k8s.io/interfaces annotation."}>
          {text("name", { placeholder: "signalling", disabled: editing })}
        </Field>
        <Field label="NetworkType" testId="networkType" messages={at("networkType")} hint={editing ? "Fixed after creation (N-23): delete and recreate to change it." : type === "sriov" ? "SR-IOV VFs from a device pool; the cluster reserves the VLAN." : custom ? "A static delegate: the CNI plugin of this name, configured by the netadmin's <NetworkID>.conf." : "ipvlan and macvlan attach to a host device the cluster chooses."}>
          <div className="flex gap-2">
            <select className={inputClass} value={custom ? "other" : type} disabled={editing || busy} data-testid="input-networkType" onChange={(e) => update("networkType", e.target.value === "other" ? "" : e.target.value)}>
              {KNOWN_TYPES.map((t) => (
                <option key={t} value={t}>
                  {t}
                </option>
              ))}
              <option value="other">other CNI plugin…</option>
            </select>
            {custom && !editing && (
              <input className={`${inputClass} font-mono`} placeholder="bridge" value={values.networkType} aria-label="CNI plugin name" data-testid="input-networkType-custom" onChange={(e) => update("networkType", e.target.value)} />
            )}
          </div>
        </Field>
        {type === "sriov" && !editing && (
          <Field label="SR-IOV device pool" testId="devicePool" messages={at("devicePool")} hint="The device plugin resource your VFs come from, e.g. vendor.example/sriov_left (ask your network administrator which pools tenants may use).">
            {text("devicePool", { placeholder: "vendor.example/sriov_left" })}
          </Field>
        )}
        {!editing && (
          <Field label="NetworkID (optional)" testId="networkId" messages={at("networkId")} hint="Leave empty: the TenantConfig maps each NetworkType to a NetworkID. Needed only if the cluster says it maps none for your type.">
            {text("networkId", { placeholder: "from the TenantConfig" })}
          </Field>
        )}
      </section>

      <section className="space-y-4 rounded-lg border border-slate-200 bg-white p-4">
        <h2 className="font-semibold">IPv4</h2>
        <div className="grid gap-4 sm:grid-cols-3">
          <Field label="cidr" testId="cidr" messages={at("cidr")} hint="Empty: no IPv4 (an L2 network).">
            {text("cidr", { placeholder: "10.60.0.0/24" })}
          </Field>
          <Field label="Pool start" testId="poolStart" messages={at("poolStart")} hint="Default: the first address after the network's.">
            {text("poolStart", { placeholder: "default" })}
          </Field>
          <Field label="Pool end" testId="poolEnd" messages={at("poolEnd")} hint="Default: the last address before broadcast.">
            {text("poolEnd", { placeholder: "default" })}
          </Field>
        </div>
        <RoutesEditor label="routes" family={4} rows={values.routes} messages={at("routes")} testId="routes" onChange={(rows) => update("routes", rows)} disabledHint={values.cidr.trim() ? undefined : "Set cidr first: routes need an IPv4 subnet"} />
      </section>

      <section className="space-y-4 rounded-lg border border-slate-200 bg-white p-4">
        <h2 className="font-semibold">IPv6</h2>
        <div className="grid gap-4 sm:grid-cols-2">
          <Field label="net6" testId="net6" messages={at("net6")} hint="Empty: no IPv6.">
            {text("net6", { placeholder: "fd00:61::/64" })}
          </Field>
          <Field label="Pool cidr" testId="pool6Cidr" messages={at("pool6Cidr")} hint="The part of net6 addresses are handed out from. Default: the largest the cluster can track.">
            {text("pool6Cidr", { placeholder: "default" })}
          </Field>
          <Field label="Pool start" testId="pool6Start" messages={at("pool6Start")}>
            {text("pool6Start", { placeholder: "default" })}
          </Field>
          <Field label="Pool end" testId="pool6End" messages={at("pool6End")}>
            {text("pool6End", { placeholder: "default" })}
          </Field>
        </div>
        <RoutesEditor label="routes6" family={6} rows={values.routes6} messages={at("routes6")} testId="routes6" onChange={(rows) => update("routes6", rows)} disabledHint={values.net6.trim() ? undefined : "Set net6 first: routes6 need an IPv6 subnet"} />
      </section>

      <section className="grid gap-4 rounded-lg border border-slate-200 bg-white p-4 sm:grid-cols-2">
        <h2 className="font-semibold sm:col-span-2">Pod interface</h2>
        <Field label="container_prefix" testId="containerPrefix" messages={at("containerPrefix")} hint="Interface name prefix inside the Pod (the first interface is always eth0).">
          {text("containerPrefix", { placeholder: "sig" })}
        </Field>
        <Field label="rt_tables" testId="rtTables" messages={at("rtTables")} hint="Routing table for the Pod's policy routes (proutes), 0–255; empty or 0 ignores them.">
          {text("rtTables", { placeholder: "0" })}
        </Field>
      </section>

      {editing && (
        <section className="rounded-lg border border-slate-200 bg-slate-50 p-4">
          <h2 className="font-semibold">Assigned by the cluster (read-only)</h2>
          <AssignedDetails object={existing} />
        </section>
      )}

      {(at("form").length > 0 || cluster?.message) && (
        <div className="rounded border border-red-200 bg-red-50 p-4 text-sm text-red-800" data-testid="form-error" role="alert">
          {cluster?.message && (
            <p className="font-semibold">
              {cluster.code === "CONFLICT"
                ? "Someone changed this network while you edited it. Reload the page to start from the current version."
                : cluster.code === "FORBIDDEN" && cluster.shown.length === 0
                  ? `Kubernetes does not let you ${editing ? "change" : "create"} TenantNetworks in ${namespace}.`
                  : `The cluster refused the network${cluster.shown.some((m) => m.field !== "form") ? "; see the marked fields" : ""}.`}
            </p>
          )}
          {cluster?.message && <p className="mt-1 break-words">{cluster.message}</p>}
          <Messages messages={at("form")} testId="error-form" />
        </div>
      )}

      {preview && (
        <div className="rounded border border-emerald-200 bg-emerald-50 p-4 text-sm text-emerald-900" data-testid="dry-run-ok" role="status">
          <p className="font-semibold">The cluster would accept this network (dry run: nothing was created or reserved).</p>
          {!editing && <p className="mt-1">It would be given roughly these physical details (the real VLAN/VxLAN is reserved when you create it):</p>}
          <AssignedDetails object={preview} />
        </div>
      )}

      <div className="flex items-center gap-3">
        <button type="submit" className={primaryButtonClass} disabled={busy} data-testid="submit">
          {busy ? "Asking the cluster…" : editing ? "Save" : "Create"}
        </button>
        <button type="button" className={buttonClass} disabled={busy} data-testid="dry-run" onClick={() => void send(true)}>
          Check with the cluster (dry run)
        </button>
        <span className="text-sm text-slate-500" data-testid="form-status">
          {problems > 0 ? `${problems} problem${problems > 1 ? "s" : ""} to fix${showAll ? "" : " (shown as you fill the fields)"}` : `Looks valid; ${editing ? "Save" : "Create"} checks with the cluster first.`}
        </span>
      </div>
    </form>
  );
}
