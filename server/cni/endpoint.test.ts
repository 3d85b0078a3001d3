import { describe, expect, it } from "vitest";
import type { NetworkObject } from "../domain/api/network";
import { buildEndpoint } from "./endpoint";
import { endpointNetworkRef } from "../domain/networkRef";
import { policyRouteCommands } from "./podNetns";

describe("DanmEp records (danm-spec §4, §11.3)", () => {
  const network = {
    apiVersion: "danm.k8s.io/v1",
    kind: "ClusterNetwork",
    metadata: { name: "oam" },
    spec: { NetworkType: "MACVLAN", Options: {} },
  } as NetworkObject;
  const ep = buildEndpoint({
    id: "0b7c2a6e-1d2f-4c1a-9d4e-7f1e2a3b4c5d",
    pod: { name: "web-0", namespace: "team-a", uid: "u-1", labels: { app: "web" }, annotations: {} },
    network,
    request: { kind: "ClusterNetwork", name: "oam", ip: "dynamic", proutes: { "10.9.0.0/16": "10.0.0.1" } },
    ifName: "eth0",
    addresses: { ip: "10.0.0.5/24", ip6: "" },
    host: "node-1",
    sandboxId: "sb1",
    netns: "/var/run/netns/p",
  });
  it("carries the pod's labels, the EndpointID as its name, and every spec field", () => {
    expect(ep).toEqual({
      apiVersion: "danm.k8s.io/v1",
      kind: "DanmEp",
      metadata: { name: "0b7c2a6e-1d2f-4c1a-9d4e-7f1e2a3b4c5d", namespace: "team-a", labels: { app: "web" } },
      spec: {
        NetworkName: "oam",
        NetworkType: "macvlan",
        EndpointID: "0b7c2a6e-1d2f-4c1a-9d4e-7f1e2a3b4c5d",
        Interface: { Name: "eth0", Address: "10.0.0.5/24", AddressIPv6: "", proutes: { "10.9.0.0/16": "10.0.0.1" } },
        Host: "node-1",
        Pod: "web-0",
        PodUID: "u-1",
        CID: "sb1",
        netns: "/var/run/netns/p",
        apiType: "ClusterNetwork",
      },
    });
  });
  it("points back at its network; empty apiType means DanmNet in the DanmEp's namespace", () => {
    expect(endpointNetworkRef(ep)).toEqual({ kind: "ClusterNetwork", name: "oam", namespace: undefined });
    expect(endpointNetworkRef({ ...ep, spec: { ...ep.spec, apiType: "" } })).toEqual({ kind: "DanmNet", name: "oam", namespace: "team-a" });
  });
});

describe("policy routes (§11.8)", () => {
  it("a rule from the interface's network and routes into rt_tables; bad entries skipped; table 0 means none", () => {
    expect(
      policyRouteCommands({
        table: 40,
        address: "10.0.0.5/24",
        proutes: { "10.9.0.0/16": "10.0.0.1", junk: "10.0.0.1" },
        address6: "fd00::5/64",
        proutes6: { "fd01::/48": "fd00::1" },
      }),
    ).toEqual([
      "rule add from 10.0.0.0/24 lookup 40",
      "route add 10.9.0.0/16 via 10.0.0.1 table 40",
      "rule add from fd00::/64 lookup 40",
      "route add fd01::/48 via fd00::1 table 40",
    ]);
    expect(policyRouteCommands({ table: 0, address: "10.0.0.5/24", proutes: { "10.9.0.0/16": "10.0.0.1" } })).toEqual([]);
    expect(policyRouteCommands({ table: 5, address: "none", proutes: { "10.9.0.0/16": "10.0.0.1" } })).toEqual([]);
  });
});
