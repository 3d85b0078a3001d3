// What a tenant could otherwise use to take over or break someone else's network: a NetworkID that
// names another network's host interfaces or a path (N-23, N-27, T-10), allocation state written by
// hand (N-28, N-29), VNI bounds the networks cannot carry (T-8), and VNIs reserved for a network the
// API server then refuses (B-6). In the table style of network.test.ts.
import { describe, expect, it } from "vitest";
import type { NetworkObject } from "../api/network";
import type { TenantConfig } from "../api/tenantConfig";
import type { IssueType } from "../issue";
import { defaultIpamIdentities, mayChangeAllocationState, type Requester } from "../rules/allocationState";
import { freshVniBitmap } from "../tenancy/vni";
import { admitNetwork, type NetworkAdmissionContext } from "./network";
import { admitTenantConfig } from "./tenantConfig";

type Json = Record<string, unknown>;
type Expected = { rule: string; type: IssueType; path: string };
const deny = (rule: string, type: IssueType, path: string): Expected => ({ rule, type, path });
const json = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

const IPAM = defaultIpamIdentities();
const alice: Requester = { username: "alice", groups: ["tenet:tenants", "system:authenticated"] };
const netadmin: Requester = { username: "netadmin", groups: ["tenet:netadmins", "system:authenticated"] };
const cni: Requester = { username: "system:serviceaccount:tenet-system:tenet-cni", groups: ["system:serviceaccounts", "system:serviceaccounts:tenet-system"] };
const controllers: Requester = { username: "tenet-controllers", groups: ["tenet:controllers"] };
const clusterAdmin: Requester = { username: "admin", groups: ["system:masters"] };

const TCONF: TenantConfig = {
  apiVersion: "danm.k8s.io/v1",
  kind: "TenantConfig",
  metadata: { name: "tenet", resourceVersion: "1" },
  hostDevices: [
    { name: "ens4", vniType: "vlan", vniRange: "1000-1999", alloc: freshVniBitmap() },
    { name: "ens5", vniType: "vxlan", vniRange: "300-399", alloc: freshVniBitmap() },
  ],
  networkIds: { ipvlan: "tn-ipvl", bridge: "tenant-bridge" },
};
const CONTEXT: NetworkAdmissionContext = { danmEps: [], tenantConfig: TCONF, chooseProfile: () => 0, ipamIdentities: IPAM };

const danmNet = (spec: Json) =>
  json({ apiVersion: "danm.k8s.io/v1", kind: "DanmNet", metadata: { name: "fronthaul", namespace: "team-a" }, spec: { NetworkID: "fronthaul", ...spec } });
const clusterNetwork = (spec: Json) =>
  json({ apiVersion: "danm.k8s.io/v1", kind: "ClusterNetwork", metadata: { name: "overlay" }, spec: { NetworkID: "overlay", ...spec } });
const tenantNetwork = (spec: Json) =>
  json({ apiVersion: "danm.k8s.io/v1", kind: "TenantNetwork", metadata: { name: "sig", namespace: "team-a" }, spec: { NetworkType: "ipvlan", ...spec } });

const create = (object: unknown, requester: Requester = alice) => admitNetwork({ operation: "CREATE", phase: "mutate", object }, { ...CONTEXT, requester });
const update = (oldObject: unknown, object: unknown, requester: Requester = alice, phase: "mutate" | "validate" = "mutate") =>
  admitNetwork({ operation: "UPDATE", phase, object, oldObject }, { ...CONTEXT, requester });
const brief = (o: { issues: { rule: string; type: IssueType; path: string }[] }) => o.issues.map(({ rule, type, path }) => ({ rule, type, path }));

/** A stored object: what the webhook admitted at create. */
function stored(object: unknown): NetworkObject {
  const o = create(object, netadmin);
  expect(o.issues).toEqual([]);
  return json(o.object!);
}
const withSpec = (net: NetworkObject, spec: Json) => json({ ...net, spec: { ...net.spec, ...spec } });
const withOptions = (net: NetworkObject, options: Json) => withSpec(net, { Options: { ...net.spec!.Options, ...options } });

