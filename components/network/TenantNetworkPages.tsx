"use client";
// The create and edit pages of a TenantNetwork: which namespace, which stored object, then the editor.
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useTRPC } from "@/components/trpc";
import type { NetworkObject } from "@/server/domain/api/network";
import { TenantNetworkEditor } from "./TenantNetworkEditor";
import { TenantLoadError } from "./TenantLoadError";
import { Empty, Loading } from "@/components/LoadStates";
import { linkClass } from "@/components/styles";

export function NewTenantNetwork({ ns }: { ns?: string }) {
  const trpc = useTRPC();
  const namespaces = useQuery(trpc.networks.namespaces.queryOptions(undefined, { staleTime: 10_000 }));
  if (namespaces.isPending) return <Loading what="your namespaces" />;
  if (namespaces.isError) return <TenantLoadError error={namespaces.error} what="your namespaces" onRetry={() => namespaces.refetch()} />;
  const namespace = ns ?? namespaces.data.writable[0];
  if (!namespace || !namespaces.data.writable.includes(namespace)) {
    return (
      <Empty testId="cannot-create">
        <p className="font-semibold">
          {namespace ? `You may not create TenantNetworks in ${namespace}.` : "You may not create TenantNetworks in any namespace."}
        </p>
        <p className="mt-1 text-sm">
          {namespaces.data.writable.length > 0 ? (
            <>
              Create one in{" "}
              {namespaces.data.writable.map((w, i) => (
                <span key={w}>
                  {i > 0 && ", "}
                  <Link className={linkClass} href={`/networks/new?ns=${encodeURIComponent(w)}`}>
                    {w}
                  </Link>
                </span>
              ))}{" "}
              instead.
            </>
          ) : (
            "Ask your cluster administrator for a RoleBinding to tenet:tenant in your team's namespace, then sign in again."
          )}
        </p>
      </Empty>
    );
  }
  return <TenantNetworkEditor key={namespace} namespace={namespace} />;
}

export function EditTenantNetwork({ namespace, name }: { namespace: string; name: string }) {
  const trpc = useTRPC();
  // live updates refresh the stored object under the form: Save then sends the current
  // resourceVersion and bitmaps, never an allocation state that IPAM has moved past
  const network = useQuery(trpc.networks.get.queryOptions({ kind: "TenantNetwork", namespace, name }));
  if (network.isPending) return <Loading what={`TenantNetwork ${namespace}/${name}`} />;
  if (network.isError)
    return <TenantLoadError error={network.error} what={`TenantNetwork ${namespace}/${name}`} namespace={namespace} onRetry={() => network.refetch()} />;
  return <TenantNetworkEditor key={String(network.data.object.metadata.uid)} namespace={namespace} existing={network.data.object as NetworkObject} />;
}
