import { ClusterNetworkDetail } from "@/components/admin/ClusterNetworkDetail";

export default async function ClusterNetworkPage({ params }: { params: Promise<{ name: string }> }) {
  const { name } = await params;
  return <ClusterNetworkDetail name={decodeURIComponent(name)} />;
}
