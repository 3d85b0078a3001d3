"use client";
// The landing page after sign-in: where each of the person's roles starts.
import Link from "next/link";
import { useMe } from "./AppShell";

export function Home() {
  const me = useMe();
  if (!me.data) return null;
  const { roles } = me.data;
  const cards: { href: string; title: string; text: string }[] = [];
  for (const ns of roles.tenantNamespaces)
    cards.push({
      href: `/networks?ns=${encodeURIComponent(ns)}`,
      title: `Networks of ${ns}`,
      text: "Your TenantNetworks, the ClusterNetworks you may use, and who holds each address.",
    });
  if (roles.netadmin) {
    cards.push({ href: "/admin/clusternetworks", title: "Cluster networks", text: "Define ClusterNetworks and which tenants may use them." });
    cards.push({ href: "/admin/tenantconfig", title: "TenantConfig", text: "Host devices, SR-IOV pools and VLAN/VxLAN ranges tenants draw from." });
  }
  if (roles.operator || roles.netadmin)
    cards.push({ href: "/usage", title: "IP usage", text: "Utilisation per network and tenant, address maps, history and forecasts." });
  return (
    <div>
      <h1 className="text-2xl font-semibold">Welcome, {me.data.user}</h1>
      {cards.length === 0 ? (
        <p className="mt-4 max-w-2xl text-slate-600">
          Kubernetes gives you no tenet role yet: you may not create TenantNetworks in any namespace, edit the TenantConfig or read IP usage. Ask your cluster
          administrator for a RoleBinding to <code>tenet:tenant</code> in your namespace.
        </p>
      ) : (
        <div className="mt-6 grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
          {cards.map((c) => (
            <Link key={c.href} href={c.href} className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm hover:border-slate-400">
              <div className="font-semibold">{c.title}</div>
              <div className="mt-1 text-sm text-slate-600">{c.text}</div>
            </Link>
          ))}
        </div>
      )}
    </div>
  );
}
