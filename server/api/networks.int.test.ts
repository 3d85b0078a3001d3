// The tenant's networks area through the real API server, webhook and RBAC, as alice and bob would
// use it from the browser.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { DanmEp } from "../domain/api/danmEp";
import type { NetworkObject } from "../domain/api/network";
import { allocateAddresses } from "../domain/ipam/allocate";
import { DanmClient } from "../kube/danmClient";
import { callerFor, DEMO_IDENTITIES, testRuntime } from "./testing";

const cluster = inject("cluster");
const admin = new DanmClient(cluster.controlPlane.kubeconfigs.admin);
let runtime: Awaited<ReturnType<typeof testRuntime>>;
const created: { kind: string; name: string; namespace?: string }[] = [];

beforeAll(async () => {
  runtime = await testRuntime(cluster.controlPlane.kubeconfigs["tenet-console"]);
});
afterAll(async () => {
  for (const o of created.reverse()) await admin.delete(o.kind, o.name, o.namespace).catch(() => undefined);
  await runtime.dispose();
});

const tenantNetwork = (name: string, options: Record<string, unknown>, type = "ipvlan") => ({
  apiVersion: "danm.k8s.io/v1",
  kind: "TenantNetwork",
  metadata: { name, namespace: "team-a" },
  spec: { NetworkType: type, Options: options },
});

/** A DanmEp as the CNI plugin writes it for one Pod interface. */
function endpoint(name: string, network: string, pod: string, iface: string, address: string, address6 = ""): DanmEp {
  return {
    apiVersion: "danm.k8s.io/v1",
    kind: "DanmEp",
    metadata: { name, namespace: "team-a", labels: { "danm.k8s.io/Pod": pod } },
    spec: {
      NetworkName: network,
      NetworkType: "ipvlan",
      apiType: "TenantNetwork",
      EndpointID: name,
      Pod: pod,
      PodUID: `uid-${pod}`,
      Host: "node-1",
      CID: `cid-${pod}`,
      netns: `/var/run/netns/${pod}`,
      Interface: { Name: iface, Address: address, AddressIPv6: address6 },
    },
  } as DanmEp;
}

