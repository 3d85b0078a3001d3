// admitNetwork: the §8.2 pipeline of danm-spec (rules N-0 … N-26, binding B-1 … B-5, mutation §9).
import { describe, expect, it } from "vitest";
import type { DanmEp } from "../api/danmEp";
import type { NetworkObject } from "../api/network";
import type { TenantConfig } from "../api/tenantConfig";
import { Bitmap } from "../bitmap";
import { freshIpBitmap } from "../ipam/pool";
import { formatIssue, type Issue, type IssueType } from "../issue";
import { parseCidr } from "../net/cidr";
import { freshVniBitmap, reservedVnis, reserveVni } from "../tenancy/vni";
import { admitNetwork, type NetworkAdmissionContext, type NetworkOutcome } from "./network";
import type { Phase } from "./outcome";

type Json = Record<string, unknown>;
type Kind = "DanmNet" | "TenantNetwork" | "ClusterNetwork";
type Expected = { rule: string; type: IssueType; path: string };

const API_VERSION = "danm.k8s.io/v1";

/** JSON round trip: drops members set to undefined, as the API server would never send them. */
const json = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

function network(kind: Kind, spec: Json | undefined, name: string, namespace = "ran-a"): Json {
  const metadata = kind === "ClusterNetwork" ? { name } : { name, namespace };
  return json({ apiVersion: API_VERSION, kind, metadata, spec });
}
const danmNet = (options: Json, spec: Json = {}) => network("DanmNet", { NetworkID: "fronthaul", ...spec, Options: options }, "fronthaul");
const clusterNetwork = (options: Json, spec: Json = {}) => network("ClusterNetwork", { NetworkID: "backhaul", ...spec, Options: options }, "backhaul");
const tenantNetwork = (options: Json, spec: Json = {}) => network("TenantNetwork", { NetworkType: "ipvlan", ...spec, Options: options }, "signalling");

type ProfileInput = { name: string; vniType?: string; vniRange?: string; alloc?: string };

/** A TenantConfig as the webhook stores it: every profile with a vniType has its bitmap. */
function tenantConfig(hostDevices: ProfileInput[], networkIds: Record<string, string> = {}, name = "tconf"): TenantConfig {
  return {
    apiVersion: API_VERSION,
    kind: "TenantConfig",
    metadata: { name, resourceVersion: "1" },
    hostDevices: hostDevices.map((p) => (p.vniType && p.alloc === undefined ? { ...p, alloc: freshVniBitmap() } : p)),
    networkIds,
  };
}

/** The example of danm-spec §3. */
const TCONF = tenantConfig(
  [
    { name: "ens4", vniType: "vlan", vniRange: "1000-1999" },
    { name: "ens5", vniType: "vxlan", vniRange: "300-399,450" },
    { name: "bond2" },
    { name: "vendor.example/sriov_left", vniType: "vlan", vniRange: "3000-3099" },
  ],
  { flannel: "flannel-t1", ipvlan: "tnet" },
);

function danmEp(networkName: string, apiType: string | undefined, namespace = "ran-a", pod = "web-0"): DanmEp {
  return json({
    apiVersion: API_VERSION,
    kind: "DanmEp",
    metadata: { name: `ep-${pod}-${networkName}`, namespace },
    spec: { NetworkName: networkName, apiType, Pod: pod, Interface: { Name: "eth1", Address: "10.0.0.5/24" } },
  }) as DanmEp;
}

const CONTEXT: NetworkAdmissionContext = { danmEps: [], tenantConfig: TCONF, chooseProfile: () => 0 };

function create(object: unknown, context: Partial<NetworkAdmissionContext> = {}, phase: Phase = "mutate"): NetworkOutcome {
  return admitNetwork({ operation: "CREATE", phase, object }, { ...CONTEXT, ...context });
}
function update(oldObject: unknown, object: unknown, context: Partial<NetworkAdmissionContext> = {}, phase: Phase = "mutate"): NetworkOutcome {
  return admitNetwork({ operation: "UPDATE", phase, object, oldObject }, { ...CONTEXT, ...context });
}

const brief = (issues: Issue[]): Expected[] => issues.map(({ rule, type, path }) => ({ rule, type, path }));

function expectDenied(outcome: NetworkOutcome, expected: Expected[]) {
  expect(brief(outcome.issues)).toEqual(expected);
  expect(outcome.allowed).toBe(false);
  expect(outcome.object).toBeUndefined();
  expect(outcome.tenantConfig).toBeUndefined();
  expect(outcome.reserved).toBeUndefined();
}

function expectAllowed(outcome: NetworkOutcome): NetworkObject {
  expect(outcome.issues.map(formatIssue)).toEqual([]);
  expect(outcome.allowed).toBe(true);
  expect(outcome.object).toBeDefined();
  return outcome.object!;
}

const options = (object: NetworkObject) => object.spec!.Options!;
const setBits = (alloc: string | undefined) => {
  const b = Bitmap.decode(alloc ?? "");
  const out: number[] = [];
  for (let i = 0; i < b.length; i++) if (b.isSet(i)) out.push(i);
  return out;
};

interface Case {
  name: string;
  object: Json;
  context?: Partial<NetworkAdmissionContext>;
  denied?: Expected[];
}

const deny = (rule: string, type: IssueType, path: string): Expected => ({ rule, type, path });

// --- CREATE, one accepted and at least one denied case per rule ---------------------------------

