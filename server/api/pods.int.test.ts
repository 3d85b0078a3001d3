// The Pods on a network and the Pods danm refused (POD-1..4), through the real API server and RBAC.
// There is no kubelet here: the test writes what the kubelet and the CNI plugin would (Pod status
// through the status subresource, FailedCreatePodSandbox Events, DanmEps).
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { DanmEp } from "../domain/api/danmEp";
import { danmPath } from "../kube/access";
import { KubeRest } from "../kube/rest";
import { callerFor, DEMO_IDENTITIES, testRuntime } from "./testing";

const cluster = inject("cluster");
let runtime: Awaited<ReturnType<typeof testRuntime>>;
let admin: KubeRest;
const run = Date.now().toString(36);
const net = `pods-${run}`;
const cleanup: string[] = [];

/** A Pod bound to a node (nothing schedules or runs it), as a Deployment's would be. */
async function createPod(name: string, interfaces: unknown[] | undefined): Promise<string> {
  const pod = await admin.call<{ metadata: { uid: string } }>("/api/v1/namespaces/team-a/pods", {
    method: "POST",
    body: {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name, namespace: "team-a", ...(interfaces ? { annotations: { "danm.k8s.io/interfaces": JSON.stringify(interfaces) } } : {}) },
      spec: { nodeName: "node-1", containers: [{ name: "main", image: "registry.invalid/pause:1" }], automountServiceAccountToken: false },
    },
  });
  cleanup.push(`/api/v1/namespaces/team-a/pods/${name}`);
  return pod.metadata.uid;
}

/** What the kubelet reports of a Pod, through the status subresource. */
async function setStatus(name: string, phase: string, conditions: { type: string; status: string }[]) {
  const now = new Date().toISOString().replace(/\.\d+Z$/, "Z");
  await admin.call(`/api/v1/namespaces/team-a/pods/${name}/status`, {
    method: "PATCH",
    contentType: "application/merge-patch+json",
    body: { status: { phase, conditions: conditions.map((c) => ({ ...c, lastTransitionTime: now })) } },
  });
}

/** The kubelet's Event when the CNI plugin failed to set up a Pod's sandbox (containerd's wording). */
async function sandboxFailure(pod: string, uid: string, error: string) {
  const now = new Date().toISOString().replace(/\.\d+Z$/, "Z");
  const event = await admin.call<{ metadata: { name: string } }>("/api/v1/namespaces/team-a/events", {
    method: "POST",
    body: {
      apiVersion: "v1",
      kind: "Event",
      metadata: { generateName: `${pod}.`, namespace: "team-a" },
      involvedObject: { apiVersion: "v1", kind: "Pod", name: pod, namespace: "team-a", uid },
      reason: "FailedCreatePodSandbox",
      type: "Warning",
      message: `Failed to create pod sandbox: rpc error: code = Unknown desc = failed to setup network for sandbox "0c1d2e": plugin type="danm" name="danm" failed (add): pod team-a/${pod}: ${error}`,
      source: { component: "kubelet", host: "node-1" },
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
    },
  });
  cleanup.push(`/api/v1/namespaces/team-a/events/${event.metadata.name}`);
}

async function createEndpoint(name: string, pod: string, uid: string, iface: string, address: string) {
  const ep: DanmEp = {
    apiVersion: "danm.k8s.io/v1",
    kind: "DanmEp",
    metadata: { name, namespace: "team-a", labels: { "danm.k8s.io/Pod": pod } },
    spec: {
      NetworkName: net,
      NetworkType: "ipvlan",
      apiType: "TenantNetwork",
      EndpointID: name,
      Pod: pod,
      PodUID: uid,
      Host: "node-1",
      CID: `cid-${pod}`,
      netns: `/var/run/netns/${pod}`,
      Interface: { Name: iface, Address: address, AddressIPv6: "" },
    },
  } as DanmEp;
  await admin.call(danmPath("DanmEp", "team-a"), { method: "POST", body: ep });
  cleanup.push(danmPath("DanmEp", "team-a", name));
}

const target = { kind: "TenantNetwork" as const, namespace: "team-a", name: net };
const missingError = `requested network ${net}-x of type TenantNetwork in namespace team-a does not exist`;
const exhaustedError = `TenantNetwork team-a/${net} (eth1): no free IPv4 address left in the allocation pool`;

beforeAll(async () => {
  runtime = await testRuntime(cluster.controlPlane.kubeconfigs["tenet-console"]);
  admin = await KubeRest.fromFile(cluster.controlPlane.kubeconfigs.admin);
  await (
    await callerFor(runtime, DEMO_IDENTITIES.alice)
  ).objects.create({
    kind: "TenantNetwork",
    object: {
      apiVersion: "danm.k8s.io/v1",
      kind: "TenantNetwork",
      metadata: { name: net, namespace: "team-a" },
      spec: { NetworkType: "ipvlan", Options: { cidr: "10.150.0.0/24" } },
    },
  });
  cleanup.push(danmPath("TenantNetwork", "team-a", net));

  // web-1 runs on the network; web-2 wants it and danm found no address; other wants another network
  const web1 = await createPod(`web-1-${run}`, [{ tenantNetwork: net }]);
  await setStatus(`web-1-${run}`, "Running", [
    { type: "PodReadyToStartContainers", status: "True" },
    { type: "Ready", status: "True" },
  ]);
  await createEndpoint(`ep-${run}`, `web-1-${run}`, web1, "eth1", "10.150.0.5/24");
  const web2 = await createPod(`web-2-${run}`, [{ tenantNetwork: net }]);
  await setStatus(`web-2-${run}`, "Pending", [{ type: "PodReadyToStartContainers", status: "False" }]);
  await sandboxFailure(`web-2-${run}`, web2, exhaustedError);
  const other = await createPod(`other-${run}`, [{ tenantNetwork: `${net}-x` }]);
  await sandboxFailure(`other-${run}`, other, missingError);
});