describe("N-27: every NetworkID can name a host interface and a file in the CNI config directory", () => {
  const cases: { name: string; object: Json; denied?: Expected[] }[] = [
    {
      name: "a DanmNet NetworkID ../../../../tmp/x is denied",
      object: danmNet({ NetworkID: "../../../../tmp/x", NetworkType: "bridge" }),
      denied: [deny("N-27", "Invalid", "spec.NetworkID")],
    },
    {
      name: "a ClusterNetwork NetworkID with markup is denied",
      object: clusterNetwork({ NetworkID: '"><img src=x>' }),
      denied: [deny("N-27", "Invalid", "spec.NetworkID")],
    },
    { name: "a NetworkID of .. is denied", object: danmNet({ NetworkID: "..", NetworkType: "bridge" }), denied: [deny("N-27", "Invalid", "spec.NetworkID")] },
    { name: "a NetworkID with a space is denied", object: danmNet({ NetworkID: "a b" }), denied: [deny("N-27", "Invalid", "spec.NetworkID")] },
    { name: "a NetworkID starting with - is denied", object: danmNet({ NetworkID: "-x" }), denied: [deny("N-27", "Invalid", "spec.NetworkID")] },
    {
      name: "a 200,000-character NetworkID is denied as too long",
      object: danmNet({ NetworkID: "a".repeat(200_000), NetworkType: "bridge" }),
      denied: [deny("N-27", "TooLong", "spec.NetworkID")],
    },
    {
      name: "a 64-character static NetworkID is denied",
      object: danmNet({ NetworkID: "a".repeat(64), NetworkType: "bridge" }),
      denied: [deny("N-27", "TooLong", "spec.NetworkID")],
    },
    { name: "a 63-character static NetworkID is accepted", object: danmNet({ NetworkID: "a".repeat(63), NetworkType: "bridge" }) },
    { name: "a NetworkID of letters, digits, '.', '_' and '-' is accepted", object: danmNet({ NetworkID: "Fh_1.a-b" }) },
    {
      name: "a TenantNetwork's own NetworkID for an unmapped static type is checked after binding",
      object: tenantNetwork({ NetworkType: "flannel", NetworkID: "../x" }),
      denied: [deny("N-27", "Invalid", "spec.NetworkID")],
    },
    { name: "a TenantNetwork's bad NetworkID is replaced by the mapping and accepted", object: tenantNetwork({ NetworkID: "../x" }) },
  ];
  it.each(cases)("$name", ({ object, denied }) => {
    const outcome = create(object, netadmin);
    if (denied) {
      expect(brief(outcome)).toEqual(denied);
      expect(outcome.allowed).toBe(false);
      expect(outcome.tenantConfig).toBeUndefined();
    } else expect(outcome.issues).toEqual([]);
  });

  it("the denial of a 200,000-character NetworkID repeats at most 64 of them", () => {
    const outcome = create(danmNet({ NetworkID: "a".repeat(200_000) }), netadmin);
    expect(JSON.stringify(outcome.issues).length).toBeLessThan(400);
  });

  it("UPDATE is checked too: a ClusterNetwork cannot be renamed to a path", () => {
    const old = stored(clusterNetwork({ Options: { host_device: "ens5", vxlan: 600 } }));
    expect(brief(update(old, withSpec(old, { NetworkID: "../../etc/x" }), netadmin))).toEqual([deny("N-27", "Invalid", "spec.NetworkID")]);
  });
});

