"use client";
// The tenant views' wording of the shared view states.
import { LoadError as SharedLoadError } from "@/components/ViewStates";

export { buttonClass, dangerButtonClass, Empty, inputClass, linkClass, Loading, primaryButtonClass } from "@/components/ViewStates";

/** FORBIDDEN means Kubernetes does not let this person see it; NOT_FOUND, it was deleted. */
export function LoadError({ error, what, namespace, onRetry }: { error: unknown; what: string; namespace?: string; onRetry?: () => void }) {
  return (
    <SharedLoadError
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