const createCases: Case[] = [
  // N-0 strict decoding
  {
    name: "DanmNet create carrying the metadata the API server adds (uid, managedFields) is accepted by N-0",
    object: {
      ...danmNet({}),
      metadata: { name: "fronthaul", namespace: "ran-a", uid: "u-1", managedFields: [{ manager: "kubectl" }], creationTimestamp: null },
    },
  },
  { name: "DanmNet create with a misspelt option vlna is denied by N-0", object: danmNet({ vlna: 3 }), denied: [deny("N-0", "NotSupported", "spec.Options")] },
  {
    name: "DanmNet create with vlan given as a string is denied by N-0",
    object: danmNet({ vlan: "310" }),
    denied: [deny("N-0", "Invalid", "spec.Options.vlan")],
  },
  {
    name: "DanmNet create with a lowercase spec field networkId is denied by N-0 (field names are case-sensitive)",
    object: danmNet({}, { networkId: "x" }),
    denied: [deny("N-0", "NotSupported", "spec")],
  },
  {
    name: "ClusterNetwork create with an unknown top-level member status is denied by N-0",
    object: { ...clusterNetwork({}), status: {} },
    denied: [deny("N-0", "NotSupported", "(object)")],
  },
  {
    name: "ClusterNetwork create with a vlan above 4094 is denied by N-0",
    object: clusterNetwork({ vlan: 4095 }),
    denied: [deny("N-0", "Invalid", "spec.Options.vlan")],
  },
  {
    name: "an object of kind Pod is denied by N-0 as a type not handled",
    object: { apiVersion: "v1", kind: "Pod", metadata: { name: "p" } },
    denied: [deny("N-0", "NotSupported", "kind")],
  },
  {
    name: "a network object of the wrong API group version is denied by N-0",
    object: { ...danmNet({}), apiVersion: "danm.io/v1" },
    denied: [deny("N-0", "Invalid", "apiVersion")],
  },

  // N-1
  {
    name: "DanmNet create with routes and no cidr is denied by N-1",
    object: danmNet({ routes: { "10.1.0.0/16": "10.0.0.1" } }),
    denied: [deny("N-1", "Forbidden", "spec.Options.routes")],
  },
  { name: "DanmNet create with routes: {} and no cidr is accepted by N-1 (decision 5)", object: danmNet({ routes: {} }) },
  // N-2
  {
    name: "DanmNet create with cidr 10.0.0.0/33 is denied by N-2",
    object: danmNet({ cidr: "10.0.0.0/33" }),
    denied: [deny("N-2", "Invalid", "spec.Options.cidr")],
  },
  {
    name: "DanmNet create with cidr 10.0.0/24 is denied by N-2",
    object: danmNet({ cidr: "10.0.0/24" }),
    denied: [deny("N-2", "Invalid", "spec.Options.cidr")],
  },
  { name: "DanmNet create with host bits in cidr 10.0.0.77/24 is accepted by N-2", object: danmNet({ cidr: "10.0.0.77/24" }) },
  // N-3
  {
    name: "DanmNet create with a route gateway outside cidr is denied by N-3",
    object: danmNet({ cidr: "10.0.0.0/24", routes: { "10.1.0.0/16": "10.0.1.1" } }),
    denied: [deny("N-3", "Invalid", 'spec.Options.routes["10.1.0.0/16"]')],
  },
  {
    name: "DanmNet create with an unparseable route gateway is denied by N-3",
    object: danmNet({ cidr: "10.0.0.0/24", routes: { "10.1.0.0/16": "gateway" } }),
    denied: [deny("N-3", "Invalid", 'spec.Options.routes["10.1.0.0/16"]')],
  },
  {
    name: "DanmNet create with a gateway inside cidr and an unparseable destination is accepted by N-3 (destinations are not validated)",
    object: danmNet({ cidr: "10.0.0.0/24", routes: { default: "10.0.0.1" } }),
  },
  // N-4
  {
    name: "DanmNet create with routes6 and no net6 is denied by N-4",
    object: danmNet({ routes6: { "fd00:21::/48": "fd00:20:4::1" } }),
    denied: [deny("N-4", "Forbidden", "spec.Options.routes6")],
  },
  { name: "DanmNet create with routes6: {} and no net6 is accepted by N-4 (decision 5)", object: danmNet({ routes6: {} }) },
  // N-5
  {
    name: "DanmNet create with net6 fd00::/129 is denied by N-5",
    object: danmNet({ net6: "fd00::/129" }),
    denied: [deny("N-5", "Invalid", "spec.Options.net6")],
  },
  {
    name: "DanmNet create with net6 fd00:::/64 is denied by N-5",
    object: danmNet({ net6: "fd00:::/64" }),
    denied: [deny("N-5", "Invalid", "spec.Options.net6")],
  },
  { name: "DanmNet create with net6 fd00:20:4::/64 is accepted by N-5", object: danmNet({ net6: "fd00:20:4::/64" }) },
  // N-6
  {
    name: "DanmNet create with a routes6 gateway outside net6 is denied by N-6",
    object: danmNet({ net6: "fd00:20:4::/64", routes6: { "fd00:21::/48": "fd00:20:5::1" } }),
    denied: [deny("N-6", "Invalid", 'spec.Options.routes6["fd00:21::/48"]')],
  },
  {
    name: "DanmNet create with a routes6 gateway inside net6 is accepted by N-6",
    object: danmNet({ net6: "fd00:20:4::/64", routes6: { "fd00:21::/48": "fd00:20:4::1" } }),
  },
  // N-7
  {
    name: "DanmNet create with a user-supplied alloc is denied by N-7",
    object: danmNet({ cidr: "10.0.0.0/26", alloc: "gAAAAAAAAAE=" }),
    denied: [deny("N-7", "Forbidden", "spec.Options.alloc")],
  },
  {
    name: "ClusterNetwork create with a user-supplied alloc6 is denied by N-7",
    object: clusterNetwork({ net6: "fd00::/120", alloc6: "gAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAE=" }),
    denied: [deny("N-7", "Forbidden", "spec.Options.alloc6")],
  },
  { name: "DanmNet create with alloc: empty string is accepted by N-7", object: danmNet({ cidr: "10.0.0.0/26", alloc: "" }) },
  // N-8
  {
    name: "DanmNet create with allocation_pool.end and no cidr is denied by N-8",
    object: danmNet({ allocation_pool: { end: "10.0.0.9" } }),
    denied: [deny("N-8", "Forbidden", "spec.Options.allocation_pool")],
  },
  { name: "DanmNet create with an allocation_pool carrying only lastIp and no cidr is accepted by N-8", object: danmNet({ allocation_pool: { lastIp: "" } }) },
  // N-9
  {
    name: "DanmNet create with an IPv6 prefix in cidr is denied by N-9",
    object: danmNet({ cidr: "fd00::/64" }),
    denied: [deny("N-9", "Invalid", "spec.Options.cidr")],
  },
  // N-10
  {
    name: "DanmNet create with cidr 10.0.0.0/8 is denied by N-10",
    object: danmNet({ cidr: "10.0.0.0/8" }),
    denied: [deny("N-10", "Invalid", "spec.Options.cidr")],
  },
  { name: "DanmNet create with cidr 10.0.0.0/9 is accepted by N-10", object: danmNet({ cidr: "10.0.0.0/9" }) },
  // N-11
  {
    name: "DanmNet create with allocation_pool.start outside cidr is denied by N-11",
    object: danmNet({ cidr: "10.0.0.0/24", allocation_pool: { start: "10.0.1.10" } }),
    denied: [deny("N-11", "Invalid", "spec.Options.allocation_pool.start")],
  },
  {
    name: "DanmNet create with an unparseable allocation_pool.end is denied by N-11",
    object: danmNet({ cidr: "10.0.0.0/24", allocation_pool: { end: "10.0.0" } }),
    denied: [deny("N-11", "Invalid", "spec.Options.allocation_pool.end")],
  },
  {
    name: "DanmNet create with cidr /32 is denied by N-11 (the default pool falls outside)",
    object: danmNet({ cidr: "10.0.0.5/32" }),
    denied: [deny("N-11", "Invalid", "spec.Options.allocation_pool.start"), deny("N-11", "Invalid", "spec.Options.allocation_pool.end")],
  },
  {
    name: "DanmNet create with a pool inside cidr is accepted by N-11",
    object: danmNet({ cidr: "10.0.0.0/24", allocation_pool: { start: "10.0.0.20", end: "10.0.0.200" } }),
  },
  // N-12
  {
    name: "DanmNet create with a single-address pool is denied by N-12",
    object: danmNet({ cidr: "10.0.0.0/24", allocation_pool: { start: "10.0.0.9", end: "10.0.0.9" } }),
    denied: [deny("N-12", "Invalid", "spec.Options.allocation_pool.end")],
  },
  {
    name: "DanmNet create with allocation_pool.end before start is denied by N-12",
    object: danmNet({ cidr: "10.0.0.0/24", allocation_pool: { start: "10.0.0.9", end: "10.0.0.8" } }),
    denied: [deny("N-12", "Invalid", "spec.Options.allocation_pool.end")],
  },
  {
    name: "DanmNet create with cidr /31 is denied by N-12 (the default pool is inverted)",
    object: danmNet({ cidr: "10.0.0.4/31" }),
    denied: [deny("N-12", "Invalid", "spec.Options.allocation_pool.end")],
  },
  { name: "DanmNet create with cidr /30 is accepted by N-12", object: danmNet({ cidr: "10.0.0.0/30" }) },
  // N-13
  {
    name: "DanmNet create with allocation_pool_v6.cidr and no net6 is denied by N-13",
    object: danmNet({ allocation_pool_v6: { cidr: "fd00::/112" } }),
    denied: [deny("N-13", "Forbidden", "spec.Options.allocation_pool_v6")],
  },
  {
    name: "DanmNet create with allocation_pool_v6.start and no net6 is denied by N-13",
    object: danmNet({ allocation_pool_v6: { start: "fd00::1" } }),
    denied: [deny("N-13", "Forbidden", "spec.Options.allocation_pool_v6")],
  },
  { name: "DanmNet create with an empty allocation_pool_v6 and no net6 is accepted by N-13", object: danmNet({ allocation_pool_v6: { lastIp: "" } }) },
  // N-14
  {
    name: "DanmNet create with an IPv4 prefix in net6 is denied by N-14",
    object: danmNet({ net6: "10.0.0.0/24" }),
    denied: [deny("N-14", "Invalid", "spec.Options.net6")],
  },
  // N-15
  {
    name: "DanmNet create with allocation_pool_v6.cidr fd00::/129 is denied by N-15",
    object: danmNet({ net6: "fd00::/64", allocation_pool_v6: { cidr: "fd00::/129" } }),
    denied: [deny("N-15", "Invalid", "spec.Options.allocation_pool_v6.cidr")],
  },
  // N-16
  {
    name: "DanmNet create with an IPv4 allocation_pool_v6.cidr is denied by N-16",
    object: danmNet({ net6: "fd00::/64", allocation_pool_v6: { cidr: "10.0.0.0/24" } }),
    denied: [deny("N-16", "Invalid", "spec.Options.allocation_pool_v6.cidr")],
  },
  // N-17
  {
    name: "DanmNet create with a /104 IPv6 pool is denied by N-17 (more than 2^23 addresses)",
    object: danmNet({ net6: "fd00::/64", allocation_pool_v6: { cidr: "fd00::/104" } }),
    denied: [deny("N-17", "Invalid", "spec.Options.allocation_pool_v6.cidr")],
  },
  {
    name: "DanmNet create with net6 /128 is denied by N-17",
    object: danmNet({ net6: "fd00::1/128" }),
    denied: [deny("N-17", "Invalid", "spec.Options.allocation_pool_v6.cidr")],
  },
  {
    name: "DanmNet create with cidr /9 and any net6 is denied by N-17 (no capacity left)",
    object: danmNet({ cidr: "10.0.0.0/9", net6: "fd00::/120" }),
    denied: [deny("N-17", "Invalid", "spec.Options.allocation_pool_v6.cidr")],
  },
  {
    name: "DanmNet create with cidr /10 and a /106 IPv6 pool is denied by N-17 (the limit is /107)",
    object: danmNet({ cidr: "10.0.0.0/10", net6: "fd00::/64", allocation_pool_v6: { cidr: "fd00::/106" } }),
    denied: [deny("N-17", "Invalid", "spec.Options.allocation_pool_v6.cidr")],
  },
  {
    name: "DanmNet create with cidr /10 and a /107 IPv6 pool is accepted by N-17",
    object: danmNet({ cidr: "10.0.0.0/10", net6: "fd00::/64", allocation_pool_v6: { cidr: "fd00::/107" } }),
  },
  {
    name: "DanmNet create with a /105 IPv6 pool and no cidr is accepted by N-17",
    object: danmNet({ net6: "fd00::/64", allocation_pool_v6: { cidr: "fd00::/105" } }),
  },
  // N-18
  {
    name: "DanmNet create with allocation_pool_v6.cidr outside net6 is denied by N-18",
    object: danmNet({ net6: "fd00::/64", allocation_pool_v6: { cidr: "fd01::/112" } }),
    denied: [deny("N-18", "Invalid", "spec.Options.allocation_pool_v6.cidr")],
  },
  {
    name: "DanmNet create with allocation_pool_v6.cidr wider than net6 is denied by N-18",
    object: danmNet({ net6: "fd00::/120", allocation_pool_v6: { cidr: "fd00::/112" } }),
    denied: [deny("N-18", "Invalid", "spec.Options.allocation_pool_v6.cidr")],
  },
  {
    name: "DanmNet create with allocation_pool_v6.start outside the pool cidr is denied by N-18",
    object: danmNet({ net6: "fd00::/64", allocation_pool_v6: { cidr: "fd00::/112", start: "fd00::1:1" } }),
    denied: [deny("N-18", "Invalid", "spec.Options.allocation_pool_v6.start")],
  },
  {
    name: "DanmNet create with an unparseable allocation_pool_v6.end is denied by N-18",
    object: danmNet({ net6: "fd00::/64", allocation_pool_v6: { cidr: "fd00::/112", end: "fd00::zz" } }),
    denied: [deny("N-18", "Invalid", "spec.Options.allocation_pool_v6.end")],
  },
  {
    name: "DanmNet create with a v6 pool inside its cidr inside net6 is accepted by N-18",
    object: danmNet({ net6: "fd00::/64", allocation_pool_v6: { cidr: "fd00::/112", start: "fd00::10", end: "fd00::ff" } }),
  },
  // N-19
  {
    name: "DanmNet create with net6 /127 is denied by N-19 (no room for a v6 pool)",
    object: danmNet({ net6: "fd00::/127" }),
    denied: [deny("N-19", "Invalid", "spec.Options.allocation_pool_v6.end")],
  },
  {
    name: "DanmNet create with allocation_pool_v6.end equal to start is denied by N-19",
    object: danmNet({ net6: "fd00::/64", allocation_pool_v6: { cidr: "fd00::/112", start: "fd00::5", end: "fd00::5" } }),
    denied: [deny("N-19", "Invalid", "spec.Options.allocation_pool_v6.end")],
  },
  { name: "DanmNet create with net6 /126 is accepted by N-19", object: danmNet({ net6: "fd00::/126" }) },
  // N-20
  {
    name: "DanmNet create with both vlan and vxlan is denied by N-20",
    object: danmNet({ host_device: "ens4", vlan: 10, vxlan: 20 }),
    denied: [deny("N-20", "Forbidden", "spec.Options.vxlan")],
  },
  {
    name: "ClusterNetwork create with both vlan and vxlan is denied by N-20",
    object: clusterNetwork({ host_device: "ens4", vlan: 10, vxlan: 20 }),
    denied: [deny("N-20", "Forbidden", "spec.Options.vxlan")],
  },
  { name: "DanmNet create with vlan only is accepted by N-20", object: danmNet({ host_device: "ens4", vlan: 10 }) },
  // N-21 (a normal rule for DanmNet/ClusterNetwork)
  {
    name: "DanmNet create without NetworkID is denied by N-21",
    object: danmNet({}, { NetworkID: undefined }),
    denied: [deny("N-21", "Required", "spec.NetworkID")],
  },
  {
    name: "ClusterNetwork create with an empty NetworkID is denied by N-21",
    object: clusterNetwork({}, { NetworkID: "" }),
    denied: [deny("N-21", "Required", "spec.NetworkID")],
  },
  { name: "DanmNet without any spec is denied by N-21", object: network("DanmNet", undefined, "bare"), denied: [deny("N-21", "Required", "spec.NetworkID")] },
  {
    name: "DanmNet ipvlan create with vlan and an 11-character NetworkID is denied by N-21",
    object: danmNet({ host_device: "ens4", vlan: 310 }, { NetworkType: "ipvlan", NetworkID: "fronthaul01" }),
    denied: [deny("N-21", "TooLong", "spec.NetworkID")],
  },
  {
    name: "ClusterNetwork create without NetworkType, with vxlan and an 11-character NetworkID is denied by N-21 (empty type is dynamic)",
    object: clusterNetwork({ host_device: "ens4", vxlan: 600 }, { NetworkID: "backhaul-01" }),
    denied: [deny("N-21", "TooLong", "spec.NetworkID")],
  },
  {
    name: "DanmNet MACVLAN create with vlan and an 11-character NetworkID is denied by N-21 (type compared case-insensitively)",
    object: danmNet({ host_device: "ens4", vlan: 310 }, { NetworkType: "MACVLAN", NetworkID: "fronthaul01" }),
    denied: [deny("N-21", "TooLong", "spec.NetworkID")],
  },
  {
    name: "DanmNet create with vlan and a 10-character NetworkID is accepted by N-21",
    object: danmNet({ host_device: "ens4", vlan: 4094 }, { NetworkID: "fronthaul1" }),
  },
  {
    name: "DanmNet ipvlan create with an 11-character NetworkID and no VNI is accepted by N-21",
    object: danmNet({ host_device: "ens4" }, { NetworkID: "fronthaul01" }),
  },
  {
    name: "DanmNet flannel create with vlan and an 11-character NetworkID is accepted by N-21 (static types are not limited)",
    object: danmNet({ vlan: 310 }, { NetworkType: "flannel", NetworkID: "flannel-net" }),
  },
  // N-22
  {
    name: "DanmNet create with AllowedTenants is denied by N-22",
    object: danmNet({}, { AllowedTenants: ["ran-b"] }),
    denied: [deny("N-22", "Forbidden", "spec.AllowedTenants")],
  },
  {
    name: "TenantNetwork create with AllowedTenants is denied by N-22",
    object: tenantNetwork({}, { AllowedTenants: ["ran-b"] }),
    denied: [deny("N-22", "Forbidden", "spec.AllowedTenants")],
  },
  { name: "DanmNet create with AllowedTenants: [] is accepted by N-22 (decision 5)", object: danmNet({}, { AllowedTenants: [] }) },
  { name: "TenantNetwork create with AllowedTenants: [] is accepted by N-22 (decision 5)", object: tenantNetwork({}, { AllowedTenants: [] }) },
  {
    name: "ClusterNetwork create with AllowedTenants is accepted (N-22 does not run for ClusterNetwork)",
    object: clusterNetwork({}, { AllowedTenants: ["ran-a", "ran-b"] }),
  },
  // N-23 (create part)
  {
    name: "TenantNetwork create with vlan set is denied by N-23",
    object: tenantNetwork({ vlan: 5 }),
    denied: [deny("N-23", "Forbidden", "spec.Options.vlan")],
  },
  {
    name: "TenantNetwork create with vxlan set is denied by N-23",
    object: tenantNetwork({ vxlan: 5 }),
    denied: [deny("N-23", "Forbidden", "spec.Options.vxlan")],
  },
  {
    name: "TenantNetwork create with vlan and vxlan is denied twice by N-23 and not by N-20",
    object: tenantNetwork({ vlan: 5, vxlan: 6 }),
    denied: [deny("N-23", "Forbidden", "spec.Options.vlan"), deny("N-23", "Forbidden", "spec.Options.vxlan")],
  },
  { name: "TenantNetwork create with vlan: 0 is accepted by N-23 (0 means unset)", object: tenantNetwork({ vlan: 0 }) },
  { name: "DanmNet create with vlan set is accepted (N-23 is for TenantNetworks only)", object: danmNet({ host_device: "ens4", vlan: 5 }) },
  { name: "ClusterNetwork create with vxlan set is accepted (N-23 is for TenantNetworks only)", object: clusterNetwork({ host_device: "ens4", vxlan: 5 }) },
  // N-24
  {
    name: "DanmNet sriov create without device_pool is denied by N-24",
    object: danmNet({}, { NetworkType: "sriov" }),
    denied: [deny("N-24", "Required", "spec.Options.device_pool")],
  },
  {
    name: "DanmNet sriov create with a host_device is denied by N-24",
    object: danmNet({ host_device: "ens4", device_pool: "vendor.example/sriov_left" }, { NetworkType: "sriov" }),
    denied: [deny("N-24", "Forbidden", "spec.Options.host_device")],
  },
  {
    name: "DanmNet SRIOV create with only a host_device is denied twice by N-24 (SRIOV is treated as sriov)",
    object: danmNet({ host_device: "ens4" }, { NetworkType: "SRIOV" }),
    denied: [deny("N-24", "Required", "spec.Options.device_pool"), deny("N-24", "Forbidden", "spec.Options.host_device")],
  },
  {
    name: "DanmNet ipvlan create with host_device and device_pool is denied by N-24",
    object: danmNet({ host_device: "ens4", device_pool: "vendor.example/sriov_left" }),
    denied: [deny("N-24", "Forbidden", "spec.Options.device_pool")],
  },
  {
    name: "TenantNetwork macvlan create with host_device and device_pool is denied by N-24",
    object: tenantNetwork({ host_device: "ens4", device_pool: "vendor.example/sriov_left" }, { NetworkType: "macvlan" }),
    denied: [deny("N-24", "Forbidden", "spec.Options.device_pool")],
  },
  {
    name: "ClusterNetwork sriov create with a device_pool only is accepted by N-24",
    object: clusterNetwork({ device_pool: "vendor.example/sriov_left" }, { NetworkType: "sriov" }),
  },
  { name: "DanmNet macvlan create with a host_device only is accepted by N-24", object: danmNet({ host_device: "ens4" }, { NetworkType: "macvlan" }) },

  // B-1 … B-4 (TenantNetwork binding, §9.2)
  {
    name: "TenantNetwork create without a TenantConfig is denied by B-1",
    object: tenantNetwork({ cidr: "10.60.0.0/25" }),
    context: { tenantConfig: undefined },
    denied: [deny("B-1", "Internal", "spec")],
  },
  {
    name: "TenantNetwork flannel create without a TenantConfig is denied by B-1 (static types need it too)",
    object: tenantNetwork({}, { NetworkType: "flannel", NetworkID: "flannel-t1" }),
    context: { tenantConfig: undefined },
    denied: [deny("B-1", "Internal", "spec")],
  },
  { name: "TenantNetwork flannel create with a TenantConfig is accepted by B-1", object: tenantNetwork({}, { NetworkType: "flannel" }) },
  {
    name: "TenantNetwork create naming a host_device no profile offers is denied by B-2",
    object: tenantNetwork({ host_device: "ens9" }),
    denied: [deny("B-2", "NotSupported", "spec.Options.host_device")],
  },
  {
    name: "TenantNetwork sriov create naming a device_pool no profile offers is denied by B-2",
    object: tenantNetwork({ device_pool: "vendor.example/other" }, { NetworkType: "sriov" }),
    denied: [deny("B-2", "NotSupported", "spec.Options.device_pool")],
  },
  {
    name: "TenantNetwork create naming a device pool profile as host_device is denied by B-2",
    object: tenantNetwork({ host_device: "vendor.example/sriov_left" }),
    denied: [deny("B-2", "NotSupported", "spec.Options.host_device")],
  },
  { name: "TenantNetwork create naming an offered host_device is accepted by B-2", object: tenantNetwork({ host_device: "bond2" }) },
  {
    name: "TenantNetwork create against a TenantConfig offering only device pools is denied by B-3",
    object: tenantNetwork({}),
    context: { tenantConfig: tenantConfig([{ name: "vendor.example/sriov_left", vniType: "vlan", vniRange: "3000-3099" }], { ipvlan: "tnet" }) },
    denied: [deny("B-3", "Internal", "spec.Options.host_device")],
  },
  {
    name: "TenantNetwork macvlan create against a TenantConfig with networkIds only is denied by B-3",
    object: tenantNetwork({}, { NetworkType: "macvlan", NetworkID: "sig" }),
    context: { tenantConfig: tenantConfig([], { flannel: "flannel-t1" }) },
    denied: [deny("B-3", "Internal", "spec.Options.host_device")],
  },
  { name: "TenantNetwork create without a device gets a host NIC profile chosen for it (B-3 accepted)", object: tenantNetwork({}) },
  {
    name: "TenantNetwork create on an exhausted vlan range is denied by B-4",
    object: tenantNetwork({ host_device: "ens6" }),
    context: {
      tenantConfig: tenantConfig(
        [
          {
            name: "ens6",
            vniType: "vlan",
            vniRange: "7",
            alloc: reserveOk(tenantConfig([{ name: "ens6", vniType: "vlan", vniRange: "7" }]), "ens6").hostDevices![0].alloc,
          },
        ],
        { ipvlan: "tnet" },
      ),
    },
    denied: [deny("B-4", "Internal", "spec.Options.vlan")],
  },
  {
    name: "TenantNetwork create on a profile whose alloc is corrupt is denied by B-4",
    object: tenantNetwork({ host_device: "ens6" }),
    context: { tenantConfig: tenantConfig([{ name: "ens6", vniType: "vxlan", vniRange: "300-399", alloc: "" }], { ipvlan: "tnet" }) },
    denied: [deny("B-4", "Internal", "spec.Options.vxlan")],
  },
  { name: "TenantNetwork create on a profile with a free VNI is accepted by B-4", object: tenantNetwork({ host_device: "ens4" }) },
];

