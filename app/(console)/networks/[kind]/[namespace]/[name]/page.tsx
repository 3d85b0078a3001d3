import { notFound } from "next/navigation";
import { NetworkDetail } from "@/components/network/NetworkDetail";

const KINDS = ["TenantNetwork", "ClusterNetwork", "DanmNet"] as const;

export default async function NetworkPage({
  params,
  searchParams,
}: {
  params: Promise<{ kind: string; namespace: string; name: string }>;
  searchParams: Promise<{ ns?: string; created?: string; saved?: string }>;
}) {
  const { kind, namespace, name } = await params;
  const query = await searchParams;
  const k = KINDS.find((x) => x === kind);
  if (!k) notFound();
  // ClusterNetworks are cluster-scoped: their namespace segment is "_"
  const ns = decodeURIComponent(namespace);
  return (
    <NetworkDetail
      kind={k}
      namespace={k === "ClusterNetwork" || ns === "_" ? undefined : ns}
      name={decodeURIComponent(name)}
      contextNs={query.ns || undefined}
      notice={query.created ? "created" : query.saved ? "saved" : undefined}
    />
  );
}
