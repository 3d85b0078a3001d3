// The operator views' API through the real API server, as the signed-in person: olga (operator)
// sees utilisation move as addresses are allocated and held, the address map names the holders,
// history comes from the sampler with a forecast, the CSV export lists the held addresses; alice
// (tenant) is refused cluster-wide usage.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { GET as addressesCsv } from "../../app/api/usage/addresses.csv/route";
import { NetworkIpam } from "../ipam/networkIpam";
import { createSession } from "../db/sessions";
import { decodeAddressMap, describeAddress } from "../domain/usage/addressMap";
import { loadKubeConfig } from "../kube/config";
import { DanmClient } from "../kube/danmClient";
import { UsageSampler } from "../controllers/usageSampler";
import { CSRF_COOKIE, SESSION_COOKIE } from "./context";
import { callerFor, DEMO_IDENTITIES, testRuntime } from "./testing";

const cluster = inject("cluster");
const admin = new DanmClient(cluster.controlPlane.kubeconfigs.admin);
const ipam = new NetworkIpam(admin);
const NET = { kind: "TenantNetwork" as const, namespace: "team-a", name: "h3-usage" };
let runtime: Awaited<ReturnType<typeof testRuntime>>;

beforeAll(async () => {
  runtime = await testRuntime(cluster.controlPlane.kubeconfigs["tenet-console"]);
});
afterAll(async () => {
  for (const ep of ["h3-usage-1", "h3-usage-2"]) await admin.delete("DanmEp", ep, "team-a").catch(() => undefined);
  await admin.delete("TenantNetwork", NET.name, NET.namespace).catch(() => undefined);
  await runtime.dispose();
});

async function csvAs(user: keyof typeof DEMO_IDENTITIES | undefined, query: string) {
  const headers = new Headers({ host: "console.test" });
  if (user) {
    const s = await createSession(runtime.db, { ...DEMO_IDENTITIES[user], method: "local" });
    headers.set("cookie", `${SESSION_COOKIE}=${s.token}; ${CSRF_COOKIE}=${s.csrfToken}`);
  }
  const res = await addressesCsv(new Request(`http://console.test/api/usage/addresses.csv${query}`, { headers }));
  return { status: res.status, type: res.headers.get("content-type"), text: await res.text() };
}

function endpoint(name: string, pod: string, address: string) {
  return {
    apiVersion: "danm.k8s.io/v1",
    kind: "DanmEp",
    metadata: { name, namespace: "team-a" },
    spec: { NetworkName: NET.name, apiType: "TenantNetwork", Pod: pod, Host: "node-1", Interface: { Name: "eth1", Address: address } },
  };
}

