// svcwatcher's desired Endpoints/EndpointSlices and the diff against the API server (danm-spec §13.2,
// design decisions 10–11).
import { describe, expect, it } from "vitest";
import type { DanmEp } from "./api/danmEp";
import {
  danmEpsWithStaleLabels,
  desiredServiceEndpoints,
  MAX_ENDPOINTS_PER_SLICE,
  planServiceEndpoints,
  sameEndpoints,
  sameEndpointSlice,
  type DesiredServiceEndpoints,
  type PodSummary,
  type ServiceSummary,
} from "./serviceEndpoints";

const NS = "team-a";
const service = (annotations: Record<string, string>, ports = [{ name: "sip", port: 5060, protocol: "UDP" }]): ServiceSummary => ({
  namespace: NS,
  name: "sbc",
  annotations,
  ports,
});
const SBC = { "danm.k8s.io/selector": '{"app":"sbc"}', "danm.k8s.io/tenantNetwork": "sig" };

const ep = (
  pod: string,
  address: string | undefined,
  address6: string | undefined,
  options: { labels?: Record<string, string>; apiType?: string; network?: string; namespace?: string; uid?: string } = {},
): DanmEp => ({
  apiVersion: "danm.k8s.io/v1",
  kind: "DanmEp",
  metadata: { name: `${pod}-${options.network ?? "sig"}`, namespace: options.namespace ?? NS, labels: options.labels ?? { app: "sbc" } },
  spec: {
    NetworkName: options.network ?? "sig",
    apiType: options.apiType ?? "TenantNetwork",
    Pod: pod,
    PodUID: options.uid ?? `uid-${pod}`,
    Interface: { Name: "eth1", Address: address, AddressIPv6: address6 },
  },
});
const pod = (name: string, over: Partial<PodSummary> = {}): [string, PodSummary] => [
  name,
  { uid: `uid-${name}`, resourceVersion: "7", labels: { app: "sbc" }, ready: true, nodeName: "node-1", deleting: false, ...over },
];
const ref = (name: string) => ({ kind: "Pod", namespace: NS, name, uid: `uid-${name}`, resourceVersion: "7" });

function desired(svc: ServiceSummary, eps: DanmEp[], pods: [string, PodSummary][]): DesiredServiceEndpoints {
  const r = desiredServiceEndpoints(svc, eps, new Map(pods));
  if (r.handled !== true) throw new Error(`not handled: ${JSON.stringify(r)}`);
  return r.desired;
}
const ips = (d: DesiredServiceEndpoints) => ({
  ready: d.endpoints.subsets.flatMap((s) => s.addresses.map((a) => a.ip)),
  notReady: d.endpoints.subsets.flatMap((s) => s.notReadyAddresses.map((a) => a.ip)),
  slices: Object.fromEntries(d.slices.map((s) => [s.metadata.name, s.endpoints.map((e) => `${e.addresses[0]} ready=${e.conditions.ready}`)])),
});