describe("networks, as a tenant", () => {
  it("lists alice's TenantNetworks in team-a and the ClusterNetworks team-a may use, with usage", async () => {
    const alice = await callerFor(runtime, DEMO_IDENTITIES.alice);
    await alice.objects.create({ kind: "TenantNetwork", object: tenantNetwork("h1-listed", { cidr: "10.140.0.0/24" }) });
    created.push({ kind: "TenantNetwork", name: "h1-listed", namespace: "team-a" });

    expect(await alice.networks.namespaces()).toEqual({ namespaces: ["team-a"], writable: ["team-a"], everyNamespace: false });
    const list = await alice.networks.list({ namespace: "team-a" });
    const row = list.tenantNetworks.find((r) => r.name === "h1-listed");
    expect(row).toMatchObject({
      kind: "TenantNetwork",
      namespace: "team-a",
      networkType: "ipvlan",
      cidr: "10.140.0.0/24",
      usage: { v4: { total: 254, used: 0, free: 254 } },
    });
    // examples/clusternetworks.yaml: oam and overlay admit everyone, backhaul team-a and team-b, fronthaul team-a only
    expect(list.clusterNetworks.map((n) => n.name)).toEqual(["backhaul", "fronthaul", "oam", "overlay"]);
    expect(list.clusterNetworks.find((n) => n.name === "backhaul")).toMatchObject({ vlan: 310, hostDevice: "bond1", usage: { v4: { total: 181, used: 0 } } });
    expect(typeof list.clusterNetworks.find((n) => n.name === "backhaul")?.usage.v6?.total).toBe("string");

    const bobList = await (await callerFor(runtime, DEMO_IDENTITIES.bob)).networks.list({ namespace: "team-b" });
    expect(bobList.clusterNetworks.map((n) => n.name)).toEqual(["backhaul", "oam", "overlay"]);
  });

  it("with a limit, lists exactly the first rows of the whole list and says whether more follow", async () => {
    const alice = await callerFor(runtime, DEMO_IDENTITIES.alice);
    // "-", digits and letters side by side: the chunk must follow the API server's order exactly
    for (const name of ["h1-page-a", "h1-page0", "h1-page-b", "h1-pagez"]) {
      await alice.objects.create({ kind: "TenantNetwork", object: tenantNetwork(name, {}) });
      created.push({ kind: "TenantNetwork", name, namespace: "team-a" });
    }
    const whole = await alice.networks.list({ namespace: "team-a" });
    expect(whole.complete).toBe(true);
    expect(whole.tenantNetworks.length).toBeGreaterThanOrEqual(5);
    const first = await alice.networks.list({ namespace: "team-a", limit: 3 });
    expect(first.complete).toBe(false);
    expect(first.tenantNetworks.map((r) => r.name)).toEqual(whole.tenantNetworks.slice(0, 3).map((r) => r.name));
    expect(first.clusterNetworks).toEqual(whole.clusterNetworks);
    expect((await alice.networks.list({ namespace: "team-a", limit: 500 })).complete).toBe(true);
    await expect(alice.networks.list({ namespace: "team-a", limit: 0 })).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });

  it("creates a TenantNetwork and shows what the cluster assigned: VNI, device and NetworkID", async () => {
    const alice = await callerFor(runtime, DEMO_IDENTITIES.alice);
    const dry = await alice.objects.create({ kind: "TenantNetwork", object: tenantNetwork("h1-assigned", { cidr: "10.141.0.0/24" }, "macvlan"), dryRun: true });
    expect((dry as unknown as NetworkObject).spec?.Options?.host_device).toBeTruthy();
    await expect(alice.networks.get({ kind: "TenantNetwork", namespace: "team-a", name: "h1-assigned" })).rejects.toMatchObject({ code: "NOT_FOUND" });

    await alice.objects.create({ kind: "TenantNetwork", object: tenantNetwork("h1-assigned", { cidr: "10.141.0.0/24" }, "macvlan") });
    created.push({ kind: "TenantNetwork", name: "h1-assigned", namespace: "team-a" });
    const { row, object } = await alice.networks.get({ kind: "TenantNetwork", namespace: "team-a", name: "h1-assigned" });
    // examples/tenantconfig.yaml: ens4 hands out VLANs 1000-1999, ens5 VxLANs 300-399 and 450; macvlan maps to tn-macvl
    // on the VxLAN NIC the NetworkID carries the VNI, so two tenants' vx_ interfaces differ
    expect(row.networkId).toBe(row.vxlan ? `tn-mac.${row.vxlan}` : "tn-macvl");
    expect(["ens4", "ens5", "bond2"]).toContain(row.hostDevice);
    if (row.hostDevice === "ens4") expect(row.vlan).toBeGreaterThanOrEqual(1000);
    if (row.hostDevice === "ens5") expect(row.vxlan).toBeGreaterThanOrEqual(300);
    expect((object.spec?.Options as { alloc?: string }).alloc).toBeTruthy();
  });

  it("a dry run of a bad cidr comes back with the webhook's cause on spec.Options.cidr", async () => {
    const alice = await callerFor(runtime, DEMO_IDENTITIES.alice);
    const error = await alice.objects
      .create({ kind: "TenantNetwork", object: tenantNetwork("h1-bad", { cidr: "10.142.0.0/33" }), dryRun: true })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "UNPROCESSABLE_CONTENT" });
    const causes = (error as { cause: { causes: { field: string; message: string }[] } }).cause.causes;
    expect(causes).toEqual([expect.objectContaining({ field: "spec.Options.cidr", message: expect.stringContaining("N-2") })]);
  });

  it("refuses bob team-a's networks: list, get and addresses are FORBIDDEN", async () => {
    const bob = await callerFor(runtime, DEMO_IDENTITIES.bob);
    await expect(bob.networks.list({ namespace: "team-a" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(bob.networks.get({ kind: "TenantNetwork", namespace: "team-a", name: "h1-listed" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(bob.networks.addresses({ kind: "TenantNetwork", namespace: "team-a", name: "h1-listed" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    // and a tenant may not look across namespaces
    await expect(bob.networks.list({})).rejects.toMatchObject({ code: "FORBIDDEN" });
  });

  it("lists every address in use with the Pod and interface holding it, and explains why the network cannot be deleted", async () => {
    const alice = await callerFor(runtime, DEMO_IDENTITIES.alice);
    await alice.objects.create({ kind: "TenantNetwork", object: tenantNetwork("h1-used", { cidr: "10.143.0.0/24", net6: "fd00:143::/64" }) });
    created.push({ kind: "TenantNetwork", name: "h1-used", namespace: "team-a" });
    // allocate as the CNI does: three addresses in the bitmap, two of them recorded in DanmEps
    const stored = await admin.get<NetworkObject & { metadata: { name: string } }>("TenantNetwork", "h1-used", "team-a");
    let options = stored.spec!.Options!;
    const granted: string[][] = [];
    for (const req of [{ ip: "10.143.0.20", ip6: "dynamic" }, { ip: "10.143.0.10" }, { ip: "10.143.0.30" }]) {
      const r = allocateAddresses(options, req);
      if (!r.ok) throw new Error(r.error.message);
      options = r.options;
      granted.push([r.ip, r.ip6]);
    }
    await admin.replace("TenantNetwork", { ...stored, spec: { ...stored.spec, Options: options } });
    await admin.create("DanmEp", endpoint("h1-ep-1", "h1-used", "web-0", "eth1", granted[0][0], granted[0][1]));
    await admin.create("DanmEp", endpoint("h1-ep-2", "h1-used", "db-0", "eth2", granted[1][0]));
    await admin.create("DanmEp", endpoint("h1-ep-other", "h1-listed", "other-0", "eth1", "10.140.0.5/24"));
    created.push(
      { kind: "DanmEp", name: "h1-ep-1", namespace: "team-a" },
      { kind: "DanmEp", name: "h1-ep-2", namespace: "team-a" },
      { kind: "DanmEp", name: "h1-ep-other", namespace: "team-a" },
    );

    const a = await alice.networks.addresses({ kind: "TenantNetwork", namespace: "team-a", name: "h1-used" });
    expect(a.rows.map((r) => [r.address, r.pod, r.interface])).toEqual([
      ["10.143.0.10/24", "db-0", "eth2"],
      ["10.143.0.20/24", "web-0", "eth1"],
      [granted[0][1], "web-0", "eth1"],
    ]);
    expect(a.rows[0]).toMatchObject({ family: 4, podNamespace: "team-a", host: "node-1", endpoint: "h1-ep-2" });
    expect(a.unheld).toEqual({ ip: ["10.143.0.30"], ip6: [] });
    expect(a.network.usage.v4).toMatchObject({ used: 3 });

    // D-3: the webhook refuses the delete and names a Pod; the dry run says so before anything happens
    const error = await alice.objects.delete({ kind: "TenantNetwork", namespace: "team-a", name: "h1-used", dryRun: true }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "UNPROCESSABLE_CONTENT", message: expect.stringMatching(/in use by Pod team-a\/(web-0|db-0)/) });
    expect(error).toMatchObject({ message: expect.stringContaining("D-3") });
    await expect(alice.networks.get({ kind: "TenantNetwork", namespace: "team-a", name: "h1-used" })).resolves.toBeTruthy();
  });

  it("shows a ClusterNetwork's addresses held in the tenant's namespace", async () => {
    await admin.create("DanmEp", {
      ...endpoint("h1-ep-oam", "oam", "api-0", "oam1", "10.20.0.11/22"),
      spec: { ...endpoint("h1-ep-oam", "oam", "api-0", "oam1", "10.20.0.11/22").spec, apiType: "ClusterNetwork" },
    } as DanmEp);
    created.push({ kind: "DanmEp", name: "h1-ep-oam", namespace: "team-a" });
    const alice = await callerFor(runtime, DEMO_IDENTITIES.alice);
    const a = await alice.networks.addresses({ kind: "ClusterNetwork", name: "oam", inNamespace: "team-a" });
    expect(a).toMatchObject({ scope: "team-a", complete: false, unheld: { ip: [], ip6: [] } });
    expect(a.rows.map((r) => [r.address, r.pod, r.interface])).toEqual([["10.20.0.11/22", "api-0", "oam1"]]);
    // across namespaces only for those who may list every DanmEp
    await expect(alice.networks.addresses({ kind: "ClusterNetwork", name: "oam" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    const netadmin = await callerFor(runtime, DEMO_IDENTITIES.netadmin);
    expect((await netadmin.networks.addresses({ kind: "ClusterNetwork", name: "oam" })).complete).toBe(true);
    expect((await netadmin.networks.namespaces()).everyNamespace).toBe(true);
  });
});
