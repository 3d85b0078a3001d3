import { describe, expect, it } from "vitest";
import { causesByField, EMPTY_FORM, formFromObject, localProblems, objectFromForm, type ClusterNetworkFormState, type ClusterNetworkObject } from "./clusterNetworkForm";

// backhaul as the dev cluster stores it: the webhook and IPAM wrote alloc, alloc6, lastIp and allocation_pool_v6
const backhaul = (): ClusterNetworkObject => ({
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
      some_future_option: { keep: true },
    },
  },
});

const form = (patch: Partial<ClusterNetworkFormState>): ClusterNetworkFormState => ({ ...EMPTY_FORM, ...patch });

describe("formFromObject", () => {
  it("shows every field the form edits", () => {
    expect(formFromObject(backhaul())).toEqual({
      name: "backhaul",
      networkType: "ipvlan",
      networkId: "backhaul",
      cidr: "172.20.4.0/24",
      poolStart: "172.20.4.20",
      poolEnd: "172.20.4.200",
      net6: "fd00:20:4::/64",
      routes: [
        { destination: "172.21.0.0/16", gateway: "172.20.4.1" },
        { destination: "172.22.0.0/16", gateway: "172.20.4.2" },
      ],
      routes6: [{ destination: "fd00:21::/48", gateway: "fd00:20:4::1" }],
      device: "host_device",
      deviceName: "bond1",
      vniType: "vlan",
      vni: "310",
      containerPrefix: "bh",
      rtTables: "40",
      allowedTenants: ["team-a", "team-b"],
    } satisfies ClusterNetworkFormState);
  });

  it("reads an SR-IOV pool with a VxLAN, and a network with neither device nor VNI", () => {
    const sriov = formFromObject({ metadata: { name: "fh" }, spec: { NetworkType: "sriov", Options: { device_pool: "vendor.example/sriov_a", vxlan: 600 } } });
    expect(sriov).toMatchObject({ device: "device_pool", deviceName: "vendor.example/sriov_a", vniType: "vxlan", vni: "600" });
    const bare = formFromObject({ metadata: { name: "flannel" }, spec: { NetworkType: "flannel" } });
    expect(bare).toMatchObject({ device: "none", deviceName: "", vniType: "none", vni: "", cidr: "", routes: [], rtTables: "", allowedTenants: [] });
  });

  it("shows rt_tables 0 as 0, not as empty", () => {
    expect(formFromObject({ metadata: {}, spec: { Options: { rt_tables: 0 } } }).rtTables).toBe("0");
  });
});

