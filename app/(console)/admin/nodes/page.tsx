import { NodesOverview } from "@/components/nodes/NodesOverview";

export default function NodesPage() {
  return <NodesOverview />;
}
