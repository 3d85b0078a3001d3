// svcwatcher against a real kube-apiserver: a headless multi-network Service gets
// Endpoints/EndpointSlices with the secondary-network addresses of exactly the matching Pods, follows
// readiness, label changes and Pod deletion, and handles dual-stack. There is no kubelet: Pods are
// bound to a node name and their Ready condition is written through the status subresource.
import { Registry } from "prom-client";
import { afterAll, beforeAll, describe, expect, inject, it, vi } from "vitest";
import type { DanmEp } from "../domain/api/danmEp";
import { DanmClient } from "../kube/danmClient";
import { createPod, deletePod } from "../kube/pods";
import { ServiceFixtures } from "../kube/serviceFixtures";
import { Svcwatcher } from "./svcwatcher";

const cluster = inject("cluster");
const ADMIN = cluster.controlPlane.kubeconfigs.admin;
const admin = new DanmClient(ADMIN);
const alice = new DanmClient(cluster.controlPlane.kubeconfigs.alice);
const fixtures = new ServiceFixtures(ADMIN);
const NS = "team-a";
const RUN = Date.now().toString(36);
const NET = `sbc-${RUN}`;
const SVC = `sbc-${RUN}`;
const TOLERANT = `sbc-tolerant-${RUN}`;
const pod = (n: number) => `sbc-${RUN}-${n}`;
const ip4 = (n: number) => `10.70.0.${n}`;
const ip6 = (n: number) => `fd00:70::${n}`;
const SBC_ANNOTATIONS = { "danm.k8s.io/selector": '{"app":"sbc"}', "danm.k8s.io/tenantNetwork": NET };

const logs: string[] = [];
const registry = new Registry();
let watcher: Svcwatcher;

/** A Pod with a DanmEp on the TenantNetwork carrying its labels (as the CNI plugin writes it). */
async function podOnNetwork(n: number, labels: Record<string, string>, ready = true) {
  const created = await createPod(ADMIN, { namespace: NS, name: pod(n), nodeName: "node-1", labels });
  await fixtures.setPodReady(NS, pod(n), ready);
  const id = `${RUN}-${n}`;
  await admin.create<DanmEp & { metadata: { name: string } }>("DanmEp", {
    apiVersion: "danm.k8s.io/v1",
    kind: "DanmEp",
    metadata: { name: id, namespace: NS, labels },
    spec: {
      NetworkName: NET,
      NetworkType: "ipvlan",
      EndpointID: id,
      apiType: "TenantNetwork",
      Pod: pod(n),
      PodUID: created.uid,
      Host: "node-1",
      Interface: { Name: "eth1", Address: `${ip4(n)}/24`, AddressIPv6: `${ip6(n)}/64` },
    },
  });
}

/** What the API server publishes for a Service: slice addresses per family with readiness, Endpoints lists. */
async function published(service: string) {
  const slices = await fixtures.listEndpointSlices(NS, service);
  const endpoints = await fixtures.readEndpoints(NS, service);
  const sorted = (xs: string[]) => [...xs].sort();
  return {
    slices: Object.fromEntries(
      slices.map((s) => [`${s.metadata?.name}`, sorted((s.endpoints ?? []).map((e) => `${e.addresses[0]} ${e.targetRef?.name} ready=${e.conditions?.ready}`))]),
    ),
    addresses: sorted((endpoints?.subsets ?? []).flatMap((s) => (s.addresses ?? []).map((a) => a.ip))),
    notReadyAddresses: sorted((endpoints?.subsets ?? []).flatMap((s) => (s.notReadyAddresses ?? []).map((a) => a.ip))),
    endpointsExists: !!endpoints,
  };
}

const eventually = (assertion: () => Promise<void>) => vi.waitFor(assertion, { timeout: 15_000, interval: 150 });
const entry = (n: number, family: 4 | 6, ready = true) => `${family === 4 ? ip4(n) : ip6(n)} ${pod(n)} ready=${ready}`;

