import { describe, expect, it } from "vitest";
import { endpointNetworkKind, endpointNetworkRef, networkKey, networkLabel, networkRef, networkRefOf, sameNetwork } from "./networkRef";

const ep = (apiType: string | undefined, namespace = "team-a") => ({ metadata: { namespace }, spec: { apiType, NetworkName: "oam" } });

describe("network references", () => {
  it("an empty or missing apiType means DanmNet; a given one is kept", () => {
    expect(endpointNetworkKind(undefined)).toBe("DanmNet");
    expect(endpointNetworkKind("")).toBe("DanmNet");
    expect(endpointNetworkKind("TenantNetwork")).toBe("TenantNetwork");
    expect(endpointNetworkKind("ClusterNetwork")).toBe("ClusterNetwork");
  });

  it("a DanmEp names its network in its own namespace, except a ClusterNetwork", () => {
    expect(endpointNetworkRef(ep(""))).toEqual({ kind: "DanmNet", name: "oam", namespace: "team-a" });
    expect(endpointNetworkRef(ep("TenantNetwork"))).toEqual({ kind: "TenantNetwork", name: "oam", namespace: "team-a" });
    expect(endpointNetworkRef(ep("ClusterNetwork"))).toEqual({ kind: "ClusterNetwork", name: "oam", namespace: undefined });
    expect(endpointNetworkRef({ metadata: {}, spec: undefined })).toEqual({ kind: "DanmNet", name: "", namespace: undefined });
  });

  it("a network object refers to itself; a ClusterNetwork carries no namespace", () => {
    expect(networkRefOf({ kind: "TenantNetwork", metadata: { namespace: "team-b", name: "signalling" } })).toEqual({
      kind: "TenantNetwork",
      name: "signalling",
      namespace: "team-b",
    });
    expect(networkRefOf({ kind: "ClusterNetwork", metadata: { namespace: "ignored", name: "oam" } })).toEqual({
      kind: "ClusterNetwork",
      name: "oam",
      namespace: undefined,
    });
  });

  it("keys are kind/namespace/name with an empty namespace for ClusterNetworks", () => {
    expect(networkKey(networkRef("TenantNetwork", "team-a", "signalling"))).toBe("TenantNetwork/team-a/signalling");
    expect(networkKey(networkRef("DanmNet", undefined, "x"))).toBe("DanmNet//x");
    expect(networkKey({ kind: "ClusterNetwork", namespace: "team-a", name: "oam" })).toBe("ClusterNetwork//oam");
    // the DanmEp of a Pod in team-a on ClusterNetwork oam and the ClusterNetwork itself share a key
    expect(networkKey(endpointNetworkRef(ep("ClusterNetwork")))).toBe(networkKey(networkRefOf({ kind: "ClusterNetwork", metadata: { name: "oam" } })));
  });

  it("labels read as kind, then namespace/name", () => {
    expect(networkLabel(networkRef("TenantNetwork", "team-a", "signalling"))).toBe("TenantNetwork team-a/signalling");
    expect(networkLabel(networkRef("ClusterNetwork", "team-a", "oam"))).toBe("ClusterNetwork oam");
  });

  it("the same network is the same kind and name, and namespace unless a ClusterNetwork", () => {
    expect(sameNetwork(networkRef("DanmNet", "a", "n"), { kind: "DanmNet", namespace: "a", name: "n" })).toBe(true);
    expect(sameNetwork(networkRef("DanmNet", "a", "n"), networkRef("DanmNet", "b", "n"))).toBe(false);
    expect(sameNetwork(networkRef("DanmNet", "a", "n"), networkRef("TenantNetwork", "a", "n"))).toBe(false);
    expect(sameNetwork({ kind: "ClusterNetwork", namespace: "a", name: "n" }, { kind: "ClusterNetwork", namespace: "b", name: "n" })).toBe(true);
  });
});