describe("desiredServiceEndpoints (danm-spec §13.2)", () => {
  it("a dual-stack Service gets one EndpointSlice per address family, named after the Service and family", () => {
    const d = desired(
      service(SBC),
      [ep("a", "10.70.0.5/24", "fd00:70::5/64"), ep("b", "10.70.0.6/24", "fd00:70:0:0::6/64")],
      [pod("a"), pod("b", { hostname: "b-host" })],
    );
    expect(ips(d)).toEqual({
      ready: ["10.70.0.5", "10.70.0.6", "fd00:70::5", "fd00:70::6"],
      notReady: [],
      slices: { "sbc-danm-ipv4": ["10.70.0.5 ready=true", "10.70.0.6 ready=true"], "sbc-danm-ipv6": ["fd00:70::5 ready=true", "fd00:70::6 ready=true"] },
    });
    expect(d.slices.map((s) => [s.addressType, s.metadata.labels])).toEqual([
      ["IPv4", { "kubernetes.io/service-name": "sbc", "endpointslice.kubernetes.io/managed-by": "svcwatcher.danm.k8s.io" }],
      ["IPv6", { "kubernetes.io/service-name": "sbc", "endpointslice.kubernetes.io/managed-by": "svcwatcher.danm.k8s.io" }],
    ]);
    expect(d.slices[1].endpoints[1]).toEqual({
      addresses: ["fd00:70::6"],
      conditions: { ready: true, serving: true, terminating: false },
      hostname: "b-host",
      nodeName: "node-1",
      targetRef: { kind: "Pod", namespace: NS, name: "b", uid: "uid-b" },
    });
    expect(d.endpoints.subsets[0].addresses[1]).toEqual({ ip: "10.70.0.6", hostname: "b-host", nodeName: "node-1", targetRef: ref("b") });
  });

  it("the Endpoints copies the Service's annotations, is labelled as ours and has one subset with the Service ports", () => {
    const d = desired(
      service(SBC, [{ name: "sip", port: 5060, protocol: "UDP" }, { name: "http", port: 80 } as never]),
      [ep("a", "10.70.0.5/24", "")],
      [pod("a")],
    );
    expect(d.endpoints.metadata).toEqual({
      name: "sbc",
      namespace: NS,
      annotations: SBC,
      labels: { "app.kubernetes.io/managed-by": "svcwatcher.danm.k8s.io", "endpointslice.kubernetes.io/skip-mirror": "true" },
    });
    expect(d.endpoints.subsets.map((s) => s.ports)).toEqual([
      [
        { name: "sip", port: 5060, protocol: "UDP" },
        { name: "http", port: 80, protocol: "TCP" },
      ],
    ]);
    expect(d.slices.map((s) => s.metadata.name)).toEqual(["sbc-danm-ipv4"]);
  });

  it.each([
    ["an unready Pod is published as not ready", {}, false, { ready: [], notReady: ["10.70.0.5"], slices: { "sbc-danm-ipv4": ["10.70.0.5 ready=false"] } }],
    [
      "an unready Pod is published as ready when the Service tolerates unready endpoints",
      { "service.alpha.kubernetes.io/tolerate-unready-endpoints": "true" },
      false,
      { ready: ["10.70.0.5"], notReady: [], slices: { "sbc-danm-ipv4": ["10.70.0.5 ready=true"] } },
    ],
    ["a ready Pod is published as ready", {}, true, { ready: ["10.70.0.5"], notReady: [], slices: { "sbc-danm-ipv4": ["10.70.0.5 ready=true"] } }],
  ])("%s", (_name, extra, ready, expected) => {
    expect(ips(desired(service({ ...SBC, ...extra }), [ep("a", "10.70.0.5/24", "none")], [pod("a", { ready })]))).toEqual(expected);
  });

  it("a tolerated unready Pod is ready but not serving in its slice", () => {
    const d = desired(
      service({ ...SBC, "service.alpha.kubernetes.io/tolerate-unready-endpoints": "true" }),
      [ep("a", "10.70.0.5/24", "")],
      [pod("a", { ready: false })],
    );
    expect(d.slices[0].endpoints[0].conditions).toEqual({ ready: true, serving: false, terminating: false });
  });

  it.each<[string, DanmEp, [string, PodSummary][]]>([
    ["a DanmEp whose labels miss a selector key is left out", ep("a", "10.70.0.5/24", "", { labels: { tier: "x" } }), [pod("a")]],
    ["a DanmEp whose label value differs is left out", ep("a", "10.70.0.5/24", "", { labels: { app: "web" } }), [pod("a")]],
    ["a DanmEp of another network is left out", ep("a", "10.70.0.5/24", "", { network: "oam" }), [pod("a")]],
    ["a DanmEp of the same name but another network kind is left out", ep("a", "10.70.0.5/24", "", { apiType: "ClusterNetwork" }), [pod("a")]],
    ["a DanmEp in another namespace is left out", ep("a", "10.70.0.5/24", "", { namespace: "team-b" }), [pod("a")]],
    ["a DanmEp whose Pod is missing is left out", ep("a", "10.70.0.5/24", ""), [pod("other")]],
    ["a DanmEp whose Pod is being deleted is left out", ep("a", "10.70.0.5/24", ""), [pod("a", { deleting: true })]],
    ["a DanmEp of an earlier Pod of the same name (other UID) is left out", ep("a", "10.70.0.5/24", "", { uid: "old" }), [pod("a")]],
    ["a DanmEp without a real address (none, dynamic, empty) contributes nothing", ep("a", "dynamic", "none"), [pod("a")]],
  ])("%s", (_name, danmEp, pods) => {
    const d = desired(service(SBC), [danmEp], pods);
    expect(d.endpoints.subsets).toEqual([]);
    expect(d.slices).toEqual([]);
  });

  it("a DanmEp with a superset of the selector's labels is taken", () => {
    expect(ips(desired(service(SBC), [ep("a", "10.70.0.5/24", "", { labels: { app: "sbc", tier: "edge" } })], [pod("a")])).ready).toEqual(["10.70.0.5"]);
  });

  it("danm.k8s.io/network matches DanmEps with apiType DanmNet or an empty apiType (§6)", () => {
    const svc = service({ "danm.k8s.io/selector": '{"app":"sbc"}', "danm.k8s.io/network": "sig" });
    const d = desired(
      svc,
      [
        ep("a", "10.70.0.5/24", "", { apiType: "DanmNet" }),
        ep("b", "10.70.0.6/24", "", { apiType: "" }),
        ep("c", "10.70.0.7/24", "", { apiType: "TenantNetwork" }),
      ],
      [pod("a"), pod("b"), pod("c")],
    );
    expect(ips(d).ready).toEqual(["10.70.0.5", "10.70.0.6"]);
  });

  it("with several network annotations a DanmEp matching any of them qualifies", () => {
    const svc = service({ ...SBC, "danm.k8s.io/clusterNetwork": "oam" });
    const d = desired(svc, [ep("a", "10.70.0.5/24", ""), ep("a", "10.80.0.5/24", "", { network: "oam", apiType: "ClusterNetwork" })], [pod("a")]);
    expect(ips(d).ready).toEqual(["10.70.0.5", "10.80.0.5"]);
  });

  it("a family with more endpoints than one slice holds continues in <service>-danm-ipv4-2", () => {
    const n = MAX_ENDPOINTS_PER_SLICE + 5;
    const eps = Array.from({ length: n }, (_, i) => ep(`p${i}`, `10.70.${i >> 8}.${i & 255}/16`, ""));
    const d = desired(
      service(SBC),
      eps,
      eps.map((e) => pod(e.spec!.Pod!)),
    );
    expect(d.slices.map((s) => [s.metadata.name, s.endpoints.length])).toEqual([
      ["sbc-danm-ipv4", MAX_ENDPOINTS_PER_SLICE],
      ["sbc-danm-ipv4-2", 5],
    ]);
  });

  it("slices are owned by the Service (garbage-collected with it) when its UID is known", () => {
    const d = desired({ ...service(SBC), uid: "svc-uid" }, [ep("a", "10.70.0.5/24", "")], [pod("a")]);
    expect(d.slices[0].metadata.ownerReferences).toEqual([{ apiVersion: "v1", kind: "Service", name: "sbc", uid: "svc-uid", controller: true }]);
    const withoutOwner = { ...d.slices[0], metadata: { ...d.slices[0].metadata, ownerReferences: undefined } };
    expect(sameEndpointSlice(d.slices[0], withoutOwner)).toBe(false);
  });

  it("a Service without DANM annotations is not handled, and broken annotations are reported", () => {
    expect(desiredServiceEndpoints(service({}), [], new Map())).toEqual({ handled: false });
    expect(desiredServiceEndpoints(service({ "danm.k8s.io/selector": "{", "danm.k8s.io/network": "x" }), [], new Map())).toMatchObject({ handled: "invalid" });
  });
});

