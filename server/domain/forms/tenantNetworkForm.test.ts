import { describe, expect, it } from "vitest";
import type { NetworkObject } from "../api/network";
import { admitNetwork } from "../admission/network";
import { freshIpBitmap } from "../ipam/pool";
import { allocateAddresses } from "../ipam/allocate";
import { parseCidr } from "../net/cidr";
import {
  emptyTenantNetworkForm,
  fieldOfPath,
  formFromTenantNetwork,
  routeRowOfPath,
  tenantNetworkFromForm,
  validateTenantNetworkForm,
  type TenantNetworkForm,
} from "./tenantNetworkForm";

const form = (patch: Partial<TenantNetworkForm>): TenantNetworkForm => ({ ...emptyTenantNetworkForm("team-a"), name: "signalling", ...patch });
const rules = (f: TenantNetworkForm, existing?: NetworkObject) => validateTenantNetworkForm(f, existing).issues.map((i) => `${i.rule} ${i.path}`);

/** A TenantNetwork as the webhook stores it after create: device, VNI, NetworkID and bitmaps assigned. */
function stored(options: Record<string, unknown> = {}): NetworkObject {
  const cidr = parseCidr("10.60.0.0/24");
  return {
    apiVersion: "danm.k8s.io/v1",
    kind: "TenantNetwork",
    metadata: { name: "signalling", namespace: "team-a", resourceVersion: "42" },
    spec: {
      NetworkID: "tn-macvl",
      NetworkType: "macvlan",
      Options: { cidr: "10.60.0.0/24", allocation_pool: { start: "10.60.0.1", end: "10.60.0.254" }, alloc: freshIpBitmap(cidr, []).encode(), host_device: "ens4", vlan: 1000, ...options },
    },
  } as NetworkObject;
}

describe("the TenantNetwork a form describes", () => {
  it("builds a minimal object with only what the tenant typed", () => {
    const { object, issues } = tenantNetworkFromForm(form({ cidr: " 10.60.0.0/25 ", containerPrefix: "sig", rtTables: "10" }));
    expect(issues).toEqual([]);
    expect(object).toEqual({
      apiVersion: "danm.k8s.io/v1",
      kind: "TenantNetwork",
      metadata: { name: "signalling", namespace: "team-a" },
      spec: { NetworkType: "ipvlan", Options: { cidr: "10.60.0.0/25", container_prefix: "sig", rt_tables: 10 } },
    });
  });

  it("turns route rows into DANM's route map and ignores untouched rows", () => {
    const { object } = tenantNetworkFromForm(form({ cidr: "10.61.0.0/24", routes: [{ destination: "10.70.0.0/16", gateway: "10.61.0.1" }, { destination: "", gateway: "" }] }));
    expect(object.spec?.Options?.routes).toEqual({ "10.70.0.0/16": "10.61.0.1" });
  });

  it("passes device_pool only for sriov, the one type where the tenant names the pool", () => {
    expect(tenantNetworkFromForm(form({ networkType: "sriov", devicePool: "vendor.example/sriov_left" })).object.spec?.Options?.device_pool).toBe("vendor.example/sriov_left");
    expect(tenantNetworkFromForm(form({ networkType: "ipvlan", devicePool: "vendor.example/sriov_left" })).object.spec?.Options).not.toHaveProperty("device_pool");
  });

  it("keeps what the cluster assigned when editing, and the form round-trips", () => {
    const existing = stored({ allocation_pool: { start: "10.60.0.1", end: "10.60.0.254", lastIp: "10.60.0.7" } });
    const f = formFromTenantNetwork(existing);
    expect(f).toMatchObject({ name: "signalling", networkType: "macvlan", networkId: "tn-macvl", cidr: "10.60.0.0/24", poolStart: "10.60.0.1" });
    const { object } = tenantNetworkFromForm({ ...f, containerPrefix: "sig" }, existing);
    expect(object.metadata.resourceVersion).toBe("42");
    expect(object.spec).toMatchObject({ NetworkID: "tn-macvl", NetworkType: "macvlan", Options: { host_device: "ens4", vlan: 1000, alloc: existing.spec!.Options!.alloc, container_prefix: "sig", allocation_pool: { lastIp: "10.60.0.7" } } });
  });
});

