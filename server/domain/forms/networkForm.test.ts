import { describe, expect, it } from "vitest";
import type { NetworkKind, NetworkObject } from "../api/network";
import { admitNetwork } from "../admission/network";
import { allocateAddresses } from "../ipam/allocate";
import { freshIpBitmap } from "../ipam/pool";
import { parseCidr } from "../net/cidr";
import {
  emptyNetworkForm,
  formFromNetwork,
  networkFromForm,
  placeCauses,
  placeIssues,
  placeOfPath,
  routeRowOfPath,
  validateNetworkForm,
  type NetworkForm,
} from "./networkForm";

const tenantForm = (patch: Partial<NetworkForm>): NetworkForm => ({ ...emptyNetworkForm("TenantNetwork", "team-a"), name: "signalling", ...patch });
const clusterForm = (patch: Partial<NetworkForm>): NetworkForm => ({ ...emptyNetworkForm("ClusterNetwork"), ...patch });
const rules = (f: NetworkForm, existing?: NetworkObject) => validateNetworkForm(f, existing).issues.map((i) => `${i.rule} ${i.path}`);

/** A TenantNetwork as the webhook stores it after create: device, VNI, NetworkID and bitmaps assigned. */
function storedTenantNetwork(options: Record<string, unknown> = {}): NetworkObject {
  const cidr = parseCidr("10.60.0.0/24");
  return {
    apiVersion: "danm.k8s.io/v1",
    kind: "TenantNetwork",
    metadata: { name: "signalling", namespace: "team-a", resourceVersion: "42" },
    spec: {
      NetworkID: "tn-macvl",
      NetworkType: "macvlan",
      Options: {
        cidr: "10.60.0.0/24",
        allocation_pool: { start: "10.60.0.1", end: "10.60.0.254" },
        alloc: freshIpBitmap(cidr, []).encode(),
        host_device: "ens4",
        vlan: 1000,
        ...options,
      },
    },
  } as NetworkObject;
}

// backhaul as the dev cluster stores it: the webhook and IPAM wrote alloc, alloc6, lastIp and allocation_pool_v6
const backhaul = (): NetworkObject =>
  ({
    apiVersion: "danm.k8s.io/v1",
    kind: "ClusterNetwork",
    metadata: { name: "backhaul", resourceVersion: "4711", uid: "3f0c", labels: { site: "north" }, annotations: { note: "x" } },
    spec: {
      AllowedTenants: ["team-a", "team-b"],
      NetworkID: "backhaul",
      NetworkType: "ipvlan",
      Options: {
        alloc: "wAAAAAAAAAAAAAAAAAAAAAAAAAE=",
        alloc6: "wAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAE=",
        allocation_pool: { start: "172.20.4.20", end: "172.20.4.200", lastIp: "172.20.4.33" },
        allocation_pool_v6: { cidr: "fd00:20:4::/106", start: "fd00:20:4::1", end: "fd00:20:4::3f:fffe", lastIp: "" },
        cidr: "172.20.4.0/24",
        container_prefix: "bh",
        host_device: "bond1",
        net6: "fd00:20:4::/64",
        routes: { "172.21.0.0/16": "172.20.4.1", "172.22.0.0/16": "172.20.4.2" },
        routes6: { "fd00:21::/48": "fd00:20:4::1" },
        rt_tables: 40,
        vlan: 310,
      },
    },
  }) as NetworkObject;

