// Links to a network's page, for every view that names a network (lists, Pods, address maps, editors).

/** The namespace switcher's value for "every namespace" (netadmins and operators). */
export const ALL_NAMESPACES = "*";

/** The detail page of a network; ClusterNetworks use "_" for the namespace and keep the tenant's namespace as ?ns=. */
export function networkHref(row: { kind: string; namespace?: string; name: string }, contextNs?: string): string {
  const base = `/networks/${row.kind}/${encodeURIComponent(row.namespace ?? "_")}/${encodeURIComponent(row.name)}`;
  return row.kind === "ClusterNetwork" && contextNs && contextNs !== ALL_NAMESPACES ? `${base}?ns=${encodeURIComponent(contextNs)}` : base;
}