describe("validation as the tenant types", () => {
  it("accepts a valid dual-stack network", () => {
    expect(rules(form({ cidr: "10.61.0.0/24", poolStart: "10.61.0.10", poolEnd: "10.61.0.200", net6: "fd00:61::/64", routes: [{ destination: "10.70.0.0/16", gateway: "10.61.0.1" }], routes6: [{ destination: "fd00:70::/48", gateway: "fd00:61::1" }] }))).toEqual([]);
  });

  it("names the field and the rule of a bad cidr (N-2), an IPv6 cidr (N-9) and one that is too large (N-10)", () => {
    expect(rules(form({ cidr: "10.60.0.0/33" }))).toEqual(["N-2 spec.Options.cidr"]);
    expect(rules(form({ cidr: "fd00::/64" }))).toEqual(["N-9 spec.Options.cidr"]);
    expect(rules(form({ cidr: "10.0.0.0/8" }))).toEqual(["N-10 spec.Options.cidr"]);
  });

  it("checks pools and gateways against the subnet (N-3, N-8, N-11, N-12, N-13, N-18)", () => {
    expect(rules(form({ poolStart: "10.0.0.5" }))).toEqual(["N-8 spec.Options.allocation_pool"]);
    expect(rules(form({ cidr: "10.60.0.0/24", poolStart: "10.61.0.5" }))).toEqual(["N-11 spec.Options.allocation_pool.start"]);
    expect(rules(form({ cidr: "10.60.0.0/24", poolStart: "10.60.0.50", poolEnd: "10.60.0.40" }))).toEqual(["N-12 spec.Options.allocation_pool.end"]);
    expect(rules(form({ cidr: "10.60.0.0/24", routes: [{ destination: "10.70.0.0/16", gateway: "10.99.0.1" }] }))).toEqual(['N-3 spec.Options.routes["10.70.0.0/16"]']);
    expect(rules(form({ pool6Cidr: "fd00::/112" }))).toEqual(["N-13 spec.Options.allocation_pool_v6"]);
    expect(rules(form({ net6: "fd00:61::/64", pool6Cidr: "fd00:62::/112" }))).toEqual(["N-18 spec.Options.allocation_pool_v6.cidr"]);
  });

  it("refuses what only the form can get wrong: names, table numbers, duplicate and half-filled routes", () => {
    expect(rules(form({ name: "" }))).toEqual(["N-0 metadata.name"]);
    expect(rules(form({ name: "Team_A" }))).toEqual(["N-0 metadata.name"]);
    expect(rules(form({ rtTables: "300" }))).toEqual(["N-0 spec.Options.rt_tables"]);
    expect(rules(form({ rtTables: "ten" }))).toEqual(["N-0 spec.Options.rt_tables"]);
    const routes = [{ destination: "10.70.0.0/16", gateway: "10.60.0.1" }, { destination: "10.70.0.0/16", gateway: "10.60.0.2" }, { destination: "", gateway: "10.60.0.3" }];
    expect(rules(form({ cidr: "10.60.0.0/24", routes }))).toEqual(["N-0 spec.Options.routes[1]", "N-0 spec.Options.routes[2]"]);
  });

  it("requires the SR-IOV pool for sriov (N-24)", () => {
    expect(rules(form({ networkType: "SRIOV" }))).toEqual(["N-24 spec.Options.device_pool"]);
    expect(rules(form({ networkType: "sriov", devicePool: "vendor.example/sriov_left" }))).toEqual([]);
  });

  it("on edit, keeps the NetworkType and assignments (N-23) and refuses a subnet with allocated addresses (N-26)", () => {
    const existing = stored();
    // the type cannot change (N-23): an edit keeps the stored one whatever the field says
    const retyped = validateTenantNetworkForm({ ...formFromTenantNetwork(existing), networkType: "ipvlan" }, existing);
    expect(retyped.issues).toEqual([]);
    expect(retyped.object.spec?.NetworkType).toBe("macvlan");
    // and the cluster's assignments cannot be dropped or changed through the form (N-23)
    const reassigned = { ...existing, spec: { ...existing.spec, Options: { ...existing.spec!.Options, vlan: 1001 } } } as NetworkObject;
    expect(validateTenantNetworkForm(formFromTenantNetwork(existing), reassigned).object.spec?.Options?.vlan).toBe(1001);
    expect(rules({ ...formFromTenantNetwork(existing), cidr: "10.70.0.0/24", poolStart: "", poolEnd: "" }, existing)).toEqual([]);
    const granted = allocateAddresses(existing.spec!.Options!, { ip: "dynamic" });
    if (!granted.ok) throw new Error(granted.error.message);
    const inUse = { ...existing, spec: { ...existing.spec, Options: granted.options } } as NetworkObject;
    expect(rules({ ...formFromTenantNetwork(inUse), cidr: "10.70.0.0/24", poolStart: "", poolEnd: "" }, inUse)).toEqual(["N-26 spec.Options.cidr"]);
  });

  it("agrees with the webhook: what the form accepts, the webhook's own rules accept too", () => {
    const samples: Partial<TenantNetworkForm>[] = [
      { cidr: "10.60.0.0/24" },
      { cidr: "10.60.0.0/31" },
      { cidr: "10.60.0.0/24", net6: "fd00::/64", pool6Cidr: "fd00::/100" },
      { net6: "10.0.0.0/24" },
      { routes6: [{ destination: "fd00:70::/48", gateway: "fd00::1" }] },
      { networkType: "sriov" },
    ];
    const tenantConfig = { apiVersion: "danm.k8s.io/v1", kind: "TenantConfig", metadata: { name: "tenet" }, hostDevices: [{ name: "ens4" }, { name: "vendor.example/sriov_left" }], networkIds: { ipvlan: "tn-ipvl", sriov: "tn-sriov" } } as never;
    for (const s of samples) {
      const v = validateTenantNetworkForm(form(s));
      const webhook = admitNetwork({ operation: "CREATE", phase: "mutate", object: v.object }, { tenantConfig, danmEps: [] });
      expect({ sample: s, issues: v.issues.map((i) => `${i.rule} ${i.path}`) }).toEqual({ sample: s, issues: webhook.issues.map((i) => `${i.rule} ${i.path}`) });
    }
  });
});

describe("where an issue or a server cause is shown", () => {
  it("maps paths to form fields, routes to their rows", () => {
    expect(fieldOfPath("spec.Options.cidr")).toBe("cidr");
    expect(fieldOfPath("spec.Options.allocation_pool.end")).toBe("poolEnd");
    expect(fieldOfPath("spec.Options.allocation_pool")).toBe("poolStart");
    expect(fieldOfPath('spec.Options.routes["10.70.0.0/16"]')).toBe("routes");
    expect(fieldOfPath("spec.Options.vlan")).toBe("form");
    expect(fieldOfPath(undefined)).toBe("form");
    const routes = [{ destination: "10.1.0.0/16", gateway: "x" }, { destination: "10.70.0.0/16", gateway: "y" }];
    expect(routeRowOfPath('spec.Options.routes["10.70.0.0/16"]', routes)).toBe(1);
    expect(routeRowOfPath("spec.Options.routes[0]", routes)).toBe(0);
    expect(routeRowOfPath("spec.Options.routes", routes)).toBeUndefined();
  });
});
