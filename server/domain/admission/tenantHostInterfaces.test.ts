// Host interfaces are named by NetworkID and VNI, so two tenants' networks could collide on a node:
// two tenants' VxLAN (and VLAN) TenantNetworks never want one host interface name with different parameters, with the seeded TenantConfig or with profiles that share a VNI range.
import { describe, expect, it } from "vitest";
import type { NetworkObject } from "../api/network";
import type { TenantConfig } from "../api/tenantConfig";
import { desiredHostInterfaces, planHostInterfaces, type ActualInterface } from "../hostInterfaces";
import { vxlanTenantNetworkId } from "../tenancy/binding";
import { freshVniBitmap } from "../tenancy/vni";
import { admitNetwork } from "./network";

type Profile = { name: string; vniType?: string; vniRange?: string };
const config = (hostDevices: Profile[]): TenantConfig => ({
  apiVersion: "danm.k8s.io/v1",
  kind: "TenantConfig",
  metadata: { name: "tenet", resourceVersion: "1" },
  hostDevices: hostDevices.map((p) => (p.vniType ? { ...p, alloc: freshVniBitmap() } : p)),
  networkIds: { ipvlan: "tn-ipvl", macvlan: "tn-macvl" },
});
/** The seeded TenantConfig (examples/tenantconfig.yaml) plus a second VxLAN and VLAN NIC with the same ranges. */
const SEEDED = config([
  { name: "ens4", vniType: "vlan", vniRange: "1000-1999" },
  { name: "ens5", vniType: "vxlan", vniRange: "300-399,450" },
  { name: "ens6", vniType: "vxlan", vniRange: "300-399" },
  { name: "ens7", vniType: "vlan", vniRange: "1000-1999" },
  { name: "bond2" },
  { name: "vendor.example/sriov_left", vniType: "vlan", vniRange: "3000-3099" },
]);

/** Creates TenantNetworks one after another as the webhook would, each persisting its reservation. */
function createAll(requests: { ns: string; name: string; device?: string; type?: string }[]): NetworkObject[] {
  let tc = SEEDED;
  return requests.map(({ ns, name, device, type }) => {
    const object = {
      apiVersion: "danm.k8s.io/v1",
      kind: "TenantNetwork",
      metadata: { name, namespace: ns },
      spec: { NetworkType: type ?? "ipvlan", Options: { cidr: "10.60.0.0/24", ...(device ? { host_device: device } : {}) } },
    };
    const outcome = admitNetwork({ operation: "CREATE", phase: "mutate", object }, { tenantConfig: tc, danmEps: [], chooseProfile: () => 0 });
    expect(outcome.issues).toEqual([]);
    if (outcome.tenantConfig) tc = outcome.tenantConfig;
    return outcome.object!;
  });
}

const LINKS: ActualInterface[] = ["ens4", "ens5", "ens6", "ens7", "bond2"].map((name) => ({ name, kind: "", ownedByTenet: false, up: true }));

describe("two tenants' TenantNetworks on one node", () => {
  const cases: { name: string; requests: { ns: string; name: string; device?: string; type?: string }[]; interfaces: string[] }[] = [
    {
      name: "alice and bob on the seeded VxLAN profile get vx_tn-ipv.300 and vx_tn-ipv.301",
      requests: [
        { ns: "team-b", name: "bobs", device: "ens5" },
        { ns: "team-a", name: "alices", device: "ens5" },
      ],
      interfaces: ["vx_tn-ipv.300", "vx_tn-ipv.301"],
    },
    {
      name: "ipvlan and macvlan VxLAN networks keep their mapped prefixes",
      requests: [
        { ns: "team-a", name: "a", device: "ens5" },
        { ns: "team-b", name: "b", device: "ens5", type: "macvlan" },
      ],
      interfaces: ["vx_tn-ipv.300", "vx_tn-mac.301"],
    },
    {
      name: "two VxLAN NICs with one range never hand out the same VNI",
      requests: [
        { ns: "team-a", name: "a", device: "ens5" },
        { ns: "team-b", name: "b", device: "ens6" },
      ],
      interfaces: ["vx_tn-ipv.300", "vx_tn-ipv.301"],
    },
    {
      name: "two VLAN NICs with one range never hand out the same VLAN",
      requests: [
        { ns: "team-a", name: "a", device: "ens4" },
        { ns: "team-b", name: "b", device: "ens7" },
      ],
      interfaces: ["tn-ipvl.1000", "tn-ipvl.1001"],
    },
  ];
  it.each(cases)("$name; the node plans them without a conflict", ({ requests, interfaces }) => {
    const networks = createAll(requests);
    const desired = desiredHostInterfaces(networks);
    expect(desired.map((d) => d.name).sort()).toEqual(interfaces);
    const plan = planHostInterfaces(desired, LINKS);
    expect(plan.conflicts).toEqual([]);
    expect(plan.create.map((d) => d.name).sort()).toEqual(interfaces);
  });

  it("the VxLAN NetworkID fits N-21's 10 characters for every VNI a TenantConfig hands out", () => {
    expect(vxlanTenantNetworkId("tn-ipvl", 301)).toBe("tn-ipv.301");
    expect(vxlanTenantNetworkId("tn-ipvl", 5000)).toBe("tn-ip.5000");
    expect(vxlanTenantNetworkId("x", 7)).toBe("x.7");
    for (const vni of [1, 99, 4999, 5000]) expect(vxlanTenantNetworkId("abcdefghij", vni).length).toBeLessThanOrEqual(10);
  });
});
