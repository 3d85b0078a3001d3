import { NodeDetails } from "@/components/nodes/NodeDetails";

export default async function NodePage({ params }: { params: Promise<{ name: string }> }) {
  const { name } = await params;
  return <NodeDetails name={decodeURIComponent(name)} />;
}