describe("objectFromForm", () => {
  it("gives back the stored object when nothing was edited, keeping what the form does not show", () => {
    const stored = backhaul();
    expect(objectFromForm(formFromObject(stored), stored)).toEqual(stored);
  });

  it("keeps the bitmaps, lastIp, resourceVersion and unknown Options through an edit", () => {
    const stored = backhaul();
    const sent = objectFromForm({ ...formFromObject(stored), poolEnd: "172.20.4.220", vni: "311" }, stored);
    expect(sent.metadata).toEqual(stored.metadata);
    expect(sent.spec?.Options).toMatchObject({
      alloc: stored.spec!.Options!.alloc,
      alloc6: stored.spec!.Options!.alloc6,
      allocation_pool: { start: "172.20.4.20", end: "172.20.4.220", lastIp: "172.20.4.33" },
      allocation_pool_v6: stored.spec!.Options!.allocation_pool_v6,
      some_future_option: { keep: true },
      vlan: 311,
    });
  });

  it("does not change the object being edited", () => {
    const stored = backhaul();
    objectFromForm({ ...formFromObject(stored), cidr: "", routes: [], vniType: "none", device: "none", allowedTenants: [] }, stored);
    expect(stored).toEqual(backhaul());
  });

  it("creates a network from a new form: only the name in metadata, empty fields left out rather than sent as empty strings", () => {
    const sent = objectFromForm(form({ name: " lab ", networkType: "macvlan", device: "host_device", deviceName: " ens4 ", cidr: "10.9.0.0/24", routes: [{ destination: "", gateway: "" }] }));
    expect(sent).toEqual({ metadata: { name: "lab" }, spec: { NetworkType: "macvlan", Options: { host_device: "ens4", cidr: "10.9.0.0/24" } } });
  });

  it("sends no empty string anywhere for an empty form", () => {
    const sent = objectFromForm(form({ name: "x", networkType: "" }));
    expect(sent).toEqual({ metadata: { name: "x" }, spec: { Options: {} } });
    expect(JSON.stringify(sent)).not.toContain('""');
  });

  it("removes what the netadmin cleared, and only that", () => {
    const stored = backhaul();
    const cleared: ClusterNetworkFormState = { ...formFromObject(stored), net6: "", routes6: [], containerPrefix: " ", rtTables: "", networkId: "", allowedTenants: [] };
    const spec = objectFromForm(cleared, stored).spec!;
    for (const k of ["net6", "routes6", "container_prefix", "rt_tables"]) expect(spec.Options).not.toHaveProperty(k);
    expect(spec).not.toHaveProperty("NetworkID");
    expect(spec).not.toHaveProperty("AllowedTenants");
    expect(spec.Options).toMatchObject({ cidr: "172.20.4.0/24", host_device: "bond1", vlan: 310 });
  });

  it("switches the device and the VNI kind without leaving the old one behind", () => {
    const stored = backhaul();
    const sent = objectFromForm({ ...formFromObject(stored), device: "device_pool", deviceName: "vendor.example/sriov_a", vniType: "vxlan", vni: "5000" }, stored);
    expect(sent.spec?.Options).toMatchObject({ device_pool: "vendor.example/sriov_a", vxlan: 5000 });
    expect(sent.spec?.Options).not.toHaveProperty("host_device");
    expect(sent.spec?.Options).not.toHaveProperty("vlan");
    const none = objectFromForm({ ...formFromObject(stored), device: "none", vniType: "none" }, stored);
    for (const k of ["host_device", "device_pool", "vlan", "vxlan"]) expect(none.spec?.Options).not.toHaveProperty(k);
  });

  it("turns route rows into the routes map: trimmed, blank rows dropped, an emptied list removed", () => {
    const stored = backhaul();
    const rows = [
      { destination: " 10.0.0.0/8 ", gateway: " 172.20.4.1 " },
      { destination: "", gateway: "" },
      { destination: "192.168.0.0/16", gateway: "172.20.4.254" },
    ];
    expect(objectFromForm({ ...formFromObject(stored), routes: rows }, stored).spec?.Options?.routes).toEqual({ "10.0.0.0/8": "172.20.4.1", "192.168.0.0/16": "172.20.4.254" });
    expect(objectFromForm({ ...formFromObject(stored), routes: [{ destination: "", gateway: "" }] }, stored).spec?.Options).not.toHaveProperty("routes");
  });

  it("keeps the pool's lastIp when start and end are cleared, and drops a pool with nothing left", () => {
    const stored = backhaul();
    expect(objectFromForm({ ...formFromObject(stored), poolStart: "", poolEnd: "" }, stored).spec?.Options?.allocation_pool).toEqual({ lastIp: "172.20.4.33" });
    const fresh = objectFromForm(form({ name: "n", cidr: "10.1.0.0/24" }));
    expect(fresh.spec?.Options).not.toHaveProperty("allocation_pool");
    expect(objectFromForm(form({ name: "n", poolStart: "10.1.0.10" })).spec?.Options?.allocation_pool).toEqual({ start: "10.1.0.10" });
  });

  it("lists AllowedTenants sorted, and none ticked means the field is absent (open to every namespace)", () => {
    expect(objectFromForm(form({ name: "n", allowedTenants: ["team-b", "team-a"] })).spec?.AllowedTenants).toEqual(["team-a", "team-b"]);
    expect(objectFromForm(form({ name: "n", allowedTenants: [] })).spec).not.toHaveProperty("AllowedTenants");
  });

  it("sends numbers for vlan, vxlan and rt_tables, including rt_tables 0", () => {
    const o = objectFromForm(form({ name: "n", vniType: "vlan", vni: " 42 ", rtTables: "0" })).spec?.Options;
    expect(o?.vlan).toBe(42);
    expect(o?.rt_tables).toBe(0);
  });
});

