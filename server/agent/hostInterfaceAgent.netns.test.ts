// The host interface agent against a real kernel, inside a network namespace the test creates
// (danm-spec §12.2, design decision 12). Skips with the reason when not root or without iproute2.
import { execFileSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { NetworkObject } from "../domain/api/network";
import { OWNER_ALIAS } from "../domain/hostInterfaces";
import { HostInterfaceAgent, REMOVAL_GROUP } from "./hostInterfaceAgent";
import { readLinks } from "./links";
import { createScratchNetns, scratchNetnsUnavailable, type ScratchNetns } from "./scratchNetns";

const unavailable = scratchNetnsUnavailable();
if (unavailable) console.warn(`host interface namespace tests skipped: ${unavailable}`);

const network = (
  name: string,
  NetworkID: string,
  options: { host_device?: string; vlan?: number; vxlan?: number },
  kind: NetworkObject["kind"] = "TenantNetwork",
): NetworkObject =>
  ({
    apiVersion: "danm.k8s.io/v1",
    kind,
    metadata: { name, namespace: "team-a" },
    spec: { NetworkID, NetworkType: "ipvlan", Options: options },
  }) as NetworkObject;

describe.skipIf(!!unavailable)("host interface agent in a network namespace", () => {
  let ns: ScratchNetns;
  let agent: HostInterfaceAgent;
  const ipIn = (...args: string[]) => execFileSync("ip", ["-n", ns.name, ...args], { encoding: "utf8" });
  const link = async (name: string) => (await readLinks({ netns: ns.name })).find((l) => l.name === name);
  const vxlanDetails = (name: string) => JSON.parse(ipIn("-j", "-d", "link", "show", name))[0];

  beforeAll(() => {
    ns = createScratchNetns(`tnt-agent-${process.pid}`);
    agent = new HostInterfaceAgent({ netns: ns.name });
  });
  afterAll(() => ns?.remove());

  it("creates vx_<NetworkID> with the VNI, underlay, port, group, local address and flags of §12.2, up and marked owned", async () => {
    const report = await agent.reconcile([network("sig", "sig", { host_device: "p0", vxlan: 600 })]);
    expect(report).toEqual({ created: ["vx_sig"], removed: [], broughtUp: [], failed: [], conflicts: [] });
    const d = vxlanDetails("vx_sig");
    expect(d.ifalias).toBe(OWNER_ALIAS);
    expect(d.flags).toContain("UP");
    expect(d.linkinfo.info_kind).toBe("vxlan");
    expect(d.linkinfo.info_data).toMatchObject({
      id: 600,
      link: "p0",
      port: 4789,
      local: ns.address,
      group: "239.0.2.88",
      learning: true,
      l2miss: true,
      l3miss: true,
    });

    // A second reconcile with the same networks changes nothing.
    expect(await agent.reconcile([network("sig", "sig", { host_device: "p0", vxlan: 600 })])).toEqual({
      created: [],
      removed: [],
      broughtUp: [],
      failed: [],
      conflicts: [],
    });
    // Deleting the network removes the interface.
    expect(await agent.reconcile([])).toMatchObject({ removed: ["vx_sig"], failed: [] });
    expect(await link("vx_sig")).toBeUndefined();
  });

  it("replaces an owned interface whose VNI changed and brings up one that was set down", async () => {
    expect((await agent.reconcile([network("r", "r", { host_device: "p0", vxlan: 610 })])).created).toEqual(["vx_r"]);
    expect(await agent.reconcile([network("r", "r", { host_device: "p0", vxlan: 611 })])).toEqual({
      created: ["vx_r"],
      removed: [],
      broughtUp: [],
      failed: [],
      conflicts: [],
    });
    expect(vxlanDetails("vx_r").linkinfo.info_data).toMatchObject({ id: 611, group: "239.0.2.99" });
    ipIn("link", "set", "vx_r", "down");
    expect(await agent.reconcile([network("r", "r", { host_device: "p0", vxlan: 611 })])).toEqual({
      created: [],
      removed: [],
      broughtUp: ["vx_r"],
      failed: [],
      conflicts: [],
    });
    expect(await link("vx_r")).toMatchObject({ up: true, ownedByTenet: true });
    expect((await agent.reconcile([])).removed).toEqual(["vx_r"]);
  });

  it("keeps an interface shared by two networks until both are gone", async () => {
    const a = network("a", "shared", { host_device: "p0", vxlan: 700 });
    const b = network("b", "shared", { host_device: "p0", vxlan: 700 }, "ClusterNetwork");
    expect((await agent.reconcile([a, b])).created).toEqual(["vx_shared"]);
    expect(await agent.reconcile([b])).toEqual({ created: [], removed: [], broughtUp: [], failed: [], conflicts: [] });
    expect((await link("vx_shared"))?.id).toBe(700);
    expect((await agent.reconcile([])).removed).toEqual(["vx_shared"]);
    expect(await link("vx_shared")).toBeUndefined();
  });

  it("on restart removes a stale owned interface and leaves a foreign one alone, even one with a wanted name", async () => {
    ipIn("link", "add", "vx_stale", "type", "vxlan", "id", "801", "dev", "p0", "dstport", "4789");
    ipIn("link", "set", "vx_stale", "alias", OWNER_ALIAS);
    ipIn("link", "add", "vx_foreign", "type", "vxlan", "id", "802", "dev", "p0", "dstport", "4789");
    ipIn("link", "add", "vx_taken", "type", "vxlan", "id", "803", "dev", "p0", "dstport", "4789");
    const restarted = new HostInterfaceAgent({ netns: ns.name });
    const report = await restarted.reconcile([
      network("t", "taken", { host_device: "p0", vxlan: 803 }),
      network("n", "fresh", { host_device: "p0", vxlan: 804 }),
    ]);
    expect(report.created).toEqual(["vx_fresh"]);
    expect(report.removed).toEqual(["vx_stale"]);
    expect(report.failed).toEqual([]);
    expect(report.conflicts).toEqual([{ name: "vx_taken", users: ["TenantNetwork team-a/t"], reason: expect.stringContaining("not created by tenet") }]);
    expect(await link("vx_stale")).toBeUndefined();
    expect(await link("vx_foreign")).toMatchObject({ ownedByTenet: false });
    expect(await link("vx_taken")).toMatchObject({ ownedByTenet: false });
    expect((await restarted.reconcile([])).removed).toEqual(["vx_fresh"]);
    expect(await link("vx_foreign")).toBeDefined();
    ipIn("link", "del", "vx_foreign");
    ipIn("link", "del", "vx_taken");
  });

  it("removes many interfaces together with one group removal, never taking a foreign interface of that group along", async () => {
    const many = (ids: number[]) => ids.map((i) => network(`m${i}`, `m${i}`, { host_device: "p0", vxlan: 1000 + i }));
    expect((await agent.reconcile(many([1, 2, 3, 4, 5, 6]))).created).toHaveLength(6);
    expect(await agent.reconcile(many([6]))).toMatchObject({ removed: ["vx_m1", "vx_m2", "vx_m3", "vx_m4", "vx_m5"], failed: [] });
    expect((await readLinks({ netns: ns.name })).filter((l) => l.name.startsWith("vx_m")).map((l) => l.name)).toEqual(["vx_m6"]);

    // A foreign interface that happens to sit in the removal group: the agent removes one by one.
    expect((await agent.reconcile(many([1, 2, 3, 4, 5, 6]))).created).toHaveLength(5);
    ipIn("link", "add", "foreign0", "type", "veth", "peer", "name", "foreign1");
    ipIn("link", "set", "foreign0", "group", String(REMOVAL_GROUP));
    expect(await agent.reconcile([])).toMatchObject({ removed: ["vx_m1", "vx_m2", "vx_m3", "vx_m4", "vx_m5", "vx_m6"], failed: [] });
    expect(await link("foreign0")).toMatchObject({ group: String(REMOVAL_GROUP) });
    ipIn("link", "del", "foreign0");
  });

  it("reports each failure with the kernel's reason and still creates the others", async () => {
    const report = await agent.reconcile([
      network("dup1", "dup1", { host_device: "p0", vxlan: 900 }),
      network("dup2", "dup2", { host_device: "p0", vxlan: 900 }), // same VNI, same underlay: the kernel refuses the second
      network("gone", "gone", { host_device: "eth9", vxlan: 901 }),
      network("bad", "bad", { host_device: "p0", vxlan: 99_999_999 }), // out of range: iproute2 stops the batch
      network("ok", "ok", { host_device: "p0", vxlan: 902 }),
    ]);
    expect(report.created).toEqual(["vx_dup1", "vx_ok"]);
    expect(report.failed).toEqual([
      {
        name: "vx_bad",
        users: ["TenantNetwork team-a/bad"],
        command: expect.stringContaining("link add vx_bad"),
        error: expect.stringContaining("invalid id"),
      },
      {
        name: "vx_dup2",
        users: ["TenantNetwork team-a/dup2"],
        command: expect.stringContaining("link add vx_dup2"),
        error: "Error: A VXLAN device with the specified VNI already exists.",
      },
    ]);
    expect(report.conflicts).toEqual([
      { name: "vx_gone", users: ["TenantNetwork team-a/gone"], reason: expect.stringContaining('host_device "eth9" does not exist') },
    ]);
    expect((await agent.reconcile([])).removed).toEqual(["vx_dup1", "vx_ok"]);
  });

  it("reports a host_device without any global address", async () => {
    ipIn("link", "add", "bare0", "type", "veth", "peer", "name", "bare1");
    const report = await agent.reconcile([network("x", "x", { host_device: "bare0", vxlan: 950 })]);
    expect(report.failed).toEqual([
      { name: "vx_x", users: ["TenantNetwork team-a/x"], error: expect.stringContaining('host_device "bare0" has no global IPv4 or IPv6 address') },
    ]);
    ipIn("addr", "add", "fd00:99::1/64", "dev", "bare0", "nodad");
    expect((await agent.reconcile([network("x", "x", { host_device: "bare0", vxlan: 950 })])).created).toEqual(["vx_x"]);
    expect(vxlanDetails("vx_x").linkinfo.info_data).toMatchObject({ id: 950, local6: "fd00:99::1", group6: "ff02::3b6" });
    await agent.reconcile([]);
    ipIn("link", "del", "bare0");
  });

  it("creates <NetworkID>.<vlan> on the host device (skips when the kernel refuses 802.1Q devices)", async (ctx) => {
    const report = await agent.reconcile([network("v", "sig", { host_device: "p0", vlan: 200 })]);
    const refused = report.failed.find((f) => f.name === "sig.200" && /Unknown device type|not supported|No such file/i.test(f.error));
    if (refused) {
      console.warn(`VLAN host interface test skipped: the kernel refuses 802.1Q devices: ${refused.error} (command: ${refused.command})`);
      ctx.skip();
    }
    expect(report).toEqual({ created: ["sig.200"], removed: [], broughtUp: [], failed: [], conflicts: [] });
    const l = await link("sig.200");
    expect(l).toMatchObject({ kind: "vlan", id: 200, parent: "p0", ownedByTenet: true, up: true });
    expect((await agent.reconcile([])).removed).toEqual(["sig.200"]);
  });
});