afterAll(async () => {
  for (const path of cleanup.reverse()) await admin?.call(path, { method: "DELETE", query: { gracePeriodSeconds: "0" } }).catch(() => undefined);
  await admin?.close();
  await runtime?.dispose();
});

describe("pods on a network", () => {
  it("shows alice the Pods on her network with phase, readiness, node and addresses, and the Pod danm refused with its error", async () => {
    const alice = await callerFor(runtime, DEMO_IDENTITIES.alice);
    const on = await alice.pods.onNetwork(target);
    expect(on).toMatchObject({ scope: "team-a", podsReadable: true, eventsReadable: true });
    expect(on.pods).toEqual([
      {
        namespace: "team-a",
        name: `web-1-${run}`,
        uid: expect.any(String),
        phase: "Running",
        ready: true,
        node: "node-1",
        interfaces: [{ name: "eth1", address: "10.150.0.5/24", endpoint: `ep-${run}` }],
      },
    ]);
    expect(on.stuck).toEqual([
      {
        namespace: "team-a",
        name: `web-2-${run}`,
        uid: expect.any(String),
        phase: "Pending",
        node: "node-1",
        error: exhaustedError,
        at: expect.any(String),
        count: 1,
        networks: [target],
      },
    ]);
  });

  it("lists every stuck Pod of alice's namespace with the network it wants", async () => {
    const alice = await callerFor(runtime, DEMO_IDENTITIES.alice);
    const { stuck, podsReadable, eventsReadable } = await alice.pods.stuck({ namespace: "team-a" });
    expect({ podsReadable, eventsReadable }).toEqual({ podsReadable: true, eventsReadable: true });
    const mine = stuck.filter((p) => p.name.endsWith(run));
    expect(mine.map((p) => [p.name, p.error, p.networks])).toEqual([
      [`other-${run}`, missingError, [{ kind: "TenantNetwork", namespace: "team-a", name: `${net}-x` }]],
      [`web-2-${run}`, exhaustedError, [target]],
    ]);
  });

  it("no longer shows a Pod as stuck once its sandbox is up", async () => {
    await setStatus(`web-2-${run}`, "Pending", [{ type: "PodReadyToStartContainers", status: "True" }]);
    try {
      const alice = await callerFor(runtime, DEMO_IDENTITIES.alice);
      expect((await alice.pods.onNetwork(target)).stuck).toEqual([]);
    } finally {
      await setStatus(`web-2-${run}`, "Pending", [{ type: "PodReadyToStartContainers", status: "False" }]);
    }
  });

  it("shows bob nothing of team-a", async () => {
    const bob = await callerFor(runtime, DEMO_IDENTITIES.bob);
    await expect(bob.pods.onNetwork(target)).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect(await bob.pods.stuck({ namespace: "team-a" })).toEqual({ namespace: "team-a", podsReadable: false, eventsReadable: false, stuck: [] });
  });

  it("shows the DanmEp data without phase to someone who may read endpoints but not Pods", async () => {
    const role = `pods-int-${run}`;
    await admin.call("/apis/rbac.authorization.k8s.io/v1/namespaces/team-a/roles", {
      method: "POST",
      body: {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "Role",
        metadata: { name: role, namespace: "team-a" },
        rules: [{ apiGroups: ["danm.k8s.io"], resources: ["tenantnetworks", "danmeps"], verbs: ["get", "list"] }],
      },
    });
    cleanup.push(`/apis/rbac.authorization.k8s.io/v1/namespaces/team-a/roles/${role}`);
    await admin.call("/apis/rbac.authorization.k8s.io/v1/namespaces/team-a/rolebindings", {
      method: "POST",
      body: {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "RoleBinding",
        metadata: { name: role, namespace: "team-a" },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: role },
        subjects: [{ kind: "User", name: "eve", apiGroup: "rbac.authorization.k8s.io" }],
      },
    });
    cleanup.push(`/apis/rbac.authorization.k8s.io/v1/namespaces/team-a/rolebindings/${role}`);
    const eve = await callerFor(runtime, { user: "eve", groups: ["system:authenticated"] });
    const on = await eve.pods.onNetwork(target);
    expect(on).toMatchObject({ podsReadable: false, eventsReadable: false, stuck: [] });
    expect(on.pods).toEqual([
      {
        namespace: "team-a",
        name: `web-1-${run}`,
        uid: expect.any(String),
        node: "node-1",
        interfaces: [{ name: "eth1", address: "10.150.0.5/24", endpoint: `ep-${run}` }],
      },
    ]);
  });
});