describe("localProblems", () => {
  it("finds nothing wrong with a complete form", () => {
    expect(localProblems(formFromObject(backhaul()))).toEqual({});
  });

  it("asks for a name, whole-number VNIs and rt_tables, and a device name, on the fields concerned", () => {
    const problems = localProblems(form({ name: " ", vniType: "vxlan", vni: "12a", rtTables: "-1", device: "device_pool", deviceName: "" }));
    expect(Object.keys(problems).sort()).toEqual(["metadata.name", "spec.Options.device_pool", "spec.Options.rt_tables", "spec.Options.vxlan"]);
    expect(problems["spec.Options.vxlan"]).toEqual(["vxlan must be a whole number."]);
    expect(problems["spec.Options.device_pool"]![0]).toMatch(/SR-IOV device pool/);
    expect(localProblems(form({ name: "n", vniType: "vlan", vni: "" }))).toHaveProperty(["spec.Options.vlan"]);
    expect(localProblems(form({ name: "n", device: "host_device", deviceName: "" }))["spec.Options.host_device"]![0]).toMatch(/host NIC/);
  });

  it("does not ask for a VNI or device name that is switched off", () => {
    expect(localProblems(form({ name: "n", vniType: "none", vni: "x", device: "none", deviceName: "" }))).toEqual({});
  });

  it("wants both halves of a route, but ignores an empty row", () => {
    expect(localProblems(form({ name: "n", device: "none", routes: [{ destination: "10.0.0.0/8", gateway: " " }] }))).toEqual({ "spec.Options.routes": ["Every route needs a destination and a gateway."] });
    expect(localProblems(form({ name: "n", device: "none", routes6: [{ destination: "", gateway: "fd00::1" }] }))).toHaveProperty(["spec.Options.routes6"]);
    expect(localProblems(form({ name: "n", device: "none", routes: [{ destination: "", gateway: "" }] }))).toEqual({});
  });
});

describe("causesByField", () => {
  it("puts the webhook's causes on the fields they name", () => {
    const byField = causesByField([
      { field: "spec.Options.vlan", reason: "FieldValueInvalid", message: "Invalid value: 5000: VLAN must be 1-4094 (N-10)" },
      { field: "spec.Options.routes[\"10.0.0.0/8\"]", message: "Invalid value: \"1.1.1.1\": gateway must be an address inside cidr (N-3)" },
      { field: "spec.Options.routes6[\"fd00:21::/48\"]", message: "gateway must be inside net6 (N-6)" },
      { field: "spec.Options.allocation_pool.start", message: "start outside cidr (N-7)" },
      { field: "spec.Options.allocation_pool_v6.cidr", message: "pool6 outside net6" },
      { field: "spec.AllowedTenants[1]", message: "no such namespace" },
      { field: ".spec.NetworkID", message: "too long (N-13)" },
    ]);
    expect(byField).toEqual({
      "spec.Options.vlan": ["Invalid value: 5000: VLAN must be 1-4094 (N-10)"],
      "spec.Options.routes": ["Invalid value: \"1.1.1.1\": gateway must be an address inside cidr (N-3)"],
      "spec.Options.routes6": ["gateway must be inside net6 (N-6)"],
      "spec.Options.allocation_pool": ["start outside cidr (N-7)"],
      "spec.Options.net6": ["pool6 outside net6"],
      "spec.AllowedTenants": ["no such namespace"],
      "spec.NetworkID": ["too long (N-13)"],
    });
  });

  it("puts causes that fit no field at the top, naming the field, and never loses one", () => {
    const byField = causesByField([
      { field: "spec.Options.alloc", message: "alloc is written by the cluster" },
      { field: "spec.Options.routesX", reason: "FieldValueInvalid" },
      { message: "the webhook is unavailable" },
      { field: "spec.Options.cidr" },
    ]);
    expect(byField).toEqual({
      "": ["spec.Options.alloc: alloc is written by the cluster", "spec.Options.routesX: FieldValueInvalid", "the webhook is unavailable"],
      "spec.Options.cidr": ["refused"],
    });
  });
});
