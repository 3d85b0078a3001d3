import { TenantNetworksOverview } from "@/components/admin/TenantNetworksOverview";

export default function TenantsPage() {
  return <TenantNetworksOverview />;
}
