import { notFound } from "next/navigation";
import { EditTenantNetwork } from "@/components/network/TenantNetworkPages";

export default async function EditNetworkPage({ params }: { params: Promise<{ kind: string; namespace: string; name: string }> }) {
  const { kind, namespace, name } = await params;
  // tenants edit TenantNetworks only; ClusterNetworks are edited under /admin/clusternetworks
  if (kind !== "TenantNetwork") notFound();
  return <EditTenantNetwork namespace={decodeURIComponent(namespace)} name={decodeURIComponent(name)} />;
}
