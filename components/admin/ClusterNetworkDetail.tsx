"use client";
// One ClusterNetwork: its edit form and the object as stored.
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { errorCode } from "@/components/errors";
import { useTRPC } from "@/components/trpc";
import type { NetworkObject } from "@/server/domain/api/network";
import { YamlView } from "@/components/YamlView";
import { ClusterNetworkForm } from "./ClusterNetworkForm";
import { NetadminLoadError } from "./NetadminLoadError";
import { Empty, Loading } from "@/components/LoadStates";

export function ClusterNetworkDetail({ name }: { name: string }) {
  const trpc = useTRPC();
  // live: the form saves over the newest version and says so when someone changed what it shows
  const network = useQuery(trpc.objects.get.queryOptions({ kind: "ClusterNetwork", name }));
  return (
    <div>
      <div className="text-sm">
        <Link className="text-sky-800 hover:underline" href="/admin/clusternetworks">
          ← Cluster networks
        </Link>
      </div>
      <h1 className="mt-1 text-2xl font-semibold" data-testid="clusternetwork-title">
        ClusterNetwork {name}
      </h1>
      <div className="mt-4">
        {network.isPending ? (
          <Loading what={`ClusterNetwork ${name}`} />
        ) : network.isError ? (
          errorCode(network.error) === "NOT_FOUND" ? (
            <Empty testId="not-found">
              There is no ClusterNetwork {name} (any more).{" "}
              <Link className="underline" href="/admin/clusternetworks">
                Back to the list
              </Link>
              , or{" "}
              <Link className="underline" href="/admin/clusternetworks/new">
                create one
              </Link>
              .
            </Empty>
          ) : (
            <NetadminLoadError error={network.error} what={`ClusterNetwork ${name}`} onRetry={() => network.refetch()} />
          )
        ) : (
          <>
            <ClusterNetworkForm key={String(network.data.metadata.uid)} original={network.data as unknown as NetworkObject} />
            <details className="mt-6 rounded-lg border border-slate-200 bg-white p-4" data-testid="clusternetwork-stored">
              <summary className="cursor-pointer text-sm font-semibold text-slate-700">Stored object (as kubectl get -o yaml shows it)</summary>
              <div className="mt-2">
                <YamlView object={network.data} />
              </div>
            </details>
          </>
        )}
      </div>
    </div>
  );
}
