import path from "node:path";
import { describe, expect, it } from "vitest";
import { readManifests, validateObjects } from "./validate";

describe("tenet validate with endpoints", () => {
  it("a DanmEp earlier in the file protects its network from a later update that changes the VNI (N-25)", async () => {
    const cn = readManifests(path.resolve(import.meta.dirname, "../../examples/clusternetworks.yaml")).find((o) => o.metadata?.name === "backhaul")!;
    const ep = {
      apiVersion: "danm.k8s.io/v1",
      kind: "DanmEp",
      metadata: { name: "ep", namespace: "team-a" },
      spec: { NetworkName: "backhaul", apiType: "ClusterNetwork", Pod: "sbc-0" },
    };
    const moved = { ...cn, spec: { ...(cn.spec as object), Options: { ...(cn.spec as { Options: object }).Options, vlan: 311 } } };
    const verdicts = await validateObjects([ep, moved], [cn]);
    expect(verdicts[1].allowed).toBe(false);
    expect(verdicts[1].message).toContain(
      "spec.Options.vlan: Forbidden: cannot change while the network is in use by Pod team-a/sbc-0; detach the Pods first (N-25)",
    );
    const without = await validateObjects([moved], [cn]);
    expect(without[0].allowed).toBe(true);
  });
});