describe("N-23: the NetworkID of a TenantNetwork is fixed at create", () => {
  const old = stored(tenantNetwork({ Options: { cidr: "10.60.0.0/24", host_device: "ens5" } }));
  const cases: { name: string; object: Json; denied?: Expected[] }[] = [
    {
      name: "alice patching NetworkID to a ClusterNetwork's (overlay) is denied",
      object: withSpec(old, { NetworkID: "overlay" }),
      denied: [deny("N-23", "Forbidden", "spec.NetworkID")],
    },
    { name: "a replace carrying the stored NetworkID is accepted", object: withOptions(old, { container_prefix: "sig" }) },
    { name: "a replace omitting NetworkID keeps the stored one", object: withSpec(old, { NetworkID: undefined }) },
  ];
  it.each(cases)("$name", ({ object, denied }) => {
    for (const phase of ["mutate", "validate"] as const) {
      const outcome = update(old, object, alice, phase);
      if (denied) expect(brief(outcome)).toEqual(denied);
      else expect(outcome.object?.spec?.NetworkID).toBe(old.spec!.NetworkID);
    }
  });
});

describe("N-28: only tenet's IPAM identities change allocation state", () => {
  const old = stored(danmNet({ Options: { cidr: "10.0.0.0/26", net6: "fd00::/120" } }));
  const tnOld = stored(tenantNetwork({ Options: { cidr: "10.60.0.0/24", host_device: "ens4" } }));
  const ones = Buffer.alloc(8, 0xff).toString("base64");
  const zeros = Buffer.alloc(8, 0).toString("base64");
  const cases: { name: string; old: NetworkObject; object: Json; requester: Requester; denied?: Expected[] }[] = [
    {
      name: "alice setting her TenantNetwork's alloc to all ones is denied",
      old: tnOld,
      object: withOptions(tnOld, { alloc: Buffer.alloc(32, 0xff).toString("base64") }),
      requester: alice,
      denied: [deny("N-28", "Forbidden", "spec.Options.alloc")],
    },
    {
      name: "netadmin setting a DanmNet's alloc to zeros is denied",
      old,
      object: withOptions(old, { alloc: zeros }),
      requester: netadmin,
      denied: [deny("N-28", "Forbidden", "spec.Options.alloc")],
    },
    {
      name: "netadmin changing alloc6 is denied",
      old,
      object: withOptions(old, { alloc6: Buffer.alloc(32, 0xff).toString("base64") }),
      requester: netadmin,
      denied: [deny("N-28", "Forbidden", "spec.Options.alloc6")],
    },
    {
      name: "alice moving lastIp is denied",
      old: tnOld,
      object: withOptions(tnOld, { allocation_pool: { ...tnOld.spec!.Options!.allocation_pool, lastIp: "10.60.0.200" } }),
      requester: alice,
      denied: [deny("N-28", "Forbidden", "spec.Options.allocation_pool.lastIp")],
    },
    {
      name: "netadmin moving allocation_pool_v6.lastIp is denied",
      old,
      object: withOptions(old, { allocation_pool_v6: { ...old.spec!.Options!.allocation_pool_v6, lastIp: "fd00::9" } }),
      requester: netadmin,
      denied: [deny("N-28", "Forbidden", "spec.Options.allocation_pool_v6.lastIp")],
    },
    {
      name: "the danm plugin's ServiceAccount changing alloc and lastIp is accepted",
      old,
      object: withOptions(old, {
        alloc: Buffer.from([0x80 | 0x40, 0, 0, 0, 0, 0, 0, 1]).toString("base64"),
        allocation_pool: { ...old.spec!.Options!.allocation_pool, lastIp: "10.0.0.1" },
      }),
      requester: cni,
    },
    { name: "the controllers group changing alloc is accepted", old, object: withOptions(old, { alloc: ones }), requester: controllers },
    { name: "system:masters changing alloc is accepted (default identities)", old, object: withOptions(old, { alloc: ones }), requester: clusterAdmin },
    { name: "netadmin re-sending the stored alloc and lastIp is accepted", old, object: withOptions(old, { container_prefix: "fh" }), requester: netadmin },
    { name: "alice omitting alloc keeps it", old: tnOld, object: withOptions(tnOld, { alloc: undefined, container_prefix: "x" }), requester: alice },
  ];
  it.each(cases)("$name", ({ old, object, requester, denied }) => {
    const outcome = update(old, object, requester);
    if (denied) {
      expect(brief(outcome)).toEqual(denied);
      expect(outcome.issues[0].detail).toContain(requester.username);
    } else expect(outcome.issues).toEqual([]);
  });

  it("mayChangeAllocationState: by user name or group, nobody without userInfo", () => {
    expect(mayChangeAllocationState(cni, IPAM)).toBe(true);
    expect(mayChangeAllocationState({ username: "system:serviceaccount:tenet-system:tenet-controllers" }, IPAM)).toBe(true);
    expect(mayChangeAllocationState(controllers, IPAM)).toBe(true);
    expect(mayChangeAllocationState(alice, IPAM)).toBe(false);
    expect(mayChangeAllocationState({ username: "system:serviceaccount:team-a:tenet-cni" }, IPAM)).toBe(false);
    expect(mayChangeAllocationState(undefined, IPAM)).toBe(false);
    expect(mayChangeAllocationState(clusterAdmin, { users: [], groups: [] })).toBe(false);
  });

  it("the validating pass does not run N-28 (it sees the webhook's own defaults)", () => {
    expect(update(old, withOptions(old, { alloc: ones }), netadmin, "validate").issues).toEqual([]);
  });
});