describe("the form showing a stored network", () => {
  it("shows every field a ClusterNetwork's form edits", () => {
    expect(formFromNetwork(backhaul())).toEqual({
      kind: "ClusterNetwork",
      name: "backhaul",
      namespace: "",
      networkType: "ipvlan",
      networkId: "backhaul",
      device: "host_device",
      deviceName: "bond1",
      vniType: "vlan",
      vni: "310",
      cidr: "172.20.4.0/24",
      poolStart: "172.20.4.20",
      poolEnd: "172.20.4.200",
      net6: "fd00:20:4::/64",
      pool6Cidr: "fd00:20:4::/106",
      pool6Start: "fd00:20:4::1",
      pool6End: "fd00:20:4::3f:fffe",
      routes: [
        { destination: "172.21.0.0/16", gateway: "172.20.4.1" },
        { destination: "172.22.0.0/16", gateway: "172.20.4.2" },
      ],
      routes6: [{ destination: "fd00:21::/48", gateway: "fd00:20:4::1" }],
      containerPrefix: "bh",
      rtTables: "40",
      allowedTenants: ["team-a", "team-b"],
    } satisfies NetworkForm);
  });

  it("reads an SR-IOV pool with a VxLAN, a network with neither device nor VNI, and rt_tables 0 as 0", () => {
    const sriov = formFromNetwork({
      kind: "ClusterNetwork",
      metadata: { name: "fh" },
      spec: { NetworkType: "sriov", Options: { device_pool: "vendor.example/sriov_a", vxlan: 600 } },
    } as NetworkObject);
    expect(sriov).toMatchObject({ device: "device_pool", deviceName: "vendor.example/sriov_a", vniType: "vxlan", vni: "600" });
    const bare = formFromNetwork({ kind: "ClusterNetwork", metadata: { name: "flannel" }, spec: { NetworkType: "flannel" } } as NetworkObject);
    expect(bare).toMatchObject({ device: "none", deviceName: "", vniType: "none", vni: "", cidr: "", routes: [], rtTables: "", allowedTenants: [] });
    expect(formFromNetwork({ kind: "DanmNet", metadata: {}, spec: { Options: { rt_tables: 0 } } } as NetworkObject).rtTables).toBe("0");
  });
});

