"use client";
// Keeps every open page current: on a change the person may see, refetch the queries on screen.
import { useQueryClient } from "@tanstack/react-query";
import { useSubscription } from "@trpc/tanstack-react-query";
import { useEffect, useRef, useState } from "react";
import { useTRPC } from "@/components/trpc";

/** Is this TanStack query key one of the tRPC router `area`'s queries? (keys look like [["nodes","overview"], {...}]) */
function isArea(queryKey: readonly unknown[], area: string): boolean {
  const path = queryKey[0];
  return Array.isArray(path) && path[0] === area;
}

/** Kinds whose changes concern one area of the API only. */
const AREA_OF: Record<string, string> = { NodeNetworkStatus: "nodes", Pod: "pods", Event: "pods" };

export function LiveUpdates() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const [changes, setChanges] = useState(0);
  // the tRPC areas the pending burst concerns; "all" once any change may show on any page
  const pending = useRef<Set<string> | "all">(new Set());
  const sub = useSubscription(
    trpc.live.changes.subscriptionOptions(undefined, {
      onData: (event) => {
        if (event.kind !== "change") return;
        setChanges((n) => n + 1);
        // A node agent's heartbeat concerns only the node views, a Pod or its sandbox failure only the
        // Pods views; anything else may show on any page.
        const area = AREA_OF[event.change.kind];
        if (!area) pending.current = "all";
        else if (pending.current !== "all") pending.current.add(area);
        clearTimeout(timer.current);
        // Several changes in a burst (a pod with three interfaces) give one refetch.
        timer.current = setTimeout(() => {
          const areas = pending.current;
          pending.current = new Set();
          void queryClient.invalidateQueries({
            predicate: (q) => (areas === "all" ? !isArea(q.queryKey, "auth") : [...areas].some((a) => isArea(q.queryKey, a))),
          });
        }, 80);
      },
    }),
  );
  useEffect(() => () => clearTimeout(timer.current), []);
  const label = sub.status === "error" ? "live updates stopped: reload the page" : sub.status === "connecting" ? "connecting…" : "live";
  return (
    <span
      data-testid="live-status"
      data-changes={changes}
      title={`${changes} changes received`}
      className={`inline-flex items-center gap-1 text-xs ${sub.status === "error" ? "text-red-700" : "text-slate-500"}`}
    >
      <span className={`h-2 w-2 rounded-full ${sub.status === "pending" ? "bg-emerald-500" : sub.status === "error" ? "bg-red-500" : "bg-amber-400"}`} />
      {label}
    </span>
  );
}
