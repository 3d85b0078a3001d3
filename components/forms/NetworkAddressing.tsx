"use client";
// The addressing part of every network editor: IPv4 and IPv6 subnets, pools and routes, and the
// Pod interface options, with each field's messages.
import type { NetworkFormField } from "@/server/domain/forms/networkForm";
import { DEFAULT_V6_POOL_ADDRESSES, DEFAULT_V6_POOL_PREFIX } from "@/server/domain/ipam/pool";
import { Field, FormSection, RouteEditor, TextInput } from "./Fields";
import type { useNetworkDraft } from "./useNetworkDraft";

type TextField = Exclude<NetworkFormField, "routes" | "routes6" | "allowedTenants" | "device" | "vniType">;

/** A text field of the network form: its input, hint and messages. */
export function NetworkTextField({
  d,
  field,
  label,
  hint,
  placeholder,
  disabled,
  testId = field,
}: {
  d: ReturnType<typeof useNetworkDraft>;
  field: TextField;
  label: string;
  hint?: string;
  placeholder?: string;
  disabled?: boolean;
  testId?: string;
}) {
  const messages = d.at(field);
  return (
    <Field label={label} hint={hint} messages={messages} testId={testId}>
      <TextInput
        value={d.form[field]}
        placeholder={placeholder}
        disabled={disabled}
        invalid={messages.length > 0}
        testId={testId}
        onChange={(v) => d.update(field, v)}
        onBlur={() => d.touch(field)}
      />
    </Field>
  );
}

export function NetworkAddressing({ d, disabled }: { d: ReturnType<typeof useNetworkDraft>; disabled?: boolean }) {
  const text = (field: TextField, label: string, placeholder: string, hint?: string) => (
    <NetworkTextField d={d} field={field} label={label} placeholder={placeholder} hint={hint} disabled={disabled} />
  );
  return (
    <>
      <FormSection title="IPv4" columns={3}>
        {text("cidr", "cidr", "10.60.0.0/24", "Empty: no IPv4 (an L2 network).")}
        {text("poolStart", "Pool start", "default", "Default: the first address after the network's.")}
        {text("poolEnd", "Pool end", "default", "Default: the last address before broadcast.")}
        <div className="sm:col-span-3">
          <RouteEditor
            label="routes"
            family={4}
            rows={d.form.routes}
            messages={d.at("routes")}
            testId="routes"
            disabled={disabled}
            onChange={(rows) => d.update("routes", rows)}
            disabledHint={d.form.cidr.trim() ? undefined : "Set cidr first: routes need an IPv4 subnet"}
          />
        </div>
      </FormSection>
      <FormSection title="IPv6">
        {text("net6", "net6", "fd00:61::/64", "Empty: no IPv6.")}
        {text(
          "pool6Cidr",
          "Pool cidr",
          "default",
          `The part of net6 addresses are handed out from. Default: its first /${DEFAULT_V6_POOL_PREFIX} (${DEFAULT_V6_POOL_ADDRESSES} addresses); up to a /106 (/105 without IPv4) may be set.`,
        )}
        {text("pool6Start", "Pool start", "default")}
        {text("pool6End", "Pool end", "default")}
        <div className="sm:col-span-2">
          <RouteEditor
            label="routes6"
            family={6}
            rows={d.form.routes6}
            messages={d.at("routes6")}
            testId="routes6"
            disabled={disabled}
            onChange={(rows) => d.update("routes6", rows)}
            disabledHint={d.form.net6.trim() ? undefined : "Set net6 first: routes6 need an IPv6 subnet"}
          />
        </div>
      </FormSection>
      <FormSection title="Pod interface">
        {text("containerPrefix", "container_prefix", "sig", "Interface name prefix inside the Pod (the first interface is always eth0).")}
        {text("rtTables", "rt_tables", "0", "Routing table for the Pod's policy routes (proutes), 0–255; empty or 0 ignores them.")}
      </FormSection>
    </>
  );
}
