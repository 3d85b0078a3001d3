"use client";
// The namespaces a ClusterNetwork admits (AllowedTenants), as tick boxes.
import { errorMessage } from "@/components/errors";

/** Every namespace, and any listed in the object that no longer exists (so it can be removed). */
export function TenantPicker({
  selected,
  namespaces,
  loading,
  error,
  onChange,
}: {
  selected: string[];
  namespaces?: string[];
  loading: boolean;
  error: unknown;
  onChange: (v: string[]) => void;
}) {
  if (loading) return <div className="text-sm text-slate-500">Loading namespaces…</div>;
  // a tenant listed in the object but gone from the cluster stays visible, so it can be removed
  const all = [...new Set([...(namespaces ?? []), ...selected])].sort();
  const toggle = (ns: string) => onChange(selected.includes(ns) ? selected.filter((s) => s !== ns) : [...selected, ns]);
  return (
    <div>
      {error ? <div className="text-xs text-red-700">Could not list namespaces ({errorMessage(error)}); the ones already allowed are shown.</div> : null}
      {all.length === 0 ? (
        <div className="text-sm text-slate-500">No tenant namespaces exist yet; the network is open to every namespace.</div>
      ) : (
        <div className="flex flex-wrap gap-2">
          {all.map((ns) => (
            <label
              key={ns}
              className={`flex items-center gap-1 rounded border px-2 py-0.5 text-sm ${selected.includes(ns) ? "border-slate-900 bg-slate-100" : "border-slate-300"}`}
            >
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