describe("the network a form describes", () => {
  it("builds a minimal TenantNetwork with only what the tenant typed", () => {
    const { object, issues } = networkFromForm(tenantForm({ cidr: " 10.60.0.0/25 ", containerPrefix: "sig", rtTables: "10" }));
    expect(issues).toEqual([]);
    expect(object).toEqual({
      apiVersion: "danm.k8s.io/v1",
      kind: "TenantNetwork",
      metadata: { name: "signalling", namespace: "team-a" },
      spec: { NetworkType: "ipvlan", Options: { cidr: "10.60.0.0/25", container_prefix: "sig", rt_tables: 10 } },
    });
  });

  it("creates a ClusterNetwork: only the name in metadata, empty fields left out rather than sent as empty strings", () => {
    const sent = networkFromForm(
      clusterForm({
        name: " lab ",
        networkType: "macvlan",
        device: "host_device",
        deviceName: " ens4 ",
        cidr: "10.9.0.0/24",
        routes: [{ destination: "", gateway: "" }],
      }),
    ).object;
    expect(sent).toEqual({
      apiVersion: "danm.k8s.io/v1",
      kind: "ClusterNetwork",
      metadata: { name: "lab" },
      spec: { NetworkType: "macvlan", Options: { host_device: "ens4", cidr: "10.9.0.0/24" } },
    });
    const empty = networkFromForm(clusterForm({ name: "x", networkType: "", device: "none" })).object;
    expect(empty.spec).toEqual({ Options: {} });
    expect(JSON.stringify(empty)).not.toContain('""');
  });

  it("turns route rows into DANM's route map: trimmed, untouched rows dropped, an emptied list removed", () => {
    const rows = [
      { destination: " 10.70.0.0/16 ", gateway: " 10.61.0.1 " },
      { destination: "", gateway: "" },
      { destination: "192.168.0.0/16", gateway: "10.61.0.254" },
    ];
    expect(networkFromForm(tenantForm({ cidr: "10.61.0.0/24", routes: rows })).object.spec?.Options?.routes).toEqual({
      "10.70.0.0/16": "10.61.0.1",
      "192.168.0.0/16": "10.61.0.254",
    });
    const stored = backhaul();
    expect(networkFromForm({ ...formFromNetwork(stored), routes: [{ destination: "", gateway: "" }] }, stored).object.spec?.Options).not.toHaveProperty(
      "routes",
    );
  });

  it("sends device_pool for a TenantNetwork only when it is sriov, the one type where the tenant names the pool", () => {
    expect(networkFromForm(tenantForm({ networkType: "sriov", deviceName: "vendor.example/sriov_left" })).object.spec?.Options?.device_pool).toBe(
      "vendor.example/sriov_left",
    );
    expect(networkFromForm(tenantForm({ networkType: "ipvlan", deviceName: "vendor.example/sriov_left" })).object.spec?.Options).not.toHaveProperty(
      "device_pool",
    );
  });

  it("gives back the stored ClusterNetwork when nothing was edited, keeping what the form does not show", () => {
    const stored = backhaul();
    expect(networkFromForm(formFromNetwork(stored), stored).object).toEqual(stored);
  });

  it("keeps the bitmaps, lastIp, resourceVersion and labels through an edit, and leaves the stored object alone", () => {
    const stored = backhaul();
    const sent = networkFromForm({ ...formFromNetwork(stored), poolEnd: "172.20.4.220", vni: "311", cidr: "", routes: [] }, stored).object;
    expect(sent.metadata).toEqual(stored.metadata);
    expect(sent.spec?.Options).toMatchObject({
      alloc: stored.spec!.Options!.alloc,
      alloc6: stored.spec!.Options!.alloc6,
      allocation_pool_v6: stored.spec!.Options!.allocation_pool_v6,
      vlan: 311,
    });
    expect(stored).toEqual(backhaul());
  });

  it("keeps what the cluster assigned to a TenantNetwork when editing, and the form round-trips", () => {
    const existing = storedTenantNetwork({ allocation_pool: { start: "10.60.0.1", end: "10.60.0.254", lastIp: "10.60.0.7" } });
    const f = formFromNetwork(existing);
    expect(f).toMatchObject({ name: "signalling", networkType: "macvlan", networkId: "tn-macvl", cidr: "10.60.0.0/24", poolStart: "10.60.0.1" });
    const { object } = networkFromForm({ ...f, containerPrefix: "sig", networkType: "ipvlan", vni: "7" }, existing);
    expect(object.metadata.resourceVersion).toBe("42");
    expect(object.spec).toMatchObject({
      NetworkID: "tn-macvl",
      NetworkType: "macvlan",
      Options: { host_device: "ens4", vlan: 1000, alloc: existing.spec!.Options!.alloc, container_prefix: "sig", allocation_pool: { lastIp: "10.60.0.7" } },
    });
  });

  it("keeps a pool's lastIp when start and end are cleared, but not when the subnet changes", () => {
    const stored = backhaul();
    expect(networkFromForm({ ...formFromNetwork(stored), poolStart: "", poolEnd: "" }, stored).object.spec?.Options?.allocation_pool).toEqual({
      lastIp: "172.20.4.33",
    });
    expect(networkFromForm({ ...formFromNetwork(stored), cidr: "172.20.5.0/24", poolStart: "", poolEnd: "" }, stored).object.spec?.Options).not.toHaveProperty(
      "allocation_pool",
    );
    expect(networkFromForm(clusterForm({ name: "n", cidr: "10.1.0.0/24" })).object.spec?.Options).not.toHaveProperty("allocation_pool");
    expect(networkFromForm(clusterForm({ name: "n", poolStart: "10.1.0.10" })).object.spec?.Options?.allocation_pool).toEqual({ start: "10.1.0.10" });
  });

  it("removes what the netadmin cleared, and only that", () => {
    const stored = backhaul();
    const cleared: NetworkForm = {
      ...formFromNetwork(stored),
      net6: "",
      pool6Cidr: "",
      pool6Start: "",
      pool6End: "",
      routes6: [],
      containerPrefix: " ",
      rtTables: "",
      networkId: "",
      allowedTenants: [],
    };
    const spec = networkFromForm(cleared, stored).object.spec!;
    for (const k of ["net6", "routes6", "container_prefix", "rt_tables", "allocation_pool_v6"]) expect(spec.Options).not.toHaveProperty(k);
    expect(spec).not.toHaveProperty("NetworkID");
    expect(spec).not.toHaveProperty("AllowedTenants");
    expect(spec.Options).toMatchObject({ cidr: "172.20.4.0/24", host_device: "bond1", vlan: 310 });
  });

  it("switches a ClusterNetwork's device and VNI kind without leaving the old one behind", () => {
    const stored = backhaul();
    const sent = networkFromForm(
      { ...formFromNetwork(stored), device: "device_pool", deviceName: "vendor.example/sriov_a", vniType: "vxlan", vni: "5000" },
      stored,
    ).object;
    expect(sent.spec?.Options).toMatchObject({ device_pool: "vendor.example/sriov_a", vxlan: 5000 });
    expect(sent.spec?.Options).not.toHaveProperty("host_device");
    expect(sent.spec?.Options).not.toHaveProperty("vlan");
    const none = networkFromForm({ ...formFromNetwork(stored), device: "none", vniType: "none" }, stored).object;
    for (const k of ["host_device", "device_pool", "vlan", "vxlan"]) expect(none.spec?.Options).not.toHaveProperty(k);
  });

  it("lists AllowedTenants sorted, none ticked meaning absent (open to every namespace), and numbers as numbers", () => {
    expect(networkFromForm(clusterForm({ name: "n", allowedTenants: ["team-b", "team-a"] })).object.spec?.AllowedTenants).toEqual(["team-a", "team-b"]);
    expect(networkFromForm(clusterForm({ name: "n" })).object.spec).not.toHaveProperty("AllowedTenants");
    const o = networkFromForm(clusterForm({ name: "n", vniType: "vlan", vni: " 42 ", rtTables: "0" })).object.spec?.Options;
    expect(o?.vlan).toBe(42);
    expect(o?.rt_tables).toBe(0);
  });
});

