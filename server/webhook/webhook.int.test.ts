// The webhook as registered in a real kube-apiserver, exercised as the demo users: what kubectl users see.
import { execFileSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { reservedVnis } from "../domain/tenancy/vni";
import type { TenantConfig } from "../domain/api/tenantConfig";
import { DanmClient } from "../kube/danmClient";
import { KubeError } from "../kube/errors";
import { rejection } from "./refusal";
import { startWebhook, stopWebhook } from "../../tools/cli/localCluster";

const cluster = inject("cluster");
const as = (user: string) => new DanmClient(cluster.controlPlane.kubeconfigs[user]);
const admin = as("admin");
const netadmin = as("netadmin");
const alice = as("alice");

const tn = (name: string, options: Record<string, unknown> = { cidr: "10.60.0.0/24" }, namespace = "team-a", type = "ipvlan") => ({
  apiVersion: "danm.k8s.io/v1",
  kind: "TenantNetwork",
  metadata: { name, namespace },
  spec: { NetworkType: type, Options: options },
});
type Net = ReturnType<typeof tn> & { spec: { NetworkID?: string; Options: Record<string, unknown> } };

async function tenantConfig(): Promise<TenantConfig> {
  return netadmin.get<TenantConfig & { metadata: { name: string } }>("TenantConfig", "tenet");
}
async function reserved(profile: string, vniType: string) {
  const p = (await tenantConfig()).hostDevices!.find((d) => d.name === profile && d.vniType === vniType)!;
  return reservedVnis(p);
}

/** Adds a profile to the seeded TenantConfig as the netadmin would (retrying on conflicts). */
async function addProfile(profile: { name: string; vniType: string; vniRange: string }) {
  for (;;) {
    const tc = await tenantConfig();
    if (tc.hostDevices!.some((p) => p.name === profile.name)) return;
    try {
      await netadmin.replace("TenantConfig", { ...tc, hostDevices: [...tc.hostDevices!, profile] } as TenantConfig & { metadata: { name: string } });
      return;
    } catch (e) {
      if ((e as KubeError).status !== 409) throw e;
    }
  }
}

describe("admission through the real API server", () => {
  it("an invalid DanmNet is denied with the rule ID in the message kubectl shows", async () => {
    const e = await rejection(
      netadmin.create("DanmNet", {
        apiVersion: "danm.k8s.io/v1",
        kind: "DanmNet",
        metadata: { name: "huge", namespace: "team-b" },
        spec: { NetworkID: "huge", Options: { cidr: "10.0.0.0/8" } },
      }),
    );
    expect(e.message).toContain('admission webhook "mutate.danm.k8s.io" denied the request');
    expect(e.message).toContain(
      'DanmNet team-b/huge is invalid: spec.Options.cidr: Invalid value: "10.0.0.0/8": the largest network is a /9 (2^23 addresses); use a longer prefix (N-10)',
    );
  });

  it("an invalid ClusterNetwork is denied with every broken rule named", async () => {
    const e = await rejection(
      netadmin.create("ClusterNetwork", {
        apiVersion: "danm.k8s.io/v1",
        kind: "ClusterNetwork",
        metadata: { name: "broken" },
        spec: {
          NetworkID: "broken",
          NetworkType: "sriov",
          Options: { host_device: "ens7", device_pool: "vendor.example/p", cidr: "10.30.0.0/24", routes: { "10.31.0.0/16": "10.29.0.1" } },
        },
      }),
    );
    expect(e.status).toBe(422);
    expect(e.message).toMatch(/\(N-3\).*\(N-24\)/);
  });

  it("kubectl shows the same denial", (ctx) => {
    let kubectl: string;
    try {
      kubectl = execFileSync("sh", ["-c", "command -v kubectl"], { encoding: "utf8" }).trim();
    } catch {
      console.warn("skipped: kubectl is not installed on this machine, so the denial was checked through the API only");
      ctx.skip();
      return;
    }
    const manifest = JSON.stringify({
      apiVersion: "danm.k8s.io/v1",
      kind: "DanmNet",
      metadata: { name: "huge2", namespace: "team-b" },
      spec: { NetworkID: "huge2", Options: { cidr: "10.0.0.0/8" } },
    });
    let stderr = "";
    try {
      execFileSync(kubectl!, ["--kubeconfig", cluster.controlPlane.kubeconfigs.netadmin, "create", "-f", "-"], {
        input: manifest,
        encoding: "utf8",
        stdio: ["pipe", "pipe", "pipe"],
      });
    } catch (e) {
      stderr = String((e as { stderr?: string }).stderr);
    }
    // kubectl prints the causes of the denial, field by field
    expect(stderr).toContain(
      'The danmnets "huge2" is invalid: spec.Options.cidr: Invalid value: "10.0.0.0/8": the largest network is a /9 (2^23 addresses); use a longer prefix (N-10)',
    );
  });

  it("alice creates a TenantNetwork and the cluster fills host_device, vlan and NetworkID; deleting it releases the VNI", async () => {
    const before = await reserved("ens4", "vlan");
    const created = await alice.create<Net>(
      "TenantNetwork",
      tn("signalling", { cidr: "10.60.0.0/25", host_device: "ens4", container_prefix: "sig" }, "team-a", "macvlan"),
    );
    expect(created.spec.NetworkID).toBe("tn-macvl");
    expect(created.spec.Options).toMatchObject({ host_device: "ens4", allocation_pool: { start: "10.60.0.1", end: "10.60.0.126" } });
    const vlan = created.spec.Options.vlan as number;
    expect(vlan).toBeGreaterThanOrEqual(1000);
    expect(before).not.toContain(vlan);
    expect(await reserved("ens4", "vlan")).toContain(vlan);
    await alice.delete("TenantNetwork", "signalling", "team-a");
    expect(await reserved("ens4", "vlan")).not.toContain(vlan);
  });

  it("alice cannot set the vlan herself (N-23), at create or later", async () => {
    const e = await rejection(alice.create("TenantNetwork", tn("sneaky", { cidr: "10.64.0.0/24", vlan: 1500 })));
    expect(e.message).toContain("spec.Options.vlan: Forbidden: vlan is assigned by the cluster; remove it from TenantNetwork sneaky (N-23)");
    const created = await alice.create<Net>("TenantNetwork", tn("later", { cidr: "10.65.0.0/24", host_device: "ens4" }));
    const changed = { ...created, spec: { ...created.spec, Options: { ...created.spec.Options, vlan: (created.spec.Options.vlan as number) + 1 } } };
    const update = await rejection(alice.replace("TenantNetwork", changed));
    expect(update.message).toContain("spec.Options.vlan: Forbidden: vlan of a TenantNetwork cannot change after creation");
    await alice.delete("TenantNetwork", "later", "team-a");
  });

  describe("a profile with 40 free VNIs", () => {
    beforeAll(() => addProfile({ name: "ens9", vniType: "vxlan", vniRange: "4000-4039" }));

    it("40 TenantNetworks created in parallel get 40 distinct VNIs; the 41st is denied as exhausted; deleting all leaves none reserved", async () => {
      const names = Array.from({ length: 40 }, (_, i) => `par-${i}`);
      const created = await Promise.all(names.map((n, i) => alice.create<Net>("TenantNetwork", tn(n, { cidr: `10.100.${i}.0/24`, host_device: "ens9" }))));
      const vnis = created.map((c) => c.spec.Options.vxlan as number);
      expect(new Set(vnis).size).toBe(40);
      expect([...vnis].sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => 4000 + i));
      expect(await reserved("ens9", "vxlan")).toHaveLength(40);
      const e = await rejection(alice.create("TenantNetwork", tn("par-40", { cidr: "10.100.40.0/24", host_device: "ens9" })));
      expect(e.message).toContain("the vxlan range 4000-4039 of profile ens9 in TenantConfig tenet is exhausted");
      expect(e.message).toContain("(B-4)");
      await Promise.all(names.map((n) => alice.delete("TenantNetwork", n, "team-a")));
      expect(await reserved("ens9", "vxlan")).toEqual([]);
    });

    it("a dry-run create (dryRun=All) shows the VNI but reserves nothing", async () => {
      const preview = await alice.create<Net>("TenantNetwork", tn("preview", { cidr: "10.101.0.0/24", host_device: "ens9" }), { dryRun: true });
      expect(preview.spec.Options.vxlan).toBe(4000);
      expect(await reserved("ens9", "vxlan")).toEqual([]);
      await expect(alice.get("TenantNetwork", "preview", "team-a")).rejects.toMatchObject({ status: 404 });
    });
  });

  it("a network with a DanmEp on it cannot be deleted; once the DanmEp is gone it can", async () => {
    await alice.create("TenantNetwork", tn("busy", { cidr: "10.66.0.0/24", host_device: "bond2" }));
    const ep = {
      apiVersion: "danm.k8s.io/v1",
      kind: "DanmEp",
      metadata: { name: "busy-ep", namespace: "team-a" },
      spec: { NetworkName: "busy", NetworkType: "ipvlan", apiType: "TenantNetwork", Pod: "web-0", Interface: { Name: "eth1", Address: "10.66.0.5/24" } },
    };
    await admin.create("DanmEp", ep);
    // the webhook's cache sees the endpoint through its watch
    let e: KubeError | undefined;
    for (let i = 0; i < 50; i++) {
      e = await rejection(alice.delete("TenantNetwork", "busy", "team-a", { dryRun: true })).catch(() => undefined);
      if (e) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(e?.message).toContain("TenantNetwork team-a/busy is in use by Pod team-a/web-0 (interface eth1); delete those Pods first (D-3)");
    await admin.delete("DanmEp", "busy-ep", "team-a");
    for (let i = 0; i < 50; i++) {
      try {
        await alice.delete("TenantNetwork", "busy", "team-a");
        break;
      } catch (err) {
        if (!(err as KubeError).message.includes("(D-3)") || i === 49) throw err;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    await expect(alice.get("TenantNetwork", "busy", "team-a")).rejects.toMatchObject({ status: 404 });
  });

  it("alice cannot create ClusterNetworks or TenantConfigs, nor read or change team-b's TenantNetworks (RBAC)", async () => {
    expect(
      (
        await rejection(
          alice.create("ClusterNetwork", { apiVersion: "danm.k8s.io/v1", kind: "ClusterNetwork", metadata: { name: "mine" }, spec: { NetworkID: "mine" } }),
        )
      ).status,
    ).toBe(403);
    expect(
      (await rejection(alice.create("TenantConfig", { apiVersion: "danm.k8s.io/v1", kind: "TenantConfig", metadata: { name: "aaa" }, networkIds: { x: "y" } })))
        .status,
    ).toBe(403);
    await as("bob").create("TenantNetwork", tn("bobs", { cidr: "10.67.0.0/24", host_device: "bond2" }, "team-b"));
    expect((await rejection(alice.get("TenantNetwork", "bobs", "team-b"))).status).toBe(403);
    expect((await rejection(alice.list("TenantNetwork", "team-b"))).status).toBe(403);
    expect((await rejection(alice.delete("TenantNetwork", "bobs", "team-b"))).status).toBe(403);
    expect((await alice.list("ClusterNetwork")).map((c) => c.metadata.name)).toContain("oam");
    await as("bob").delete("TenantNetwork", "bobs", "team-b");
  });

  it("changing the cidr of a network with allocations is denied (N-26); without allocations the pool follows", async () => {
    const dn = {
      apiVersion: "danm.k8s.io/v1",
      kind: "DanmNet",
      metadata: { name: "moving", namespace: "team-b" },
      spec: { NetworkID: "moving", NetworkType: "ipvlan", Options: { cidr: "10.91.0.0/24" } as Record<string, unknown> },
    };
    const created = await netadmin.create<Net>("DanmNet", dn);
    const moved = await netadmin.replace<Net>("DanmNet", { ...created, spec: { ...created.spec, Options: { ...created.spec.Options, cidr: "10.92.0.0/24" } } });
    expect(moved.spec.Options.allocation_pool).toMatchObject({ start: "10.92.0.1", end: "10.92.0.254" });
    // IPAM (here the local nodes' identity, system:masters) hands out 10.92.0.1: bit 1 of the bitmap
    const bytes = Buffer.from(moved.spec.Options.alloc as string, "base64");
    bytes[0] |= 0x40;
    const allocated = await admin.replace<Net>("DanmNet", {
      ...moved,
      spec: { ...moved.spec, Options: { ...moved.spec.Options, alloc: bytes.toString("base64") } },
    });
    const e = await rejection(
      netadmin.replace("DanmNet", { ...allocated, spec: { ...allocated.spec, Options: { ...allocated.spec.Options, cidr: "10.93.0.0/24" } } }),
    );
    expect(e.message).toContain(
      "spec.Options.cidr: Forbidden: cannot change from 10.92.0.0/24 while addresses are allocated from it; detach the Pods first (N-26)",
    );
    await netadmin.delete("DanmNet", "moving", "team-b");
  });

  it("with the webhook stopped no network object is admitted (failurePolicy Fail); after a restart all works again", async () => {
    await stopWebhook(cluster.home);
    try {
      const e = await rejection(alice.create("TenantNetwork", tn("while-down", { cidr: "10.68.0.0/24", host_device: "bond2" })));
      expect(e.message).toMatch(/failed calling webhook "mutate\.danm\.k8s\.io"/);
      await expect(alice.get("TenantNetwork", "while-down", "team-a")).rejects.toMatchObject({ status: 404 });
    } finally {
      await startWebhook(cluster.home, cluster.controlPlane);
    }
    const created = await alice.create<Net>("TenantNetwork", tn("after-restart", { cidr: "10.68.0.0/24", host_device: "bond2" }));
    expect(created.spec.Options.host_device).toBe("bond2");
    await alice.delete("TenantNetwork", "after-restart", "team-a");
  });
});

afterAll(async () => {
  // leave the shared TenantConfig as the seed made it, minus our test profile
  const tc = await tenantConfig();
  await netadmin
    .replace("TenantConfig", { ...tc, hostDevices: tc.hostDevices!.filter((p) => p.name !== "ens9") } as TenantConfig & { metadata: { name: string } })
    .catch(() => undefined);
});
