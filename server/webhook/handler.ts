// Dispatches an AdmissionRequest to the domain and turns the outcome into an AdmissionResponse.
import { admitNetworkDeletion } from "../domain/admission/deletion";
import { admitNetwork, nameTaken, type NetworkOutcome } from "../domain/admission/network";
import { denialMessage, type Outcome, type Phase } from "../domain/admission/outcome";
import { jsonPatch } from "../domain/admission/patch";
import { admitTenantConfig } from "../domain/admission/tenantConfig";
import { isNetworkKind } from "../domain/api/network";
import type { TenantConfig } from "../domain/api/tenantConfig";
import { issue, issueMessage, type Issue } from "../domain/issue";
import { defaultIpamIdentities, type IpamIdentities } from "../domain/rules/allocationState";
import type { ProfileChooser } from "../domain/tenancy/binding";
import type { ClusterState } from "./clusterState";
import type { WebhookMetrics } from "./metrics";
import type { AdmissionRequest, AdmissionResponse } from "./review";
import { SerialQueue } from "./serialQueue";
import type { Log } from "../log";

export interface HandlerDeps {
  state: ClusterState;
  metrics?: WebhookMetrics;
  chooseProfile?: ProfileChooser;
  /** Who may change allocation state (N-28); defaultIpamIdentities() when not given. */
  ipamIdentities?: IpamIdentities;
  log?: Log;
}

const MAX_WRITE_ATTEMPTS = 25;

export class AdmissionHandler {
  /** TenantConfig writes (VNI reserve/release) of this replica happen one at a time. */
  private readonly tenantConfigWrites = new SerialQueue();
  private readonly ipamIdentities: IpamIdentities;
  constructor(private readonly deps: HandlerDeps) {
    this.ipamIdentities = deps.ipamIdentities ?? defaultIpamIdentities();
  }

  async handle(phase: Phase, req: AdmissionRequest): Promise<AdmissionResponse> {
    const started = performance.now();
    const kind = req.kind.kind;
    let response: AdmissionResponse;
    let issues: Issue[] = [];
    try {
      const r = await this.dispatch(phase, req);
      response = r.response;
      issues = r.issues;
    } catch (e) {
      // a bug must not take the process down; deny with the reason (failurePolicy would anyway)
      issues = [issue("E-1", "Internal", "(object)", `internal error in the tenet webhook: ${(e as Error).message}`)];
      response = this.denied(req, issues);
      this.deps.log?.("admission failed", { uid: req.uid, kind, error: (e as Error).stack });
    }
    const m = this.deps.metrics;
    if (m) {
      m.requests.inc(kind, req.operation, response.allowed ? "allowed" : "denied");
      if (issues.length > 0) for (const rule of new Set(issues.map((i) => i.rule))) m.denials.inc(kind, rule);
      m.latency.observe({ kind, operation: req.operation }, (performance.now() - started) / 1000);
    }
    return response;
  }

  private async dispatch(phase: Phase, req: AdmissionRequest): Promise<{ response: AdmissionResponse; issues: Issue[] }> {
    const kind = req.kind.kind;
    const op = req.operation;
    if (isNetworkKind(kind)) {
      if (op === "DELETE") return phase === "validate" ? this.deleteNetwork(req) : this.allowed(req);
      if (op === "CONNECT") return this.allowed(req);
      const outcome = phase === "mutate" && kind === "TenantNetwork" && op === "CREATE" ? await this.createTenantNetwork(req) : this.admit(phase, req);
      return this.respond(phase, req, outcome);
    }
    if (kind === "TenantConfig") {
      if (op !== "CREATE" && op !== "UPDATE") return this.allowed(req);
      return this.respond(phase, req, admitTenantConfig(op, req.object, req.oldObject, phase));
    }
    const issues = [issue("N-0", "NotSupported", "kind", "type not handled by the tenet webhook", kind)];
    return { response: this.denied(req, issues), issues };
  }

  private admit(phase: Phase, req: AdmissionRequest, tenantConfig?: TenantConfig): NetworkOutcome {
    const state = this.deps.state;
    return admitNetwork(
      { operation: req.operation as "CREATE" | "UPDATE", phase, object: req.object, oldObject: req.oldObject },
      {
        tenantConfig: tenantConfig ?? state.tenantConfig(),
        danmEps: state.danmEps(),
        chooseProfile: this.deps.chooseProfile,
        requester: req.userInfo,
        ipamIdentities: this.ipamIdentities,
      },
    );
  }