describe("validation as the person types", () => {
  // each case: the kind's form with some fields typed, and the rule and path of every issue expected
  const cases: { name: string; form: NetworkForm; existing?: NetworkObject; issues: string[] }[] = [
    {
      name: "a valid dual-stack TenantNetwork",
      form: tenantForm({
        cidr: "10.61.0.0/24",
        poolStart: "10.61.0.10",
        poolEnd: "10.61.0.200",
        net6: "fd00:61::/64",
        routes: [{ destination: "10.70.0.0/16", gateway: "10.61.0.1" }],
        routes6: [{ destination: "fd00:70::/48", gateway: "fd00:61::1" }],
      }),
      issues: [],
    },
    { name: "a TenantNetwork with a bad cidr is refused by N-2", form: tenantForm({ cidr: "10.60.0.0/33" }), issues: ["N-2 spec.Options.cidr"] },
    { name: "a TenantNetwork with an IPv6 cidr is refused by N-9", form: tenantForm({ cidr: "fd00::/64" }), issues: ["N-9 spec.Options.cidr"] },
    { name: "a TenantNetwork with a /8 is refused by N-10", form: tenantForm({ cidr: "10.0.0.0/8" }), issues: ["N-10 spec.Options.cidr"] },
    { name: "a pool without cidr is refused by N-8", form: tenantForm({ poolStart: "10.0.0.5" }), issues: ["N-8 spec.Options.allocation_pool"] },
    {
      name: "a pool start outside cidr is refused by N-11",
      form: tenantForm({ cidr: "10.60.0.0/24", poolStart: "10.61.0.5" }),
      issues: ["N-11 spec.Options.allocation_pool.start"],
    },
    {
      name: "a pool ending before its start is refused by N-12",
      form: tenantForm({ cidr: "10.60.0.0/24", poolStart: "10.60.0.50", poolEnd: "10.60.0.40" }),
      issues: ["N-12 spec.Options.allocation_pool.end"],
    },
    {
      name: "a gateway outside cidr is refused by N-3",
      form: tenantForm({ cidr: "10.60.0.0/24", routes: [{ destination: "10.70.0.0/16", gateway: "10.99.0.1" }] }),
      issues: ['N-3 spec.Options.routes["10.70.0.0/16"]'],
    },
    { name: "an IPv6 pool without net6 is refused by N-13", form: tenantForm({ pool6Cidr: "fd00::/112" }), issues: ["N-13 spec.Options.allocation_pool_v6"] },
    {
      name: "an IPv6 pool outside net6 is refused by N-18",
      form: tenantForm({ net6: "fd00:61::/64", pool6Cidr: "fd00:62::/112" }),
      issues: ["N-18 spec.Options.allocation_pool_v6.cidr"],
    },
    { name: "a TenantNetwork without a name", form: tenantForm({ name: "" }), issues: ["N-0 metadata.name"] },
    { name: "a TenantNetwork with an upper-case name", form: tenantForm({ name: "Team_A" }), issues: ["N-0 metadata.name"] },
    { name: "rt_tables 300", form: tenantForm({ rtTables: "300" }), issues: ["N-0 spec.Options.rt_tables"] },
    { name: "rt_tables that is no number", form: tenantForm({ rtTables: "ten" }), issues: ["N-0 spec.Options.rt_tables"] },
    {
      name: "a duplicate, a destination-less and a gateway-less route, each on its row",
      form: tenantForm({
        cidr: "10.60.0.0/24",
        routes: [
          { destination: "10.70.0.0/16", gateway: "10.60.0.1" },
          { destination: "10.70.0.0/16", gateway: "10.60.0.2" },
          { destination: "", gateway: "10.60.0.3" },
          { destination: "10.80.0.0/16", gateway: " " },
        ],
      }),
      issues: ["N-0 spec.Options.routes[1]", "N-0 spec.Options.routes[2]", "N-0 spec.Options.routes[3]"],
    },
    {
      name: "an sriov TenantNetwork without its pool is refused by N-24",
      form: tenantForm({ networkType: "SRIOV" }),
      issues: ["N-24 spec.Options.device_pool"],
    },
    { name: "an sriov TenantNetwork naming its pool", form: tenantForm({ networkType: "sriov", deviceName: "vendor.example/sriov_left" }), issues: [] },
    { name: "a complete ClusterNetwork", form: formFromNetwork(backhaul()), existing: backhaul(), issues: [] },
    {
      name: "a new ClusterNetwork without a NetworkID is refused by N-21",
      form: clusterForm({ name: "lab", deviceName: "ens4", cidr: "10.9.0.0/24" }),
      issues: ["N-21 spec.NetworkID"],
    },
    {
      name: "a ClusterNetwork with a bad cidr is refused by N-2 as it is typed",
      form: clusterForm({ name: "lab", networkId: "lab", deviceName: "ens4", cidr: "10.9.0.0/33" }),
      issues: ["N-2 spec.Options.cidr"],
    },
    {
      name: "a ClusterNetwork with a VLAN and a long NetworkID is refused by N-21",
      form: clusterForm({ name: "lab", networkId: "elevenchars", deviceName: "ens4", vniType: "vlan", vni: "5" }),
      issues: ["N-21 spec.NetworkID"],
    },
    {
      name: "an sriov ClusterNetwork on a host NIC is refused by N-24",
      form: clusterForm({ name: "lab", networkId: "lab", networkType: "sriov", deviceName: "ens4" }),
      issues: ["N-24 spec.Options.device_pool", "N-24 spec.Options.host_device"],
    },
    {
      name: "a ClusterNetwork with a device chosen but not named, a VNI that is no number",
      form: clusterForm({ name: "lab", networkId: "lab", device: "device_pool", vniType: "vxlan", vni: "12a" }),
      issues: ["N-0 spec.Options.device_pool", "N-0 spec.Options.vxlan"],
    },
    {
      name: "a DanmNet with AllowedTenants is refused by N-22",
      form: { ...emptyNetworkForm("DanmNet", "team-a"), name: "d", networkId: "d", device: "none", allowedTenants: ["team-a"] },
      existing: { kind: "DanmNet", metadata: { name: "d", namespace: "team-a" }, spec: { NetworkID: "d", AllowedTenants: ["team-a"] } } as NetworkObject,
      issues: ["N-22 spec.AllowedTenants"],
    },
  ];
  for (const c of cases) it(c.name, () => expect(rules(c.form, c.existing)).toEqual(c.issues));

  it("on a TenantNetwork edit, keeps the NetworkType and assignments (N-23) and refuses a subnet with allocated addresses (N-26)", () => {
    const existing = storedTenantNetwork();
    const retyped = validateNetworkForm({ ...formFromNetwork(existing), networkType: "ipvlan" }, existing);
    expect(retyped.issues).toEqual([]);
    expect(retyped.object.spec?.NetworkType).toBe("macvlan");
    const reassigned = { ...existing, spec: { ...existing.spec, Options: { ...existing.spec!.Options, vlan: 1001 } } } as NetworkObject;
    expect(validateNetworkForm(formFromNetwork(existing), reassigned).object.spec?.Options?.vlan).toBe(1001);
    expect(rules({ ...formFromNetwork(existing), cidr: "10.70.0.0/24", poolStart: "", poolEnd: "" }, existing)).toEqual([]);
    const granted = allocateAddresses(existing.spec!.Options!, { ip: "dynamic" });
    if (!granted.ok) throw new Error(granted.error.message);
    const inUse = { ...existing, spec: { ...existing.spec, Options: granted.options } } as NetworkObject;
    expect(rules({ ...formFromNetwork(inUse), cidr: "10.70.0.0/24", poolStart: "", poolEnd: "" }, inUse)).toEqual(["N-26 spec.Options.cidr"]);
  });

  it("agrees with the webhook for every kind: what the form accepts or refuses, admitNetwork's rules accept or refuse alike", () => {
    const samples: Partial<NetworkForm>[] = [
      { cidr: "10.60.0.0/24" },
      { cidr: "10.60.0.0/31" },
      { cidr: "10.60.0.0/24", net6: "fd00::/64", pool6Cidr: "fd00::/100" },
      { net6: "10.0.0.0/24" },
      { routes6: [{ destination: "fd00:70::/48", gateway: "fd00::1" }] },
      { networkType: "sriov", deviceName: "vendor.example/sriov_left" },
      { networkType: "sriov" },
    ];
    const tenantConfig = {
      apiVersion: "danm.k8s.io/v1",
      kind: "TenantConfig",
      metadata: { name: "tenet" },
      hostDevices: [{ name: "ens4" }, { name: "vendor.example/sriov_left" }],
      networkIds: { ipvlan: "tn-ipvl", sriov: "tn-sriov" },
    } as never;
    const kinds: [NetworkKind, Partial<NetworkForm>][] = [
      ["TenantNetwork", { namespace: "team-a" }],
      ["ClusterNetwork", { networkId: "cn", device: "none" }],
      ["DanmNet", { namespace: "team-a", networkId: "dn", device: "none", vniType: "vlan", vni: "7" }],
    ];
    for (const [kind, base] of kinds) {
      for (const s of samples) {
        const f = {
          ...emptyNetworkForm(kind),
          name: "n",
          ...base,
          ...s,
          ...(kind !== "TenantNetwork" && s.deviceName ? { device: "device_pool" as const } : {}),
        };
        const v = validateNetworkForm(f);
        const webhook = admitNetwork({ operation: "CREATE", phase: "mutate", object: v.object }, { tenantConfig, danmEps: [] });
        expect({ kind, sample: s, issues: v.issues.map((i) => `${i.rule} ${i.path}`) }).toEqual({
          kind,
          sample: s,
          issues: webhook.issues.map((i) => `${i.rule} ${i.path}`),
        });
      }
    }
  });
});