function reserveOk(config: TenantConfig, profile: string): TenantConfig {
  const r = reserveVni(config, profile, "vlan");
  if (!r.ok) throw new Error(r.reason);
  return r.config;
}

describe("admitNetwork CREATE: each rule accepts and denies (danm-spec §8.3, §9.2)", () => {
  it.each(createCases)("$name", ({ object, context, denied }) => {
    const outcome = create(object, context);
    if (denied) expectDenied(outcome, denied);
    else expectAllowed(outcome);
  });

  it("every rule N-0 … N-24 and B-1 … B-4 has an accepted and a denied case in the table", () => {
    const rules = [...Array.from({ length: 25 }, (_, i) => `N-${i}`), "B-1", "B-2", "B-3", "B-4"];
    const deniedBy = new Set(createCases.flatMap((c) => (c.denied ?? []).map((d) => d.rule)));
    const acceptedBy = new Set(createCases.filter((c) => !c.denied).flatMap((c) => c.name.match(/[NB]-\d+/g) ?? []));
    // N-9, N-14, N-15, N-16 have no dedicated accepted row: every accepted row with a cidr/net6/pool cidr passes them
    const implicitlyAccepted = ["N-9", "N-14", "N-15", "N-16"];
    expect(rules.filter((r) => !deniedBy.has(r))).toEqual([]);
    expect(rules.filter((r) => !acceptedBy.has(r) && !implicitlyAccepted.includes(r))).toEqual([]);
  });

  it("B-5 (profile to reserve from does not exist) is reported by the VNI reservation itself, never reached by a TenantNetwork create", () => {
    // binding always reserves from the very profile it selected, so only reserveVni/releaseVni can answer B-5
    const r = reserveVni(TCONF, "ens9", "vlan");
    expect(r).toMatchObject({ ok: false, rule: "B-5" });
    const same = reserveVni(TCONF, "ens4", "vxlan");
    expect(same).toMatchObject({ ok: false, rule: "B-5" });
    expect(reserveVni(TCONF, "ens4", "vlan")).toMatchObject({ ok: true, vni: 1000 });
  });
});