describe("svcwatcher through the real API server", () => {
  beforeAll(async () => {
    await alice.create("TenantNetwork", {
      apiVersion: "danm.k8s.io/v1",
      kind: "TenantNetwork",
      metadata: { name: NET, namespace: NS },
      spec: { NetworkType: "ipvlan", Options: { cidr: "10.70.0.0/24", net6: "fd00:70::/64", host_device: "bond2" } },
    });
    await podOnNetwork(1, { app: "sbc" });
    await podOnNetwork(2, { app: "sbc" });
    await podOnNetwork(3, { app: "web" }); // same network, not selected
    watcher = new Svcwatcher(ADMIN, { log: (message, fields) => logs.push(`${message} ${JSON.stringify(fields)}`), retryDelayMs: 50, registry });
    await watcher.start();
  });

  afterAll(async () => {
    await watcher?.stop();
    if (process.env.SVCWATCHER_LOGS) console.log(logs.join("\n"), watcher?.stats);
    await fixtures.deleteService(NS, SVC);
    await fixtures.deleteService(NS, TOLERANT);
    for (const n of [1, 2, 3]) {
      await deletePod(ADMIN, NS, pod(n));
      await admin.delete("DanmEp", `${RUN}-${n}`, NS).catch(() => undefined);
    }
    await alice.delete("TenantNetwork", NET, NS).catch(() => undefined);
  });

  it("a headless multi-network Service gets the secondary-network addresses of exactly the matching Pods, one slice per family", async () => {
    await fixtures.createHeadlessService(NS, SVC, SBC_ANNOTATIONS, [{ name: "sip", port: 5060, protocol: "UDP" }]);
    await eventually(async () => {
      expect(await published(SVC)).toEqual({
        slices: { [`${SVC}-danm-ipv4`]: [entry(1, 4), entry(2, 4)], [`${SVC}-danm-ipv6`]: [entry(1, 6), entry(2, 6)] },
        addresses: [ip4(1), ip4(2), ip6(1), ip6(2)].sort(),
        notReadyAddresses: [],
        endpointsExists: true,
      });
    });
    const [slice] = await fixtures.listEndpointSlices(NS, SVC);
    expect(slice.metadata?.labels).toMatchObject({ "kubernetes.io/service-name": SVC, "endpointslice.kubernetes.io/managed-by": "svcwatcher.danm.k8s.io" });
    expect(slice.ports).toEqual([{ name: "sip", port: 5060, protocol: "UDP" }]);
    const endpoints = await fixtures.readEndpoints(NS, SVC);
    expect(endpoints?.metadata?.annotations).toMatchObject(SBC_ANNOTATIONS);
    expect(endpoints?.subsets?.[0].ports).toEqual([{ name: "sip", port: 5060, protocol: "UDP" }]);
  });

  it("a second svcwatcher that finds everything in place writes nothing (the comparison matches what the API server stores)", async () => {
    const second = new Svcwatcher(ADMIN, { log: () => undefined, registry }); // shares the counters
    try {
      await second.start();
      await second.idle();
      expect(second.stats.reconciles).toBeGreaterThan(0);
      expect(second.stats.writes).toBe(0);
    } finally {
      await second.stop();
    }
  });

  it("an unready Pod is published as not ready, unless the Service tolerates unready endpoints", async () => {
    await fixtures.createHeadlessService(NS, TOLERANT, { ...SBC_ANNOTATIONS, "service.alpha.kubernetes.io/tolerate-unready-endpoints": "true" }, [
      { name: "sip", port: 5060, protocol: "UDP" },
    ]);
    await fixtures.setPodReady(NS, pod(2), false);
    await eventually(async () => {
      const p = await published(SVC);
      expect(p.slices[`${SVC}-danm-ipv4`]).toEqual([entry(1, 4), entry(2, 4, false)]);
      expect(p.slices[`${SVC}-danm-ipv6`]).toEqual([entry(1, 6), entry(2, 6, false)]);
      expect(p.notReadyAddresses).toEqual([ip4(2), ip6(2)].sort());
      expect(p.addresses).toEqual([ip4(1), ip6(1)].sort());
    });
    await eventually(async () => {
      const t = await published(TOLERANT);
      expect(t.slices[`${TOLERANT}-danm-ipv4`]).toEqual([entry(1, 4), entry(2, 4)]);
      expect(t.notReadyAddresses).toEqual([]);
    });
    await fixtures.setPodReady(NS, pod(2), true);
    await eventually(async () => expect((await published(SVC)).notReadyAddresses).toEqual([]));
  });

  it("a Pod relabelled so it no longer matches leaves (its labels are copied onto its DanmEps), and comes back", async () => {
    await fixtures.setPodLabels(NS, pod(1), { app: "other" });
    await eventually(async () => {
      expect((await admin.get<DanmEp & { metadata: { name: string } }>("DanmEp", `${RUN}-1`, NS)).metadata.labels).toEqual({ app: "other" });
      const p = await published(SVC);
      expect(p.slices).toEqual({ [`${SVC}-danm-ipv4`]: [entry(2, 4)], [`${SVC}-danm-ipv6`]: [entry(2, 6)] });
      expect(p.addresses).toEqual([ip4(2), ip6(2)].sort());
    });
    await fixtures.setPodLabels(NS, pod(3), { app: "sbc" });
    await eventually(async () => expect((await published(SVC)).slices[`${SVC}-danm-ipv4`]).toEqual([entry(2, 4), entry(3, 4)]));
  });

  it("a Service whose DANM annotations are removed loses what svcwatcher wrote, and gets it back when they return", async () => {
    const annotations = { ...SBC_ANNOTATIONS, "service.alpha.kubernetes.io/tolerate-unready-endpoints": "true" };
    await eventually(async () => expect(Object.keys((await published(TOLERANT)).slices)).toHaveLength(2));
    await fixtures.setServiceAnnotations(NS, TOLERANT, {});
    await eventually(async () => expect(await published(TOLERANT)).toEqual({ slices: {}, addresses: [], notReadyAddresses: [], endpointsExists: false }));
    await fixtures.setServiceAnnotations(NS, TOLERANT, annotations);
    await eventually(async () => expect(Object.keys((await published(TOLERANT)).slices)).toHaveLength(2));
  });

  it("a deleted Service loses the EndpointSlices and Endpoints svcwatcher wrote for it", async () => {
    const [slice] = await fixtures.listEndpointSlices(NS, TOLERANT);
    expect(slice.metadata?.ownerReferences?.map((r) => [r.kind, r.name])).toEqual([["Service", TOLERANT]]);
    await fixtures.deleteService(NS, TOLERANT);
    await eventually(async () => expect(await published(TOLERANT)).toEqual({ slices: {}, addresses: [], notReadyAddresses: [], endpointsExists: false }));
    expect(watcher.stats.writes).toBeGreaterThan(0);
    expect(await registry.getSingleMetricAsString("tenet_svcwatcher_writes_total")).toContain(`tenet_svcwatcher_writes_total ${watcher.stats.writes}`);
    expect(watcher.stats.errors, logs.join("\n")).toBe(0);
  });
  it("a deleted Pod's addresses leave; with no Pod left the slices go and the Endpoints has no subsets", async () => {
    await deletePod(ADMIN, NS, pod(2));
    await eventually(async () => {
      const p = await published(SVC);
      expect(p.slices).toEqual({ [`${SVC}-danm-ipv4`]: [entry(3, 4)], [`${SVC}-danm-ipv6`]: [entry(3, 6)] });
      expect(p.addresses).toEqual([ip4(3), ip6(3)].sort());
    });
    await deletePod(ADMIN, NS, pod(3));
    await eventually(async () => expect(await published(SVC)).toEqual({ slices: {}, addresses: [], notReadyAddresses: [], endpointsExists: true }));
  });
});
