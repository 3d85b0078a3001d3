// The reconcilers against the real API server: leaks are fixed only after the grace period, and
// each fix is reported as a Kubernetes Event.
import { describe, expect, inject, it } from "vitest";
import { Registry } from "prom-client";
import type { TenantConfig } from "../domain/api/tenantConfig";
import { Bitmap } from "../domain/bitmap";
import { reservedVnis } from "../domain/tenancy/vni";
import { NetworkIpam } from "../ipam/networkIpam";
import { eventsAbout } from "../kube/events";
import { loadKubeConfig } from "../kube/config";
import { DanmClient } from "../kube/danmClient";
import { Reconcilers } from "./reconcilers";

const cluster = inject("cluster");
const kc = loadKubeConfig(cluster.controlPlane.kubeconfigs.admin);
const admin = new DanmClient(kc);
const ipam = new NetworkIpam(admin);
type Net = { metadata: { name: string; namespace?: string }; spec: { Options: { alloc?: string } } };

async function danmNet(name: string, cidr: string) {
  return admin.create<Net>("DanmNet", {
    apiVersion: "danm.k8s.io/v1",
    kind: "DanmNet",
    metadata: { name, namespace: "team-b" },
    spec: { NetworkID: name.slice(0, 10), Options: { cidr } },
  } as Net);
}

describe("reconcilers", () => {
  it("free an address held by no DanmEp only after the grace period, with an Event on the network", async () => {
    const fresh = (await danmNet("leaky", "10.120.0.0/24")).spec.Options.alloc;
    const ref = { kind: "DanmNet" as const, name: "leaky", namespace: "team-b" };
    const held = await ipam.allocate(ref, { ip: "dynamic" });
    const leaked = await ipam.allocate(ref, { ip: "dynamic" });
    await admin.create("DanmEp", {
      apiVersion: "danm.k8s.io/v1",
      kind: "DanmEp",
      metadata: { name: "leaky-holder", namespace: "team-b" },
      spec: { NetworkName: "leaky", apiType: "DanmNet", Pod: "no-such-pod-but-fresh", Interface: { Address: held.ip } },
    });
    let clock = 1_000_000;
    const registry = new Registry();
    const r = new Reconcilers({ kubeconfig: kc, graceMs: 60_000, now: () => clock, registry });
    expect((await r.runOnce()).filter((f) => f.target.includes("leaky"))).toEqual([]);
    clock += 61_000;
    const fixes = (await r.runOnce()).filter((f) => f.target.includes("leaky"));
    // the DanmEp's Pod never existed: it is deleted and its address freed, the leaked one freed too
    expect(fixes.map((f) => f.reconciler).sort()).toEqual(["leaked-addresses", "stale-endpoints"]);
    expect(fixes.find((f) => f.reconciler === "leaked-addresses")!.message).toBe(
      `freed ${leaked.ip.split("/")[0]}: allocated in DanmNet team-b/leaky but held by no DanmEp`,
    );
    expect((await admin.get<Net>("DanmNet", "leaky", "team-b")).spec.Options.alloc).toBe(fresh);
    await expect(admin.get("DanmEp", "leaky-holder", "team-b")).rejects.toMatchObject({ status: 404 });
    const events = await eventsAbout(kc, { kind: "DanmNet", name: "leaky", namespace: "team-b" });
    expect(events.map((e) => e.reason).sort()).toEqual(["LeakedAddressFreed", "StaleEndpointDeleted"]);
    expect(await registry.getSingleMetricAsString("tenet_reconciler_fixes_total")).toMatch(/reconciler="leaked-addresses"\} 1/);
    await admin.delete("DanmNet", "leaky", "team-b");
  });

  it("keep addresses whose DanmEp's Pod exists", async () => {
    await danmNet("kept", "10.121.0.0/24");
    const ref = { kind: "DanmNet" as const, name: "kept", namespace: "team-b" };
    const a = await ipam.allocate(ref, { ip: "dynamic" });
    const { createPod, deletePod } = await import("../kube/pods");
    const pod = await createPod(cluster.controlPlane.kubeconfigs.admin, { namespace: "team-b", name: "kept-pod", nodeName: "node-1" });
    await admin.create("DanmEp", {
      apiVersion: "danm.k8s.io/v1",
      kind: "DanmEp",
      metadata: { name: "kept-ep", namespace: "team-b" },
      spec: { NetworkName: "kept", apiType: "DanmNet", Pod: "kept-pod", PodUID: pod.uid, Interface: { Address: a.ip } },
    });
    const fixes = (await new Reconcilers({ kubeconfig: kc, graceMs: 0 }).runOnce()).filter((f) => f.target.includes("kept"));
    expect(fixes).toEqual([]);
    const bitmap = Bitmap.decode((await admin.get<Net>("DanmNet", "kept", "team-b")).spec.Options.alloc!);
    expect(bitmap.isSet(Number(a.ip.split("/")[0].split(".")[3]))).toBe(true);
    await admin.delete("DanmEp", "kept-ep", "team-b");
    await deletePod(cluster.controlPlane.kubeconfigs.admin, "team-b", "kept-pod");
    await admin.delete("DanmNet", "kept", "team-b");
  });

  it("release a VNI reservation no TenantNetwork holds, with an Event on the TenantConfig", async () => {
    const netadmin = new DanmClient(cluster.controlPlane.kubeconfigs.netadmin);
    const tc = await netadmin.get<TenantConfig & { metadata: { name: string } }>("TenantConfig", "tenet");
    const i = tc.hostDevices!.findIndex((p) => p.name === "ens4" && p.vniType === "vlan");
    const bitmap = Bitmap.decode(tc.hostDevices![i].alloc!);
    bitmap.set(1999); // as the webhook would for a TenantNetwork the API server then failed to store
    const hostDevices = tc.hostDevices!.map((p, j) => (j === i ? { ...p, alloc: bitmap.encode() } : p));
    await netadmin.replace("TenantConfig", { ...tc, hostDevices });
    const fixes = (await new Reconcilers({ kubeconfig: kc, graceMs: 0 }).runOnce()).filter((f) => f.reconciler === "stale-vnis");
    expect(fixes.map((f) => f.message)).toContain("released vlan 1999 of profile ens4: reserved but held by no TenantNetwork");
    const after = await netadmin.get<TenantConfig & { metadata: { name: string } }>("TenantConfig", "tenet");
    expect(reservedVnis(after.hostDevices![i])).not.toContain(1999);
    expect((await eventsAbout(kc, { kind: "TenantConfig", name: "tenet" })).map((e) => e.reason)).toContain("VniReservationReleased");
  });
});