describe("admitNetwork: the §8.2 order", () => {
  it("a DanmNet breaking many rules reports them in pipeline order, addressing first", () => {
    const object = danmNet(
      {
        routes: { "10.1.0.0/16": "10.0.0.1" },
        net6: "fd00::/200",
        allocation_pool: { start: "10.0.0.1" },
        host_device: "ens4",
        device_pool: "vendor.example/p",
        vlan: 5,
        vxlan: 6,
      },
      { NetworkID: "", AllowedTenants: ["ran-b"] },
    );
    const outcome = create(object);
    expect(outcome.allowed).toBe(false);
    expect(outcome.issues.map((i) => i.rule)).toEqual(["N-1", "N-5", "N-8", "N-20", "N-21", "N-22", "N-24"]);
    expect(outcome.issues[0]).toMatchObject({ rule: "N-1", type: "Forbidden", path: "spec.Options.routes" });
  });

  it("a ClusterNetwork breaking N-2, N-20, N-21 and N-24 reports N-2 first and no N-22", () => {
    const object = clusterNetwork(
      { cidr: "300.0.0.0/24", host_device: "ens4", device_pool: "vendor.example/p", vlan: 5, vxlan: 6 },
      { NetworkID: "", AllowedTenants: ["ran-b"] },
    );
    expect(create(object).issues.map((i) => i.rule)).toEqual(["N-2", "N-20", "N-21", "N-24"]);
  });

  it("a TenantNetwork breaking N-2, N-22, N-23 and N-24 reports them in that order, without N-20, N-21 or a binding denial", () => {
    const object = tenantNetwork({ cidr: "10.0.0/24", host_device: "ens4", device_pool: "vendor.example/p", vlan: 5, vxlan: 6 }, { AllowedTenants: ["ran-b"] });
    const outcome = create(object, { tenantConfig: undefined });
    expect(brief(outcome.issues)).toEqual([
      deny("N-2", "Invalid", "spec.Options.cidr"),
      deny("N-22", "Forbidden", "spec.AllowedTenants"),
      deny("N-23", "Forbidden", "spec.Options.vlan"),
      deny("N-23", "Forbidden", "spec.Options.vxlan"),
      deny("N-24", "Forbidden", "spec.Options.device_pool"),
    ]);
  });

  it("binding (B-1) comes after validation and before post-validation N-21", () => {
    const object = tenantNetwork({ cidr: "10.60.0.0/25" }, { NetworkType: "macvlan" });
    expectDenied(create(object, { tenantConfig: undefined }), [deny("B-1", "Internal", "spec")]);
    const invalid = tenantNetwork({ cidr: "10.60.0.0/33" }, { NetworkType: "macvlan" });
    expectDenied(create(invalid, { tenantConfig: undefined }), [deny("N-2", "Invalid", "spec.Options.cidr")]);
  });

  it("post-validation N-21 runs on the mutated TenantNetwork and reserves nothing when it fails (decision 3)", () => {
    const tc = tenantConfig([{ name: "ens4", vniType: "vlan", vniRange: "1000-1999" }], {});
    const outcome = create(tenantNetwork({ cidr: "10.60.0.0/25" }, { NetworkType: "macvlan" }), { tenantConfig: tc });
    expectDenied(outcome, [deny("N-21", "Required", "spec.NetworkID")]);
    expect(outcome.issues[0].detail).toContain("TenantConfig tconf maps no NetworkID for NetworkType macvlan");
    expect(reservedVnis(tc.hostDevices![0])).toEqual([]);
  });

  it("post-validation N-21 denies an 11-character user NetworkID once binding gave the TenantNetwork a vlan", () => {
    const tc = tenantConfig([{ name: "ens4", vniType: "vlan", vniRange: "1000-1999" }], {});
    expectDenied(create(tenantNetwork({}, { NetworkID: "signalling1" }), { tenantConfig: tc }), [deny("N-21", "TooLong", "spec.NetworkID")]);
    // the same NetworkID on a direct-attachment profile has no host interface to name, so it is fine
    const direct = tenantConfig([{ name: "bond2" }], {});
    expect(options(expectAllowed(create(tenantNetwork({}, { NetworkID: "signalling1" }), { tenantConfig: direct })))).toMatchObject({ host_device: "bond2" });
  });
});

