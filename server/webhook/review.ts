// AdmissionReview v1 decoding and response building: a thin adapter over server/domain (style.md §2).
import { z } from "zod";

export const AdmissionRequest = z.looseObject({
  uid: z.string().min(1),
  kind: z.looseObject({ group: z.string().optional(), version: z.string().optional(), kind: z.string() }),
  resource: z.looseObject({ group: z.string().optional(), version: z.string().optional(), resource: z.string() }).optional(),
  name: z.string().optional(),
  namespace: z.string().optional(),
  operation: z.enum(["CREATE", "UPDATE", "DELETE", "CONNECT"]),
  userInfo: z.looseObject({ username: z.string().optional(), groups: z.array(z.string()).optional() }).optional(),
  object: z.unknown().optional(),
  oldObject: z.unknown().optional(),
  dryRun: z.boolean().optional(),
});
export type AdmissionRequest = z.infer<typeof AdmissionRequest>;

export const AdmissionReview = z.looseObject({
  apiVersion: z.literal("admission.k8s.io/v1"),
  kind: z.literal("AdmissionReview"),
  request: AdmissionRequest,
});

export interface AdmissionResponse {
  uid: string;
  allowed: boolean;
  status?: {
    code: number;
    reason?: string;
    message: string;
    details?: { name?: string; kind?: string; causes: { field: string; reason: string; message: string }[] };
  };
  patchType?: "JSONPatch";
  patch?: string;
  warnings?: string[];
}

export function reviewResponse(response: AdmissionResponse) {
  return { apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview", response };
}

export class BadRequest extends Error {}

/** Parses and checks a request body; throws BadRequest with the reason (answered with HTTP 400). */
export function parseReview(body: string): AdmissionRequest {
  if (body.trim() === "") throw new BadRequest("empty request body; expected an AdmissionReview");
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (e) {
    throw new BadRequest(`request body is not JSON: ${(e as Error).message}`);
  }
  // the schema's verdict and its words on what is wrong; a body it accepts skips it (every request the API server sends)
  if (isAdmissionReview(json)) return json.request;
  const parsed = AdmissionReview.safeParse(json);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new BadRequest(`not an admission.k8s.io/v1 AdmissionReview: ${first.path.join(".") || "(body)"}: ${first.message}`);
  }
  return parsed.data.request;
}

const OPERATIONS: readonly unknown[] = AdmissionRequest.shape.operation.options;
// an own "__proto__" member (JSON.parse makes one) is one the schema strips from its copy: the schema's to answer
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v) && !Object.hasOwn(v, "__proto__");
const optionalString = (v: unknown) => v === undefined || typeof v === "string";
const groupVersion = (v: Record<string, unknown>) => optionalString(v.group) && optionalString(v.version);

/**
 * What AdmissionReview accepts, checked by hand: zod costs more than the rest of a small review's
 * admission. Only ever true where the schema holds (server/webhook/review.test.ts compares the two).
 */
function isAdmissionReview(json: unknown): json is { request: AdmissionRequest } {
  if (!isObject(json) || json.apiVersion !== "admission.k8s.io/v1" || json.kind !== "AdmissionReview") return false;
  const r = json.request;
  if (!isObject(r) || typeof r.uid !== "string" || r.uid.length === 0 || !OPERATIONS.includes(r.operation)) return false;
  if (!isObject(r.kind) || !groupVersion(r.kind) || typeof r.kind.kind !== "string") return false;
  if (r.resource !== undefined && (!isObject(r.resource) || !groupVersion(r.resource) || typeof r.resource.resource !== "string")) return false;
  if (!optionalString(r.name) || !optionalString(r.namespace) || (r.dryRun !== undefined && typeof r.dryRun !== "boolean")) return false;
  const user = r.userInfo;
  if (user === undefined) return true;
  if (!isObject(user) || !optionalString(user.username)) return false;
  return user.groups === undefined || (Array.isArray(user.groups) && user.groups.every((g) => typeof g === "string"));
}
