// The hardening rules of domain/admission/hardening.test.ts (NetworkID N-23/N-27, allocation state
// N-28/N-29, VNI bounds T-8, no VNI for a refused network B-6/B-7) on the real API server, as an
// attacker would try them: alice with her own kubeconfig, sending what `kubectl patch --type=merge`
// and `kubectl replace` send.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { TenantConfig } from "../domain/api/tenantConfig";
import { reservedVnis } from "../domain/tenancy/vni";
import { danmPath } from "../kube/access";
import { DanmClient } from "../kube/danmClient";
import { rejection } from "./refusal";
import { KubeRest } from "../kube/rest";

const cluster = inject("cluster");
const as = (user: string) => new DanmClient(cluster.controlPlane.kubeconfigs[user]);
const netadmin = as("netadmin");
const alice = as("alice");
/** The local cluster's nodes run the danm plugin as admin (system:masters), one of the default IPAM identities. */
const ipam = as("admin");

type Net = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; resourceVersion?: string };
  spec: { NetworkID?: string; NetworkType?: string; Options: Record<string, any> };
};
const tn = (name: string, options: Record<string, unknown>, type = "ipvlan", networkId?: string): Net => ({
  apiVersion: "danm.k8s.io/v1",
  kind: "TenantNetwork",
  metadata: { name, namespace: "team-a" },
  spec: { NetworkType: type, ...(networkId ? { NetworkID: networkId } : {}), Options: options },
});

const tenantConfig = () => netadmin.get<TenantConfig & { metadata: { name: string } }>("TenantConfig", "tenet");
async function reserved(profile: string, vniType: string) {
  return reservedVnis((await tenantConfig()).hostDevices!.find((d) => d.name === profile && d.vniType === vniType)!);
}

let aliceRest: KubeRest;
/** What `kubectl -n team-a patch tn NAME --type=merge -p PATCH` sends, as alice. */
const mergePatch = (name: string, patch: unknown) =>
  aliceRest.call<Net>(danmPath("TenantNetwork", "team-a", name), { method: "PATCH", body: patch, contentType: "application/merge-patch+json" });

beforeAll(async () => {
  aliceRest = await KubeRest.fromFile(cluster.controlPlane.kubeconfigs.alice);
});
afterAll(async () => {
  for (const n of ["h13-net", "h13-alloc"]) await alice.delete("TenantNetwork", n, "team-a").catch(() => undefined);
  await aliceRest?.close();
});