describe("admitNetwork: which rules run for which kind (§8.2)", () => {
  it("N-20 does not run for TenantNetwork: its validating pass accepts vlan and vxlan together", () => {
    const object = tenantNetwork({ host_device: "ens4", vlan: 1000, vxlan: 300 }, { NetworkID: "tnet" });
    expectAllowed(create(object, {}, "validate"));
    expectDenied(create({ ...object, kind: "DanmNet" }, {}, "validate"), [deny("N-20", "Forbidden", "spec.Options.vxlan")]);
  });

  it("N-21 is no pre-binding rule for TenantNetwork: a missing NetworkID is filled from networkIds", () => {
    const object = expectAllowed(create(tenantNetwork({})));
    expect(object.spec!.NetworkID).toBe("tnet");
    expectDenied(create({ ...tenantNetwork({}), kind: "DanmNet" }), [deny("N-21", "Required", "spec.NetworkID")]);
  });

  it("N-22 does not run for ClusterNetwork, and N-23 does not run for DanmNet or ClusterNetwork", () => {
    expectAllowed(create(clusterNetwork({ host_device: "ens4", vlan: 7 }, { AllowedTenants: ["ran-a"] })));
    expectAllowed(create(danmNet({ host_device: "ens4", vxlan: 7 })));
  });

  it("N-25 does not run for TenantNetwork: N-23 guards its VNI, in use or not", () => {
    const old = expectAllowed(create(tenantNetwork({ host_device: "ens4" })));
    const edited = json({ ...old, spec: { ...old.spec, Options: { ...options(old), vlan: 1001 } } });
    const outcome = update(old, edited, { danmEps: [danmEp("signalling", "TenantNetwork")] });
    expectDenied(outcome, [deny("N-23", "Forbidden", "spec.Options.vlan")]);
  });
});

describe("admitNetwork: NetworkType (§9.1, decision 8)", () => {
  it("stores a mixed-case NetworkType lowercase and says so in a warning", () => {
    const outcome = create(danmNet({ host_device: "ens4" }, { NetworkType: "MacVLAN" }));
    expect(expectAllowed(outcome).spec!.NetworkType).toBe("macvlan");
    expect(outcome.warnings).toEqual(['spec.NetworkType: stored as "macvlan" (NetworkType is case-insensitive)']);
  });

  it("lowercases static types as well", () => {
    expect(expectAllowed(create(danmNet({}, { NetworkType: "Flannel" }))).spec!.NetworkType).toBe("flannel");
  });

  it.each([
    ["absent", undefined],
    ["empty", ""],
  ])("defaults an %s NetworkType to ipvlan without a warning", (_, type) => {
    const outcome = create(danmNet({}, { NetworkType: type }));
    expect(expectAllowed(outcome).spec!.NetworkType).toBe("ipvlan");
    expect(outcome.warnings).toEqual([]);
  });

  it("treats SRIOV as sriov for N-24: a device_pool is accepted and stored as sriov", () => {
    const outcome = create(clusterNetwork({ device_pool: "vendor.example/sriov_left" }, { NetworkType: "SRIOV" }));
    expect(expectAllowed(outcome).spec!.NetworkType).toBe("sriov");
    expect(outcome.warnings).toHaveLength(1);
  });

  it("a TenantNetwork of type MACVLAN is bound like macvlan and mapped by the macvlan key", () => {
    const tc = tenantConfig([{ name: "ens5", vniType: "vlan", vniRange: "2000-2099" }], { macvlan: "sig" });
    const object = expectAllowed(create(tenantNetwork({}, { NetworkType: "MACVLAN" }), { tenantConfig: tc }));
    expect(object.spec).toMatchObject({ NetworkType: "macvlan", NetworkID: "sig", Options: { host_device: "ens5", vlan: 2000 } });
  });
});

