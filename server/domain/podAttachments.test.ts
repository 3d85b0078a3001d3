import { describe, expect, it } from "vitest";
import type { DanmEp } from "./api/danmEp";
import { danmAddError, podAnchor, podsOnNetwork, requestedNetworks, stuckOn, stuckPods, type EventFacts, type PodFacts } from "./podAttachments";

// containerd's wording around libcni's, as the kubelet records it
const sandboxFailure = (pod: string, error: string) =>
  `Failed to create pod sandbox: rpc error: code = Unknown desc = failed to setup network for sandbox "4f1c9a": plugin type="danm" name="danm" failed (add): pod team-a/${pod}: ${error}`;

function pod(
  name: string,
  options: { uid?: string; phase?: string; node?: string; interfaces?: unknown; ready?: boolean; sandboxReady?: boolean; deleting?: boolean } = {},
): PodFacts {
  const conditions = [
    ...(options.ready !== undefined ? [{ type: "Ready", status: options.ready ? "True" : "False" }] : []),
    ...(options.sandboxReady !== undefined ? [{ type: "PodReadyToStartContainers", status: options.sandboxReady ? "True" : "False" }] : []),
  ];
  return {
    metadata: {
      name,
      namespace: "team-a",
      uid: options.uid ?? `uid-${name}`,
      ...(options.interfaces !== undefined ? { annotations: { "danm.k8s.io/interfaces": JSON.stringify(options.interfaces) } } : {}),
      ...(options.deleting ? { deletionTimestamp: "2026-12-03T05:00:00Z" } : {}),
    },
    spec: options.node ? { nodeName: options.node } : {},
    status: { phase: options.phase ?? "Pending", conditions },
  };
}

function failure(podName: string, message: string, at: string, extra: Partial<EventFacts> = {}): EventFacts {
  return {
    involvedObject: { kind: "Pod", name: podName, namespace: "team-a", uid: `uid-${podName}` },
    reason: "FailedCreatePodSandbox",
    type: "Warning",
    message,
    lastTimestamp: at,
    count: 1,
    ...extra,
  };
}

function endpoint(name: string, network: string, podName: string, iface: string, address: string, address6 = "", apiType = "TenantNetwork"): DanmEp {
  return {
    apiVersion: "danm.k8s.io/v1",
    kind: "DanmEp",
    metadata: { name, namespace: "team-a" },
    spec: {
      NetworkName: network,
      apiType,
      Pod: podName,
      PodUID: `uid-${podName}`,
      Host: "node-1",
      Interface: { Name: iface, Address: address, AddressIPv6: address6 },
    },
  } as DanmEp;
}

describe("POD-3 danmAddError", () => {
  it("keeps the plugin's own words, without its pod prefix", () => {
    expect(
      danmAddError(sandboxFailure("web-1", "requested network blue of type TenantNetwork in namespace team-a does not exist"), {
        namespace: "team-a",
        name: "web-1",
      }),
    ).toBe("requested network blue of type TenantNetwork in namespace team-a does not exist");
  });

  it("reads CRI-O's wording (no name=) and keeps a rule ID at the end", () => {
    const message =
      'error adding pod team-a_web-1 to CNI network "danm": plugin type="danm" failed (add): pod team-a/web-1: TenantNetwork team-a/blue: allocation pool exhausted (N-7/B-4)';
    expect(danmAddError(message, { namespace: "team-a", name: "web-1" })).toBe("TenantNetwork team-a/blue: allocation pool exhausted (N-7/B-4)");
  });

  it("keeps another Pod's prefix and answers undefined for other plugins and for DEL", () => {
    expect(danmAddError(sandboxFailure("web-2", "x"), { namespace: "team-a", name: "web-1" })).toBe("pod team-a/web-2: x");
    expect(danmAddError('plugin type="bridge" name="b" failed (add): no such device')).toBeUndefined();
    expect(danmAddError('plugin type="danm" name="danm" failed (delete): gone')).toBeUndefined();
    expect(danmAddError(undefined)).toBeUndefined();
    expect(danmAddError('plugin type="danm" name="danm" failed (add):   ')).toBeUndefined();
  });
});

