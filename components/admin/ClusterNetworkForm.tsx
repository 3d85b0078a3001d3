"use client";
// Create or edit a ClusterNetwork. The webhook's own rules run as the netadmin types (server/domain/forms);
// once they pass, the object is sent to the API server as a dry run (the webhook judges it, nothing is
// stored) and the causes of a refusal are shown next to the fields they name; Save then does the real
// create or replace, over the newest stored version so that what IPAM wrote is kept.
import { useQuery } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { errorCode } from "@/components/errors";
import { Field, FormSection, RadioGroup, TextInput } from "@/components/forms/Fields";
import { DryRunStatus, Refusal } from "@/components/forms/Messages";
import { NetworkAddressing, NetworkTextField } from "@/components/forms/NetworkAddressing";
import { useNetworkDraft } from "@/components/forms/useNetworkDraft";
import { formBarClass, primaryButtonClass, warningBoxClass } from "@/components/styles";
import { useTRPC } from "@/components/trpc";
import type { NetworkObject } from "@/server/domain/api/network";
import { NetadminLoadError } from "./NetadminLoadError";
import { TenantPicker } from "./TenantPicker";

const NETWORK_TYPES = ["ipvlan", "macvlan", "sriov", "bridge", "flannel", "calico"];

export function ClusterNetworkForm({ original }: { original?: NetworkObject }) {
  const trpc = useTRPC();
  const router = useRouter();
  const d = useNetworkDraft({ kind: "ClusterNetwork", stored: original, checkAsYouType: true });
  const namespaces = useQuery(trpc.admin.namespaces.queryOptions());
  const editing = !!original;
  const { form, update } = d;

  function submit() {
    if (!d.ready() || d.changedElsewhere) return;
    d.save.mutate(
      { kind: "ClusterNetwork", object: d.object as unknown as Record<string, unknown> },
      {
        onSuccess: (result) => {
          const stored = result as unknown as NetworkObject;
          if (editing) d.rebase(stored);
          else router.push(`/admin/clusternetworks/${encodeURIComponent(stored.metadata.name ?? form.name)}`);
        },
      },
    );
  }

  // not a netadmin: say so instead of offering a form every check and save of which is refused
  if (namespaces.isError && errorCode(namespaces.error) === "FORBIDDEN") return <NetadminLoadError error={namespaces.error} what="the ClusterNetwork form" />;
  const vniMessages = d.at("vni");
  return (
    <form className="space-y-6" data-testid="clusternetwork-form" noValidate onSubmit={(e) => (e.preventDefault(), submit())}>
      {d.changedElsewhere && (
        <div className={warningBoxClass} role="alert" data-testid="changed-elsewhere">
          Someone else changed this ClusterNetwork while you were editing.{" "}
          <button type="button" className="underline" onClick={d.loadLatest}>
            Discard my edits and load theirs
          </button>
          , then redo your change.
        </div>
      )}
      <FormSection title="Identity">
        <NetworkTextField
          d={d}
          field="name"
          label="Name"
          disabled={editing}
          hint={editing ? "The name cannot change." : "Lower-case letters, digits and '-'."}
        />
        <Field
          label="NetworkType"
          testId="networkType"
          messages={d.at("networkType")}
          hint="ipvlan, macvlan and sriov are handled by tenet; any other name is a CNI plugin configured by NetworkID.conf."
        >
          <TextInput
            value={form.networkType}
            testId="networkType"
            invalid={d.at("networkType").length > 0}
            list="network-types"
            onChange={(v) => update("networkType", v)}
          />
          <datalist id="network-types">
            {NETWORK_TYPES.map((t) => (
              <option key={t} value={t} />
            ))}
          </datalist>
        </Field>
        <NetworkTextField
          d={d}
          field="networkId"
          label="NetworkID"
          hint="Names host interfaces (<NetworkID>.<vlan>, vx_<NetworkID>): at most 10 characters with a VLAN or VxLAN."
        />
      </FormSection>

      <FormSection title="Attachment">
        <Field label="Device" testId="deviceName" group messages={d.at("deviceName")}>
          <RadioGroup
            name="device"
            value={form.device}
            options={[
              ["host_device", "host NIC (host_device)"],
              ["device_pool", "SR-IOV pool (device_pool)"],
              ["none", "none"],
            ]}
            onChange={(v) => update("device", v)}
          />
          {form.device !== "none" && (
            <TextInput
              className="mt-1"
              value={form.deviceName}
              testId="deviceName"
              invalid={d.at("deviceName").length > 0}
              placeholder={form.device === "device_pool" ? "vendor.example/sriov_a" : "ens4"}
              onChange={(v) => update("deviceName", v)}
            />
          )}
        </Field>
        <Field label="VLAN / VxLAN" testId="vni" group messages={vniMessages} hint="A ClusterNetwork's VNI is chosen by you; VLAN 1–4094, VxLAN 1–16777214.">
          <RadioGroup
            name="vniType"
            value={form.vniType}
            options={[
              ["none", "none"],
              ["vlan", "VLAN"],
              ["vxlan", "VxLAN"],
            ]}
            onChange={(v) => update("vniType", v)}
          />
          {form.vniType !== "none" && (
            <TextInput className="mt-1 w-40" value={form.vni} testId="vni" invalid={vniMessages.length > 0} onChange={(v) => update("vni", v)} />
          )}
        </Field>
      </FormSection>

      <NetworkAddressing d={d} />

      <FormSection title="Tenants">
        <Field
          label="AllowedTenants"
          testId="allowedTenants"
          group
          messages={d.at("allowedTenants")}
          hint="Namespaces whose Pods may attach. None ticked: every namespace may."
        >
          <TenantPicker
            selected={form.allowedTenants}
            namespaces={namespaces.data}
            loading={namespaces.isPending}
            error={namespaces.error}
            onChange={(v) => update("allowedTenants", v)}
          />
        </Field>
      </FormSection>

      <Refusal error={d.clusterError} allPlaced={d.clusterCauses.length > 0 && d.clusterCauses.every((m) => m.place !== "form")} unplaced={d.at("form")}>
        {errorCode(d.save.error) === "CONFLICT" && (
          <p className="mt-1">
            Someone changed this ClusterNetwork since you opened it.{" "}
            <button type="button" className="underline" onClick={() => window.location.reload()}>
              Reload
            </button>{" "}
            to see their change, then redo yours.
          </p>
        )}
      </Refusal>
      <div className={formBarClass}>
        <button type="submit" className={primaryButtonClass} data-testid="save" disabled={d.save.isPending || d.changedElsewhere}>
          {d.save.isPending ? "Saving…" : editing ? "Save changes" : "Create ClusterNetwork"}
        </button>
        <DryRunStatus
          check={d.check}
          noun="network"
          blocked={
            d.problems > 0
              ? `${d.problems} problem${d.problems > 1 ? "s" : ""} to fix${d.showAll ? "" : " (shown as you fill the fields)"}; the cluster checks the network once they are fixed.`
              : undefined
          }
          idle={editing && !d.dirty ? "No changes." : undefined}
        />
        {d.save.isSuccess && !d.dirty && (
          <span className="text-sm text-green-700" data-testid="saved">
            Saved.
          </span>
        )}
      </div>
    </form>
  );
}
