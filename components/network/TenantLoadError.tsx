"use client";
// The tenant views' wording of a failed load.
import { LoadError } from "@/components/LoadStates";

/** FORBIDDEN means Kubernetes does not let this person see it; NOT_FOUND, it was deleted. */
export function TenantLoadError({ error, what, namespace, onRetry }: { error: unknown; what: string; namespace?: string; onRetry?: () => void }) {
  return (
    <LoadError
      error={error}
      what={what}
      onRetry={onRetry}
      wording={{
        forbidden: {
          title: (w) => `You may not see ${w}.`,
          hint: `Kubernetes decides who is a tenant of a namespace. Pick one of your namespaces above, or ask your cluster administrator for a RoleBinding to tenet:tenant${namespace ? ` in ${namespace}` : ""}, then sign in again.`,
        },
        missing: "Someone may have deleted it. Go back to the list of networks.",
      }}
    />
  );
}
