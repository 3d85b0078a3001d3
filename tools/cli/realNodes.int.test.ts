// Real Pods on the local default: a cluster of its own with two real nodes (kubelet + containerd in
// network namespaces, danm as their CNI), used as a tenant would with kubectl. Needs root,
// containerd, runc and busybox-static (`.ci/run` installs them); elsewhere it skips and says why.
import { execFile, spawn } from "node:child_process";
import fs from "node:fs";
import { promisify } from "node:util";
import YAML from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Bitmap } from "../../server/domain/bitmap";
import { danmAddError } from "../../server/domain/podAttachments";
import { makeTestHome } from "../testing/testHome";
import { clusterDown, clusterUp, type LocalCluster } from "./localCluster";
import { freePort, waitFor } from "./processes";
import { realNodePid, realNodesUnavailable, startRealNodes } from "./realNodes";
import { ensureControlPlaneBinary } from "./controlplaneBinary";

const unavailable = realNodesUnavailable();
if (unavailable) console.log(`skipping the real-Pod tests: ${unavailable}`);

const run = promisify(execFile);
let cluster: LocalCluster;
let home: string;

async function kubectl(user: string, args: string[], input?: string): Promise<string> {
  const child = run("kubectl", ["--kubeconfig", cluster.kubeconfig(user), ...args], { timeout: 60_000, maxBuffer: 16 << 20 });
  if (input !== undefined) {
    child.child.stdin!.end(input);
  }
  return (await child).stdout;
}
const json = async <T>(user: string, args: string[]): Promise<T> => JSON.parse(await kubectl(user, [...args, "-o", "json"])) as T;

interface Pod {
  metadata: { name: string; uid: string; deletionTimestamp?: string };
  spec: { nodeName?: string };
  status: { phase: string; podIP?: string; conditions?: { type: string; status: string }[] };
}
interface DanmEp {
  metadata: { name: string };
  spec: { Pod: string; PodUID: string; NetworkName: string; apiType: string; Host: string; Interface: { Name: string; Address: string } };
}
interface KubeEvent {
  involvedObject: { name: string };
  reason: string;
  message: string;
}

const pods = async (selector: string) => (await json<{ items: Pod[] }>("alice", ["-n", "team-a", "get", "pods", "-l", selector])).items;
const danmEps = async () => (await json<{ items: DanmEp[] }>("alice", ["-n", "team-a", "get", "danmeps"])).items;
const running = (p: Pod) =>
  p.status.phase === "Running" && !p.metadata.deletionTimestamp && p.status.conditions?.some((c) => c.type === "Ready" && c.status === "True");
const bare = (cidr: string) => cidr.split("/")[0];

/** Addresses the network's bitmap holds. */
async function allocated(kind: "tn" | "cn", name: string): Promise<number> {
  const net = await json<{ spec: { Options: { alloc?: string } } }>(
    "netadmin",
    kind === "tn" ? ["-n", "team-a", "get", "tenantnetwork", name] : ["get", "clusternetwork", name],
  );
  return Bitmap.decode(net.spec.Options.alloc ?? "").countSet();
}

/** A Deployment of the locally built toolbox image whose Pods ask for `interfaces`, optionally spread over the nodes. */
function toolboxDeployment(name: string, replicas: number, interfaces: object[], options: { spread?: boolean } = {}) {
  const app = { app: name };
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace: "team-a" },
    spec: {
      replicas,
      selector: { matchLabels: app },
      template: {
        metadata: { labels: app, annotations: { "danm.k8s.io/interfaces": JSON.stringify(interfaces) } },
        spec: {
          ...(options.spread
            ? {
                topologySpreadConstraints: [
                  { maxSkew: 1, topologyKey: "kubernetes.io/hostname", whenUnsatisfiable: "DoNotSchedule", labelSelector: { matchLabels: app } },
                ],
              }
            : {}),
          terminationGracePeriodSeconds: 1,
          containers: [{ name: "toolbox", image: "tenet.local/toolbox:1", command: ["sleep", "2147483647"] }],
        },
      },
    },
  };
}

async function waitForPods(selector: string, count: number, timeoutMs = 180_000): Promise<Pod[]> {
  return waitFor(
    `${count} Running Pods ${selector}`,
    async () => {
      const list = await pods(selector);
      return list.length === count && list.every(running) ? list : undefined;
    },
    { timeoutMs, intervalMs: 1000 },
  );
}

