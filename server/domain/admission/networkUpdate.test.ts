import { describe, expect, it } from "vitest";
import { admitNetwork } from "./network";

const tn = (type: string, options: Record<string, unknown>) => ({
  apiVersion: "danm.k8s.io/v1",
  kind: "TenantNetwork",
  metadata: { name: "sig", namespace: "team-a" },
  spec: { NetworkType: type, NetworkID: "tn-x", Options: options },
});
const cn = (options: Record<string, unknown>) => ({
  apiVersion: "danm.k8s.io/v1",
  kind: "ClusterNetwork",
  metadata: { name: "oam" },
  spec: { NetworkType: "ipvlan", NetworkID: "oam", Options: options },
});

describe("UPDATE decisions", () => {
  it("TenantNetwork update that changes NetworkType is denied by N-23 on spec.NetworkType", () => {
    const old = tn("macvlan", { host_device: "ens4", vlan: 1000, cidr: "10.0.0.0/24" });
    const out = admitNetwork(
      { operation: "UPDATE", phase: "mutate", object: tn("flannel", { host_device: "ens4", vlan: 1000, cidr: "10.0.0.0/24" }), oldObject: old },
      { danmEps: [] },
    );
    expect(out.allowed).toBe(false);
    expect(out.issues[0]).toMatchObject({ rule: "N-23", type: "Forbidden", path: "spec.NetworkType" });
  });

  it("TenantNetwork update that omits NetworkType keeps the stored one instead of defaulting to ipvlan", () => {
    const old = tn("macvlan", { host_device: "ens4", vlan: 1000, cidr: "10.0.0.0/24" });
    const next = { ...tn("macvlan", { cidr: "10.0.0.0/24", container_prefix: "x" }), spec: { Options: { cidr: "10.0.0.0/24", container_prefix: "x" } } };
    const out = admitNetwork({ operation: "UPDATE", phase: "mutate", object: next, oldObject: old }, { danmEps: [] });
    expect(out.allowed).toBe(true);
    expect(out.object?.spec?.NetworkType).toBe("macvlan");
    expect(out.object?.spec?.Options).toMatchObject({ host_device: "ens4", vlan: 1000, container_prefix: "x" });
  });

  it("a VNI change is denied by N-25 while the endpoints are not known yet, and allowed once none use the network", () => {
    const old = cn({ host_device: "ens3", vlan: 310 });
    const req = { operation: "UPDATE" as const, phase: "mutate" as const, object: cn({ host_device: "ens3", vlan: 311 }), oldObject: old };
    const unknown = admitNetwork(req, { danmEps: undefined });
    expect(unknown.issues).toEqual([expect.objectContaining({ rule: "N-25", path: "spec.Options.vlan" })]);
    expect(unknown.issues[0].detail).toContain("DanmEps are not known yet");
    expect(admitNetwork(req, { danmEps: [] }).allowed).toBe(true);
  });

  it("an update that changes no VNI is allowed while the endpoints are not known", () => {
    const old = cn({ host_device: "ens3", vlan: 310, cidr: "10.1.0.0/24" });
    const out = admitNetwork(
      { operation: "UPDATE", phase: "mutate", object: cn({ host_device: "ens3", vlan: 310, cidr: "10.1.0.0/24", container_prefix: "o" }), oldObject: old },
      { danmEps: undefined },
    );
    expect(out.allowed).toBe(true);
  });
});