describe("admitNetwork: defaults (§8.3, §9.1)", () => {
  it("a DanmNet with cidr 10.0.0.0/26 gets NetworkType ipvlan, the default pool and alloc gAAAAAAAAAE=", () => {
    const object = expectAllowed(create(danmNet({ cidr: "10.0.0.0/26" })));
    expect(object.spec!.NetworkType).toBe("ipvlan");
    expect(options(object)).toEqual({ cidr: "10.0.0.0/26", allocation_pool: { start: "10.0.0.1", end: "10.0.0.62", lastIp: "" }, alloc: "gAAAAAAAAAE=" });
  });

  it("reserves the route gateway: a /24 with a gateway at .1 gets the reference bitmap", () => {
    const object = expectAllowed(create(danmNet({ cidr: "10.0.0.0/24", routes: { "10.1.0.0/16": "10.0.0.1" } })));
    expect(options(object).alloc).toBe("wAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAE=");
  });

  it("derives the pool from the masked network when cidr has host bits", () => {
    const object = expectAllowed(create(danmNet({ cidr: "10.0.0.77/24" })));
    expect(options(object)).toMatchObject({ cidr: "10.0.0.77/24", allocation_pool: { start: "10.0.0.1", end: "10.0.0.254" } });
    expect(setBits(options(object).alloc)).toEqual([0, 255]);
  });

  it("keeps a user pool and only adds lastIp", () => {
    const object = expectAllowed(create(danmNet({ cidr: "10.0.0.0/24", allocation_pool: { start: "10.0.0.20" } })));
    expect(options(object).allocation_pool).toEqual({ start: "10.0.0.20", end: "10.0.0.254", lastIp: "" });
  });

  it("a net6 /64 alone gets its first /112 as pool, ending at ::fffe, and no alloc6 (IPAM creates it at the first IPv6 allocation)", () => {
    const object = expectAllowed(create(danmNet({ net6: "fd00:10::/64" })));
    expect(options(object).allocation_pool_v6).toEqual({ cidr: "fd00:10::/112", start: "fd00:10::1", end: "fd00:10::fffe", lastIp: "" });
    expect(options(object).alloc6).toBeUndefined();
    expect(options(object).alloc).toBeUndefined();
  });

  it("a net6 /120 is its own pool", () => {
    const object = expectAllowed(create(danmNet({ net6: "fd00::/120" })));
    expect(options(object).allocation_pool_v6).toEqual({ cidr: "fd00::/120", start: "fd00::1", end: "fd00::fe", lastIp: "" });
  });

  it("an L2 network gets no bitmaps and no pools", () => {
    const object = expectAllowed(create(clusterNetwork({ host_device: "ens4", vlan: 300 })));
    expect(options(object)).toEqual({ host_device: "ens4", vlan: 300 });
  });

  it("the §2.3 ClusterNetwork backhaul example is admitted with the documented pools and bitmaps", () => {
    const backhaul = clusterNetwork(
      {
        host_device: "bond1",
        vlan: 310,
        container_prefix: "bh",
        rt_tables: 40,
        cidr: "172.20.4.0/24",
        allocation_pool: { start: "172.20.4.20", end: "172.20.4.200" },
        routes: { "172.21.0.0/16": "172.20.4.1" },
        net6: "fd00:20:4::/64",
        routes6: { "fd00:21::/48": "fd00:20:4::1" },
      },
      { NetworkType: "ipvlan", AllowedTenants: ["ran-a", "ran-b"] },
    );
    const object = expectAllowed(create(backhaul));
    const o = options(object);
    // the documented /106 is danm-spec's default; tenet's is the first /112 (docs/ipam.md "Default IPv6 pool")
    expect(o.allocation_pool_v6).toEqual({ cidr: "fd00:20:4::/112", start: "fd00:20:4::1", end: "fd00:20:4::fffe", lastIp: "" });
    expect(o.allocation_pool).toEqual({ start: "172.20.4.20", end: "172.20.4.200", lastIp: "" });
    // network, broadcast and the route gateway .1
    expect(setBits(o.alloc)).toEqual([0, 1, 255]);
    // alloc6 is left to the first IPv6 allocation (docs/ipam.md), which reserves ::0, the gateway ::1 and the last address
    expect(o.alloc6).toBeUndefined();
    expect(object.spec).toMatchObject({ NetworkID: "backhaul", NetworkType: "ipvlan", AllowedTenants: ["ran-a", "ran-b"] });
    expect(o).toMatchObject({ host_device: "bond1", vlan: 310, container_prefix: "bh", rt_tables: 40 });
  });

  it("the §2.3 TenantNetwork example bound to a TenantConfig offering ens5/vlan/2000-2099 gets ens5, vlan 2000 and pool .1–.126", () => {
    const tc = tenantConfig([{ name: "ens5", vniType: "vlan", vniRange: "2000-2099" }], { macvlan: "sig" });
    const signalling = tenantNetwork({ cidr: "10.60.0.0/25", container_prefix: "sig" }, { NetworkType: "macvlan" });
    const outcome = create(signalling, { tenantConfig: tc });
    const object = expectAllowed(outcome);
    expect(object.spec).toEqual({
      NetworkType: "macvlan",
      NetworkID: "sig",
      Options: {
        cidr: "10.60.0.0/25",
        container_prefix: "sig",
        allocation_pool: { start: "10.60.0.1", end: "10.60.0.126", lastIp: "" },
        alloc: "gAAAAAAAAAAAAAAAAAAAAQ==",
        host_device: "ens5",
        vlan: 2000,
      },
    });
    expect(outcome.reserved).toEqual({ profile: "ens5", vniType: "vlan", vni: 2000 });
    expect(reservedVnis(outcome.tenantConfig!.hostDevices![0])).toEqual([2000]);
    // the TenantConfig passed in is not modified: persisting is the caller's job
    expect(reservedVnis(tc.hostDevices![0])).toEqual([]);
  });

  it("the §2.3 TenantNetwork example is denied by N-21 when the TenantConfig does not map macvlan", () => {
    const tc = tenantConfig([{ name: "ens5", vniType: "vlan", vniRange: "2000-2099" }], { ipvlan: "tnet" });
    const outcome = create(tenantNetwork({ cidr: "10.60.0.0/25", container_prefix: "sig" }, { NetworkType: "macvlan" }), { tenantConfig: tc });
    expectDenied(outcome, [deny("N-21", "Required", "spec.NetworkID")]);
  });
});