  /** TenantNetwork CREATE: reserve the VNI only after every rule passed, never on dry run (decision 3). */
  private async createTenantNetwork(req: AdmissionRequest): Promise<NetworkOutcome> {
    const first = this.admit("mutate", req);
    if (!first.allowed || !first.tenantConfig || req.dryRun) return first;
    // B-7: the API server refuses a taken name only after us; ask before reserving
    if (req.name && req.namespace && (await this.deps.state.tenantNetworkExists?.(req.namespace, req.name))) {
      return { allowed: false, warnings: first.warnings, issues: [nameTaken(req.namespace, req.name)] };
    }
    return this.tenantConfigWrites.run(async () => {
      for (let attempt = 1; attempt <= MAX_WRITE_ATTEMPTS; attempt++) {
        const outcome = this.admit("mutate", req);
        if (!outcome.allowed || !outcome.tenantConfig) return outcome;
        const written = await this.deps.state.updateTenantConfig(outcome.tenantConfig);
        if (written.ok) {
          this.deps.log?.("vni reserved", { network: `${req.namespace}/${req.name}`, ...outcome.reserved });
          return outcome;
        }
        if (!written.conflict) return this.writeFailed(outcome, written.message);
        this.deps.metrics?.vniConflicts.inc();
        await this.deps.state.refreshTenantConfig();
        await new Promise((r) => setTimeout(r, Math.random() * 10 * attempt));
      }
      return this.writeFailed(first, `still conflicting after ${MAX_WRITE_ATTEMPTS} attempts`);
    });
  }

  private writeFailed(outcome: NetworkOutcome, message: string): NetworkOutcome {
    const field = outcome.reserved ? `spec.Options.${outcome.reserved.vniType}` : "spec";
    return {
      allowed: false,
      warnings: outcome.warnings,
      issues: [issue("B-4", "Internal", field, `the VNI reservation could not be saved in the TenantConfig: ${message}; try again`)],
    };
  }

  private async deleteNetwork(req: AdmissionRequest): Promise<{ response: AdmissionResponse; issues: Issue[] }> {
    const state = this.deps.state;
    const decide = () => admitNetworkDeletion(req.oldObject, { danmEps: state.danmEps(), tenantConfig: state.tenantConfig() });
    let outcome = decide();
    if (outcome.allowed && outcome.tenantConfig && !req.dryRun) {
      outcome = await this.tenantConfigWrites.run(async () => {
        for (let attempt = 1; attempt <= MAX_WRITE_ATTEMPTS; attempt++) {
          const o = decide();
          if (!o.allowed || !o.tenantConfig) return o;
          const written = await state.updateTenantConfig(o.tenantConfig);
          if (written.ok) {
            this.deps.log?.("vni released", { network: `${req.namespace}/${req.name}`, ...o.released });
            return o;
          }
          if (!written.conflict)
            return {
              allowed: false,
              warnings: [],
              issues: [issue("D-4", "Internal", "spec.Options", `the VNI could not be released: ${written.message}; try again`)],
            };
          this.deps.metrics?.vniConflicts.inc();
          await state.refreshTenantConfig();
        }
        return {
          allowed: false,
          warnings: [],
          issues: [issue("D-4", "Internal", "spec.Options", "the VNI could not be released: the TenantConfig kept changing; try again")],
        };
      });
    }
    if (!outcome.allowed) return { response: this.denied(req, outcome.issues, outcome.warnings), issues: outcome.issues };
    return { response: { uid: req.uid, allowed: true, ...(outcome.warnings.length ? { warnings: outcome.warnings } : {}) }, issues: [] };
  }

  private respond<T>(phase: Phase, req: AdmissionRequest, outcome: Outcome<T>): { response: AdmissionResponse; issues: Issue[] } {
    if (!outcome.allowed) return { response: this.denied(req, outcome.issues, outcome.warnings), issues: outcome.issues };
    const response: AdmissionResponse = { uid: req.uid, allowed: true };
    if (outcome.warnings.length) response.warnings = outcome.warnings;
    if (phase === "mutate" && outcome.object !== undefined) {
      const patch = jsonPatch(req.object, outcome.object);
      if (patch.length > 0) {
        response.patchType = "JSONPatch";
        response.patch = Buffer.from(JSON.stringify(patch)).toString("base64");
      }
    }
    return { response, issues: [] };
  }

  private allowed(req: AdmissionRequest) {
    return { response: { uid: req.uid, allowed: true }, issues: [] };
  }

  private denied(req: AdmissionRequest, issues: Issue[], warnings: string[] = []): AdmissionResponse {
    const meta = (req.object ?? req.oldObject) as { metadata?: { name?: string; namespace?: string } } | undefined;
    const metadata = { name: req.name || meta?.metadata?.name, namespace: req.namespace || meta?.metadata?.namespace };
    return {
      uid: req.uid,
      allowed: false,
      ...(warnings.length ? { warnings } : {}),
      status: {
        code: 422,
        reason: "Invalid",
        message: denialMessage(req.kind.kind, metadata, issues),
        details: {
          name: metadata.name,
          kind: req.resource?.resource,
          causes: issues.map((i) => ({ field: i.path, reason: `FieldValue${i.type}`, message: issueMessage(i) })),
        },
      },
    };
  }
}
