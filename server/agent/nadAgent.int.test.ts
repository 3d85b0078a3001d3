// The node agent and NetworkAttachmentDefinitions (danm-spec §12.3, NAD-1..NAD-4) against the real
// API server, with real interfaces in scratch network namespaces. The agents use the tenet-agent
// ServiceAccount's token, so the NAD rewrite goes through the real RBAC. The NAD CRD (which the
// local cluster installs) is removed first: the agent must pick it up when it appears, no restart.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { NodeNetworkStatus } from "../domain/api/nodeStatus";
import {
  NAD_CRD_NAME,
  NAD_HOST_DEVICE_ANNOTATION,
  NAD_MASTER_ANNOTATION,
  nadMasterRewrite,
  type NetworkAttachmentDefinition,
} from "../domain/networkAttachmentDefinition";
import { danmPath } from "../kube/access";
import { readManifestFile } from "../kube/apply";
import { nadPath, updateNetworkAttachmentDefinition } from "../kube/networkAttachmentDefinitions";
import { KubeRest } from "../kube/rest";
import { KubeError } from "../kube/errors";
import { waitFor as waitUntil } from "../../tools/cli/processes";
import { agentKubeconfig } from "../../tools/cli/simulatedNodes";
import { NodeAgent } from "./nodeAgent";
import { readLinks } from "./links";
import { createScratchNetns, scratchNetnsUnavailable, type ScratchNetns } from "./scratchNetns";

const cluster = inject("cluster");
const unavailable = scratchNetnsUnavailable();
if (unavailable) console.warn(`NAD node agent integration tests skipped: ${unavailable}`);

const ns = "team-a";
const CRD_PATH = `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${NAD_CRD_NAME}`;
const CRD_FILE = path.join(import.meta.dirname, "../../deploy/multus/network-attachment-definitions.yaml");

const waitFor = <T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000) => waitUntil(what, probe, { timeoutMs, intervalMs: 100 });