describe("admitNetwork: TenantNetwork binding (§9.2)", () => {
  it("uses the vlan profile named by host_device and reserves its lowest VNI", () => {
    const outcome = create(tenantNetwork({ host_device: "ens4" }));
    expect(options(expectAllowed(outcome))).toMatchObject({ host_device: "ens4", vlan: 1000 });
    expect(options(outcome.object!).vxlan).toBeUndefined();
    expect(outcome.reserved).toEqual({ profile: "ens4", vniType: "vlan", vni: 1000 });
  });

  it("uses a vxlan profile for vxlan", () => {
    const outcome = create(tenantNetwork({ host_device: "ens5" }));
    expect(options(expectAllowed(outcome))).toMatchObject({ host_device: "ens5", vxlan: 300 });
    expect(outcome.reserved).toEqual({ profile: "ens5", vniType: "vxlan", vni: 300 });
  });

  it("attaches to a direct profile without a VNI and without touching the TenantConfig", () => {
    const outcome = create(tenantNetwork({ host_device: "bond2" }));
    expect(options(expectAllowed(outcome))).toEqual({ host_device: "bond2" });
    expect(outcome.tenantConfig).toBeUndefined();
    expect(outcome.reserved).toBeUndefined();
  });

  it("an sriov TenantNetwork keeps its device_pool, gets no host_device and a VLAN of the pool's profile", () => {
    const outcome = create(tenantNetwork({ device_pool: "vendor.example/sriov_left" }, { NetworkType: "sriov", NetworkID: "sriovl" }));
    expect(options(expectAllowed(outcome))).toEqual({ device_pool: "vendor.example/sriov_left", vlan: 3000 });
    expect(outcome.reserved).toEqual({ profile: "vendor.example/sriov_left", vniType: "vlan", vni: 3000 });
  });

  it("chooses among host NIC profiles only (never a device pool) when no device is named", () => {
    const seen: number[] = [];
    const outcome = create(tenantNetwork({}), {
      chooseProfile: (n) => {
        seen.push(n);
        return 2;
      },
    });
    expect(seen).toEqual([3]);
    expect(options(expectAllowed(outcome))).toEqual({ host_device: "bond2" });
  });

  it("takes the first profile in list order when a NIC appears with two vniTypes", () => {
    const tc = tenantConfig(
      [
        { name: "ens4", vniType: "vxlan", vniRange: "600-699" },
        { name: "ens4", vniType: "vlan", vniRange: "1000-1999" },
      ],
      { ipvlan: "tnet" },
    );
    const outcome = create(tenantNetwork({ host_device: "ens4" }), { tenantConfig: tc });
    expect(options(expectAllowed(outcome))).toMatchObject({ host_device: "ens4", vxlan: 600 });
    expect(reservedVnis(outcome.tenantConfig!.hostDevices![0])).toEqual([600]);
    expect(reservedVnis(outcome.tenantConfig!.hostDevices![1])).toEqual([]);
  });

  it("overwrites a user NetworkID with the mapping, matching the NetworkType key case-insensitively", () => {
    const tc = tenantConfig([{ name: "bond2" }], { IPVLAN: "mapped" });
    expect(expectAllowed(create(tenantNetwork({}, { NetworkID: "mine" }), { tenantConfig: tc })).spec!.NetworkID).toBe("mapped");
  });

  it("a static TenantNetwork gets only its NetworkID: no device, no VNI, no reservation", () => {
    const outcome = create(tenantNetwork({ cidr: "10.70.0.0/24" }, { NetworkType: "flannel" }));
    const object = expectAllowed(outcome);
    expect(object.spec!.NetworkID).toBe("flannel-t1");
    expect(options(object).host_device).toBeUndefined();
    expect(options(object).vlan).toBeUndefined();
    expect(outcome.tenantConfig).toBeUndefined();
  });

  it("B-2 and B-4 issues say what is offered and what is exhausted", () => {
    const b2 = create(tenantNetwork({ host_device: "ens9" }));
    expect(b2.issues[0].detail).toContain("ens9 is not offered to tenants by TenantConfig tconf (offered: ens4, ens5, bond2, vendor.example/sriov_left)");
    const tc = tenantConfig([{ name: "ens6", vniType: "vlan", vniRange: "7" }], { ipvlan: "tnet" });
    const full = reserveOk(tc, "ens6");
    const b4 = create(tenantNetwork({}), { tenantConfig: full });
    expect(b4.issues[0]).toMatchObject({ rule: "B-4", path: "spec.Options.vlan" });
    expect(b4.issues[0].detail).toContain("exhausted");
    expect(b4.issues[0].detail).toContain("ens6");
  });
});

