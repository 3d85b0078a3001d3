"use client";
// Create or edit a TenantNetwork. Validates as the tenant types with the webhook's own rules
// (server/domain/forms), then asks the cluster with a server-side dry run before the real request,
// so the webhook's messages (binding, NetworkID, anything needing cluster state) appear next to the
// field they concern. Physical details (host device, VLAN/VxLAN) are the cluster's: never offered,
// shown read-only once assigned.
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { errorCode, errorMessage } from "@/components/errors";
import { Field, FormSection } from "@/components/forms/Fields";
import { FieldMessages, FormError } from "@/components/forms/Messages";
import { NetworkAddressing, NetworkTextField } from "@/components/forms/NetworkAddressing";
import { useNetworkDraft } from "@/components/forms/useNetworkDraft";
import { buttonClass, inputClass, linkClass, primaryButtonClass, sectionClass } from "@/components/styles";
import type { NetworkObject } from "@/server/domain/api/network";
import { AssignedDetails } from "./AssignedDetails";
import { networkHref } from "./networkLinks";

const KNOWN_TYPES = ["ipvlan", "macvlan", "sriov"];

export function TenantNetworkEditor({ namespace, existing }: { namespace: string; existing?: NetworkObject }) {
  const router = useRouter();
  const d = useNetworkDraft({ kind: "TenantNetwork", namespace, stored: existing, checkAsYouType: false });
  const editing = !!existing;
  const busy = d.save.isPending || d.check.state === "checking";
  // the answer of "Check with the cluster" is shown while the form still describes what was checked
  const [checked, setChecked] = useState<string>();
  const preview = d.check.state === "ok" && checked === JSON.stringify(d.object) ? (d.check.answer as NetworkObject) : undefined;

  /** Dry run, then (unless only checking) the real request. */
  async function send(checkOnly: boolean) {
    if (!d.ready()) return;
    setChecked(checkOnly ? JSON.stringify(d.object) : undefined);
    d.save.reset();
    if ((await d.checkNow()).state !== "ok" || checkOnly) return;
    d.save.mutate(
      { kind: "TenantNetwork", object: d.object as unknown as Record<string, unknown> },
      {
        onSuccess: (saved) =>
          router.push(
            `${networkHref({ kind: "TenantNetwork", namespace, name: (saved as unknown as NetworkObject).metadata.name ?? d.form.name })}${editing ? "?saved=1" : "?created=1"}`,
          ),
      },
    );
  }

  const type = d.form.networkType.trim().toLowerCase();
  const custom = !KNOWN_TYPES.includes(type);
  const code = errorCode(d.clusterError);
  return (
    <form className="max-w-3xl space-y-6" data-testid="tenantnetwork-form" noValidate onSubmit={(e) => (e.preventDefault(), void send(false))}>
      <div>
        <Link
          className={`${linkClass} text-sm`}
          href={
            editing ? networkHref({ kind: "TenantNetwork", namespace, name: existing.metadata.name ?? "" }) : `/networks?ns=${encodeURIComponent(namespace)}`
          }
        >
          ← {editing ? existing.metadata.name : `Networks of ${namespace}`}
        </Link>
        <h1 className="mt-1 text-2xl font-semibold">
          {editing ? `Edit TenantNetwork ${namespace}/${existing.metadata.name}` : `New TenantNetwork in ${namespace}`}
        </h1>
        <p className="mt-1 text-sm text-slate-600">
          The cluster assigns the host device, the VLAN or VxLAN and (usually) the NetworkID from its TenantConfig
          {editing ? "; they cannot change after creation." : " when you create the network."}
        </p>
      </div>

      <FormSection title="Network">
        <NetworkTextField
          d={d}
          field="name"
          label="Name"
          placeholder="signalling"
          disabled={editing || busy}
          hint={editing ? "A network cannot be renamed." : "Lower-case letters, digits and '-'. Pods name it in their danm.k8s.io/interfaces annotation."}
        />
        <Field
          label="NetworkType"
          testId="networkType"
          messages={d.at("networkType")}
          hint={
            editing
              ? "Fixed after creation (N-23): delete and recreate to change it."
              : type === "sriov"
                ? "SR-IOV VFs from a device pool; the cluster reserves the VLAN."
                : custom
                  ? "A static delegate: the CNI plugin of this name, configured by the netadmin's <NetworkID>.conf."
                  : "ipvlan and macvlan attach to a host device the cluster chooses."
          }
        >
          <div className="flex gap-2">
            <select
              className={inputClass}
              value={custom ? "other" : type}
              disabled={editing || busy}
              data-testid="input-networkType"
              onChange={(e) => d.update("networkType", e.target.value === "other" ? "" : e.target.value)}
            >
              {[...KNOWN_TYPES, "other"].map((t) => (
                <option key={t} value={t}>
                  {t === "other" ? "other CNI plugin…" : t}
                </option>
              ))}
            </select>
            {custom && !editing && (
              <input
                className={`${inputClass} font-mono`}
                placeholder="bridge"
                value={d.form.networkType}
                aria-label="CNI plugin name"
                data-testid="input-networkType-custom"
                onChange={(e) => d.update("networkType", e.target.value)}
              />
            )}
          </div>
        </Field>
        {type === "sriov" && !editing && (
          <NetworkTextField
            d={d}
            field="deviceName"
            testId="devicePool"
            label="SR-IOV device pool"
            placeholder="vendor.example/sriov_left"
            hint="The device plugin resource your VFs come from, e.g. vendor.example/sriov_left (ask your network administrator which pools tenants may use)."
          />
        )}
        {!editing && (
          <NetworkTextField
            d={d}
            field="networkId"
            label="NetworkID (optional)"
            placeholder="from the TenantConfig"
            hint="Leave empty: the TenantConfig maps each NetworkType to a NetworkID. Needed only if the cluster says it maps none for your type."
          />
        )}
      </FormSection>

      <NetworkAddressing d={d} disabled={busy} />

      {editing && (
        <section className={`${sectionClass} bg-slate-50`}>
          <h2 className="font-semibold">Assigned by the cluster (read-only)</h2>
          <AssignedDetails object={existing} />
        </section>
      )}

      {(d.at("form").length > 0 || d.clusterError !== undefined) && (
        <FormError>
          {d.clusterError !== undefined && (
            <p className="font-semibold">
              {code === "CONFLICT"
                ? "Someone changed this network while you edited it. Reload the page to start from the current version."
                : code === "FORBIDDEN" && d.clusterCauses.length === 0
                  ? `Kubernetes does not let you ${editing ? "change" : "create"} TenantNetworks in ${namespace}.`
                  : `The cluster refused the network${d.clusterCauses.some((m) => m.place !== "form") ? "; see the marked fields" : ""}.`}
            </p>
          )}
          {d.clusterError !== undefined && <p className="mt-1 break-words">{errorMessage(d.clusterError)}</p>}
          <FieldMessages messages={d.at("form")} testId="error-form" />
        </FormError>
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
          {d.problems > 0
            ? `${d.problems} problem${d.problems > 1 ? "s" : ""} to fix${d.showAll ? "" : " (shown as you fill the fields)"}`
            : `Looks valid; ${editing ? "Save" : "Create"} checks with the cluster first.`}
        </span>
      </div>
    </form>
  );
}
