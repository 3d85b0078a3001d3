// Issue 16 item 3 on the real API server: an UPDATE by tenet's IPAM that changes only allocation
// state is not sent to the webhook (the configurations' matchConditions); everything else still is.
import fs from "node:fs";
import https from "node:https";
import { afterAll, describe, expect, inject, it } from "vitest";
import { DanmClient } from "../kube/danmClient";
import { rejection } from "./refusal";

const cluster = inject("cluster");
const as = (user: string) => new DanmClient(cluster.controlPlane.kubeconfigs[user]);
const netadmin = as("netadmin");
const alice = as("alice");
/** The local cluster's nodes run the danm plugin as admin (system:masters), one of the default IPAM identities. */
const ipam = as("admin");

type Net = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec: { NetworkID?: string; NetworkType?: string; Options: Record<string, any> };
};
const tn = (name: string, options: Record<string, unknown>): Net => ({
  apiVersion: "danm.k8s.io/v1",
  kind: "TenantNetwork",
  metadata: { name, namespace: "team-a" },
  spec: { NetworkType: "ipvlan", Options: options },
});

/** Admission requests the webhook has answered so far (its own tenet_webhook_requests_total). */
function webhookRequests(): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = https.get({ host: "127.0.0.1", port: cluster.webhookPort, path: "/metrics", ca: fs.readFileSync(cluster.controlPlane.caFile) }, (res) => {
      let text = "";
      res.on("data", (d) => (text += d));
      res.on("end", () => {
        let total = 0;
        for (const line of text.split("\n")) if (line.startsWith("tenet_webhook_requests_total{")) total += Number(line.split(" ").pop());
        resolve(total);
      });
    });
    req.on("error", reject);
  });
}

/** The network with bit `index` of `field` set (as IPAM records an allocation) and lastIp moved to `lastIp`. */
function allocated(net: Net, field: "alloc" | "alloc6", index: number, lastIp: string): Net {
  const bits = Buffer.from(net.spec.Options[field], "base64");
  bits[index >> 3] |= 0x80 >> (index & 7);
  const pool = field === "alloc" ? "allocation_pool" : "allocation_pool_v6";
  return { ...net, spec: { ...net.spec, Options: { ...net.spec.Options, [field]: bits.toString("base64"), [pool]: { ...net.spec.Options[pool], lastIp } } } };
}

afterAll(async () => {
  for (const n of ["i16-alloc", "i16-dual"]) await alice.delete("TenantNetwork", n, "team-a").catch(() => undefined);
});

