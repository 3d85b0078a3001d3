import { describe, expect, it } from "vitest";
import { applyPatch, type PatchOperation } from "../domain/admission/patch";
import { admitTenantConfig } from "../domain/admission/tenantConfig";
import type { TenantConfig } from "../domain/api/tenantConfig";
import { reservedVnis } from "../domain/tenancy/vni";
import { StaticClusterState, type ClusterState, type TenantConfigWrite } from "./clusterState";
import { AdmissionHandler } from "./handler";
import { parseReview } from "./review";
import { clusterNetwork, review, tenantConfig, tenantNetwork } from "./testReviews";

function initialised(tc: TenantConfig): TenantConfig {
  const admitted = admitTenantConfig("CREATE", tc);
  if (!admitted.allowed) throw new Error(JSON.stringify(admitted.issues));
  return admitted.object!;
}

const request = (r: ReturnType<typeof review>) => parseReview(JSON.stringify(r));
const patched = <T>(object: T, patch?: string) =>
  patch ? applyPatch(object, JSON.parse(Buffer.from(patch, "base64").toString()) as PatchOperation[]) : object;

/** A cluster state whose TenantConfig writes conflict the first `conflicts` times, like a busy API server. */
class ConflictingState extends StaticClusterState {
  writes = 0;
  constructor(
    tc: TenantConfig,
    private conflicts: number,
  ) {
    super([tc], []);
  }
  override async updateTenantConfig(config: TenantConfig): Promise<TenantConfigWrite> {
    this.writes++;
    if (this.conflicts-- > 0) return { ok: false, conflict: true, message: "the object has been modified" };
    return super.updateTenantConfig(config);
  }
}

