"use client";
// The frame of every signed-in page: navigation for the roles RBAC gives, who is signed in, live status.
import Link from "next/link";
import { usePathname, useRouter } from "next/navigation";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, type ReactNode } from "react";
import { useTRPC } from "@/components/trpc";
import { errorMessage } from "@/components/errors";
import { LiveUpdates } from "./LiveUpdates";

export function useMe() {
  const trpc = useTRPC();
  return useQuery(trpc.auth.me.queryOptions(undefined, { staleTime: 10_000 }));
}

export function AppShell({ children }: { children: ReactNode }) {
  const me = useMe();
  const router = useRouter();
  const pathname = usePathname();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const signOut = useMutation(
    trpc.auth.signOut.mutationOptions({
      onSuccess: () => {
        queryClient.clear();
        router.replace("/signin");
      },
    }),
  );

  useEffect(() => {
    if (me.data === null) router.replace(`/signin?next=${encodeURIComponent(pathname)}`);
  }, [me.data, pathname, router]);

  // The page's own queries start at once, hidden, instead of waiting for "who am I" (no waterfall);
  // TanStack Query keeps their results when the page is shown in the frame below.
  if (me.isPending)
    return (
      <>
        <div className="p-8 text-slate-500">Loading…</div>
        <div hidden>{children}</div>
      </>
    );
  if (me.isError)
    return (
      <div className="m-8 rounded border border-red-200 bg-red-50 p-4 text-red-800">
        <p className="font-semibold">The console cannot reach the API server.</p>
        <p className="mt-1 text-sm">{errorMessage(me.error)}</p>
        <p className="mt-2 text-sm">
          Is the cluster running? <code>npx tenet cluster status</code>, then reload.
        </p>
      </div>
    );
  if (!me.data) return null;
  const { roles } = me.data;
  const links: { href: string; label: string; show: boolean }[] = [
    { href: "/networks", label: "Networks", show: roles.tenantNamespaces.length > 0 || roles.netadmin },
    { href: "/admin/clusternetworks", label: "Cluster networks", show: roles.netadmin },
    { href: "/admin/tenantconfig", label: "TenantConfig", show: roles.netadmin },
    { href: "/admin/tenants", label: "Tenants", show: roles.netadmin },
    { href: "/admin/nodes", label: "Nodes", show: roles.netadmin },
    { href: "/usage", label: "IP usage", show: roles.operator || roles.netadmin },
    { href: "/audit", label: "Audit", show: roles.netadmin },
  ];
  const roleNames = [
    roles.netadmin && "netadmin",
    roles.operator && "operator",
    roles.tenantNamespaces.length > 0 && `tenant of ${roles.tenantNamespaces.join(", ")}`,
  ].filter(Boolean);
  return (
    <div className="min-h-screen">
      <header className="border-b border-slate-200 bg-white">
        <div className="mx-auto flex max-w-7xl items-center gap-6 px-4 py-2">
          <Link href="/" className="text-lg font-bold text-slate-900">
            tenet
          </Link>
          <nav className="flex gap-1 text-sm">
            {links
              .filter((l) => l.show)
              .map((l) => (
                <Link
                  key={l.href}
                  href={l.href}
                  className={`rounded px-2 py-1 ${pathname.startsWith(l.href) ? "bg-slate-900 text-white" : "text-slate-700 hover:bg-slate-100"}`}
                >
                  {l.label}
                </Link>
              ))}
          </nav>
          <div className="ml-auto flex items-center gap-3 text-sm">
            <LiveUpdates />
            <span data-testid="whoami" title={me.data.groups.join(", ")}>
              <b>{me.data.user}</b> <span className="text-slate-500">({roleNames.join("; ") || "no tenet role"})</span>
            </span>
            <button className="rounded border border-slate-300 px-2 py-0.5 hover:bg-slate-100" onClick={() => signOut.mutate()}>
              Sign out
            </button>
          </div>
        </div>
      </header>
      <main className="mx-auto max-w-7xl px-4 py-6">{children}</main>
    </div>
  );
}
