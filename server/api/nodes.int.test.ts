// The nodes router through the real API server, as the signed-in person: netadmins see every node
// with its agent's report and the grid of host interfaces; tenants are refused.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { NetworkObject } from "../domain/api/network";
import { desiredHostInterfaces } from "../domain/hostInterfaces";
import { nodeStatusContent } from "../domain/nodeNetworkStatus";
import { danmPath } from "../kube/access";
import { nadPath } from "../kube/networkAttachmentDefinitions";
import { KubeRest } from "../kube/rest";
import { callerFor, DEMO_IDENTITIES, testRuntime } from "./testing";

const cluster = inject("cluster");
let runtime: Awaited<ReturnType<typeof testRuntime>>;
let admin: KubeRest;
const fresh = `h5-fresh-${process.pid}`;
const gone = `h5-gone-${process.pid}`;
const real = `h5-real-${process.pid}`;

const overlay = {
  apiVersion: "danm.k8s.io/v1",
  kind: "ClusterNetwork",
  metadata: { name: "overlay" },
  spec: { NetworkID: "overlay", Options: { host_device: "ens5", vxlan: 600 } },
} as NetworkObject;
const backhaul = {
  apiVersion: "danm.k8s.io/v1",
  kind: "ClusterNetwork",
  metadata: { name: "backhaul" },
  spec: { NetworkID: "backhaul", Options: { host_device: "bond1", vlan: 310 } },
} as NetworkObject;

async function publish(node: string, heartbeat: Date) {
  const content = nodeStatusContent(
    {
      node,
      heartbeatSeconds: 30,
      desired: desiredHostInterfaces([overlay, backhaul]),
      links: [{ name: "vx_overlay", kind: "vxlan", id: 600, parent: "ens5", ownedByTenet: true, up: true, mtu: 1450 }],
      failed: [{ name: "backhaul.310", error: "Error: Unknown device type." }],
      conflicts: [],
      pools: [
        {
          name: "vendor.example/sriov_left",
          physicalFunctions: ["ens1f0"],
          total: 8,
          allocated: 1,
          free: 7,
          vfs: [{ index: 0, pciAddress: "0000:3b:02.0", pod: "team-a/du-0", network: "ClusterNetwork fronthaul" }],
        },
      ],
    },
    undefined,
    heartbeat.toISOString(),
  );
  await admin.call(danmPath("NodeNetworkStatus", undefined, node), {
    method: "PATCH",
    contentType: "application/apply-patch+yaml",
    query: { fieldManager: "tenet-agent", force: "true" },
    body: { apiVersion: "danm.k8s.io/v1", kind: "NodeNetworkStatus", metadata: { name: node }, status: { ...content, heartbeat: heartbeat.toISOString() } },
  });
}

beforeAll(async () => {
  runtime = await testRuntime(cluster.controlPlane.kubeconfigs["tenet-console"]);
  admin = await KubeRest.fromFile(cluster.controlPlane.kubeconfigs.admin);
  await admin.call("/api/v1/nodes", {
    method: "POST",
    body: { apiVersion: "v1", kind: "Node", metadata: { name: fresh, labels: { "tenet.dev/simulated": "true" } } },
  });
  await admin.call("/api/v1/nodes", {
    method: "POST",
    body: { apiVersion: "v1", kind: "Node", metadata: { name: real, labels: { "tenet.dev/sriov": "simulated" } } },
  });
  await publish(fresh, new Date());
  await publish(real, new Date());
  await publish(gone, new Date(Date.now() - 10 * 60_000));
});
afterAll(async () => {
  for (const p of [
    danmPath("NodeNetworkStatus", undefined, fresh),
    danmPath("NodeNetworkStatus", undefined, gone),
    danmPath("NodeNetworkStatus", undefined, real),
    `/api/v1/nodes/${fresh}`,
    `/api/v1/nodes/${real}`,
  ])
    await admin.call(p, { method: "DELETE" }).catch(() => undefined);
  await admin.close();
  await runtime.dispose();
});