describe("sameEndpoints / sameEndpointSlice", () => {
  const d = desired(service(SBC), [ep("a", "10.70.0.5/24", "fd00:70::5/64"), ep("b", "10.70.0.6/24", "fd00:70::6/64")], [pod("a"), pod("b", { ready: false })]);
  const reversed = <T>(xs: T[] | undefined) => [...(xs ?? [])].reverse();

  it("the same addresses in another order, with server-added metadata and empty lists omitted, are the same", () => {
    const actual = {
      metadata: { ...d.endpoints.metadata, resourceVersion: "12", labels: { ...d.endpoints.metadata.labels, extra: "x" } },
      subsets: d.endpoints.subsets.map((s) => ({
        addresses: reversed(s.addresses),
        notReadyAddresses: reversed(s.notReadyAddresses),
        ports: reversed(s.ports),
      })),
    };
    expect(sameEndpoints(d.endpoints, actual)).toBe(true);
    const slice = d.slices[1];
    expect(
      sameEndpointSlice(slice, { ...slice, endpoints: reversed(slice.endpoints), metadata: { ...slice.metadata, labels: { ...slice.metadata.labels } } }),
    ).toBe(true);
  });

  it.each([
    [
      "an address moved to not-ready",
      (e: any) => ({
        ...e,
        subsets: [
          { ...e.subsets[0], notReadyAddresses: [...e.subsets[0].notReadyAddresses, e.subsets[0].addresses[0]], addresses: e.subsets[0].addresses.slice(1) },
        ],
      }),
    ],
    ["an address missing", (e: any) => ({ ...e, subsets: [{ ...e.subsets[0], addresses: e.subsets[0].addresses.slice(1) }] })],
    [
      "a stale Pod resourceVersion",
      (e: any) => ({
        ...e,
        subsets: [{ ...e.subsets[0], addresses: e.subsets[0].addresses.map((a: any) => ({ ...a, targetRef: { ...a.targetRef, resourceVersion: "6" } })) }],
      }),
    ],
    ["different annotations", (e: any) => ({ ...e, metadata: { ...e.metadata, annotations: {} } })],
    ["our label missing", (e: any) => ({ ...e, metadata: { ...e.metadata, labels: {} } })],
    ["no subsets", (e: any) => ({ ...e, subsets: [] })],
  ])("Endpoints with %s differ", (_name, change) => {
    expect(sameEndpoints(d.endpoints, change(d.endpoints))).toBe(false);
  });

  it("a slice whose endpoint changed readiness differs", () => {
    const slice = d.slices[0];
    const changed = { ...slice, endpoints: slice.endpoints.map((e) => ({ ...e, conditions: { ...e.conditions, ready: true } })) };
    expect(sameEndpointSlice(slice, changed)).toBe(false);
  });
});