describe("POD-2 stuckPods", () => {
  it("shows a Pending Pod's newest danm error with the number of failures", () => {
    const stuck = stuckPods(
      [pod("web-1", { interfaces: [{ tenantNetwork: "blue" }] })],
      [
        failure("web-1", sandboxFailure("web-1", "older error naming TenantNetwork team-a/blue"), "2026-12-03T05:00:00Z", { count: 3 }),
        failure("web-1", sandboxFailure("web-1", "requested network blue of type TenantNetwork in namespace team-a does not exist"), "2026-12-03T05:02:00Z"),
      ],
    );
    expect(stuck).toEqual([
      {
        namespace: "team-a",
        name: "web-1",
        uid: "uid-web-1",
        phase: "Pending",
        error: "requested network blue of type TenantNetwork in namespace team-a does not exist",
        at: "2026-12-03T05:02:00.000Z",
        count: 4,
        networks: [{ kind: "TenantNetwork", namespace: "team-a", name: "blue" }],
      },
    ]);
  });

  it("ignores Pods that run, have their sandbox, are being deleted, and events of other plugins, reasons, types or an older Pod of the same name", () => {
    const err = (p: string) => sandboxFailure(p, "boom");
    const pods = [
      pod("running", { phase: "Running" }),
      pod("sandboxed", { sandboxReady: true }),
      pod("deleting", { deleting: true }),
      pod("bridge"),
      pod("reason"),
      pod("normal"),
      pod("recreated", { uid: "uid-new" }),
    ];
    const events = [
      failure("running", err("running"), "2026-12-03T05:00:00Z"),
      failure("sandboxed", err("sandboxed"), "2026-12-03T05:00:00Z"),
      failure("deleting", err("deleting"), "2026-12-03T05:00:00Z"),
      failure("bridge", 'plugin type="bridge" name="b" failed (add): nope', "2026-12-03T05:00:00Z"),
      failure("reason", err("reason"), "2026-12-03T05:00:00Z", { reason: "FailedKillPod" }),
      failure("normal", err("normal"), "2026-12-03T05:00:00Z", { type: "Normal" }),
      failure("recreated", err("recreated"), "2026-12-03T05:00:00Z"),
    ];
    expect(stuckPods(pods, events)).toEqual([]);
  });

  it("takes an unreadable timestamp for none rather than failing", () => {
    const [s] = stuckPods([pod("web-1")], [failure("web-1", sandboxFailure("web-1", "x"), "not a time")]);
    expect(s).toMatchObject({ error: "x", count: 1 });
    expect(s.at).toBeUndefined();
  });

  it("uses the event series and eventTime of events.k8s.io-style events", () => {
    const [s] = stuckPods(
      [pod("web-1")],
      [
        failure("web-1", sandboxFailure("web-1", "x"), "", {
          lastTimestamp: undefined,
          eventTime: "2026-12-03T05:00:00.123456Z",
          series: { count: 7, lastObservedTime: "2026-12-03T05:09:00Z" },
        }),
      ],
    );
    expect(s).toMatchObject({ at: "2026-12-03T05:09:00.000Z", count: 7 });
  });
});

