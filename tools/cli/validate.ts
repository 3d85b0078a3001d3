// `tenet validate`: the webhook's rules, offline, over manifests in file order.
import fs from "node:fs";
import { parseArgs } from "node:util";
import YAML from "yaml";
import { applyPatch, type PatchOperation } from "../../server/domain/admission/patch";
import { denialMessage } from "../../server/domain/admission/outcome";
import { checkPodAnnotations, checkServiceAnnotations } from "../../server/domain/rules/workloadAnnotations";
import type { DanmEp } from "../../server/domain/api/danmEp";
import { isNetworkKind } from "../../server/domain/api/network";
import type { TenantConfig } from "../../server/domain/api/tenantConfig";
import type { Issue } from "../../server/domain/issue";
import { StaticClusterState } from "../../server/webhook/clusterState";
import { AdmissionHandler } from "../../server/webhook/handler";
import type { AdmissionRequest, AdmissionResponse } from "../../server/webhook/review";

interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string; annotations?: Record<string, string> };
  [k: string]: unknown;
}

export class InputError extends Error {}

/** Multi-document YAML or JSON (a List's items are expanded); errors name the file and line. */
export function readManifests(file: string): KubeObject[] {
  let text: string;
  try {
    text = fs.readFileSync(file === "-" ? 0 : file, "utf8");
  } catch (e) {
    throw new InputError(`${file}: cannot read: ${(e as Error).message}`);
  }
  const objects: KubeObject[] = [];
  for (const doc of YAML.parseAllDocuments(text, { prettyErrors: false })) {
    const error = doc.errors[0];
    if (error) throw new InputError(`${file}:${error.linePos?.[0].line ?? lineOf(text, error.pos[0])}: ${error.message.split("\n")[0]}`);
    const value = doc.toJS();
    if (value === null || value === undefined) continue;
    const line = doc.contents ? lineOf(text, doc.contents.range[0]) : 1;
    if (typeof value !== "object" || Array.isArray(value)) throw new InputError(`${file}:${line}: expected a Kubernetes object`);
    const items =
      (value as KubeObject).kind === "List" || (value as KubeObject).kind?.endsWith("List")
        ? ((value as { items?: KubeObject[] }).items ?? [])
        : [value as KubeObject];
    for (const item of items) {
      if (typeof item?.kind !== "string" || !item.kind) throw new InputError(`${file}:${line}: object has no kind`);
      objects.push(item);
    }
  }
  return objects;
}

function lineOf(text: string, offset: number) {
  return text.slice(0, offset).split("\n").length;
}

const NAMESPACED = new Set(["DanmNet", "TenantNetwork", "DanmEp", "Pod", "Service"]);
const key = (o: KubeObject) => `${o.kind}/${o.metadata?.namespace ?? ""}/${o.metadata?.name ?? ""}`;

export interface Verdict {
  object: KubeObject;
  allowed: boolean | "skipped";
  message: string;
  warnings: string[];
}