describe("where an issue or an API server cause is shown", () => {
  it("maps paths to fields, the longest field path first, routes to their rows", () => {
    expect(placeOfPath("spec.Options.cidr")).toBe("cidr");
    expect(placeOfPath(".spec.NetworkID")).toBe("networkId");
    expect(placeOfPath("spec.Options.allocation_pool.end")).toBe("poolEnd");
    expect(placeOfPath("spec.Options.allocation_pool")).toBe("poolStart");
    expect(placeOfPath("spec.Options.allocation_pool_v6.cidr")).toBe("pool6Cidr");
    expect(placeOfPath('spec.Options.routes["10.70.0.0/16"]')).toBe("routes");
    expect(placeOfPath('spec.Options.routes6["fd00:21::/48"]')).toBe("routes6");
    expect(placeOfPath("spec.Options.routesX")).toBe("form");
    expect(placeOfPath("spec.Options.vxlan")).toBe("vni");
    expect(placeOfPath("spec.Options.device_pool")).toBe("deviceName");
    expect(placeOfPath("spec.AllowedTenants[1]")).toBe("allowedTenants");
    expect(placeOfPath(undefined)).toBe("form");
    const routes = [
      { destination: "10.1.0.0/16", gateway: "x" },
      { destination: "10.70.0.0/16", gateway: "y" },
    ];
    expect(routeRowOfPath('spec.Options.routes["10.70.0.0/16"]', routes)).toBe(1);
    expect(routeRowOfPath("spec.Options.routes[0]", routes)).toBe(0);
    expect(routeRowOfPath("spec.Options.routes", routes)).toBeUndefined();
  });

  it("places the webhook's causes on fields and rows, and keeps the path of one that fits no field", () => {
    const f = clusterForm({ routes: [{ destination: "10.0.0.0/8", gateway: "1.1.1.1" }] });
    expect(
      placeCauses(
        [
          { field: "spec.Options.vlan", reason: "FieldValueInvalid", message: "Invalid value: 5000: VLAN must be 1-4094 (N-10)" },
          { field: 'spec.Options.routes["10.0.0.0/8"]', message: "gateway must be inside cidr (N-3)" },
          { field: "spec.Options.alloc", message: "alloc is written by the cluster" },
          { message: "the webhook is unavailable" },
          { field: "spec.Options.cidr" },
        ],
        f,
      ),
    ).toEqual([
      { place: "vni", row: undefined, message: "Invalid value: 5000: VLAN must be 1-4094 (N-10)", source: "cluster" },
      { place: "routes", row: 0, message: "gateway must be inside cidr (N-3)", source: "cluster" },
      { place: "form", row: undefined, message: "spec.Options.alloc: alloc is written by the cluster", source: "cluster" },
      { place: "form", row: undefined, message: "the webhook is unavailable", source: "cluster" },
      { place: "cidr", row: undefined, message: "refused", source: "cluster" },
    ]);
  });

  it("words the form's own issues as the webhook words its denials", () => {
    const f = tenantForm({ cidr: "10.60.0.0/33" });
    expect(placeIssues(validateNetworkForm(f).issues, f)).toEqual([
      { place: "cidr", row: undefined, message: 'Invalid value: "10.60.0.0/33": not a CIDR; write it like 10.10.0.0/24 (N-2)', source: "form" },
    ]);
  });
});