describe("nodes router", () => {
  it("shows the netadmin every node with its agent's report, the host interfaces the networks want and their state per node", async () => {
    const netadmin = await callerFor(runtime, DEMO_IDENTITIES.netadmin);
    const o = await netadmin.nodes.overview();
    const node = o.nodes.find((n) => n.name === fresh)!;
    expect(node).toMatchObject({
      nodeExists: true,
      simulated: true,
      sriovSimulated: false,
      reporting: true,
      stale: false,
      applying: true,
      summary: { interfaces: 2, present: 1, failed: 1, vfs: "1/8" },
      ready: { status: "False", reason: "InterfacesFailed" },
    });
    expect(node.pools).toEqual([{ name: "vendor.example/sriov_left", total: 8, allocated: 1, free: 7 }]);
    // the seeded example ClusterNetworks are columns
    const overlayCol = o.columns.find((c) => c.network === "overlay")!;
    const backhaulCol = o.columns.find((c) => c.network === "backhaul")!;
    expect(overlayCol).toMatchObject({ interface: "vx_overlay", interfaceKind: "vxlan", vni: 600, parent: "ens5" });
    expect(o.cells[fresh][overlayCol.key]).toEqual({ state: "Present", stale: false });
    expect(o.cells[fresh][backhaulCol.key]).toEqual({ state: "Failed", error: "Error: Unknown device type.", stale: false });
    // a real node of the local cluster: only its SR-IOV inventory is simulated
    expect(o.nodes.find((n) => n.name === real)).toMatchObject({ nodeExists: true, simulated: false, sriovSimulated: true });
    // a status without a Node and with a heartbeat 10 minutes old: flagged stale
    expect(o.nodes.find((n) => n.name === gone)).toMatchObject({ nodeExists: false, reporting: true, stale: true, staleAfterSeconds: 90 });
  });

  it("gives a NetworkAttachmentDefinition that wants a host interface a column with the NAD as its source", async () => {
    const nad = {
      apiVersion: "k8s.cni.cncf.io/v1",
      kind: "NetworkAttachmentDefinition",
      metadata: { name: "mx-col", namespace: "team-a" },
      spec: { config: JSON.stringify({ name: "mxcol", type: "macvlan", master: "ens3", vxlan: 520 }) },
    };
    await admin.call(nadPath("team-a"), { method: "POST", body: nad });
    try {
      const netadmin = await callerFor(runtime, DEMO_IDENTITIES.netadmin);
      const o = await netadmin.nodes.overview();
      const column = o.columns.find((c) => c.networkKind === "NetworkAttachmentDefinition");
      expect(column).toEqual({
        key: "NetworkAttachmentDefinition/team-a/mx-col/vx_mxcol",
        networkKind: "NetworkAttachmentDefinition",
        namespace: "team-a",
        network: "mx-col",
        interface: "vx_mxcol",
        interfaceKind: "vxlan",
        vni: 520,
        parent: "ens3",
      });
      expect(o.cells[fresh][column!.key]).toMatchObject({ state: "Missing" });
    } finally {
      await admin.call(nadPath("team-a", "mx-col"), { method: "DELETE" });
    }
  });

  it("gives one node's details: interfaces with errors and VFs with Pods", async () => {
    const netadmin = await callerFor(runtime, DEMO_IDENTITIES.netadmin);
    const d = await netadmin.nodes.get({ name: fresh });
    expect(d.hostInterfaces.map((i) => [i.name, i.state, i.error ?? ""])).toEqual([
      ["backhaul.310", "Failed", "Error: Unknown device type."],
      ["vx_overlay", "Present", ""],
    ]);
    expect(d.sriovPools[0].vfs[0]).toMatchObject({ pod: "team-a/du-0" });
    await expect(netadmin.nodes.get({ name: "h5-no-such-node" })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("refuses alice (a tenant) with FORBIDDEN", async () => {
    const alice = await callerFor(runtime, DEMO_IDENTITIES.alice);
    await expect(alice.nodes.overview()).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(alice.nodes.get({ name: fresh })).rejects.toMatchObject({ code: "FORBIDDEN" });
  });
});