describe.skipIf(!!unavailable)("node agent and NetworkAttachmentDefinitions through the real API server", () => {
  const nodes = [`nad-node-a-${process.pid}`, `nad-node-b-${process.pid}`];
  const scratch: ScratchNetns[] = [];
  const agents: NodeAgent[] = [];
  const logs: { node: string; message: string; fields?: Record<string, unknown> }[] = [];
  let admin: KubeRest;
  let netadmin: KubeRest;
  let agentKube: KubeRest;
  let dir: string;

  const status = (node = nodes[0]) => netadmin.call<NodeNetworkStatus>(danmPath("NodeNetworkStatus", undefined, node));
  const entries = async (name: string, node = nodes[0]) => ((await status(node)).status?.hostInterfaces ?? []).filter((i) => i.name === name);
  const link = async (name: string, i = 0) => (await readLinks({ netns: scratch[i].name })).find((l) => l.name === name);
  const ifindex = (name: string) =>
    JSON.parse(execFileSync("ip", ["-n", scratch[0].name, "-j", "link", "show", name], { encoding: "utf8" }))[0].ifindex as number;
  const getNad = (name: string) => admin.call<NetworkAttachmentDefinition>(nadPath(ns, name));
  const createNad = (name: string, config: Record<string, unknown>) =>
    admin.call(nadPath(ns), {
      method: "POST",
      body: {
        apiVersion: "k8s.cni.cncf.io/v1",
        kind: "NetworkAttachmentDefinition",
        metadata: { name, namespace: ns },
        spec: { config: JSON.stringify(config) },
      },
    });
  const danmNet = (name: string, options: Record<string, unknown>) => ({
    apiVersion: "danm.k8s.io/v1",
    kind: "DanmNet",
    metadata: { name, namespace: ns },
    spec: { NetworkID: name, NetworkType: "macvlan", Options: options },
  });
  const deleteQuietly = (p: string) => admin.call(p, { method: "DELETE" }).catch(() => undefined);
  const gone = (p: string) => async () =>
    admin.call(p).then(
      () => undefined,
      (e: unknown) => (e instanceof KubeError && e.status === 404 ? true : undefined),
    );
  /** Two complete passes of each agent: whatever the last change caused has been done. */
  const settle = async () => {
    for (let i = 0; i < 2; i++) await Promise.all(agents.map((a) => (a.reconcileSoon(0), a.nextPass())));
  };
  const startAgent = async (i: number) => {
    scratch[i] = createScratchNetns(`tnt-nad-${i}-${process.pid}`, { igmpMemberships: 50 });
    agents[i] = new NodeAgent({
      node: nodes[i],
      kube: agentKube,
      netns: scratch[i].name,
      heartbeatSeconds: 2,
      debounceMs: 20,
      log: (message, fields) => logs.push({ node: nodes[i], message, fields }),
    });
    await agents[i].start();
  };
  const installCrd = async () => {
    await admin.call("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", { method: "POST", body: readManifestFile(CRD_FILE)[0] }).catch((e: unknown) => {
      if (!(e instanceof KubeError && e.status === 409)) throw e;
    });
    await waitFor("NAD CRD established", async () =>
      (await admin.call<{ status?: { conditions?: { type: string; status: string }[] } }>(CRD_PATH)).status?.conditions?.some(
        (c) => c.type === "Established" && c.status === "True",
      )
        ? true
        : undefined,
    );
    await waitFor("NADs served", async () => ((await admin.call(nadPath(ns)).then(() => true)) ? true : undefined));
  };
  const removeCrd = async () => {
    await deleteQuietly(CRD_PATH);
    await waitFor("NAD CRD gone", gone(CRD_PATH), 60_000);
  };

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "tenet-nad-it-"));
    admin = await KubeRest.fromFile(cluster.controlPlane.kubeconfigs.admin);
    netadmin = await KubeRest.fromFile(cluster.controlPlane.kubeconfigs.netadmin);
    agentKube = await KubeRest.fromFile(await agentKubeconfig(cluster.controlPlane, path.join(dir, "agent.kubeconfig")));
    await removeCrd();
    await startAgent(0);
  });

  afterAll(async () => {
    await Promise.all(agents.map((a) => a?.stop()));
    for (const n of ["nshared", "nclash"]) await deleteQuietly(danmPath("DanmNet", ns, n));
    for (const node of nodes) await deleteQuietly(danmPath("NodeNetworkStatus", undefined, node));
    // leave the cluster as the local default has it: with the NAD CRD, without our NADs
    if (admin) {
      await installCrd().catch(() => undefined);
      const left = await admin.call<{ items: NetworkAttachmentDefinition[] }>(nadPath(ns)).catch(() => ({ items: [] }));
      for (const n of left.items) await deleteQuietly(nadPath(ns, n.metadata.name));
    }
    await Promise.all([admin, netadmin, agentKube].map((k) => k?.close()));
    for (const s of scratch) s?.remove();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("runs without the NAD API, and watches NADs once their CRD is installed, without a restart", async () => {
    expect((await status()).status?.applying).toBe(true);
    expect(
      logs.some(
        (l) => l.message.startsWith("NetworkAttachmentDefinitions are not watched") && String(l.fields?.reason).includes("does not serve k8s.cni.cncf.io/v1"),
      ),
    ).toBe(true);
    await installCrd();
    await createNad("nadvx", { cniVersion: "0.4.0", name: "nadvx", type: "macvlan", master: scratch[0].parent, vxlan: 1300 });
    const [entry] = await waitFor("vx_nadvx present", async () =>
      (await entries("vx_nadvx"))[0]?.state === "Present" ? await entries("vx_nadvx") : undefined,
    );
    expect(entry).toMatchObject({
      name: "vx_nadvx",
      kind: "vxlan",
      vni: 1300,
      parent: scratch[0].parent,
      networks: [`NetworkAttachmentDefinition ${ns}/nadvx`],
    });
    expect(logs.some((l) => l.message === "watching NetworkAttachmentDefinitions")).toBe(true);
  });

  it("a VxLAN NAD gets its master rewritten; the update that causes changes nothing; deleting it removes the interface", async () => {
    const nad = await waitFor("master rewritten", async () => {
      const n = await getNad("nadvx");
      return JSON.parse(n.spec!.config!).master === "vx_nadvx" ? n : undefined;
    });
    expect(JSON.parse(nad.spec!.config!)).toEqual({ cniVersion: "0.4.0", name: "nadvx", type: "macvlan", master: "vx_nadvx", vxlan: 1300 });
    expect(nad.metadata.annotations).toMatchObject({ [NAD_HOST_DEVICE_ANNOTATION]: scratch[0].parent, [NAD_MASTER_ANNOTATION]: "vx_nadvx" });
    expect(await link("vx_nadvx")).toMatchObject({ kind: "vxlan", id: 1300, parent: scratch[0].parent, ownedByTenet: true, up: true });
    const before = ifindex("vx_nadvx");

    await settle();
    // the same interface (not deleted and made again), the NAD written once
    expect(ifindex("vx_nadvx")).toBe(before);
    expect((await getNad("nadvx")).metadata.resourceVersion).toBe(nad.metadata.resourceVersion);
    expect((await entries("vx_nadvx")).map((e) => e.state)).toEqual(["Present"]);

    await admin.call(nadPath(ns, "nadvx"), { method: "DELETE" });
    await waitFor("vx_nadvx gone from the status", async () => ((await entries("vx_nadvx")).length === 0 ? true : undefined));
    expect(await link("vx_nadvx")).toBeUndefined();
  });

  it("ignores conflists and configs without type, and logs an unusable config naming the field and rule", async () => {
    await createNad("nadlist", { cniVersion: "0.4.0", name: "nadlist", plugins: [{ type: "macvlan", master: scratch[0].parent, vxlan: 1310 }] });
    await createNad("nadnotype", { name: "nadnot", master: scratch[0].parent, vxlan: 1311 });
    await createNad("nadboth", { name: "nadboth", type: "macvlan", master: scratch[0].parent, vlan: 12, vxlan: 1312 });
    const versions = await Promise.all(["nadlist", "nadnotype", "nadboth"].map(async (n) => (await getNad(n)).metadata.resourceVersion));
    await settle();
    expect(await link("vx_nadlist")).toBeUndefined();
    expect(await link("vx_nadnot")).toBeUndefined();
    expect(await link("vx_nadboth")).toBeUndefined();
    expect((await status()).status!.hostInterfaces.filter((i) => i.name.startsWith("vx_nad") || i.name.startsWith("nadboth"))).toEqual([]);
    expect(await Promise.all(["nadlist", "nadnotype", "nadboth"].map(async (n) => (await getNad(n)).metadata.resourceVersion))).toEqual(versions);
    const notes = logs.filter((l) => l.node === nodes[0]).map((l) => String(l.fields?.reason ?? l.fields?.error ?? ""));
    expect(notes).toContain(`NetworkAttachmentDefinition ${ns}/nadlist: spec.config is a conflist (plugins); netwatcher reads single CNI configs only (NAD-1)`);
    expect(notes).toContain(`NetworkAttachmentDefinition ${ns}/nadnotype: spec.config has no type; netwatcher reads CNI configs with a type only (NAD-1)`);
    expect(notes).toContain(
      `NetworkAttachmentDefinition ${ns}/nadboth: spec.config.vxlan: Forbidden: vlan and vxlan cannot both be set: master can name only one host interface (NAD-3)`,
    );
    // logged once, not at every pass
    expect(notes.filter((n) => n.includes("nadboth"))).toHaveLength(1);
    for (const n of ["nadlist", "nadnotype", "nadboth"]) await admin.call(nadPath(ns, n), { method: "DELETE" });
  });

  it("a NAD and a DanmNet with the same parameters share the interface; it stays until the last of them is gone", async () => {
    await netadmin.call(danmPath("DanmNet", ns), {
      method: "POST",
      body: danmNet("nshared", { host_device: scratch[0].parent, vxlan: 1320, cidr: "10.132.0.0/24" }),
    });
    await createNad("nadshared", { name: "nshared", type: "macvlan", master: scratch[0].parent, vxlan: 1320 });
    const [entry] = await waitFor("vx_nshared shared", async () => {
      const e = await entries("vx_nshared");
      return e.length === 1 && e[0].state === "Present" && e[0].networks.length === 2 ? e : undefined;
    });
    expect(entry.networks).toEqual([`DanmNet ${ns}/nshared`, `NetworkAttachmentDefinition ${ns}/nadshared`]);
    await waitFor("master rewritten", async () => (JSON.parse((await getNad("nadshared")).spec!.config!).master === "vx_nshared" ? true : undefined));
    const index = ifindex("vx_nshared");

    await admin.call(nadPath(ns, "nadshared"), { method: "DELETE" });
    await waitFor("only the DanmNet left", async () => ((await entries("vx_nshared"))[0]?.networks.length === 1 ? true : undefined));
    await settle();
    expect(ifindex("vx_nshared")).toBe(index);
    await netadmin.call(danmPath("DanmNet", ns, "nshared"), { method: "DELETE" });
    await waitFor("vx_nshared removed", async () => ((await entries("vx_nshared")).length === 0 && !(await link("vx_nshared")) ? true : undefined));
  });

  it("a NAD and a DanmNet wanting the same interface with different parameters are both reported as a conflict and nothing changes", async () => {
    await netadmin.call(danmPath("DanmNet", ns), {
      method: "POST",
      body: danmNet("nclash", { host_device: scratch[0].parent, vxlan: 1330, cidr: "10.133.0.0/24" }),
    });
    await createNad("nadclash", { name: "nclash", type: "macvlan", master: scratch[0].parent, vxlan: 1331 });
    const reported = await waitFor("conflict reported", async () => {
      const e = await entries("vx_nclash");
      return e.length === 2 && e.every((x) => x.state === "Failed") ? e : undefined;
    });
    expect(reported.map((e) => [e.vni, e.networks])).toEqual([
      [1330, [`DanmNet ${ns}/nclash`]],
      [1331, [`NetworkAttachmentDefinition ${ns}/nadclash`]],
    ]);
    for (const e of reported) expect(e.error).toContain("vx_nclash is wanted with different parameters");
    const version = (await getNad("nadclash")).metadata.resourceVersion;
    await settle();
    expect(await link("vx_nclash")).toBeUndefined();
    const nad = await getNad("nadclash");
    expect(nad.metadata.resourceVersion).toBe(version);
    expect(JSON.parse(nad.spec!.config!).master).toBe(scratch[0].parent);
    await admin.call(nadPath(ns, "nadclash"), { method: "DELETE" });
    // the conflict gone, the DanmNet gets its interface
    await waitFor("vx_nclash for the DanmNet", async () => ((await entries("vx_nclash"))[0]?.state === "Present" ? true : undefined));
    expect(await link("vx_nclash")).toMatchObject({ id: 1330 });
    await netadmin.call(danmPath("DanmNet", ns, "nclash"), { method: "DELETE" });
    await waitFor("vx_nclash removed", async () => ((await entries("vx_nclash")).length === 0 ? true : undefined));
  });

  it("agents of two nodes create the interface each and rewrite the NAD once between them", async () => {
    await startAgent(1);
    const rewrites = () =>
      logs.filter((l) => l.message === "NetworkAttachmentDefinition master rewritten" && l.fields?.nad === `NetworkAttachmentDefinition ${ns}/nadtwo`);
    await createNad("nadtwo", { name: "nadtwo", type: "macvlan", master: "p0", vxlan: 1340 });
    const asCreated = await getNad("nadtwo");
    for (const node of nodes)
      await waitFor(`vx_nadtwo on ${node}`, async () => ((await entries("vx_nadtwo", node))[0]?.state === "Present" ? true : undefined));
    await waitFor("master rewritten", async () => (JSON.parse((await getNad("nadtwo")).spec!.config!).master === "vx_nadtwo" ? true : undefined));
    const version = (await getNad("nadtwo")).metadata.resourceVersion;
    await settle();
    expect((await getNad("nadtwo")).metadata.resourceVersion).toBe(version);
    expect(rewrites()).toHaveLength(1);
    // a writer holding the NAD as it was before the rewrite gets a conflict, reads again, finds the rewrite done
    expect(await updateNetworkAttachmentDefinition(agentKube, asCreated, nadMasterRewrite)).toBe(false);
    expect((await getNad("nadtwo")).metadata.resourceVersion).toBe(version);
    expect(await link("vx_nadtwo", 1)).toMatchObject({ id: 1340, parent: "p0", ownedByTenet: true });
    expect(logs.filter((l) => l.message.startsWith("cannot rewrite"))).toEqual([]);
  });

  it("a VLAN NAD creates <NetworkID>.<vlan> and gets its master rewritten (skips where the kernel has no 802.1Q)", async (ctx) => {
    await createNad("nadvl", { name: "nadvl", type: "ipvlan", master: scratch[0].parent, vlan: 140 });
    const [entry] = await waitFor("nadvl.140 reported", async () => {
      const e = await entries("nadvl.140");
      return e[0] && e[0].state !== "Missing" ? e : undefined;
    });
    if (entry.state === "Failed" && /Unknown device type|not supported/i.test(entry.error ?? "")) {
      console.warn(`VLAN NAD test skipped: the kernel refuses 802.1Q devices: ${entry.error}`);
      // nothing was created, so nothing was rewritten
      expect(JSON.parse((await getNad("nadvl")).spec!.config!).master).toBe(scratch[0].parent);
      ctx.skip();
    }
    expect(entry).toMatchObject({ state: "Present", kind: "vlan", vni: 140 });
    await waitFor("master rewritten", async () => (JSON.parse((await getNad("nadvl")).spec!.config!).master === "nadvl.140" ? true : undefined));
  });

  it("when the NAD CRD is removed the agent stops watching and removes the NADs' interfaces", async () => {
    await createNad("nadlast", { name: "nadlast", type: "macvlan", master: scratch[0].parent, vxlan: 1350 });
    await waitFor("vx_nadlast present", async () => ((await entries("vx_nadlast"))[0]?.state === "Present" ? true : undefined));
    await removeCrd();
    await waitFor("vx_nadlast removed", async () => ((await entries("vx_nadlast")).length === 0 && !(await link("vx_nadlast")) ? true : undefined));
    // deleting the CRD deletes the NADs first; the watch then finds the API gone and stops
    await waitFor("the agent notices", async () =>
      logs.some((l) => l.node === nodes[0] && l.message.startsWith("the cluster stopped serving NetworkAttachmentDefinitions")) ? true : undefined,
    );
    await settle();
    expect(logs.filter((l) => l.node === nodes[0]).at(-1)?.message).not.toBe("watch interrupted; listing again");
  });
});
