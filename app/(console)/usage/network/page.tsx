import { Suspense } from "react";
import { NetworkUsage } from "@/components/usage/NetworkUsage";
import { Loading } from "@/components/usage/UsageStates";

export default function NetworkUsagePage() {
  return (
    <Suspense fallback={<Loading what="the network" />}>
      <NetworkUsage />
    </Suspense>
  );
}
