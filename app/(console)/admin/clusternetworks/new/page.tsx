import Link from "next/link";
import { ClusterNetworkForm } from "@/components/admin/ClusterNetworkForm";

export default function NewClusterNetworkPage() {
  return (
    <div>
      <div className="text-sm">
        <Link className="text-sky-800 hover:underline" href="/admin/clusternetworks">
          ← Cluster networks
        </Link>
      </div>
      <h1 className="mb-4 mt-1 text-2xl font-semibold">New ClusterNetwork</h1>
      <ClusterNetworkForm />
    </div>
  );
}