describe("planServiceEndpoints", () => {
  const d = desired(service(SBC), [ep("a", "10.70.0.5/24", "fd00:70::5/64")], [pod("a")]);

  it("creates what is missing and leaves what matches alone", () => {
    expect(planServiceEndpoints(d, undefined, []).endpoints.action).toBe("create");
    expect(planServiceEndpoints(d, undefined, []).slices.map((s) => s.action)).toEqual(["create", "create"]);
    expect(planServiceEndpoints(d, d.endpoints, d.slices)).toEqual({ endpoints: { action: "none" }, slices: [] });
  });

  it("a slice of a family no longer present is deleted; a changed one is replaced", () => {
    const v4only = desired(service(SBC), [ep("a", "10.70.0.9/24", "")], [pod("a")]);
    expect(planServiceEndpoints(v4only, d.endpoints, d.slices).slices.map((s) => [s.action, "name" in s ? s.name : s.desired.metadata.name])).toEqual([
      ["replace", "sbc-danm-ipv4"],
      ["delete", "sbc-danm-ipv6"],
    ]);
  });

  it("a gone Service loses its slices, and its Endpoints only when svcwatcher (or upstream DANM) wrote it", () => {
    expect(planServiceEndpoints(undefined, d.endpoints, d.slices)).toEqual({
      endpoints: { action: "delete", actual: d.endpoints },
      slices: [
        { action: "delete", name: "sbc-danm-ipv4" },
        { action: "delete", name: "sbc-danm-ipv6" },
      ],
    });
    const foreign = { metadata: { name: "sbc", namespace: NS }, subsets: [] };
    expect(planServiceEndpoints(undefined, foreign, []).endpoints).toEqual({ action: "none" });
    const upstream = { metadata: { name: "sbc", namespace: NS, annotations: SBC }, subsets: [] };
    expect(planServiceEndpoints(undefined, upstream, []).endpoints).toEqual({ action: "delete", actual: upstream });
  });
});

describe("danmEpsWithStaleLabels (§13.4)", () => {
  it("finds the DanmEps of exactly that Pod (name and UID) whose labels differ from the Pod's", () => {
    const eps = [
      ep("a", "10.70.0.5/24", ""),
      ep("a", "10.80.0.5/24", "", { network: "oam", labels: { app: "web" } }),
      ep("a", "10.70.0.7/24", "", { uid: "old", labels: {} }),
      ep("b", "10.70.0.6/24", "", { labels: {} }),
    ];
    const p = { namespace: NS, name: "a", uid: "uid-a", labels: { app: "sbc" } };
    expect(danmEpsWithStaleLabels(p, eps).map((e) => e.metadata.name)).toEqual(["a-oam"]);
    expect(danmEpsWithStaleLabels({ ...p, labels: { app: "web" } }, eps).map((e) => e.metadata.name)).toEqual(["a-sig"]);
  });
});
