// The node agent against the real API server: its NodeNetworkStatus appears and follows the
// networks, with real interfaces in a scratch network namespace and SR-IOV pools from a prepared
// sysfs tree. The agent uses the tenet-agent ServiceAccount's token, so its RBAC is the real one.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { NodeNetworkStatus } from "../domain/api/nodeStatus";
import { danmPath } from "../kube/access";
import { KubeRest } from "../kube/rest";
import { KubeError } from "../kube/errors";
import { agentKubeconfig } from "../../tools/cli/simulatedNodes";
import { NodeAgent } from "./nodeAgent";
import { readLinks, runIp } from "./links";
import { createScratchNetns, scratchNetnsUnavailable, type ScratchNetns } from "./scratchNetns";
import { simulatedVfAddress, writeSysfsTree } from "./sriovSysfs";

const cluster = inject("cluster");
const unavailable = scratchNetnsUnavailable();
if (unavailable) console.warn(`node agent integration tests skipped: ${unavailable}`);

const node = `h5-node-${process.pid}`;
const ns = "team-a";

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    last = await probe().catch((e: Error) => e);
    if (last !== undefined && !(last instanceof Error)) return last as T;
    if (Date.now() > deadline) throw new Error(`${what}: not after ${timeoutMs} ms (${last instanceof Error ? last.message : "no value"})`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe.skipIf(!!unavailable)("node agent through the real API server", () => {
  let scratch: ScratchNetns;
  let agent: NodeAgent;
  let admin: KubeRest;
  let netadmin: KubeRest;
  let agentKube: KubeRest;
  let dir: string;
  let vlanSupported = false;

  const status = () => netadmin.call<NodeNetworkStatus>(danmPath("NodeNetworkStatus", undefined, node));
  const iface = async (name: string) => (await status()).status?.hostInterfaces.find((i) => i.name === name);
  const danmNet = (name: string, options: Record<string, unknown>) => ({
    apiVersion: "danm.k8s.io/v1",
    kind: "DanmNet",
    metadata: { name, namespace: ns },
    spec: { NetworkID: name, NetworkType: "macvlan", Options: options },
  });
  const deleteQuietly = (p: string) => admin.call(p, { method: "DELETE" }).catch(() => undefined);

  beforeAll(async () => {
    scratch = createScratchNetns(`tnt-nns-${process.pid}`, { igmpMemberships: 200 });
    const probe = await runIp(["link", "add", "link", scratch.parent, "name", "probe.9", "type", "vlan", "id", "9"], { netns: scratch.name });
    vlanSupported = probe.code === 0;
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "tenet-agent-it-"));
    writeSysfsTree(dir, [{ name: "ens1f0", bus: "5a", totalVfs: 8, numVfs: 4 }]);
    fs.writeFileSync(
      path.join(dir, "sriov.json"),
      JSON.stringify({ resourceList: [{ resourcePrefix: "vendor.example", resourceName: "sriov_left", selectors: { pfNames: ["ens1f0"] } }] }),
    );
    admin = await KubeRest.fromFile(cluster.controlPlane.kubeconfigs.admin);
    netadmin = await KubeRest.fromFile(cluster.controlPlane.kubeconfigs.netadmin);
    agentKube = await KubeRest.fromFile(await agentKubeconfig(cluster.controlPlane, path.join(dir, "agent.kubeconfig")));
    agent = new NodeAgent({
      node,
      kube: agentKube,
      netns: scratch.name,
      sysfsRoot: dir,
      sriovConfigFile: path.join(dir, "sriov.json"),
      heartbeatSeconds: 5,
      debounceMs: 20,
      log: () => {},
    });
    await agent.start();
  });

  afterAll(async () => {
    await agent?.stop();
    for (const n of ["h5vx", "h5vl"]) await deleteQuietly(danmPath("DanmNet", ns, n));
    for (const n of ["h5-ep-1", "h5-ep-2"]) await deleteQuietly(danmPath("DanmEp", ns, n));
    await deleteQuietly(danmPath("NodeNetworkStatus", undefined, node));
    await Promise.all([admin, netadmin, agentKube].map((k) => k?.close()));
    scratch?.remove();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("publishes the node's status with a heartbeat, Ready and Degraded conditions", async () => {
    const s = (await status()).status!;
    expect(s.nodeName).toBe(node);
    expect(s.applying).toBe(true);
    expect(s.netns).toBe(scratch.name);
    expect(Date.now() - Date.parse(s.heartbeat)).toBeLessThan(30_000);
    expect(s.conditions.map((c) => c.type)).toEqual(["Ready", "Degraded"]);
  });

  it("a DanmNet with a VxLAN shows its interface Present with the VNI; deleting the network removes it", async () => {
    await netadmin.call(danmPath("DanmNet", ns), { method: "POST", body: danmNet("h5vx", { host_device: scratch.parent, vxlan: 777, cidr: "10.77.0.0/24" }) });
    const present = await waitFor("vx_h5vx present", async () => ((await iface("vx_h5vx"))?.state === "Present" ? await iface("vx_h5vx") : undefined));
    expect(present).toMatchObject({ name: "vx_h5vx", kind: "vxlan", vni: 777, parent: scratch.parent, networks: [`DanmNet ${ns}/h5vx`], mtu: 1450 });
    expect((await readLinks({ netns: scratch.name })).find((l) => l.name === "vx_h5vx")).toMatchObject({
      kind: "vxlan",
      id: 777,
      ownedByTenet: true,
      up: true,
    });

    await netadmin.call(danmPath("DanmNet", ns, "h5vx"), { method: "DELETE" });
    await waitFor("vx_h5vx gone from the status", async () => ((await iface("vx_h5vx")) === undefined ? true : undefined));
    expect((await readLinks({ netns: scratch.name })).find((l) => l.name === "vx_h5vx")).toBeUndefined();
  });

  it("a DanmNet with a VLAN shows Present where the kernel has 802.1Q, and Failed with the kernel's reason where it does not", async () => {
    await netadmin.call(danmPath("DanmNet", ns), { method: "POST", body: danmNet("h5vl", { host_device: scratch.parent, vlan: 123, cidr: "10.78.0.0/24" }) });
    const entry = await waitFor("h5vl.123 reported", async () => {
      const i = await iface("h5vl.123");
      return i && i.state !== "Missing" ? i : undefined;
    });
    if (vlanSupported) expect(entry).toMatchObject({ state: "Present", kind: "vlan", vni: 123 });
    else {
      console.warn("this kernel has no 802.1Q VLAN support: the VLAN interface must show as Failed with the kernel's reason");
      expect(entry).toMatchObject({ state: "Failed", kind: "vlan", vni: 123, error: expect.stringContaining("Unknown device type") });
      const s = (await status()).status!;
      expect(s.conditions[1]).toMatchObject({ type: "Degraded", status: "True" });
      expect(s.summary.failed).toBeGreaterThanOrEqual(1);
    }
  });

  it("inventories the SR-IOV pools from sysfs and names the Pods whose DanmEps on this node hold VFs", async () => {
    const ep = (name: string, pod: string, vf: number) => ({
      apiVersion: "danm.k8s.io/v1",
      kind: "DanmEp",
      metadata: { name, namespace: ns },
      spec: {
        NetworkName: "fronthaul",
        NetworkType: "sriov",
        apiType: "ClusterNetwork",
        EndpointID: name,
        Host: node,
        Pod: pod,
        Interface: { Name: "eth1", Address: "none", DeviceID: simulatedVfAddress("5a", vf) },
      },
    });
    await admin.call(danmPath("DanmEp", ns), { method: "POST", body: ep("h5-ep-1", "du-0", 1) });
    await admin.call(danmPath("DanmEp", ns), { method: "POST", body: ep("h5-ep-2", "du-1", 3) });
    const pool = await waitFor("two VFs allocated", async () => {
      const p = (await status()).status?.sriovPools.find((x) => x.name === "vendor.example/sriov_left");
      return p?.allocated === 2 ? p : undefined;
    });
    expect(pool).toMatchObject({ physicalFunctions: ["ens1f0"], total: 4, allocated: 2, free: 2 });
    expect(pool.vfs.filter((v) => v.pod).map((v) => [v.index, v.pod])).toEqual([
      [1, `${ns}/du-0`],
      [3, `${ns}/du-1`],
    ]);
    // the pool the example ClusterNetwork fronthaul names has no physical function in this agent's config
    const right = (await status()).status!.sriovPools.find((x) => x.name === "vendor.example/sriov_right");
    expect(right?.error).toMatch(/names no physical function/);
  });

  it("alice's and bob's VxLAN TenantNetworks from one profile both come up on the node, with no conflict", async () => {
    // the profile tenants get VxLANs from is this node's NIC; the TenantConfig maps ipvlan to tn-ipvl
    const profile = { name: scratch.parent, vniType: "vxlan", vniRange: "4600-4609" };
    const addProfile = async (add: boolean) => {
      for (;;) {
        const tc = await netadmin.call<{ metadata: { resourceVersion: string }; hostDevices: { name: string }[] }>(
          danmPath("TenantConfig", undefined, "tenet"),
        );
        const hostDevices = add ? [...tc.hostDevices.filter((p) => p.name !== profile.name), profile] : tc.hostDevices.filter((p) => p.name !== profile.name);
        const done = await netadmin.call(danmPath("TenantConfig", undefined, "tenet"), { method: "PUT", body: { ...tc, hostDevices } }).then(
          () => true,
          (e: KubeError) => (e.status === 409 ? false : Promise.reject(e)),
        );
        if (done) return;
      }
    };
    const alice = await KubeRest.fromFile(cluster.controlPlane.kubeconfigs.alice);
    const bob = await KubeRest.fromFile(cluster.controlPlane.kubeconfigs.bob);
    const tn = (namespace: string, name: string, cidr: string) => ({
      apiVersion: "danm.k8s.io/v1",
      kind: "TenantNetwork",
      metadata: { name, namespace },
      spec: { NetworkType: "ipvlan", Options: { cidr, host_device: scratch.parent } },
    });
    type Tn = { spec: { NetworkID: string; Options: { vxlan: number } } };
    await addProfile(true);
    try {
      const bobs = await bob.call<Tn>(danmPath("TenantNetwork", "team-b"), { method: "POST", body: tn("team-b", "h14-bob", "10.140.0.0/24") });
      const alices = await alice.call<Tn>(danmPath("TenantNetwork", "team-a"), { method: "POST", body: tn("team-a", "h14-alice", "10.141.0.0/24") });
      expect([bobs.spec.Options.vxlan, alices.spec.Options.vxlan]).toEqual([4600, 4601]);
      expect([bobs.spec.NetworkID, alices.spec.NetworkID]).toEqual(["tn-ip.4600", "tn-ip.4601"]);
      for (const [name, vni, user] of [
        ["vx_tn-ip.4600", 4600, "TenantNetwork team-b/h14-bob"],
        ["vx_tn-ip.4601", 4601, "TenantNetwork team-a/h14-alice"],
      ] as const) {
        const present = await waitFor(`${name} present`, async () => ((await iface(name))?.state === "Present" ? await iface(name) : undefined));
        expect(present).toMatchObject({ name, kind: "vxlan", vni, parent: scratch.parent, networks: [user] });
      }
      const mine = (await status()).status!.hostInterfaces.filter((i) => i.networks.some((n) => n.includes("h14-")));
      expect(mine.map((i) => i.state)).toEqual(["Present", "Present"]);
      const links = (await readLinks({ netns: scratch.name })).filter((l) => l.name.startsWith("vx_tn-ip."));
      expect(links.map((l) => [l.name, l.id]).sort()).toEqual([
        ["vx_tn-ip.4600", 4600],
        ["vx_tn-ip.4601", 4601],
      ]);
    } finally {
      await bob.call(danmPath("TenantNetwork", "team-b", "h14-bob"), { method: "DELETE" }).catch(() => undefined);
      await alice.call(danmPath("TenantNetwork", "team-a", "h14-alice"), { method: "DELETE" }).catch(() => undefined);
      await Promise.all([alice.close(), bob.close()]);
      await addProfile(false);
    }
  });

  it("may write only NodeNetworkStatuses: its ServiceAccount cannot change networks", async () => {
    const denied = await agentKube
      .call(danmPath("DanmNet", ns), { method: "POST", body: danmNet("h5deny", { cidr: "10.79.0.0/24" }) })
      .catch((e: unknown) => e);
    expect(denied).toBeInstanceOf(KubeError);
    expect((denied as KubeError).status).toBe(403);
  });
});
