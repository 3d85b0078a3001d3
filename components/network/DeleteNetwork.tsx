"use client";
// Deleting a TenantNetwork, with the in-use protection explained: the webhook refuses to delete a
// network any Pod still holds (rule D-3) and names one of them. The dialog lists every Pod holding
// an address first and offers a dry run, so the tenant learns the verdict before anything happens.
import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { errorCode, errorMessage, errorRules } from "@/components/errors";
import { useTRPC } from "@/components/trpc";
import { useAddresses } from "./AddressTable";
import type { NetworkRef } from "@/server/domain/networkRef";
import { buttonClass, dangerButtonClass } from "@/components/styles";

type Verdict = { ok: true; dryRun: boolean } | { ok: false; message: string; code?: string; rules: string[] };

export function DeleteNetwork({ network, onClose }: { network: NetworkRef & { namespace: string }; onClose: () => void }) {
  const trpc = useTRPC();
  const router = useRouter();
  const addresses = useAddresses(network, undefined);
  const remove = useMutation(trpc.objects.delete.mutationOptions());
  const [verdict, setVerdict] = useState<Verdict | undefined>();
  const pods = [...new Set((addresses.data?.rows ?? []).map((r) => `${r.podNamespace}/${r.pod}`))];

  async function run(dryRun: boolean) {
    setVerdict(undefined);
    try {
      await remove.mutateAsync({ kind: network.kind, namespace: network.namespace, name: network.name, dryRun });
      if (dryRun) setVerdict({ ok: true, dryRun });
      else router.push(`/networks?ns=${encodeURIComponent(network.namespace)}&deleted=${encodeURIComponent(network.name)}`);
    } catch (e) {
      setVerdict({ ok: false, message: errorMessage(e), code: errorCode(e), rules: errorRules(e) });
      void addresses.refetch();
    }
  }

  const inUse = !!verdict && !verdict.ok && verdict.rules.includes("D-3");
  return (
    <div
      className="fixed inset-0 z-50 flex items-center justify-center bg-slate-900/40 p-4"
      role="dialog"
      aria-modal="true"
      aria-labelledby="delete-title"
      data-testid="delete-dialog"
    >
      <div className="w-full max-w-xl rounded-lg bg-white p-5 shadow-xl">
        <h2 id="delete-title" className="text-lg font-semibold">
          Delete {network.kind} {network.namespace}/{network.name}?
        </h2>
        <p className="mt-2 text-sm text-slate-600">
          The cluster refuses to delete a network while any Pod still has an interface on it (rule D-3): delete or move those Pods first. Its VLAN or VxLAN goes
          back to the TenantConfig for others to use.
        </p>

        <div className="mt-3 text-sm" data-testid="delete-holders">
          {addresses.isPending ? (
            <p className="text-slate-500">Looking for Pods that use it…</p>
          ) : addresses.isError ? (
            <p className="text-amber-800">Could not list the Pods that use it ({errorMessage(addresses.error)}); the dry run below still asks the cluster.</p>
          ) : pods.length === 0 ? (
            <p className="text-emerald-800">No Pod uses this network right now.</p>
          ) : (
            <div className="rounded border border-amber-200 bg-amber-50 p-3 text-amber-900">
              <p className="font-semibold">
                {pods.length} Pod{pods.length === 1 ? "" : "s"} still use{pods.length === 1 ? "s" : ""} it, so the cluster will refuse:
              </p>
              <ul className="mt-1 max-h-40 list-disc overflow-auto pl-5 font-mono text-xs">
                {pods.slice(0, 100).map((p) => (
                  <li key={p}>{p}</li>
                ))}
                {pods.length > 100 && <li>… and {pods.length - 100} more</li>}
              </ul>
            </div>
          )}
        </div>

        {verdict && (
          <div
            className={`mt-3 rounded border p-3 text-sm ${verdict.ok ? "border-emerald-200 bg-emerald-50 text-emerald-900" : "border-red-200 bg-red-50 text-red-800"}`}
            data-testid="delete-verdict"
            role={verdict.ok ? "status" : "alert"}
          >
            {verdict.ok ? (
              <p>Dry run: the cluster would delete it. Nothing was deleted yet.</p>
            ) : (
              <>
                <p className="font-semibold">
                  {inUse
                    ? "The cluster refuses: the network is still in use."
                    : verdict.code === "FORBIDDEN"
                      ? "Refused."
                      : verdict.code === "NOT_FOUND"
                        ? "It is gone already."
                        : "The cluster did not delete it."}
                </p>
                <p className="mt-1 break-words">{verdict.message}</p>
                {inUse && (
                  <p className="mt-1">Delete the Pods listed above (or remove this network from their danm.k8s.io/interfaces annotation), then try again.</p>
                )}
              </>
            )}
          </div>
        )}

        <div className="mt-4 flex justify-end gap-2">
          <button type="button" className={buttonClass} onClick={onClose} disabled={remove.isPending}>
            Cancel
          </button>
          <button type="button" className={buttonClass} onClick={() => void run(true)} disabled={remove.isPending} data-testid="delete-dry-run">
            Check (dry run)
          </button>
          <button type="button" className={dangerButtonClass} onClick={() => void run(false)} disabled={remove.isPending} data-testid="delete-confirm">
            {remove.isPending ? "Asking the cluster…" : "Delete"}
          </button>
        </div>
      </div>
    </div>
  );
}