describe("hardening rules through the real API server", () => {
  it("alice cannot patch her TenantNetwork's NetworkID to a ClusterNetwork's (N-23); a replace cannot either", async () => {
    const created = await alice.create<Net>("TenantNetwork", tn("h13-net", { cidr: "10.130.0.0/24", host_device: "ens4" }));
    expect(created.spec.NetworkID).toBe("tn-ipvl");
    const e = await rejection(mergePatch("h13-net", { spec: { NetworkID: "overlay" } }));
    expect(e.status).toBe(422);
    expect(e.message).toContain(
      'TenantNetwork team-a/h13-net is invalid: spec.NetworkID: Forbidden: the NetworkID of a TenantNetwork is assigned at creation and cannot change (was "tn-ipvl")',
    );
    expect(e.message).toContain("(N-23)");
    const replaced = await rejection(alice.replace("TenantNetwork", { ...created, spec: { ...created.spec, NetworkID: "overlay" } }));
    expect(replaced.message).toContain("(N-23)");
    expect((await alice.get<Net>("TenantNetwork", "h13-net", "team-a")).spec.NetworkID).toBe("tn-ipvl");
  });

  it("NetworkIDs that are paths or markup are refused on create and on update of every kind (N-27)", async () => {
    const path = await rejection(alice.create("TenantNetwork", tn("h13-path", { cidr: "10.131.0.0/24" }, "flannel", "../../../../tmp/x")));
    expect(path.message).toContain('TenantNetwork team-a/h13-path is invalid: spec.NetworkID: Invalid value: "../../../../tmp/x"');
    expect(path.message).toContain("(N-27)");
    const markup = await rejection(
      netadmin.create("ClusterNetwork", {
        apiVersion: "danm.k8s.io/v1",
        kind: "ClusterNetwork",
        metadata: { name: "h13-markup" },
        spec: { NetworkID: '"><img src=x>', NetworkType: "bridge", Options: {} },
      }),
    );
    expect(markup.message).toContain("(N-27)");
    const dn = await netadmin.create<Net>("DanmNet", {
      apiVersion: "danm.k8s.io/v1",
      kind: "DanmNet",
      metadata: { name: "h13-dn", namespace: "team-b" },
      spec: { NetworkID: "h13-dn", NetworkType: "bridge", Options: {} },
    });
    try {
      expect((await rejection(netadmin.replace("DanmNet", { ...dn, spec: { ...dn.spec, NetworkID: "../x" } }))).message).toContain("(N-27)");
    } finally {
      await netadmin.delete("DanmNet", "h13-dn", "team-b");
    }
  });

  it("a 200,000-character NetworkID is refused with a short message, nothing stored, no VNI reserved", async () => {
    const before = await reserved("ens4", "vlan");
    const e = await rejection(alice.create("TenantNetwork", tn("h13-huge", { cidr: "10.132.0.0/24", host_device: "ens4" }, "flannel", "a".repeat(200_000))));
    expect(e.message).toContain("spec.NetworkID: Too long:");
    expect(e.message).toContain("a NetworkID has at most 63 characters (this one has 200000) (N-27)");
    expect(e.message.length).toBeLessThan(1000);
    await expect(alice.get("TenantNetwork", "h13-huge", "team-a")).rejects.toMatchObject({ status: 404 });
    expect(await reserved("ens4", "vlan")).toEqual(before);
  });

  it("alice cannot set alloc to all ones or zeros, move lastIp or store garbage (N-28); the plugin's identity can, in the right format only (N-29)", async () => {
    const created = await alice.create<Net>("TenantNetwork", tn("h13-alloc", { cidr: "10.133.0.0/24", host_device: "bond2" }));
    const size = Buffer.from(created.spec.Options.alloc, "base64").length;
    for (const alloc of [Buffer.alloc(size, 0xff).toString("base64"), Buffer.alloc(size, 0).toString("base64"), "garbage!!"]) {
      const e = await rejection(mergePatch("h13-alloc", { spec: { Options: { alloc } } }));
      expect(e.message).toContain(
        "spec.Options.alloc: Forbidden: alloc records which addresses Pods hold in TenantNetwork team-a/h13-alloc and is written by tenet's IPAM only; alice may not change it",
      );
      expect(e.message).toContain("(N-28)");
    }
    const moved = await rejection(mergePatch("h13-alloc", { spec: { Options: { allocation_pool: { lastIp: "10.133.0.200" } } } }));
    expect(moved.message).toContain("spec.Options.allocation_pool.lastIp: Forbidden");
    // re-applying what is stored stays possible for her
    const again = await alice.replace<Net>("TenantNetwork", {
      ...created,
      spec: { ...created.spec, Options: { ...created.spec.Options, container_prefix: "h13" } },
    });
    expect(again.spec.Options.alloc).toBe(created.spec.Options.alloc);

    // the IPAM identity hands out 10.133.0.1 (bit 1) and records it
    const current = await ipam.get<Net>("TenantNetwork", "h13-alloc", "team-a");
    const bits = Buffer.from(current.spec.Options.alloc, "base64");
    bits[0] |= 0x40;
    const written = await ipam.replace<Net>("TenantNetwork", {
      ...current,
      spec: {
        ...current.spec,
        Options: {
          ...current.spec.Options,
          alloc: bits.toString("base64"),
          allocation_pool: { ...current.spec.Options.allocation_pool, lastIp: "10.133.0.1" },
        },
      },
    });
    expect(written.spec.Options.allocation_pool.lastIp).toBe("10.133.0.1");
    const garbage = await rejection(
      ipam.replace("TenantNetwork", { ...written, spec: { ...written.spec, Options: { ...written.spec.Options, alloc: "garbage!!" } } }),
    );
    expect(garbage.message).toContain("spec.Options.alloc: Invalid value");
    expect(garbage.message).toContain("(N-29)");
    const short = await rejection(
      ipam.replace("TenantNetwork", { ...written, spec: { ...written.spec, Options: { ...written.spec.Options, alloc: Buffer.alloc(4).toString("base64") } } }),
    );
    expect(short.message).toContain("a bitmap of 32 bits; 10.133.0.0/24 needs exactly 256 (N-29)");
  });

  it("a VLAN range the networks' schema cannot carry is refused in the TenantConfig (T-8)", async () => {
    const tc = await tenantConfig();
    const e = await rejection(
      netadmin.replace("TenantConfig", { ...tc, hostDevices: [...tc.hostDevices!, { name: "ens11", vniType: "vlan", vniRange: "4095-4096" }] }),
    );
    expect(e.message).toContain('hostDevices[4].vniRange: Invalid value: "4095-4096": VLAN ids are 1–4094; a TenantNetwork could not carry 4096 (T-8)');
  });

  it("creating a TenantNetwork whose name is taken reserves no second VNI (B-7)", async () => {
    const before = await reserved("ens4", "vlan");
    expect(before.length).toBeGreaterThan(0); // h13-net holds one
    const e = await rejection(alice.create("TenantNetwork", tn("h13-net", { cidr: "10.135.0.0/24", host_device: "ens4" })));
    expect(e.message).toContain("TenantNetwork team-a/h13-net exists already; choose another name or change the existing one (no VNI was reserved) (B-7)");
    expect(await reserved("ens4", "vlan")).toEqual(before);
  });

  it("a TenantNetwork the API server would refuse by its name reserves no VNI", async () => {
    const before = await reserved("ens4", "vlan");
    const e = await rejection(alice.create("TenantNetwork", tn("Bad_Name", { cidr: "10.134.0.0/24", host_device: "ens4" })));
    expect(e.status).toBe(422);
    expect(await reserved("ens4", "vlan")).toEqual(before);
  });
});