describe("IPAM allocation updates through the real API server (matchConditions)", () => {
  it("the IPAM identity's alloc-only update is stored without a webhook call; the same change by alice or the netadmin is denied (N-28)", async () => {
    const created = await alice.create<Net>("TenantNetwork", tn("i16-alloc", { cidr: "10.140.0.0/24", host_device: "bond2" }));
    const before = await webhookRequests();
    const written = await ipam.replace<Net>("TenantNetwork", allocated(await ipam.get<Net>("TenantNetwork", "i16-alloc", "team-a"), "alloc", 1, "10.140.0.1"));
    expect(written.spec.Options.allocation_pool.lastIp).toBe("10.140.0.1");
    expect(written.spec.Options.alloc).not.toBe(created.spec.Options.alloc);
    const again = await ipam.replace<Net>("TenantNetwork", allocated(written, "alloc", 2, "10.140.0.2"));
    expect(again.spec.Options.allocation_pool.lastIp).toBe("10.140.0.2");
    expect(await webhookRequests(), "neither webhook (mutating, validating) was called").toBe(before);

    for (const client of [alice, netadmin]) {
      const e = await rejection(
        client.replace("TenantNetwork", allocated(await client.get<Net>("TenantNetwork", "i16-alloc", "team-a"), "alloc", 3, "10.140.0.3")),
      );
      expect(e.message).toContain("spec.Options.alloc: Forbidden");
      expect(e.message).toContain("(N-28)");
    }
    expect(await webhookRequests()).toBeGreaterThan(before);
    expect((await ipam.get<Net>("TenantNetwork", "i16-alloc", "team-a")).spec.Options.alloc).toBe(again.spec.Options.alloc);
  });

  it("the IPAM identity changing anything besides allocation state is reviewed in full and denied where the rules say so", async () => {
    const net = await ipam.get<Net>("TenantNetwork", "i16-alloc", "team-a"); // two addresses allocated above
    const withOptions = (o: Record<string, unknown>): Net => ({ ...net, spec: { ...net.spec, Options: { ...net.spec.Options, ...o } } });
    const cidr = await rejection(ipam.replace("TenantNetwork", withOptions({ cidr: "10.141.0.0/24" })));
    expect(cidr.message).toContain("(N-26)");
    const withAllocation = allocated(net, "alloc", 4, "10.140.0.4");
    const id = await rejection(ipam.replace("TenantNetwork", { ...withAllocation, spec: { ...withAllocation.spec, NetworkID: "overlay" } }));
    expect(id.message).toContain("(N-23)");
    const vlan = await rejection(ipam.replace("TenantNetwork", withOptions({ vlan: (net.spec.Options.vlan ?? 0) + 1 })));
    expect(vlan.message).toContain("admission webhook");
    // a bitmap of another size is no allocation: reviewed, and N-29 refuses it
    const short = await rejection(ipam.replace("TenantNetwork", withOptions({ alloc: Buffer.alloc(4).toString("base64") })));
    expect(short.message).toContain("(N-29)");
    // a label beside an allocation is reviewed too (and allowed)
    const before = await webhookRequests();
    await ipam.replace("TenantNetwork", { ...allocated(net, "alloc", 5, "10.140.0.5"), metadata: { ...net.metadata, labels: { team: "a" } } });
    expect(await webhookRequests()).toBeGreaterThan(before);
  });

  it("a dual-stack network is created without alloc6; IPAM's first IPv6 allocation creates it and, like later ones, skips the webhook", async () => {
    // the largest pool beside IPv4 (the default is a /112): its bitmap is 700 kB of base64
    const created = await alice.create<Net>(
      "TenantNetwork",
      tn("i16-dual", { cidr: "10.142.0.0/24", net6: "fd00:142::/64", allocation_pool_v6: { cidr: "fd00:142::/106" }, host_device: "bond2" }),
    );
    expect(created.spec.Options.alloc6).toBeUndefined();
    expect(created.spec.Options.allocation_pool_v6).toEqual({ cidr: "fd00:142::/106", start: "fd00:142::1", end: "fd00:142::3f:fffe", lastIp: "" });
    // what IPAM writes at the first IPv6 allocation: a fresh bitmap (first and last address reserved) with ::1 taken
    const fresh = Buffer.alloc(2 ** 22 / 8);
    fresh[0] = 0xc0;
    fresh[fresh.length - 1] = 0x01;
    const withAlloc6 = (alloc6: string): Net => ({
      ...created,
      spec: {
        ...created.spec,
        Options: { ...created.spec.Options, alloc6, allocation_pool_v6: { ...created.spec.Options.allocation_pool_v6, lastIp: "fd00:142::1" } },
      },
    });
    // a bitmap of the wrong size for the /106 pool is reviewed, and N-29 refuses it
    const wrong = await rejection(ipam.replace("TenantNetwork", withAlloc6(fresh.subarray(8).toString("base64"))));
    expect(wrong.message).toContain("spec.Options.alloc6: Invalid value");
    expect(wrong.message).toContain("(N-29)");
    const before = await webhookRequests();
    const first = await ipam.replace<Net>("TenantNetwork", withAlloc6(fresh.toString("base64")));
    expect(first.spec.Options.alloc6).toBe(fresh.toString("base64"));
    const second = await ipam.replace<Net>("TenantNetwork", allocated(first, "alloc6", 2, "fd00:142::2"));
    expect(second.spec.Options.allocation_pool_v6.lastIp).toBe("fd00:142::2");
    expect(await webhookRequests(), "neither the 700 kB creation of alloc6 nor the next allocation was sent to the webhook").toBe(before);
    // alice may still re-send what is stored, and may not touch alloc6
    const e = await rejection(alice.replace("TenantNetwork", allocated(second, "alloc6", 3, "fd00:142::3")));
    expect(e.message).toContain("spec.Options.alloc6: Forbidden");
  });
});