describe("admitNetwork UPDATE (§9.1, decision 6)", () => {
  /** Admits a fixture; throws (instead of asserting) so it may run while tests are collected. */
  const admitted = (object: Json, context: Partial<NetworkAdmissionContext> = {}) => {
    const outcome = create(object, context);
    if (!outcome.allowed) throw new Error(outcome.issues.map(formatIssue).join("; "));
    return outcome.object!;
  };
  const edit = (object: NetworkObject, changes: Json, spec: Json = {}) =>
    json({ ...object, spec: { ...object.spec, ...spec, Options: { ...options(object), ...changes } } });

  it("re-applying the original TenantNetwork manifest carries host_device, vlan, NetworkID and alloc over unchanged", () => {
    const manifest = tenantNetwork({ cidr: "10.60.0.0/25" }, { NetworkType: "macvlan" });
    const tc = tenantConfig([{ name: "ens5", vniType: "vlan", vniRange: "2000-2099" }], { macvlan: "sig" });
    const old = admitted(manifest, { tenantConfig: tc });
    const outcome = update(old, manifest, { tenantConfig: tc });
    expect(expectAllowed(outcome)).toEqual(old);
    expect(outcome.tenantConfig).toBeUndefined();
    expect(outcome.reserved).toBeUndefined();
  });

  it("an omitted vlan is carried over from oldObject and is not a change for N-23", () => {
    const old = admitted(tenantNetwork({ host_device: "ens4", cidr: "10.60.0.0/24" }));
    const withoutVlan = json({ ...old, spec: { ...old.spec, Options: { ...options(old), vlan: undefined, container_prefix: "sig" } } });
    const object = expectAllowed(update(old, withoutVlan));
    expect(options(object)).toMatchObject({ vlan: 1000, host_device: "ens4", container_prefix: "sig" });
  });

  it.each([
    ["vlan", { vlan: 1001 }],
    ["host_device", { host_device: "ens5" }],
    ["vxlan", { vxlan: 300 }],
  ] as const)("TenantNetwork update changing %s is denied by N-23", (field, changes) => {
    const old = admitted(tenantNetwork({ host_device: "ens4" }));
    expectDenied(update(old, edit(old, changes)), [deny("N-23", "Forbidden", `spec.Options.${field}`)]);
  });

  it("TenantNetwork update moving an sriov network to another device_pool is denied by N-23", () => {
    const old = admitted(tenantNetwork({ device_pool: "vendor.example/sriov_left" }, { NetworkType: "sriov", NetworkID: "sriovl" }));
    expectDenied(update(old, edit(old, { device_pool: "vendor.example/sriov_right" })), [deny("N-23", "Forbidden", "spec.Options.device_pool")]);
  });

  it("TenantNetwork update repeating its vlan and changing only container_prefix is accepted by N-23", () => {
    const old = admitted(tenantNetwork({ host_device: "ens4" }));
    expect(options(expectAllowed(update(old, edit(old, { container_prefix: "x" }))))).toMatchObject({ vlan: 1000, container_prefix: "x" });
  });

  describe("N-25: the VNI or host_device of a network in use cannot change", () => {
    const old = admitted(danmNet({ host_device: "ens4", vlan: 310, cidr: "10.0.0.0/24" }));
    const inUse = { danmEps: [danmEp("fronthaul", "DanmNet")] };

    it.each([
      ["vlan", { vlan: 311 }],
      ["vlan", { vlan: 0 }],
      ["host_device", { host_device: "ens5" }],
    ] as const)("DanmNet update in use changing %s is denied by N-25", (field, changes) => {
      const outcome = update(old, edit(old, changes), inUse);
      expectDenied(outcome, [deny("N-25", "Forbidden", `spec.Options.${field}`)]);
      expect(outcome.issues[0].detail).toContain("Pod ran-a/web-0");
    });

    it("DanmNet update in use changing vxlan is denied by N-25", () => {
      const vx = admitted(danmNet({ host_device: "ens4", vxlan: 600 }));
      expectDenied(update(vx, edit(vx, { vxlan: 601 }), inUse), [deny("N-25", "Forbidden", "spec.Options.vxlan")]);
    });

    it("ClusterNetwork update changing vlan is denied by N-25 when a Pod in any namespace uses it", () => {
      const cn = admitted(clusterNetwork({ host_device: "ens4", vlan: 310 }));
      const outcome = update(cn, edit(cn, { vlan: 311 }), { danmEps: [danmEp("backhaul", "ClusterNetwork", "ran-b", "db-1")] });
      expectDenied(outcome, [deny("N-25", "Forbidden", "spec.Options.vlan")]);
      expect(outcome.issues[0].detail).toContain("Pod ran-b/db-1");
    });

    it("a legacy DanmEp without apiType protects a DanmNet (decision 7)", () => {
      expectDenied(update(old, edit(old, { vlan: 311 }), { danmEps: [danmEp("fronthaul", undefined)] }), [deny("N-25", "Forbidden", "spec.Options.vlan")]);
    });

    it.each([
      ["no DanmEp uses it", [], { vlan: 311 }, {}],
      ["the only DanmEp is in another namespace", [danmEp("fronthaul", "DanmNet", "ran-b")], { vlan: 311 }, {}],
      ["the DanmEp names a ClusterNetwork of the same name", [danmEp("fronthaul", "ClusterNetwork")], { vlan: 311 }, {}],
      ["the DanmEp names another network", [danmEp("midhaul", "DanmNet")], { vlan: 311 }, {}],
      ["only NetworkID changes", [danmEp("fronthaul", "DanmNet")], {}, { NetworkID: "fh2" }],
      ["only routes change", [danmEp("fronthaul", "DanmNet")], { routes: { "10.9.0.0/16": "10.0.0.254" } }, {}],
    ] as const)("DanmNet update is accepted by N-25 when %s", (_, danmEps, changes, spec) => {
      expectAllowed(update(old, edit(old, changes, spec), { danmEps }));
    });

    it("DanmNet update in use adding a vlan where there was none is accepted by N-25", () => {
      const l2 = admitted(danmNet({ host_device: "ens4" }));
      expect(options(expectAllowed(update(l2, edit(l2, { vlan: 20 }), inUse))).vlan).toBe(20);
    });
  });

  describe("N-26: cidr and net6 cannot change while addresses are allocated", () => {
    const fresh = admitted(danmNet({ cidr: "10.0.0.0/26" }));
    const allocated = json({ ...fresh, spec: { ...fresh.spec, Options: { ...options(fresh), alloc: "wAAAAAAAAAE=" } } });

    it("DanmNet update changing cidr with an address allocated is denied by N-26", () => {
      const outcome = update(allocated, edit(allocated, { cidr: "10.0.1.0/24" }));
      expectDenied(outcome, [deny("N-26", "Forbidden", "spec.Options.cidr")]);
    });

    it("DanmNet update changing cidr without allocations is accepted and rebuilds alloc and pool for the new cidr", () => {
      const object = expectAllowed(update(fresh, edit(fresh, { cidr: "10.0.1.0/24" })));
      expect(options(object)).toMatchObject({ cidr: "10.0.1.0/24", allocation_pool: { start: "10.0.1.1", end: "10.0.1.254", lastIp: "" } });
      expect(Bitmap.decode(options(object).alloc!).length).toBe(256);
      expect(setBits(options(object).alloc)).toEqual([0, 255]);
    });

    it("the same cidr written with host bits is no change: the allocations are kept", () => {
      const object = expectAllowed(update(allocated, edit(allocated, { cidr: "10.0.0.5/26" })));
      expect(options(object).alloc).toBe("wAAAAAAAAAE=");
    });

    it("an update omitting alloc keeps the stored bitmap; an existing alloc is never rebuilt", () => {
      const object = expectAllowed(update(allocated, edit(allocated, { alloc: undefined, allocation_pool: undefined, container_prefix: "fh" })));
      expect(options(object)).toMatchObject({ alloc: "wAAAAAAAAAE=", allocation_pool: { start: "10.0.0.1", end: "10.0.0.62" }, container_prefix: "fh" });
    });

    it("an update carrying the stored alloc is not denied by N-7 (N-7 is for CREATE)", () => {
      expect(options(expectAllowed(update(allocated, allocated))).alloc).toBe("wAAAAAAAAAE=");
    });

    it("ClusterNetwork update changing net6 with an IPv6 address allocated is denied by N-26", () => {
      const v6 = admitted(clusterNetwork({ net6: "fd00::/120" }));
      const bits = freshIpBitmap(parseCidr("fd00::/120"), []);
      bits.set(1);
      const used = json({ ...v6, spec: { ...v6.spec, Options: { ...options(v6), alloc6: bits.encode() } } });
      expectDenied(update(used, edit(used, { net6: "fd01::/120", allocation_pool_v6: undefined })), [deny("N-26", "Forbidden", "spec.Options.net6")]);
      const object = expectAllowed(update(v6, edit(v6, { net6: "fd01::/120", allocation_pool_v6: undefined })));
      expect(options(object).allocation_pool_v6).toMatchObject({ cidr: "fd01::/120", start: "fd01::1", end: "fd01::fe" });
    });

    describe("the IPv6 pool's cidr, which alloc6 is a bitmap over", () => {
      const v6 = admitted(clusterNetwork({ net6: "fd00:10::/64", allocation_pool_v6: { cidr: "fd00:10::/120" } }));
      const bits = freshIpBitmap(parseCidr("fd00:10::/120"), []);
      bits.set(1);
      const used = json({
        ...v6,
        spec: {
          ...v6.spec,
          Options: { ...options(v6), alloc6: bits.encode(), allocation_pool_v6: { ...options(v6).allocation_pool_v6, lastIp: "fd00:10::1" } },
        },
      });

      it("cannot move or resize while an address is allocated from it (N-26)", () => {
        for (const cidr of ["fd00:10::/112", "fd00:10::100/120"]) {
          expectDenied(update(used, edit(used, { allocation_pool_v6: { cidr } })), [deny("N-26", "Forbidden", "spec.Options.allocation_pool_v6.cidr")]);
        }
      });

      it("a pool sent without its cidr or lastIp keeps the stored ones and the bitmap", () => {
        const object = expectAllowed(update(used, edit(used, { allocation_pool_v6: { start: "fd00:10::1" }, alloc6: undefined })));
        expect(options(object).allocation_pool_v6).toMatchObject({ cidr: "fd00:10::/120", start: "fd00:10::1", lastIp: "fd00:10::1" });
        expect(options(object).alloc6).toBe(bits.encode());
      });

      it("with nothing allocated it may change, and the old bitmap goes (IPAM makes one for the new pool)", () => {
        const idle = json({ ...v6, spec: { ...v6.spec, Options: { ...options(v6), alloc6: freshIpBitmap(parseCidr("fd00:10::/120"), []).encode() } } });
        const object = expectAllowed(update(idle, edit(idle, { allocation_pool_v6: { cidr: "fd00:10::/112" } })));
        expect(options(object).allocation_pool_v6).toMatchObject({ cidr: "fd00:10::/112", start: "fd00:10::1", end: "fd00:10::fffe" });
        expect(options(object).alloc6).toBeUndefined();
      });
    });
  });

  it("an update changing kind is denied by N-0", () => {
    const old = admitted(danmNet({}));
    expectDenied(update(old, { ...old, kind: "TenantNetwork" }), [deny("N-0", "Forbidden", "kind")]);
  });
});

describe("admitNetwork: the validating pass (phase validate)", () => {
  const tc = tenantConfig([{ name: "ens5", vniType: "vlan", vniRange: "2000-2099" }], { macvlan: "sig" });
  const mutated = create(tenantNetwork({ cidr: "10.60.0.0/25" }, { NetworkType: "macvlan" }), { tenantConfig: tc }).object!;

  it("accepts the webhook's own alloc and vlan on a TenantNetwork create and reserves nothing", () => {
    const outcome = create(mutated, { tenantConfig: tc }, "validate");
    expect(expectAllowed(outcome)).toEqual(mutated);
    expect(outcome.tenantConfig).toBeUndefined();
    expect(outcome.reserved).toBeUndefined();
  });

  it("needs no TenantConfig: the binding happened in the mutating pass", () => {
    expectAllowed(create(mutated, { tenantConfig: undefined }, "validate"));
  });

  it("the same object sent to the mutating pass is denied by N-7 and N-23", () => {
    expectDenied(create(mutated, { tenantConfig: tc }), [deny("N-7", "Forbidden", "spec.Options.alloc"), deny("N-23", "Forbidden", "spec.Options.vlan")]);
  });

  it("still enforces the other rules, e.g. N-3 and N-21", () => {
    expectDenied(create(danmNet({ cidr: "10.0.0.0/24", routes: { "10.1.0.0/16": "10.9.9.9" } }), {}, "validate"), [
      deny("N-3", "Invalid", 'spec.Options.routes["10.1.0.0/16"]'),
    ]);
    expectDenied(create(json({ ...mutated, spec: { ...mutated.spec, NetworkID: undefined } }), { tenantConfig: tc }, "validate"), [
      deny("N-21", "Required", "spec.NetworkID"),
    ]);
  });
});

describe("issue wording", () => {
  it("names field, type, object and rule in one sentence", () => {
    const [n23] = create(tenantNetwork({ vlan: 5 })).issues;
    expect(formatIssue(n23)).toBe("spec.Options.vlan: Forbidden: vlan is assigned by the cluster; remove it from TenantNetwork signalling (N-23)");
    const [n24] = create(danmNet({ host_device: "ens4", device_pool: "p/q" }, { NetworkType: "sriov" })).issues;
    expect(formatIssue(n24)).toBe("spec.Options.host_device: Forbidden: sriov networks take a device_pool, not a host_device (N-24)");
    const [n2] = create(danmNet({ cidr: "10.0.0/24" })).issues;
    expect(formatIssue(n2)).toBe('spec.Options.cidr: Invalid value: "10.0.0/24": not a CIDR; write it like 10.10.0.0/24 (N-2)');
  });
});
