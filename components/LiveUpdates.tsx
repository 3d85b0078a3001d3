"use client";
// Keeps every open page current: on a change the person may see, refetch the queries on screen.
import { useQueryClient } from "@tanstack/react-query";
import { useSubscription } from "@trpc/tanstack-react-query";
import { useEffect, useRef, useState } from "react";
import { useTRPC } from "@/components/trpc";

export function LiveUpdates() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const [changes, setChanges] = useState(0);
  const sub = useSubscription(
    trpc.live.changes.subscriptionOptions(undefined, {
      onData: (event) => {
        if (event.kind !== "change") return;
        setChanges((n) => n + 1);
        clearTimeout(timer.current);
        // Several changes in a burst (a pod with three interfaces) give one refetch.
        timer.current = setTimeout(() => void queryClient.invalidateQueries({ predicate: (q) => !JSON.stringify(q.queryKey).includes('"auth"') }), 80);
      },
    }),
  );
  useEffect(() => () => clearTimeout(timer.current), []);
  const label = sub.status === "error" ? "live updates stopped: reload the page" : sub.status === "connecting" ? "connecting…" : "live";
  return (
    <span data-testid="live-status" data-changes={changes} title={`${changes} changes received`} className={`inline-flex items-center gap-1 text-xs ${sub.status === "error" ? "text-red-700" : "text-slate-500"}`}>
      <span className={`h-2 w-2 rounded-full ${sub.status === "pending" ? "bg-emerald-500" : sub.status === "error" ? "bg-red-500" : "bg-amber-400"}`} />
      {label}
    </span>
  );
}
