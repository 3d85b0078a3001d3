// The netadmin area and the audit trail through the real API server and webhook, as the signed-in
// person: TenantConfig range edits (and the reservations they would strand), ClusterNetworks with
// AllowedTenants, every tenant's networks, and who may see any of it.
import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { TenantConfig } from "../domain/api/tenantConfig";
import { profileVnis } from "../domain/tenancy/rangeEdit";
import { KubeError } from "../kube/errors";
import { callerFor, DEMO_IDENTITIES, testRuntime } from "./testing";

const cluster = inject("cluster");
let runtime: Awaited<ReturnType<typeof testRuntime>>;
type Caller = Awaited<ReturnType<typeof callerFor>>;
let netadmin: Caller;
let alice: Caller;
let original: TenantConfig;

const TN = "h2-range";
const CN = "h2-backhaul";

beforeAll(async () => {
  runtime = await testRuntime(cluster.controlPlane.kubeconfigs["tenet-console"]);
  netadmin = await callerFor(runtime, DEMO_IDENTITIES.netadmin);
  alice = await callerFor(runtime, DEMO_IDENTITIES.alice);
  original = (await netadmin.objects.get({ kind: "TenantConfig", name: "tenet" })) as unknown as TenantConfig;
});

afterAll(async () => {
  // leave the TenantConfig's ranges and our objects as we found them for the files that run after us
  await alice.objects.delete({ kind: "TenantNetwork", namespace: "team-a", name: TN }).catch(() => undefined);
  await netadmin.objects.delete({ kind: "ClusterNetwork", name: CN }).catch(() => undefined);
  const current = (await netadmin.objects.get({ kind: "TenantConfig", name: "tenet" })) as unknown as TenantConfig;
  const hostDevices = (original.hostDevices ?? []).map(({ alloc: _alloc, ...p }) => p); // keep today's reservations (decision 4)
  await netadmin.objects.replace({
    kind: "TenantConfig",
    object: { ...original, hostDevices, metadata: { ...original.metadata, resourceVersion: current.metadata.resourceVersion } },
  });
  await runtime.dispose();
});

/** The tRPC error's Kubernetes causes (what the browser gets as data.kube.causes). */
async function causesOf(p: Promise<unknown>): Promise<{ code: string; fields: (string | undefined)[] }> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(TRPCError);
  const cause = (e as TRPCError).cause;
  return { code: (e as TRPCError).code, fields: cause instanceof KubeError ? cause.causes.map((c) => c.field) : [] };
}

describe("admin and audit procedures refuse people Kubernetes does not make netadmins", () => {
  it("alice gets FORBIDDEN on every admin procedure and on audit.list", async () => {
    for (const call of [
      () => alice.admin.tenantConfig(),
      () => alice.admin.clusterNetworks(),
      () => alice.admin.tenantNetworks(),
      () => alice.admin.namespaces(),
      () => alice.admin.rangeEditWarnings({ name: "tenet", hostDevices: [] }),
      () => alice.audit.list({}),
    ]) {
      await expect(call()).rejects.toMatchObject({ code: "FORBIDDEN" });
    }
  });

  it("olga (operator, read-only on danm.k8s.io) is no netadmin either", async () => {
    const olga = await callerFor(runtime, DEMO_IDENTITIES.olga);
    await expect(olga.audit.list({})).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(olga.admin.tenantConfig()).rejects.toMatchObject({ code: "FORBIDDEN" });
  });
});

describe("the TenantConfig editor's data", () => {
  let vlan: number;

  beforeAll(async () => {
    const created = (await alice.objects.create({
      kind: "TenantNetwork",
      object: { metadata: { name: TN, namespace: "team-a" }, spec: { NetworkType: "ipvlan", Options: { host_device: "ens4", cidr: "10.91.0.0/24" } } },
    })) as unknown as { spec: { Options: { vlan: number } } };
    vlan = created.spec.Options.vlan;
    expect(vlan).toBeGreaterThanOrEqual(1000);
  });

  it("shows the reservation of alice's network in its profile, held by that network", async () => {
    const { configs, holdings } = await netadmin.admin.tenantConfig();
    expect(configs.map((c) => c.metadata.name)).toContain("tenet");
    const ens4 = configs.find((c) => c.metadata.name === "tenet")!.hostDevices!.find((p) => p.name === "ens4" && p.vniType === "vlan")!;
    const mine = profileVnis(ens4, holdings).find((v) => v.vni === vlan);
    expect(mine).toEqual({ vni: vlan, reserved: true, inRange: true, holders: [{ namespace: "team-a", name: TN }] });
  });

  it("reports that a range leaving out the held VLAN strands it, naming the TenantNetwork; a range keeping it reports nothing", async () => {
    const hostDevices = (range: string) =>
      original.hostDevices!.map(({ alloc: _alloc, ...p }) => (p.name === "ens4" && p.vniType === "vlan" ? { ...p, vniRange: range } : p));
    const warnings = await netadmin.admin.rangeEditWarnings({ name: "tenet", hostDevices: hostDevices(`${vlan + 1}-1999`) });
    const ens4 = warnings.find((w) => w.profile === "ens4")!;
    expect(ens4).toMatchObject({ vniType: "vlan", kind: "outsideRange", path: "hostDevices[0].vniRange" });
    expect(ens4.stranded.find((v) => v.vni === vlan)?.holders).toEqual([{ namespace: "team-a", name: TN }]);
    expect(ens4.message).toContain(`team-a/${TN}`);
    expect((await netadmin.admin.rangeEditWarnings({ name: "tenet", hostDevices: hostDevices(`${vlan}-2100`) })).filter((w) => w.profile === "ens4")).toEqual(
      [],
    );
  });

  it("a netadmin widens the range with objects.replace; the new range is visible and the reservation survives", async () => {
    const current = (await netadmin.objects.get({ kind: "TenantConfig", name: "tenet" })) as unknown as TenantConfig;
    const hostDevices = current.hostDevices!.map((p) => (p.name === "ens4" && p.vniType === "vlan" ? { ...p, vniRange: "1000-1999,2100-2110" } : p));
    await netadmin.objects.replace({ kind: "TenantConfig", object: { ...current, hostDevices } });
    const { configs, holdings } = await netadmin.admin.tenantConfig();
    const ens4 = configs.find((c) => c.metadata.name === "tenet")!.hostDevices!.find((p) => p.name === "ens4")!;
    expect(ens4.vniRange).toBe("1000-1999,2100-2110");
    expect(profileVnis(ens4, holdings).find((v) => v.vni === vlan)?.reserved).toBe(true);
  });

  it("lists alice's network under team-a among every tenant's networks, with its VLAN, device and usage", async () => {
    const groups = await netadmin.admin.tenantNetworks();
    expect(groups.map((g) => g.namespace)).toEqual(expect.arrayContaining(["team-a", "team-b"]));
    const row = groups.find((g) => g.namespace === "team-a")!.networks.find((n) => n.name === TN);
    expect(row).toMatchObject({ networkType: "ipvlan", vni: { type: "vlan", id: vlan }, hostDevice: "ens4", cidr: "10.91.0.0/24", endpoints: 0 });
    expect(row!.usage.v4).toEqual({ total: 254, used: 0, free: 254 });
  });
});

