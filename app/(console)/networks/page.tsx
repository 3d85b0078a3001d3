import { NetworkList } from "@/components/network/NetworkList";

export default async function NetworksPage({ searchParams }: { searchParams: Promise<{ ns?: string; deleted?: string }> }) {
  const { ns, deleted } = await searchParams;
  return <NetworkList ns={ns || undefined} deleted={deleted || undefined} />;
}