describe("POD-4 the networks a stuck Pod wants", () => {
  it("are the ones its annotation requests, narrowed to those the error names", () => {
    const p = pod("multi", { interfaces: [{ clusterNetwork: "oam" }, { tenantNetwork: "blue" }, { network: "blue" }] });
    const [named] = stuckPods(
      [p],
      [failure("multi", sandboxFailure("multi", "TenantNetwork team-a/blue (eth1): no free IPv4 address in 10.0.0.0/24 (B-4)"), "2026-12-03T05:00:00Z")],
    );
    expect(named.networks).toEqual([{ kind: "TenantNetwork", namespace: "team-a", name: "blue" }]);
    const [unnamed] = stuckPods([p], [failure("multi", sandboxFailure("multi", "the API server did not answer"), "2026-12-03T05:00:00Z")]);
    expect(unnamed.networks.map((n) => n.kind)).toEqual(["ClusterNetwork", "TenantNetwork", "DanmNet"]);
    // "blue" must not match "blue-2"
    const [other] = stuckPods(
      [p],
      [failure("multi", sandboxFailure("multi", "requested network blue-2 of type TenantNetwork in namespace team-a does not exist"), "2026-12-03T05:00:00Z")],
    );
    expect(other.networks).toHaveLength(3);
    expect(stuckOn({ kind: "ClusterNetwork", name: "oam" }, [named])).toEqual([]);
    expect(stuckOn({ kind: "TenantNetwork", namespace: "team-a", name: "blue" }, [named])).toEqual([named]);
    expect(stuckOn({ kind: "TenantNetwork", namespace: "team-b", name: "blue" }, [named])).toEqual([]);
  });

  it("are the default networks without an annotation, and none with an unreadable one", () => {
    expect(requestedNetworks(pod("plain"))).toEqual([
      { kind: "DanmNet", namespace: "team-a", name: "default" },
      { kind: "TenantNetwork", namespace: "team-a", name: "default" },
      { kind: "ClusterNetwork", name: "default" },
    ]);
    expect(requestedNetworks({ metadata: { name: "bad", namespace: "team-a", annotations: { "danm.k8s.io/interfaces": "[{" } } })).toEqual([]);
  });
});

describe("POD-1 podsOnNetwork", () => {
  const net = { kind: "TenantNetwork" as const, metadata: { name: "blue", namespace: "team-a" } };
  const endpoints = [
    endpoint("ep-1", "blue", "web-1", "eth1", "10.0.0.5/24", "fd00::5/64"),
    endpoint("ep-2", "blue", "web-1", "eth0", "10.0.0.4/24"),
    endpoint("ep-3", "blue", "gone", "eth0", "10.0.0.6/24"),
    endpoint("ep-4", "red", "web-1", "eth2", "10.1.0.5/24"),
    endpoint("ep-5", "blue", "l2", "eth0", "none", "none"),
  ];

  it("gives one row per Pod with each interface there, and phase, readiness and node from the Pod", () => {
    const rows = podsOnNetwork(net, endpoints, [
      pod("web-1", { phase: "Running", ready: true, node: "node-2" }),
      pod("l2", { phase: "Running", ready: false, node: "node-1" }),
    ]);
    expect(rows).toEqual([
      {
        namespace: "team-a",
        name: "gone",
        uid: "uid-gone",
        phase: "Missing",
        node: "node-1",
        interfaces: [{ name: "eth0", address: "10.0.0.6/24", endpoint: "ep-3" }],
      },
      { namespace: "team-a", name: "l2", uid: "uid-l2", phase: "Running", ready: false, node: "node-1", interfaces: [{ name: "eth0", endpoint: "ep-5" }] },
      {
        namespace: "team-a",
        name: "web-1",
        uid: "uid-web-1",
        phase: "Running",
        ready: true,
        node: "node-2",
        interfaces: [
          { name: "eth0", address: "10.0.0.4/24", endpoint: "ep-2" },
          { name: "eth1", address: "10.0.0.5/24", address6: "fd00::5/64", endpoint: "ep-1" },
        ],
      },
    ]);
  });

  it("without Pods to read, shows the DanmEp data without phase", () => {
    const rows = podsOnNetwork(net, endpoints, undefined);
    expect(rows.map((r) => [r.name, r.phase, r.ready, r.node])).toEqual([
      ["gone", undefined, undefined, "node-1"],
      ["l2", undefined, undefined, "node-1"],
      ["web-1", undefined, undefined, "node-1"],
    ]);
  });

  it("does not take a recreated Pod of the same name for the one holding the endpoint", () => {
    const [row] = podsOnNetwork(net, [endpoints[0]], [pod("web-1", { uid: "uid-other", phase: "Running" })]);
    expect(row.phase).toBe("Missing");
  });

  it("anchors a Pod's row by namespace and name", () => {
    expect(podAnchor("team-a", "web-1")).toBe("pod-team-a-web-1");
  });
});
