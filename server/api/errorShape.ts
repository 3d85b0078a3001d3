// What a failed tRPC call tells the browser: Kubernetes refusals keep their status, message and
// per-field causes, so a page can show a webhook's message next to the field it concerns, and the
// rule IDs of those causes, so a page decides by rule (D-3: the network is in use), never by wording.
// An unexpected failure (a bug, the database) is the operator's to read in the console's log, not
// the browser's: its message may name tables, files or hosts.
import type { TRPCDefaultErrorShape, TRPCError } from "@trpc/server";
import { ruleOfIssueMessage } from "../domain/issue";
import { KubeError, type StatusCause } from "../kube/errors";

export interface KubeErrorData {
  status?: number;
  reason?: string;
  causes: StatusCause[];
}

/** The rule IDs the causes name, in order, each once. */
export function rulesOf(causes: readonly StatusCause[]): string[] {
  return [...new Set(causes.map((c) => ruleOfIssueMessage(c.message)).filter((r): r is string => !!r))];
}

export function formatError({ shape, error }: { shape: TRPCDefaultErrorShape; error: TRPCError }) {
  const cause = error.cause;
  const kube: KubeErrorData | undefined = cause instanceof KubeError ? { status: cause.status, reason: cause.reason, causes: cause.causes } : undefined;
  const unexpected = shape.data.code === "INTERNAL_SERVER_ERROR" && !kube;
  const message = unexpected ? `the console failed unexpectedly at ${new Date().toISOString()}; its log has the details` : shape.message;
  return { ...shape, message, data: { ...shape.data, stack: undefined, kube, rules: rulesOf(kube?.causes ?? []) } };
}
