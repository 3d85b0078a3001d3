// Any danm.k8s.io object, as the signed-in person: list, get, create, replace, delete (each with a
// server-side dry run). The API server enforces RBAC and the webhook's rules; its answer, causes
// included, goes back to the browser. Every change (not dry runs) is written to the audit trail.
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { kindInfo } from "../../domain/api/kinds";
import { recordAudit, type AuditEntry } from "../../db/audit";
import { danmPath } from "../../kube/access";
import { type KubeRest } from "../../kube/rest";
import { KubeError } from "../../kube/errors";
import type { ConsoleRuntime } from "../runtime";
import { authedProcedure, kubeToTrpc, router } from "../trpc";

export const DANM_KINDS = ["TenantNetwork", "ClusterNetwork", "DanmNet", "TenantConfig", "DanmEp"] as const;
export const Kind = z.enum(DANM_KINDS);
/** A Kubernetes object name or namespace (RFC 1123 subdomain); anything else never reaches a URL. */
export const ObjectName = z
  .string()
  .min(1)
  .max(253)
  .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, "must be a Kubernetes name: lower-case letters, digits, '-' and '.'");

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: { name?: string; namespace?: string; resourceVersion?: string; uid?: string; creationTimestamp?: string; [k: string]: unknown };
  [k: string]: unknown;
}

function namespaceFor(kind: string, namespace: string | undefined): string | undefined {
  const info = kindInfo(kind)!;
  if (info.scope === "Namespaced" && !namespace) throw new TRPCError({ code: "BAD_REQUEST", message: `${kind} is namespaced: give a namespace` });
  return info.scope === "Namespaced" ? namespace : undefined;
}

export async function listObjects<T = KubeObject>(kube: KubeRest, kind: string, namespace?: string): Promise<T[]> {
  return (await kube.call<{ items: T[] }>(danmPath(kind, namespace))).items;
}

/** Runs a change and records it in the audit trail with the API server's verdict. */
export async function audited<T>(
  runtime: ConsoleRuntime,
  entry: Omit<AuditEntry, "verdict" | "message">,
  dryRun: boolean,
  change: () => Promise<T>,
): Promise<T> {
  try {
    const result = await change();
    if (!dryRun) await recordAudit(runtime.db, { ...entry, verdict: "allowed" });
    return result;
  } catch (e) {
    if (!dryRun) {
      const denied = e instanceof KubeError && e.status !== undefined && e.status < 500;
      await recordAudit(runtime.db, { ...entry, verdict: denied ? "denied" : "error", message: (e as Error).message }).catch(() => undefined);
    }
    throw kubeToTrpc(e);
  }
}

const Target = z.object({ kind: Kind, namespace: ObjectName.optional(), name: ObjectName });
const Write = z.object({ kind: Kind, object: z.record(z.string(), z.unknown()), dryRun: z.boolean().default(false) });

function objectTarget(kind: string, object: Record<string, unknown>) {
  const metadata = (object.metadata ?? {}) as { name?: unknown; namespace?: unknown };
  const name = ObjectName.safeParse(metadata.name);
  if (!name.success) throw new TRPCError({ code: "BAD_REQUEST", message: `metadata.name ${name.error.issues[0].message}` });
  const ns = metadata.namespace === undefined ? undefined : ObjectName.safeParse(metadata.namespace);
  if (ns && !ns.success) throw new TRPCError({ code: "BAD_REQUEST", message: `metadata.namespace ${ns.error.issues[0].message}` });
  return { name: name.data, namespace: namespaceFor(kind, ns?.data) };
}

export const objectsRouter = router({
  list: authedProcedure
    .input(z.object({ kind: Kind, namespace: ObjectName.optional() }))
    .query(({ ctx, input }) => listObjects(ctx.kube, input.kind, input.namespace)),

  get: authedProcedure
    .input(Target)
    .query(({ ctx, input }) => ctx.kube.call<KubeObject>(danmPath(input.kind, namespaceFor(input.kind, input.namespace), input.name))),

  create: authedProcedure.input(Write).mutation(({ ctx, input }) => {
    const t = objectTarget(input.kind, input.object);
    const body = {
      ...input.object,
      apiVersion: "danm.k8s.io/v1",
      kind: input.kind,
      metadata: { ...(input.object.metadata as object), namespace: t.namespace },
    };
    return audited(ctx.runtime, { actor: ctx.identity.user, action: "create", kind: input.kind, ...t }, input.dryRun, () =>
      ctx.kube.call<KubeObject>(danmPath(input.kind, t.namespace), {
        method: "POST",
        body,
        query: { dryRun: input.dryRun ? "All" : undefined, fieldManager: "tenet-console" },
      }),
    );
  }),

  replace: authedProcedure.input(Write).mutation(({ ctx, input }) => {
    const t = objectTarget(input.kind, input.object);
    const body = { ...input.object, apiVersion: "danm.k8s.io/v1", kind: input.kind };
    return audited(ctx.runtime, { actor: ctx.identity.user, action: "update", kind: input.kind, ...t }, input.dryRun, () =>
      ctx.kube.call<KubeObject>(danmPath(input.kind, t.namespace, t.name), {
        method: "PUT",
        body,
        query: { dryRun: input.dryRun ? "All" : undefined, fieldManager: "tenet-console" },
      }),
    );
  }),

  delete: authedProcedure.input(Target.extend({ dryRun: z.boolean().default(false) })).mutation(async ({ ctx, input }) => {
    const namespace = namespaceFor(input.kind, input.namespace);
    await audited(ctx.runtime, { actor: ctx.identity.user, action: "delete", kind: input.kind, namespace, name: input.name }, input.dryRun, () =>
      ctx.kube.call(danmPath(input.kind, namespace, input.name), { method: "DELETE", query: { dryRun: input.dryRun ? "All" : undefined } }),
    );
    return { deleted: !input.dryRun };
  }),
});
