import { ClusterNetworkList } from "@/components/admin/ClusterNetworkList";

export default function ClusterNetworksPage() {
  return <ClusterNetworkList />;
}