describe.skipIf(unavailable)("real Pods on the local default", () => {
  let baseline = 0;
  let burstBaseline = 0;

  beforeAll(async () => {
    home = makeTestHome("tenet-pods-");
    cluster = await clusterUp({
      home,
      ephemeral: true,
      nodes: "real",
      nodeCount: 2,
      // the reconcilers act within seconds here (default: every 30 s, after 120 s)
      controllerFlags: ["--interval-seconds", "2", "--grace-seconds", "5"],
      say: (l) => process.stderr.write(`[pods] ${l}\n`),
    });
    expect(cluster.realNodes).toBe(true);
  }, 300_000);

  afterAll(async () => {
    if (!home) return;
    await clusterDown(home);
    fs.rmSync(home, { recursive: true, force: true });
  }, 120_000);

  it("alice's demo workload: two Pods on two nodes, eth0 on the default network, demo1 on her VxLAN network, reachable across nodes, published by the Service", async () => {
    // the network first, to know what its bitmap holds before any Pod
    const network = YAML.parseAllDocuments(fs.readFileSync("examples/workload.yaml", "utf8"))
      .map((d) => d.toJS())
      .find((o) => o.kind === "TenantNetwork");
    await kubectl("alice", ["apply", "-f", "-"], JSON.stringify(network));
    baseline = await allocated("tn", "demo");
    await kubectl("alice", ["apply", "-f", "examples/workload.yaml"]);
    const list = await waitForPods("app=demo", 2);
    expect(new Set(list.map((p) => p.spec.nodeName))).toEqual(new Set(["node-1", "node-2"]));

    const eps = await danmEps();
    const addresses: string[] = [];
    for (const pod of list) {
      const mine = eps.filter((e) => e.spec.PodUID === pod.metadata.uid);
      const eth0 = mine.find((e) => e.spec.Interface.Name === "eth0")!;
      const demo1 = mine.find((e) => e.spec.Interface.Name === "demo1")!;
      expect(eth0.spec).toMatchObject({ NetworkName: "default", apiType: "ClusterNetwork", Host: pod.spec.nodeName });
      expect(bare(eth0.spec.Interface.Address)).toBe(pod.status.podIP);
      expect(demo1.spec).toMatchObject({ NetworkName: "demo", apiType: "TenantNetwork", Host: pod.spec.nodeName });
      expect(demo1.spec.Interface.Address).toMatch(/^10\.66\.0\.\d+\/24$/);
      // the interface inside the Pod carries the DanmEp's address
      expect(await kubectl("alice", ["-n", "team-a", "exec", pod.metadata.name, "--", "ip", "-o", "-4", "addr", "show", "dev", "demo1"])).toContain(
        `inet ${demo1.spec.Interface.Address}`,
      );
      expect(await kubectl("alice", ["-n", "team-a", "exec", pod.metadata.name, "--", "ip", "-o", "-4", "addr", "show", "dev", "eth0"])).toContain(
        `inet ${eth0.spec.Interface.Address}`,
      );
      addresses.push(bare(demo1.spec.Interface.Address));
    }
    expect(await allocated("tn", "demo")).toBe(baseline + 2);

    // node-1's Pod pings node-2's over the TenantNetwork (VxLAN between the node namespaces)
    expect(await kubectl("alice", ["-n", "team-a", "exec", list[0].metadata.name, "--", "ping", "-c", "2", "-W", "3", addresses[1]])).toMatch(
      /2 packets received/,
    );

    // svcwatcher: the Service's EndpointSlice lists both secondary addresses
    const slice = await waitFor(
      "EndpointSlice of Service demo",
      async () => {
        const slices = await json<{ items: { endpoints?: { addresses: string[] }[] }[] }>("alice", [
          "-n",
          "team-a",
          "get",
          "endpointslices",
          "-l",
          "kubernetes.io/service-name=demo",
        ]);
        const listed = slices.items
          .flatMap((s) => s.endpoints ?? [])
          .flatMap((e) => e.addresses)
          .sort();
        return listed.length === 2 ? listed : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 1000 },
    );
    expect(slice).toEqual([...addresses].sort());

    // scale to 0: the DanmEps go and the addresses come back; scale up again
    await kubectl("alice", ["-n", "team-a", "scale", "deployment/demo", "--replicas=0"]);
    await waitFor("demo Pods gone", async () => ((await pods("app=demo")).length === 0 ? true : undefined), { timeoutMs: 120_000, intervalMs: 1000 });
    await waitFor("DanmEps of demo gone", async () => ((await danmEps()).filter((e) => e.spec.Pod.startsWith("demo-")).length === 0 ? true : undefined), {
      timeoutMs: 60_000,
      intervalMs: 500,
    });
    expect(await allocated("tn", "demo")).toBe(baseline);
    await kubectl("alice", ["-n", "team-a", "scale", "deployment/demo", "--replicas=2"]);
    await waitForPods("app=demo", 2);
    expect(await allocated("tn", "demo")).toBe(baseline + 2);
  }, 420_000);

  it("a dual-stack TenantNetwork: each Pod's interface carries an IPv6 address from net6's first /112, reachable across nodes", async () => {
    const network = {
      apiVersion: "danm.k8s.io/v1",
      kind: "TenantNetwork",
      metadata: { name: "dual", namespace: "team-a" },
      spec: { NetworkType: "macvlan", Options: { host_device: "ens5", cidr: "10.67.0.0/24", net6: "fd00:67::/64", container_prefix: "dual" } },
    };
    const deployment = toolboxDeployment(
      "dual",
      2,
      [
        { clusterNetwork: "default", ip: "dynamic" },
        { tenantNetwork: "dual", ip: "dynamic", ip6: "dynamic" },
      ],
      {
        spread: true,
      },
    );
    await kubectl("alice", ["apply", "-f", "-"], JSON.stringify(network));
    type Options = { allocation_pool_v6?: Record<string, string>; alloc6?: string };
    const stored = await json<{ spec: { Options: Options } }>("alice", ["-n", "team-a", "get", "tenantnetwork", "dual"]);
    // the default IPv6 pool: net6's first /112, and no bitmap until the first IPv6 allocation
    expect(stored.spec.Options.allocation_pool_v6).toEqual({ cidr: "fd00:67::/112", start: "fd00:67::1", end: "fd00:67::fffe", lastIp: "" });
    expect(stored.spec.Options.alloc6).toBeUndefined();

    await kubectl("alice", ["apply", "-f", "-"], JSON.stringify(deployment));
    const list = await waitForPods("app=dual", 2);
    expect(new Set(list.map((p) => p.spec.nodeName))).toEqual(new Set(["node-1", "node-2"]));
    const eps = await danmEps();
    const v6: string[] = [];
    for (const pod of list) {
      const ep = eps.find((e) => e.spec.PodUID === pod.metadata.uid && e.spec.NetworkName === "dual")!;
      const iface = ep.spec.Interface as DanmEp["spec"]["Interface"] & { AddressIPv6?: string };
      expect(iface.Name).toBe("dual1");
      expect(iface.Address).toMatch(/^10\.67\.0\.\d+\/24$/);
      // inside the pool, with net6's prefix
      expect(iface.AddressIPv6).toMatch(/^fd00:67::[0-9a-f]{1,4}\/64$/);
      const shown = await kubectl("alice", ["-n", "team-a", "exec", pod.metadata.name, "--", "ip", "-o", "-6", "addr", "show", "dev", "dual1"]);
      expect(shown).toContain(`inet6 ${iface.AddressIPv6}`);
      v6.push(bare(iface.AddressIPv6!));
    }
    expect(new Set(v6).size).toBe(2);
    // IPAM created alloc6 over the /112 at the first IPv6 allocation: first and last address, and the two Pods
    const after = await json<{ spec: { Options: Options } }>("netadmin", ["-n", "team-a", "get", "tenantnetwork", "dual"]);
    const alloc6 = Bitmap.decode(after.spec.Options.alloc6!);
    expect(alloc6.length).toBe(2 ** 16);
    expect(alloc6.countSet()).toBe(4);
    expect(after.spec.Options.alloc6!.length, "an 11 kB bitmap, not the 700 kB of a /106").toBe(10924);

    // node-1's Pod reaches node-2's over IPv6 on the TenantNetwork
    expect(await kubectl("alice", ["-n", "team-a", "exec", list[0].metadata.name, "--", "ping", "-6", "-c", "2", "-W", "3", v6[1]])).toMatch(
      /2 packets received/,
    );

    // gone again: the Pods' IPv6 addresses are freed with them
    await kubectl("alice", ["-n", "team-a", "delete", "deployment", "dual", "--wait=false"]);
    await waitFor("dual Pods gone", async () => ((await pods("app=dual")).length === 0 ? true : undefined), { timeoutMs: 120_000, intervalMs: 1000 });
    const freed = await waitFor(
      "IPv6 addresses of the dual Pods freed",
      async () => {
        const net = await json<{ spec: { Options: Options } }>("netadmin", ["-n", "team-a", "get", "tenantnetwork", "dual"]);
        const bits = Bitmap.decode(net.spec.Options.alloc6!).countSet();
        return bits === 2 ? bits : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    expect(freed).toBe(2);
    await kubectl("alice", ["-n", "team-a", "delete", "tenantnetwork", "dual"]);
  }, 420_000);

  it("kubectl logs and port-forward reach a Pod through its kubelet", async () => {
    const [pod] = await waitForPods("app=demo", 2);
    // a line on the container's stdout (PID 1's), and busybox httpd serving /etc (hostname = Pod name)
    await kubectl("alice", ["-n", "team-a", "exec", pod.metadata.name, "--", "sh", "-c", "echo hello from $(hostname) > /proc/1/fd/1; httpd -p 8080 -h /etc"]);
    expect(await kubectl("alice", ["-n", "team-a", "logs", pod.metadata.name])).toContain(`hello from ${pod.metadata.name}`);
    const port = await freePort();
    const forward = spawn(
      "kubectl",
      ["--kubeconfig", cluster.kubeconfig("alice"), "-n", "team-a", "port-forward", `pod/${pod.metadata.name}`, `${port}:8080`],
      { stdio: "ignore" },
    );
    try {
      const body = await waitFor(
        "a page through kubectl port-forward",
        async () => {
          const answer = await fetch(`http://127.0.0.1:${port}/hostname`);
          return answer.ok ? answer.text() : undefined;
        },
        { timeoutMs: 30_000, intervalMs: 500 },
      );
      expect(body.trim()).toBe(pod.metadata.name);
    } finally {
      forward.kill();
    }
  }, 120_000);

  it("a Pod naming a network it may not use never starts: its Events carry danm's reason, nothing is allocated", async () => {
    await kubectl(
      "netadmin",
      ["apply", "-f", "-"],
      JSON.stringify({
        apiVersion: "danm.k8s.io/v1",
        kind: "ClusterNetwork",
        metadata: { name: "only-b" },
        spec: { NetworkID: "only-b", NetworkType: "macvlan", AllowedTenants: ["team-b"], Options: { host_device: "ens6", cidr: "10.67.0.0/24" } },
      }),
    );
    await kubectl(
      "bob",
      ["-n", "team-b", "apply", "-f", "-"],
      JSON.stringify({
        apiVersion: "danm.k8s.io/v1",
        kind: "TenantNetwork",
        metadata: { name: "bobs", namespace: "team-b" },
        spec: { NetworkType: "macvlan", Options: { host_device: "ens4", cidr: "10.68.0.0/24" } },
      }),
    );
    const before = { onlyB: await allocated("cn", "only-b"), eps: (await danmEps()).length };
    const pod = (name: string, iface: object) => ({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name, namespace: "team-a", labels: { app: "intruder" }, annotations: { "danm.k8s.io/interfaces": JSON.stringify([iface]) } },
      spec: { terminationGracePeriodSeconds: 0, containers: [{ name: "c", image: "tenet.local/toolbox:1", command: ["sleep", "3600"] }] },
    });
    await kubectl(
      "alice",
      ["apply", "-f", "-"],
      JSON.stringify({
        apiVersion: "v1",
        kind: "List",
        items: [pod("intruder", { clusterNetwork: "only-b", ip: "dynamic" }), pod("stranger", { tenantNetwork: "bobs", ip: "dynamic" })],
      }),
    );

    const events = await waitFor(
      "danm's refusals in the Pods' Events",
      async () => {
        const all = (await json<{ items: KubeEvent[] }>("alice", ["-n", "team-a", "get", "events", "--field-selector", "reason=FailedCreatePodSandBox"])).items;
        const of = (name: string) => all.find((e) => e.involvedObject.name === name)?.message;
        return of("intruder") && of("stranger") ? { intruder: of("intruder")!, stranger: of("stranger")! } : undefined;
      },
      { timeoutMs: 90_000, intervalMs: 1000 },
    );
    expect(events.intruder).toContain("ClusterNetwork only-b does not allow namespace team-a (AllowedTenants: team-b; C-2)");
    expect(events.stranger).toContain("requested network bobs of type TenantNetwork in namespace team-a does not exist (C-1)");
    // what the console shows the tenant is danm's own words out of the kubelet's real message (POD-3)
    expect(danmAddError(events.intruder, { namespace: "team-a", name: "intruder" })).toBe(
      "ClusterNetwork only-b does not allow namespace team-a (AllowedTenants: team-b; C-2)",
    );
    for (const p of await pods("app=intruder")) expect(p.status.phase).toBe("Pending");
    expect(await allocated("cn", "only-b")).toBe(before.onlyB);
    expect((await danmEps()).length).toBe(before.eps);
    await kubectl("alice", ["-n", "team-a", "delete", "pod", "-l", "app=intruder", "--wait=false"]);
  }, 180_000);

  it("containerd killed while 20 Pods are created: after its restart every Pod runs, no address is held twice or leaked", async () => {
    await kubectl(
      "alice",
      ["apply", "-f", "-"],
      JSON.stringify({
        apiVersion: "danm.k8s.io/v1",
        kind: "TenantNetwork",
        metadata: { name: "burst", namespace: "team-a" },
        spec: { NetworkType: "macvlan", Options: { host_device: "ens5", cidr: "10.69.0.0/24" } },
      }),
    );
    burstBaseline = await allocated("tn", "burst");
    const burst = toolboxDeployment("burst", 20, [
      { clusterNetwork: "default", ip: "dynamic" },
      { tenantNetwork: "burst", ip: "dynamic" },
    ]);
    await kubectl("alice", ["apply", "-f", "-"], JSON.stringify(burst));
    // wait until the CNI is at work on node-1, then kill its containerd
    await waitFor(
      "first DanmEps of burst",
      async () => ((await danmEps()).some((e) => e.spec.Pod.startsWith("burst-") && e.spec.Host === "node-1") ? true : undefined),
      { timeoutMs: 90_000, intervalMs: 200 },
    );
    process.kill(realNodePid(home, "node-1", "containerd")!, "SIGKILL");
    await new Promise((r) => setTimeout(r, 3000));
    await startRealNodes(home, cluster.controlPlane, { binary: await ensureControlPlaneBinary(`${home}/bin`) });

    const list = await waitForPods("app=burst", 20, 300_000);
    // each Pod holds one address of demo, no address twice, and the bitmap holds exactly those (leaks reclaimed)
    await waitFor(
      "the burst network's bitmap to match its DanmEps",
      async () => {
        const eps = (await danmEps()).filter((e) => e.spec.NetworkName === "burst");
        const live = new Set(list.map((p) => p.metadata.uid));
        const ofBurst = eps.filter((e) => e.spec.Pod.startsWith("burst-"));
        const uniqueAddresses = new Set(eps.map((e) => e.spec.Interface.Address));
        if (ofBurst.length !== 20 || !ofBurst.every((e) => live.has(e.spec.PodUID))) return undefined;
        expect(uniqueAddresses.size).toBe(eps.length);
        return (await allocated("tn", "burst")) === burstBaseline + eps.length ? true : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 1000 },
    );
  }, 600_000);

  it("a node's kubelet stopped for good: its Pods' addresses come back once the Pods are deleted", async () => {
    process.kill(realNodePid(home, "node-2", "kubelet")!, "SIGKILL");
    const onNode2 = (await pods("app=burst")).filter((p) => p.spec.nodeName === "node-2");
    expect(onNode2.length).toBeGreaterThan(0);
    await kubectl("alice", ["-n", "team-a", "scale", "deployment/burst", "--replicas=0"]);
    // node-1's Pods go through the CNI's DEL; node-2's stay Terminating until deleted by force
    await kubectl("alice", ["-n", "team-a", "delete", "pod", "--force", "--grace-period=0", ...onNode2.map((p) => p.metadata.name)]);
    await waitFor(
      "burst Pods and their DanmEps gone, addresses free",
      async () => {
        if ((await pods("app=burst")).length) return undefined;
        const eps = (await danmEps()).filter((e) => e.spec.NetworkName === "burst");
        if (eps.length) return undefined;
        return (await allocated("tn", "burst")) === burstBaseline ? true : undefined;
      },
      { timeoutMs: 180_000, intervalMs: 1000 },
    );
  }, 300_000);
});
