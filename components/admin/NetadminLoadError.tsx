"use client";
// The netadmin views' (and the audit log's) wording of a failed load.
import { LoadError } from "@/components/LoadStates";

/** FORBIDDEN means the person is no netadmin; anything else, probably the cluster. */
export function NetadminLoadError({ error, what, onRetry }: { error: unknown; what: string; onRetry?: () => void }) {
  return (
    <LoadError
      error={error}
      what={what}
      onRetry={onRetry}
      wording={{
        forbidden: {
          title: (w) => `Only network administrators may see ${w}.`,
          hint: "Kubernetes decides who is a network administrator (whoever may update TenantConfigs). Ask your cluster administrator for the tenet:netadmin role, then sign in again.",
        },
      }}
    />
  );
}