/** Admits each object as the webhook would, carrying TenantConfig state from one object to the next. */
export async function validateObjects(objects: KubeObject[], context: KubeObject[], namespace = "default"): Promise<Verdict[]> {
  const withNs = (o: KubeObject) => (NAMESPACED.has(o.kind!) && !o.metadata?.namespace ? { ...o, metadata: { ...o.metadata, namespace } } : o);
  const ctx = context.map(withNs);
  const state = new StaticClusterState(
    ctx.filter((o) => o.kind === "TenantConfig") as unknown as TenantConfig[],
    ctx.filter((o) => o.kind === "DanmEp") as unknown as DanmEp[],
  );
  // deterministic profile choice offline: the first candidate
  const handler = new AdmissionHandler({ state, chooseProfile: () => 0 });
  const existing = new Map<string, KubeObject>(ctx.filter((o) => isNetworkKind(o.kind) || o.kind === "TenantConfig").map((o) => [key(o), o]));
  const verdicts: Verdict[] = [];
  let uid = 0;
  for (const raw of objects.map(withNs)) {
    const kind = raw.kind!;
    if (kind === "Pod" || kind === "Service") {
      const issues: Issue[] = kind === "Pod" ? checkPodAnnotations(raw) : checkServiceAnnotations(raw);
      verdicts.push({ object: raw, allowed: issues.length === 0, message: issues.length ? denialMessage(kind, raw.metadata, issues) : "", warnings: [] });
      continue;
    }
    if (kind === "DanmEp") {
      state.addEndpoint(raw as unknown as DanmEp);
      verdicts.push({ object: raw, allowed: "skipped", message: "recorded as an existing endpoint (DanmEps are written by the CNI plugin)", warnings: [] });
      continue;
    }
    if (!isNetworkKind(kind) && kind !== "TenantConfig") {
      verdicts.push({ object: raw, allowed: "skipped", message: "not checked by tenet", warnings: [] });
      continue;
    }
    const old = existing.get(key(raw));
    const request = (phase: string, object: KubeObject): AdmissionRequest => ({
      uid: `${phase}-${++uid}`,
      kind: { group: "danm.k8s.io", version: "v1", kind },
      name: object.metadata?.name,
      namespace: object.metadata?.namespace,
      operation: old ? "UPDATE" : "CREATE",
      object,
      oldObject: old,
    });
    const mutated: AdmissionResponse = await handler.handle("mutate", request("mutate", raw));
    let final = raw;
    let response = mutated;
    if (mutated.allowed) {
      if (mutated.patch) final = applyPatch(raw, JSON.parse(Buffer.from(mutated.patch, "base64").toString()) as PatchOperation[]);
      response = await handler.handle("validate", request("validate", final));
    }
    const warnings = [...(mutated.warnings ?? []), ...(response === mutated ? [] : (response.warnings ?? []))];
    if (!response.allowed) {
      verdicts.push({ object: raw, allowed: false, message: response.status?.message ?? "denied", warnings });
      continue;
    }
    if (kind === "TenantConfig") state.putTenantConfig(final as unknown as TenantConfig);
    existing.set(key(final), final);
    verdicts.push({ object: final, allowed: true, message: "", warnings });
  }
  // a TenantConfig printed with -o carries the reservations that later objects in the file made
  const latest = state.tenantConfig() as unknown as KubeObject | undefined;
  return verdicts.map((v) => (v.allowed === true && latest && key(v.object) === key(latest) ? { ...v, object: latest } : v));
}

function verdictLine(v: Verdict): string {
  const ref = `${v.object.kind}/${v.object.metadata?.name ?? "(unnamed)"}`;
  if (v.allowed === "skipped") return `SKIPPED ${ref}: ${v.message}`;
  if (v.allowed) return `ALLOWED ${ref}`;
  // the rule ID first, then the message that names object and field
  const rule = /\(([A-Z]-\d+)\)/.exec(v.message)?.[1] ?? "?";
  return `DENIED ${ref} [${rule}] ${v.message}`;
}

export async function runValidate(argv: string[], out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        filename: { type: "string", short: "f", multiple: true },
        context: { type: "string", multiple: true },
        namespace: { type: "string", short: "n", default: "default" },
        output: { type: "string", short: "o" },
      },
    }));
  } catch (e) {
    err.write(`tenet validate: ${(e as Error).message}\n`);
    return 2;
  }
  if (!values.filename?.length) {
    err.write("tenet validate: give at least one -f FILE (- for standard input)\n");
    return 2;
  }
  if (values.output && values.output !== "yaml" && values.output !== "json") {
    err.write(`tenet validate: -o takes yaml or json, not ${values.output}\n`);
    return 2;
  }
  let objects: KubeObject[];
  let context: KubeObject[];
  try {
    objects = values.filename.flatMap(readManifests);
    context = (values.context ?? []).flatMap(readManifests);
  } catch (e) {
    if (e instanceof InputError) {
      err.write(`tenet validate: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  const verdicts = await validateObjects(objects, context, values.namespace);
  const lines = values.output ? err : out;
  for (const v of verdicts) {
    lines.write(verdictLine(v) + "\n");
    for (const w of v.warnings) lines.write(`  warning: ${w}\n`);
  }
  if (values.output) {
    const admitted = verdicts.filter((v) => v.allowed === true).map((v) => v.object);
    if (values.output === "json")
      out.write(JSON.stringify(admitted.length === 1 ? admitted[0] : { apiVersion: "v1", kind: "List", items: admitted }, null, 2) + "\n");
    else out.write(admitted.map((o) => YAML.stringify(o, { lineWidth: 0 })).join("---\n"));
  }
  return verdicts.some((v) => v.allowed === false) ? 1 : 0;
}
