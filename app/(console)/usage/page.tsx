import { UsageOverview } from "@/components/usage/UsageOverview";

export default function UsagePage() {
  return <UsageOverview />;
}