describe("N-29: allocation state has the form and size IPAM reads, on every write", () => {
  const old = stored(danmNet({ Options: { cidr: "10.0.0.0/26", net6: "fd00::/120" } }));
  const cases: { name: string; object: Json; denied?: Expected[] }[] = [
    { name: "non-base64 alloc is denied", object: withOptions(old, { alloc: "not*base64!" }), denied: [deny("N-29", "Invalid", "spec.Options.alloc")] },
    {
      name: "an alloc of 128 bits for a /26 is denied",
      object: withOptions(old, { alloc: Buffer.alloc(16).toString("base64") }),
      denied: [deny("N-29", "Invalid", "spec.Options.alloc")],
    },
    {
      name: "an alloc6 of 64 bits for a /120 pool is denied",
      object: withOptions(old, { alloc6: Buffer.alloc(8).toString("base64") }),
      denied: [deny("N-29", "Invalid", "spec.Options.alloc6")],
    },
    {
      name: "a lastIp outside cidr is denied",
      object: withOptions(old, { allocation_pool: { ...old.spec!.Options!.allocation_pool, lastIp: "10.9.0.1" } }),
      denied: [deny("N-29", "Invalid", "spec.Options.allocation_pool.lastIp")],
    },
    {
      name: "a lastIp that is no address is denied",
      object: withOptions(old, { allocation_pool: { ...old.spec!.Options!.allocation_pool, lastIp: "x" } }),
      denied: [deny("N-29", "Invalid", "spec.Options.allocation_pool.lastIp")],
    },
    {
      name: "an IPv4 allocation_pool_v6.lastIp is denied",
      object: withOptions(old, { allocation_pool_v6: { ...old.spec!.Options!.allocation_pool_v6, lastIp: "10.0.0.1" } }),
      denied: [deny("N-29", "Invalid", "spec.Options.allocation_pool_v6.lastIp")],
    },
    {
      name: "a lastIp stored with its prefix is accepted (decision 1)",
      object: withOptions(old, { allocation_pool: { ...old.spec!.Options!.allocation_pool, lastIp: "10.0.0.5/26" } }),
    },
    { name: "a bitmap of the right size is accepted", object: withOptions(old, { alloc: Buffer.alloc(8, 0xff).toString("base64") }) },
  ];
  it.each(cases)("$name (written by the danm plugin)", ({ object, denied }) => {
    const outcome = update(old, object, cni);
    if (denied) expect(brief(outcome)).toEqual(denied);
    else expect(outcome.issues).toEqual([]);
  });

  it("what is stored is not read again: an update leaving a stored bitmap as it is passes", () => {
    const legacy = withOptions(old, { alloc: "legacy" }) as NetworkObject;
    expect(update(legacy, withOptions(legacy, { container_prefix: "x" }), netadmin).issues).toEqual([]);
  });
});