describe("AdmissionHandler", () => {
  it("B-7: a TenantNetwork whose name is taken is refused before its VNI is reserved; a dry run does not ask", async () => {
    const asked: string[] = [];
    const state = Object.assign(new StaticClusterState([initialised(tenantConfig())], []), {
      tenantNetworkExists: async (namespace: string, name: string) => (asked.push(`${namespace}/${name}`), name === "taken"),
    });
    const handler = new AdmissionHandler({ state });
    const res = await handler.handle("mutate", request(review("TenantNetwork", "CREATE", tenantNetwork("taken"))));
    expect(res.allowed).toBe(false);
    expect(res.status!.message).toBe(
      "TenantNetwork team-a/taken is invalid: metadata.name: Conflict: TenantNetwork team-a/taken exists already; choose another name or change the existing one (no VNI was reserved) (B-7)",
    );
    expect(reservedVnis(state.tenantConfig()!.hostDevices![0])).toEqual([]);
    expect((await handler.handle("mutate", request(review("TenantNetwork", "CREATE", tenantNetwork("taken"), { dryRun: true })))).allowed).toBe(true);
    expect((await handler.handle("mutate", request(review("TenantNetwork", "CREATE", tenantNetwork("free"))))).allowed).toBe(true);
    expect(reservedVnis(state.tenantConfig()!.hostDevices![0])).toEqual([1000]);
    expect(asked).toEqual(["team-a/taken", "team-a/free"]);
  });

  it("passes the requester's userInfo to N-28: alice may not change alloc, the danm plugin's ServiceAccount may, and the set is configurable", async () => {
    const stored = await new AdmissionHandler({ state: new StaticClusterState([], []) }).handle(
      "mutate",
      request(review("ClusterNetwork", "CREATE", clusterNetwork("core", { cidr: "10.20.0.0/26" }))),
    );
    const old = patched(clusterNetwork("core", { cidr: "10.20.0.0/26" }), stored.patch) as { spec: { Options: Record<string, unknown> } };
    const changed = { ...old, spec: { ...old.spec, Options: { ...old.spec.Options, alloc: Buffer.alloc(8, 0xff).toString("base64") } } };
    const update = (user: { username: string; groups?: string[] }, handler = new AdmissionHandler({ state: new StaticClusterState([], []) })) =>
      handler.handle("mutate", request(review("ClusterNetwork", "UPDATE", changed, { oldObject: old, user })));
    const denied = await update({ username: "alice", groups: ["tenet:tenants"] });
    expect(denied.allowed).toBe(false);
    expect(denied.status!.message).toContain(
      "ClusterNetwork core is invalid: spec.Options.alloc: Forbidden: alloc records which addresses Pods hold in ClusterNetwork core and is written by tenet's IPAM only; alice may not change it",
    );
    expect(denied.status!.message).toContain("(N-28)");
    expect((await update({ username: "system:serviceaccount:tenet-system:tenet-cni" })).allowed).toBe(true);
    const custom = new AdmissionHandler({ state: new StaticClusterState([], []), ipamIdentities: { users: ["node-ipam"], groups: [] } });
    expect((await update({ username: "node-ipam" }, custom)).allowed).toBe(true);
    expect((await update({ username: "system:serviceaccount:tenet-system:tenet-cni" }, custom)).allowed).toBe(false);
  });

  it("mutates a TenantNetwork create: host device, VLAN, NetworkID and bitmap as one JSON patch", async () => {
    const state = new StaticClusterState([initialised(tenantConfig())], []);
    const handler = new AdmissionHandler({ state });
    const net = tenantNetwork("signalling");
    const res = await handler.handle("mutate", request(review("TenantNetwork", "CREATE", net)));
    expect(res.allowed).toBe(true);
    expect(res.patchType).toBe("JSONPatch");
    const result = patched(net, res.patch) as ReturnType<typeof tenantNetwork> & { spec: { NetworkID: string; Options: Record<string, unknown> } };
    expect(result.spec.NetworkID).toBe("tn-ipvl");
    expect(result.spec.Options).toMatchObject({ host_device: "ens4", vlan: 1000, allocation_pool: { start: "10.60.0.1", end: "10.60.0.254" } });
    expect(reservedVnis(state.tenantConfig()!.hostDevices![0])).toEqual([1000]);
  });

  it("a dry-run create reserves nothing but shows the VNI it would get", async () => {
    const state = new StaticClusterState([initialised(tenantConfig())], []);
    const handler = new AdmissionHandler({ state });
    const net = tenantNetwork("preview");
    const res = await handler.handle("mutate", request(review("TenantNetwork", "CREATE", net, { dryRun: true })));
    expect(res.allowed).toBe(true);
    expect((patched(net, res.patch) as unknown as { spec: { Options: { vlan: number } } }).spec.Options.vlan).toBe(1000);
    expect(reservedVnis(state.tenantConfig()!.hostDevices![0])).toEqual([]);
  });

  it("a denial names object, field and rule, with a cause per issue", async () => {
    const handler = new AdmissionHandler({ state: new StaticClusterState([initialised(tenantConfig())], []) });
    const res = await handler.handle("mutate", request(review("TenantNetwork", "CREATE", tenantNetwork("sneaky", { cidr: "10.0.0.0/24", vlan: 5 }))));
    expect(res.allowed).toBe(false);
    expect(res.status?.message).toBe(
      "TenantNetwork team-a/sneaky is invalid: spec.Options.vlan: Forbidden: vlan is assigned by the cluster; remove it from TenantNetwork sneaky (N-23)",
    );
    expect(res.status?.details?.causes).toEqual([
      {
        field: "spec.Options.vlan",
        reason: "FieldValueForbidden",
        message: "Forbidden: vlan is assigned by the cluster; remove it from TenantNetwork sneaky (N-23)",
      },
    ]);
  });

  it("a VNI is reserved only after every rule passed: a TenantNetwork failing N-21 leaves the range untouched", async () => {
    const tc = initialised({ ...tenantConfig(), networkIds: {} });
    const state = new StaticClusterState([tc], []);
    const res = await new AdmissionHandler({ state }).handle("mutate", request(review("TenantNetwork", "CREATE", tenantNetwork("no-id"))));
    expect(res.allowed).toBe(false);
    expect(res.status?.message).toContain("(N-21)");
    expect(reservedVnis(state.tenantConfig()!.hostDevices![0])).toEqual([]);
  });

  it("retries the TenantConfig write on optimistic-lock conflicts and reserves exactly one VNI", async () => {
    const state = new ConflictingState(initialised(tenantConfig()), 3);
    const res = await new AdmissionHandler({ state }).handle("mutate", request(review("TenantNetwork", "CREATE", tenantNetwork("busy"))));
    expect(res.allowed).toBe(true);
    expect(state.writes).toBe(4);
    expect(reservedVnis(state.tenantConfig()!.hostDevices![0])).toEqual([1000]);
  });

  it("40 parallel creates on a profile with 40 free VNIs get 40 distinct VNIs; the 41st is denied as exhausted", async () => {
    const state = new StaticClusterState([initialised(tenantConfig())], []);
    const handler = new AdmissionHandler({ state });
    const nets = Array.from({ length: 41 }, (_, i) => tenantNetwork(`n${i}`));
    const responses = await Promise.all(nets.map((n) => handler.handle("mutate", request(review("TenantNetwork", "CREATE", n)))));
    const vlans = responses
      .filter((r) => r.allowed)
      .map((r, i) => (patched(nets[i], r.patch) as unknown as { spec: { Options: { vlan: number } } }).spec.Options.vlan);
    expect(responses.filter((r) => r.allowed)).toHaveLength(40);
    expect(new Set(vlans).size).toBe(40);
    const denied = responses.find((r) => !r.allowed)!;
    expect(denied.status?.message).toMatch(/\(B-4\)/);
    expect(denied.status?.message).toMatch(/range 1000-1039 of profile ens4 in TenantConfig tenet is exhausted/);
  });

  it("deleting a TenantNetwork releases its VNI; a dry-run delete does not", async () => {
    const state = new StaticClusterState([initialised(tenantConfig())], []);
    const handler = new AdmissionHandler({ state });
    const net = tenantNetwork("gone");
    const created = patched(net, (await handler.handle("mutate", request(review("TenantNetwork", "CREATE", net)))).patch);
    expect(reservedVnis(state.tenantConfig()!.hostDevices![0])).toEqual([1000]);
    expect((await handler.handle("validate", request(review("TenantNetwork", "DELETE", null, { oldObject: created, dryRun: true })))).allowed).toBe(true);
    expect(reservedVnis(state.tenantConfig()!.hostDevices![0])).toEqual([1000]);
    expect((await handler.handle("validate", request(review("TenantNetwork", "DELETE", null, { oldObject: created })))).allowed).toBe(true);
    expect(reservedVnis(state.tenantConfig()!.hostDevices![0])).toEqual([]);
  });

  it("a network with a DanmEp on it cannot be deleted (D-3), naming the Pod", async () => {
    const net = clusterNetwork("oam");
    const ep = {
      apiVersion: "danm.k8s.io/v1" as const,
      kind: "DanmEp" as const,
      metadata: { name: "ep1", namespace: "team-b" },
      spec: { NetworkName: "oam", apiType: "ClusterNetwork", Pod: "web-0", Interface: { Name: "eth0" } },
    };
    const handler = new AdmissionHandler({ state: new StaticClusterState([], [ep]) });
    const res = await handler.handle("validate", request(review("ClusterNetwork", "DELETE", null, { oldObject: net })));
    expect(res.allowed).toBe(false);
    expect(res.status?.message).toContain("ClusterNetwork oam is in use by Pod team-b/web-0 (interface eth0); delete those Pods first (D-3)");
  });

  it("deletion is denied when endpoints are not known yet (D-2)", async () => {
    const state: ClusterState = {
      ...new StaticClusterState([], []),
      ready: () => false,
      tenantConfig: () => undefined,
      danmEps: () => undefined,
      updateTenantConfig: async () => ({ ok: false, conflict: false, message: "" }),
      refreshTenantConfig: async () => {},
    };
    const res = await new AdmissionHandler({ state }).handle(
      "validate",
      request(review("ClusterNetwork", "DELETE", null, { oldObject: clusterNetwork("oam") })),
    );
    expect(res.status?.message).toContain("(D-2)");
  });

  it("the validating pass accepts what the mutating pass produced", async () => {
    const state = new StaticClusterState([initialised(tenantConfig())], []);
    const handler = new AdmissionHandler({ state });
    const net = tenantNetwork("twice");
    const mutated = patched(net, (await handler.handle("mutate", request(review("TenantNetwork", "CREATE", net)))).patch);
    const res = await handler.handle("validate", request(review("TenantNetwork", "CREATE", mutated)));
    expect(res).toEqual({ uid: expect.any(String), allowed: true });
  });

  it("kinds it does not handle are denied as not handled", async () => {
    const res = await new AdmissionHandler({ state: new StaticClusterState([], []) }).handle(
      "mutate",
      request(review("ConfigMap", "CREATE", { metadata: { name: "x" } })),
    );
    expect(res.allowed).toBe(false);
    expect(res.status?.message).toContain("(N-0)");
  });
});
