import { NewTenantNetwork } from "@/components/network/TenantNetworkPages";

export default async function NewNetworkPage({ searchParams }: { searchParams: Promise<{ ns?: string }> }) {
  const { ns } = await searchParams;
  return <NewTenantNetwork ns={ns || undefined} />;
}