describe("T-8 agrees with the networks' schema; T-10 applies N-27 to networkIds", () => {
  const config = (hostDevices: Json[], networkIds: Record<string, string> = { ipvlan: "tn-ipvl" }) => ({
    apiVersion: "danm.k8s.io/v1",
    kind: "TenantConfig",
    metadata: { name: "tenet" },
    hostDevices,
    networkIds,
  });
  const cases: { name: string; object: Json; denied?: Expected[] }[] = [
    {
      name: "a VLAN range 4095-4096 is denied by T-8",
      object: config([{ name: "ens4", vniType: "vlan", vniRange: "4095-4096" }]),
      denied: [deny("T-8", "Invalid", "hostDevices[0].vniRange")],
    },
    { name: "a VLAN range ending at 4094 is accepted", object: config([{ name: "ens4", vniType: "vlan", vniRange: "4000-4094" }]) },
    {
      name: "a VLAN range holding 0 is denied by T-8",
      object: config([{ name: "ens4", vniType: "vlan", vniRange: "0-10" }]),
      denied: [deny("T-8", "Invalid", "hostDevices[0].vniRange")],
    },
    { name: "a VxLAN range up to 5000 is accepted", object: config([{ name: "ens5", vniType: "vxlan", vniRange: "4095-5000" }]) },
    {
      name: "a VxLAN range above 5000 is denied by T-8",
      object: config([{ name: "ens5", vniType: "vxlan", vniRange: "4990-5001" }]),
      denied: [deny("T-8", "Invalid", "hostDevices[0].vniRange")],
    },
    {
      name: "a networkIds value ../../x is denied by T-10",
      object: config([{ name: "bond2" }], { bridge: "../../x" }),
      denied: [deny("T-10", "Invalid", 'networkIds["bridge"]')],
    },
    {
      name: "a 100-character networkIds value for a static type is denied by T-10",
      object: config([{ name: "bond2" }], { bridge: "b".repeat(100) }),
      denied: [deny("T-10", "Invalid", 'networkIds["bridge"]')],
    },
  ];
  it.each(cases)("$name", ({ object, denied }) => {
    const outcome = admitTenantConfig("CREATE", object);
    if (denied) expect(brief(outcome)).toEqual(denied);
    else expect(outcome.issues).toEqual([]);
  });
});

describe("B-6: a TenantNetwork the API server will refuse by name reserves nothing", () => {
  const named = (metadata: Json) =>
    json({ ...tenantNetwork({ Options: { cidr: "10.60.0.0/24", host_device: "ens4" } }), metadata: { namespace: "team-a", ...metadata } });
  const cases: { name: string; object: Json; denied?: Expected[] }[] = [
    { name: "an upper-case name is denied before the VNI is reserved", object: named({ name: "Bad_Name" }), denied: [deny("B-6", "Invalid", "metadata.name")] },
    { name: "a 254-character name is denied", object: named({ name: "a".repeat(254) }), denied: [deny("B-6", "Invalid", "metadata.name")] },
    { name: "a generateName with a capital is denied", object: named({ generateName: "Sig-" }), denied: [deny("B-6", "Invalid", "metadata.generateName")] },
    { name: "a DNS subdomain name is accepted and gets its VNI", object: named({ name: "sig.v2-a" }) },
    { name: "a generateName prefix ending in - is accepted", object: named({ generateName: "sig-" }) },
  ];
  it.each(cases)("$name", ({ object, denied }) => {
    const outcome = create(object);
    if (denied) {
      expect(brief(outcome)).toEqual(denied);
      expect(outcome.tenantConfig).toBeUndefined();
      expect(outcome.reserved).toBeUndefined();
    } else expect(outcome.reserved).toMatchObject({ profile: "ens4", vniType: "vlan", vni: 1000 });
  });
});