describe("usage, as the signed-in person", () => {
  it("olga sees utilisation move with allocations and DanmEps; the map names the holders; alice is refused cluster-wide usage", async () => {
    const alice = await callerFor(runtime, DEMO_IDENTITIES.alice);
    const olga = await callerFor(runtime, DEMO_IDENTITIES.olga);
    // a /28: the pool .1–.14 holds 14 addresses
    await alice.objects.create({
      kind: "TenantNetwork",
      object: { metadata: { name: NET.name, namespace: NET.namespace }, spec: { Options: { cidr: "10.140.0.0/28" } } },
    });
    const row = async () => (await olga.usage.overview()).networks.find((n) => n.kind === NET.kind && n.namespace === NET.namespace && n.name === NET.name);
    expect(await row()).toMatchObject({ v4: { total: 14, used: 0 }, level: "ok" });

    // alloc changed through the admin kubeconfig, as the CNI plugin would
    const granted: string[] = [];
    for (let i = 0; i < 12; i++) granted.push((await ipam.allocate(NET, { ip: "dynamic" })).ip);
    expect(await row()).toMatchObject({ v4: { total: 14, used: 12 }, level: "warning" });
    const overview = await olga.usage.overview();
    expect(overview.networks.findIndex((n) => n.name === NET.name)).toBe(0); // most pressed first
    expect(overview.tenants.find((t) => t.namespace === "team-a")).toMatchObject({ worst: { name: NET.name } });
    granted.push((await ipam.allocate(NET, { ip: "dynamic" })).ip, (await ipam.allocate(NET, { ip: "dynamic" })).ip);
    expect(await row()).toMatchObject({ v4: { total: 14, used: 14 }, pressure: 1, level: "critical" });

    // two of them held by DanmEps: the map says who holds what
    await admin.create("DanmEp", endpoint("h3-usage-1", "web-1", granted[0]));
    await admin.create("DanmEp", endpoint("h3-usage-2", "web-2", granted[1]));
    await expect.poll(async () => (await olga.usage.network(NET)).map?.holders.index.length, { timeout: 10_000 }).toBe(2);
    const detail = await olga.usage.network(NET);
    expect(detail.v4).toEqual({ total: 14, used: 14, held: 2 });
    const map = decodeAddressMap(detail.map!);
    expect(describeAddress(map, 1)).toMatchObject({ address: "10.140.0.1", state: "used", pod: "team-a/web-1", iface: "eth1" });
    expect(describeAddress(map, 3)).toMatchObject({ state: "reserved", reason: expect.stringContaining("no DanmEp holds it") });

    // the tenant sees her own network's map, but not the cluster
    expect((await alice.usage.network(NET)).map?.holders.pods).toEqual(["team-a/web-1", "team-a/web-2"]);
    await expect(alice.usage.overview()).rejects.toMatchObject({ code: "FORBIDDEN", message: expect.stringContaining("tenet:operator") });
    // netadmins see it too
    const netadmin = await callerFor(runtime, DEMO_IDENTITIES.netadmin);
    expect((await netadmin.usage.overview()).networks.find((n) => n.name === NET.name)).toMatchObject({ v4: { used: 14 } });
    const bob = await callerFor(runtime, DEMO_IDENTITIES.bob);
    await expect(bob.usage.network(NET)).rejects.toMatchObject({ code: "FORBIDDEN" });

    // freeing an address moves the numbers back
    await ipam.free(NET, { ip: granted[13] });
    expect(await row()).toMatchObject({ v4: { used: 13 }, level: "warning" }); // 13/14 < 95 %
  });

  it("the CSV export lists the held addresses as the person, refuses anonymous and tenant cluster-wide requests", async () => {
    const one = await csvAs("olga", `?kind=TenantNetwork&namespace=team-a&name=${NET.name}`);
    expect(one.status).toBe(200);
    expect(one.type).toMatch(/^text\/csv/);
    const lines = one.text.trim().split("\r\n");
    expect(lines[0]).toBe("kind,namespace,network,family,address,state,pod_namespace,pod,interface,node");
    expect(lines).toContain("TenantNetwork,team-a,h3-usage,IPv4,10.140.0.1,held,team-a,web-1,eth1,node-1");
    expect(lines).toContain("TenantNetwork,team-a,h3-usage,IPv4,10.140.0.2,held,team-a,web-2,eth1,node-1");
    expect(lines.filter((l) => l.includes(",unheld,"))).toHaveLength(11);

    const all = await csvAs("olga", "");
    expect(all.status).toBe(200);
    expect(all.text).toContain("TenantNetwork,team-a,h3-usage,IPv4,10.140.0.1,held,team-a,web-1,eth1,node-1");

    expect((await csvAs(undefined, "")).status).toBe(401);
    const tenant = await csvAs("alice", "");
    expect(tenant.status).toBe(403);
    expect(tenant.text).toContain("tenet:operator");
    // her own network she may export
    expect((await csvAs("alice", `?kind=TenantNetwork&namespace=team-a&name=${NET.name}`)).text).toContain("web-2");
  });

  it("history comes from the usage sampler, with an exhaustion forecast", async () => {
    const olga = await callerFor(runtime, DEMO_IDENTITIES.olga);
    expect(await olga.usage.history(NET)).toMatchObject({ points: [], forecast: { state: "not-enough-history" } });
    let clock = Date.now() - 3 * 3_600_000;
    const sampler = new UsageSampler({ kubeconfig: loadKubeConfig(cluster.controlPlane.kubeconfigs["tenet-controllers"]), db: runtime.db, now: () => clock });
    await sampler.sampleOnce(); // 13 of 14 in use
    await ipam.free(NET, { ip: "10.140.0.5" });
    clock += 3_600_000;
    await sampler.sampleOnce(); // 12
    const history = await olga.usage.history(NET);
    expect(history.family).toBe(4);
    expect(history.points.map((p) => [p.used, p.total])).toEqual([
      [13, 14],
      [12, 14],
    ]);
    expect(history.forecast).toMatchObject({ state: "not-growing" });
    await ipam.allocate(NET, { ip: "dynamic" });
    await ipam.allocate(NET, { ip: "dynamic" });
    clock += 3_600_000;
    await sampler.sampleOnce(); // 14: full
    expect((await olga.usage.history(NET)).forecast).toEqual({ state: "full", used: 14, total: 14 });
    // bob may not read the network, so not its history either
    await expect((await callerFor(runtime, DEMO_IDENTITIES.bob)).usage.history(NET)).rejects.toMatchObject({ code: "FORBIDDEN" });
  });
});