describe("ClusterNetworks", () => {
  const object = (extra: Record<string, unknown> = {}) => ({
    metadata: { name: CN },
    spec: {
      NetworkID: "h2bh",
      NetworkType: "ipvlan",
      AllowedTenants: ["team-a"],
      Options: { host_device: "bond1", vlan: 311, cidr: "172.29.4.0/24", ...extra },
    },
  });

  it("a dry run reports the webhook's field causes and creates nothing", async () => {
    const denied = await causesOf(netadmin.objects.create({ kind: "ClusterNetwork", object: object({ vxlan: 700 }), dryRun: true }));
    expect(denied.fields).toContain("spec.Options.vxlan");
    await expect(netadmin.objects.create({ kind: "ClusterNetwork", object: object(), dryRun: true })).resolves.toMatchObject({ metadata: { name: CN } });
    expect((await netadmin.admin.clusterNetworks()).map((n) => n.name)).not.toContain(CN);
  });

  it("a netadmin creates one with AllowedTenants, and it is listed with them", async () => {
    const namespaces = await netadmin.admin.namespaces();
    expect(namespaces).toEqual(expect.arrayContaining(["team-a", "team-b"]));
    expect(namespaces).not.toContain("kube-system");
    await netadmin.objects.create({ kind: "ClusterNetwork", object: object() });
    const row = (await netadmin.admin.clusterNetworks()).find((n) => n.name === CN);
    expect(row).toMatchObject({ allowedTenants: ["team-a"], vlan: 311, hostDevice: "bond1", networkId: "h2bh", usage: { v4: { total: 254, used: 0 } } });
  });
});

describe("the audit trail", () => {
  it("holds an allowed and a denied change with their verdicts, filterable and paged", async () => {
    await netadmin.objects.create({
      kind: "ClusterNetwork",
      object: { metadata: { name: "h2-audit" }, spec: { NetworkID: "h2audit", NetworkType: "ipvlan", Options: { cidr: "10.92.0.0/24" } } },
    });
    await netadmin.objects.delete({ kind: "ClusterNetwork", name: "h2-audit" });
    await expect(
      alice.objects.create({ kind: "ClusterNetwork", object: { metadata: { name: "h2-sneaky" }, spec: { NetworkID: "sneaky" } } }),
    ).rejects.toMatchObject({ code: "FORBIDDEN" });

    const all = await netadmin.audit.list({});
    expect(all.rows.find((r) => r.name === "h2-audit" && r.action === "create")).toMatchObject({
      actor: "netadmin",
      kind: "ClusterNetwork",
      verdict: "allowed",
    });
    const denied = all.rows.find((r) => r.name === "h2-sneaky");
    expect(denied).toMatchObject({ actor: "alice", action: "create", kind: "ClusterNetwork", verdict: "denied" });
    expect(denied!.message).toMatch(/forbidden/i);
    // dry runs leave no trace
    expect(all.rows.filter((r) => r.name === CN).map((r) => r.action)).toEqual(["create"]);

    expect((await netadmin.audit.list({ actor: "alice", verdict: "denied" })).rows.every((r) => r.actor === "alice" && r.verdict === "denied")).toBe(true);
    expect((await netadmin.audit.list({ kind: "TenantConfig" })).rows.length).toBeGreaterThan(0);

    const first = await netadmin.audit.list({ limit: 2 });
    expect(first.rows).toHaveLength(2);
    const second = await netadmin.audit.list({ limit: 2, before: first.next });
    expect(second.rows[0].id).toBeLessThan(first.rows[1].id);
    expect(new Date(first.rows[0].at).getTime()).toBeGreaterThanOrEqual(new Date(second.rows[0].at).getTime());
  });
});
