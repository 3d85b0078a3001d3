// docs/install.md followed on a local control plane, as a new user would, as far as a machine
// without a container runtime allows: `helm install` for real (not a dry run) into a fresh cluster,
// then every component run from this repository with the arguments of the chart's own Deployment or
// DaemonSet and a token of the ServiceAccount the chart made for it (so its RBAC is what is tested),
// then step 4 of the guide: people bound to the chart's roles create a TenantConfig and a
// TenantNetwork with kubectl, and the API server calls the webhook through the chart's Service and
// webhook configurations, trusting the certificate the controllers issued. A `helm upgrade` keeps
// all of it working. What stands in for the kubelet: this test writes the certificate Secret to a
// directory (the Pod's volume) and the webhook's Endpoints (a Pod's address).
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import https from "node:https";
import os from "node:os";
import path from "node:path";
import YAML from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { helm } from "../../tools/cli/helm";
import { clusterDown, startControlPlane, type ControlPlaneState } from "../../tools/cli/localCluster";
import { freePort, stopProcess, tail, waitFor } from "../../tools/cli/processes";
import { makeTestHome } from "../../tools/testing/testHome";
import { CHART_DIR, type K8sObject } from "./render";

const REPO = path.resolve(CHART_DIR, "..", "..");
const NS = "tenet-system";
let home: string;
let cp: ControlPlaneState;
const processes: { name: string; child: ChildProcess; log: string }[] = [];

const kubectl = (user: string, args: string[], input?: string) =>
  execFileSync("kubectl", ["--kubeconfig", cp.kubeconfigs[user]!, ...args], { encoding: "utf8", input, stdio: ["pipe", "pipe", "pipe"] });
/** kubectl's outcome as text: its output, or "error: <stderr>" when it failed. */
function kubectlResult(user: string, args: string[], input?: string): string {
  try {
    return kubectl(user, args, input);
  } catch (e) {
    return `error: ${(e as { stderr?: string }).stderr ?? (e as Error).message}`;
  }
}
const getJson = (args: string[]) => JSON.parse(kubectl("admin", [...args, "-o", "json"]));

/** A kubeconfig for a ServiceAccount of the chart, with a token from the TokenRequest API (`kubectl create token`). */
function serviceAccountKubeconfig(sa: string): string {
  const token = kubectl("admin", ["-n", NS, "create", "token", sa, "--duration=1h"]).trim();
  const file = path.join(home, `${sa}.kubeconfig`);
  fs.writeFileSync(
    file,
    YAML.stringify({
      apiVersion: "v1",
      kind: "Config",
      clusters: [{ name: "local", cluster: { server: cp.server, "certificate-authority": cp.caFile } }],
      users: [{ name: sa, user: { token } }],
      contexts: [{ name: sa, context: { cluster: "local", user: sa } }],
      "current-context": sa,
    }),
  );
  return file;
}

/** The first container of a workload of the installed release, as Helm applied it. */
function installedContainer(kind: string, name: string): { args: string[] } {
  const manifest = YAML.parseAllDocuments(helm(["get", "manifest", "tenet", "-n", NS, "--kubeconfig", cp.kubeconfigs.admin!])).map(
    (d) => d.toJS() as K8sObject | null,
  );
  const workload = manifest.find((o) => o?.kind === kind && o.metadata.name === name) as
    { spec: { template: { spec: { containers: { args: string[] }[] } } } } | undefined;
  if (!workload) throw new Error(`${kind} ${name} is not in the release`);
  return workload.spec.template.spec.containers[0]!;
}

/** Runs `tenet <args>` from this repository (the image's entry point), logging to the test home. */
function run(name: string, args: string[], env: Record<string, string> = {}): ChildProcess {
  const log = path.join(home, "logs", `${name}.log`);
  const out = fs.openSync(log, "a");
  const child = spawn(process.execPath, [path.join(REPO, "tools/cli/tenet.mjs"), ...args], {
    cwd: REPO,
    env: { ...process.env, ...env },
    stdio: ["ignore", out, out],
  });
  fs.closeSync(out);
  processes.push({ name, child, log });
  return child;
}

/** waitFor, and when `component` was started: stop as soon as it exits, and show the end of its log. */
async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 30_000, component?: string): Promise<T> {
  const p = processes.find((x) => x.name === component);
  try {
    return await waitFor(what, probe, {
      timeoutMs,
      intervalMs: 250,
      abort: () => (p && p.child.exitCode !== null ? `${component} exited with ${p.child.exitCode}` : undefined),
    });
  } catch (e) {
    throw new Error(`${(e as Error).message}${p ? `\n${component}'s log:\n${tail(p.log, 30)}` : ""}`);
  }
}

/** An address of this machine the API server accepts in Endpoints (not loopback or link-local). */
function hostAddress(): string | undefined {
  return Object.values(os.networkInterfaces())
    .flat()
    .find((a) => a && a.family === "IPv4" && !a.internal && !a.address.startsWith("169.254."))?.address;
}

const caBundleOf = (kind: string) =>
  getJson(["get", kind, "tenet"]).webhooks.map((w: { clientConfig: { caBundle?: string } }) => w.clientConfig.caBundle ?? "");

beforeAll(async () => {
  home = makeTestHome("tenet-install-");
  ({ state: cp } = await startControlPlane(home, { ephemeral: true, say: (l) => process.stderr.write(`[install] ${l}\n`) }));
}, 240_000);

afterAll(async () => {
  for (const p of processes) await stopProcess(p.child.pid, 5_000);
  if (home) {
    await clusterDown(home);
    fs.rmSync(home, { recursive: true, force: true });
  }
}, 60_000);

describe("docs/install.md on a fresh control plane", () => {
  it("3. `helm install` creates the CRDs, RBAC, webhook configurations and every workload", { timeout: 120_000 }, () => {
    const out = helm(["install", "tenet", CHART_DIR, "-n", NS, "--create-namespace", "--kubeconfig", cp.kubeconfigs.admin!]);
    expect(out).toMatch(/STATUS: deployed/);
    // Helm's NOTES: what to check and do next
    expect(out).toMatch(
      /NOTES:\ntenet 0\.1\.0 is installed in namespace tenet-system\.[\s\S]*kubectl -n tenet-system get pods[\s\S]*until the controllers have issued the webhook's\s+certificate[\s\S]*--clusterrole=tenet:tenant[\s\S]*port-forward svc\/tenet-console 8080:80/,
    );
    const crds = kubectl("admin", [
      "get",
      "crd",
      "-o",
      'jsonpath={range .items[*]}{.metadata.name}={.status.conditions[?(@.type=="Established")].status} {end}',
    ])
      .trim()
      .split(" ")
      .sort();
    expect(crds).toEqual([
      "clusternetworks.danm.k8s.io=True",
      "danmeps.danm.k8s.io=True",
      "danmnets.danm.k8s.io=True",
      "nodenetworkstatuses.danm.k8s.io=True",
      "tenantconfigs.danm.k8s.io=True",
      "tenantnetworks.danm.k8s.io=True",
    ]);
    expect(kubectl("admin", ["-n", NS, "get", "deploy,ds", "-o", "name"]).trim().split("\n").sort()).toEqual([
      "daemonset.apps/tenet-agent",
      "daemonset.apps/tenet-cni",
      "deployment.apps/tenet-console",
      "deployment.apps/tenet-controllers",
      "deployment.apps/tenet-webhook",
    ]);
    // webhook.tls.source=tenet (the default): no caBundle yet, no Secret yet, both come from the controllers
    expect(caBundleOf("validatingwebhookconfiguration")).toEqual([""]);
    expect(kubectlResult("admin", ["-n", NS, "get", "secret", "tenet-webhook-tls"])).toMatch(/NotFound/);
  });

  it("the controllers, as their ServiceAccount with the chart's arguments, lead and issue the webhook's certificate", { timeout: 90_000 }, async () => {
    const { args } = installedContainer("Deployment", "tenet-controllers");
    expect(args).toContain("--webhook-certificates");
    const port = await freePort();
    run(
      "controllers",
      [
        ...args.map((a) => (a.startsWith("--metrics-port=") ? `--metrics-port=${port}` : a)),
        "--metrics-host=127.0.0.1",
        `--kubeconfig=${serviceAccountKubeconfig("tenet-controllers")}`,
      ],
      { POD_NAMESPACE: NS },
    );
    const holder = await until(
      "the controllers' Lease",
      () => kubectl("admin", ["-n", NS, "get", "lease", "tenet-controllers", "-o", "jsonpath={.spec.holderIdentity}"]).trim() || undefined,
      30_000,
      "controllers",
    );
    expect(holder).toMatch(/-\d+$/);
    await until(
      "the caBundle of both webhook configurations",
      () => [...caBundleOf("validatingwebhookconfiguration"), ...caBundleOf("mutatingwebhookconfiguration")].every((b) => b) || undefined,
      30_000,
      "controllers",
    );
    const secret = getJson(["-n", NS, "get", "secret", "tenet-webhook-tls"]);
    expect(secret.type).toBe("kubernetes.io/tls");
    expect(caBundleOf("mutatingwebhookconfiguration")).toEqual([secret.data["ca.crt"]]);
    const events = kubectl("admin", ["-n", NS, "get", "events", "--field-selector", "reason=WebhookCertificateIssued", "-o", "jsonpath={.items[*].message}"]);
    expect(events).toContain(`issued the webhook's serving certificate for tenet-webhook.${NS}.svc`);
    // the CA's key stays with the controllers: the webhook's ServiceAccount cannot read it
    expect(
      kubectlResult("admin", ["auth", "can-i", "get", "secret/tenet-webhook-ca", "-n", NS, `--as=system:serviceaccount:${NS}:tenet-webhook`]).trim(),
    ).toMatch(/^(no|error)/);
  });

  const address = hostAddress();
  if (!address)
    process.stderr.write(
      "[install] skipping the webhook-through-Service steps: this machine has no non-loopback IPv4 address to put in the Service's Endpoints\n",
    );

  it.skipIf(!address)("the webhook, as its ServiceAccount, serves the issued certificate behind the chart's Service", { timeout: 90_000 }, async () => {
    const { args } = installedContainer("Deployment", "tenet-webhook");
    // the kubelet's part: the Secret as files in the Pod's volume
    const volume = path.join(home, "webhook-tls");
    fs.mkdirSync(volume, { recursive: true });
    const secret = getJson(["-n", NS, "get", "secret", "tenet-webhook-tls"]);
    for (const key of ["tls.crt", "tls.key"]) fs.writeFileSync(path.join(volume, key), Buffer.from(secret.data[key], "base64"));
    const port = await freePort();
    run("webhook", [
      ...args.map((a) => a.replace("/etc/tenet/tls", volume).replace(/^--port=\d+$/, `--port=${port}`)),
      `--kubeconfig=${serviceAccountKubeconfig("tenet-webhook")}`,
    ]);
    // the endpoint controller's part: the Pod's address behind the Service
    kubectl(
      "admin",
      ["apply", "-f", "-"],
      YAML.stringify({
        apiVersion: "v1",
        kind: "Endpoints",
        metadata: { name: "tenet-webhook", namespace: NS },
        subsets: [{ addresses: [{ ip: address }], ports: [{ name: "https", port }] }],
      }),
    );
    kubectl(
      "admin",
      ["apply", "-f", "-"],
      YAML.stringify({
        apiVersion: "discovery.k8s.io/v1",
        kind: "EndpointSlice",
        metadata: { name: "tenet-webhook-local", namespace: NS, labels: { "kubernetes.io/service-name": "tenet-webhook" } },
        addressType: "IPv4",
        endpoints: [{ addresses: [address], conditions: { ready: true } }],
        ports: [{ name: "https", port, protocol: "TCP" }],
      }),
    );
    await until(
      "the webhook's /readyz (its caches synced as its ServiceAccount)",
      async () => {
        const status = await new Promise<number>((resolve, reject) =>
          https.get(`https://127.0.0.1:${port}/readyz`, { rejectUnauthorized: false }, (r) => resolve(r.resume().statusCode ?? 0)).on("error", reject),
        );
        return status === 200 || undefined;
      },
      30_000,
      "webhook",
    );
  });

  it.skipIf(!address)(
    "4. people bound to the chart's roles create a TenantConfig and a TenantNetwork; the webhook fills in the physical details",
    { timeout: 90_000 },
    async () => {
      kubectl("admin", ["create", "clusterrolebinding", "netadmins", "--clusterrole=tenet:netadmin", "--user=netadmin"]);
      kubectl("admin", ["create", "namespace", "team-a"]);
      kubectl("admin", ["-n", "team-a", "create", "rolebinding", "tenants", "--clusterrole=tenet:tenant", "--user=alice"]);
      kubectl("admin", [
        "create",
        "clusterrolebinding",
        "tenants-see-clusternetworks",
        "--clusterrole=tenet:clusternetwork-reader",
        "--group=system:authenticated",
      ]);
      // the webhook configuration may take a moment to reach the API server's cache: retry the first write
      const applied = await until(
        "the netadmin's TenantConfig through the webhook",
        () => {
          const r = kubectlResult("netadmin", ["apply", "-f", path.join(REPO, "examples/tenantconfig.yaml")]);
          return r.startsWith("error:") ? undefined : r;
        },
        30_000,
        "webhook",
      );
      expect(applied).toMatch(/tenantconfig.danm.k8s.io\/tenet created/);
      const signalling = YAML.parseAllDocuments(fs.readFileSync(path.join(REPO, "examples/tenantnetworks.yaml"), "utf8"))
        .map((d) => d.toJS())
        .find((o) => o?.metadata?.name === "signalling");
      expect(kubectl("alice", ["apply", "-f", "-"], YAML.stringify(signalling))).toMatch(/tenantnetwork.danm.k8s.io\/signalling created/);
      const network = JSON.parse(kubectl("alice", ["-n", "team-a", "get", "tenantnetwork", "signalling", "-o", "json"]));
      // the physical details come from the TenantConfig, never from the tenant
      expect(network.spec.NetworkID).toBe("tn-macvl");
      expect(network.spec.Options.vlan).toBeGreaterThanOrEqual(1000);
      expect(network.spec.Options.vlan).toBeLessThanOrEqual(1999);
      // a rule the webhook enforces, refused with the field and the reason
      const refused = kubectlResult(
        "alice",
        ["apply", "-f", "-"],
        YAML.stringify({
          ...signalling,
          metadata: { name: "sneaky", namespace: "team-a" },
          spec: { ...signalling.spec, Options: { ...signalling.spec.Options, vlan: 1500 } },
        }),
      );
      expect(refused).toBe(
        'error: The tenantnetworks "sneaky" is invalid: spec.Options.vlan: Forbidden: vlan is assigned by the cluster; remove it from TenantNetwork sneaky (N-23)\n',
      );
      // a tenant may not touch the TenantConfig
      expect(kubectlResult("alice", ["get", "tenantconfig", "tenet"])).toMatch(/forbidden/);
    },
  );

  it("the node agent, as its ServiceAccount with the chart's arguments, publishes its node's NodeNetworkStatus", { timeout: 60_000 }, async () => {
    const { args } = installedContainer("DaemonSet", "tenet-agent");
    const port = await freePort();
    const hostDir = (p: string) => {
      const dir = path.join(home, "node", p);
      fs.mkdirSync(dir, { recursive: true });
      return dir;
    };
    // host paths of the DaemonSet's volumes become directories of the test home; links are left alone (--not-applied)
    const local = args.map((a) => {
      if (a === "--node=$(NODE_NAME)") return "--node=install-node-1";
      if (a.startsWith("--metrics-port=")) return `--metrics-port=${port}`;
      const [flag, value] = a.split(/=(.*)/s);
      return value?.startsWith("/") ? `${flag}=${hostDir(value)}` : a;
    });
    run("agent", [
      ...local.filter((a) => !a.startsWith("--sriov-config=")),
      "--metrics-host=127.0.0.1",
      "--not-applied=install test: no host links",
      `--kubeconfig=${serviceAccountKubeconfig("tenet-agent")}`,
    ]);
    const status = await until(
      "NodeNetworkStatus install-node-1",
      () => {
        const r = kubectlResult("admin", ["get", "nns", "install-node-1", "-o", "json"]);
        return r.startsWith("error:") ? undefined : JSON.parse(r);
      },
      30_000,
      "agent",
    );
    const body = status.status ?? status;
    expect(body.conditions.map((c: { type: string }) => c.type).sort()).toEqual(["Degraded", "Ready"]);
    expect(body.notAppliedReason).toBe("install test: no host links");
    // the VLAN interface of the tenant's network, which the agent saw through its ServiceAccount
    if (address) expect(body.hostInterfaces.map((i: { state: string }) => i.state)).toContain("NotApplied");
  });

  it("`helm upgrade` keeps the caBundle the controllers set, and the webhook keeps answering", { timeout: 120_000 }, async () => {
    const before = caBundleOf("validatingwebhookconfiguration");
    expect(helm(["upgrade", "tenet", CHART_DIR, "-n", NS, "--kubeconfig", cp.kubeconfigs.admin!, "--set", "webhook.replicas=3"])).toMatch(/STATUS: deployed/);
    expect(getJson(["-n", NS, "get", "deploy", "tenet-webhook"]).spec.replicas).toBe(3);
    expect(caBundleOf("validatingwebhookconfiguration")).toEqual(before);
    expect(caBundleOf("mutatingwebhookconfiguration")).toEqual(before);
    if (!address) return;
    const network = {
      apiVersion: "danm.k8s.io/v1",
      kind: "TenantNetwork",
      metadata: { name: "after-upgrade", namespace: "team-a" },
      spec: { NetworkType: "ipvlan", Options: { host_device: "ens5", cidr: "10.62.0.0/24" } },
    };
    expect(kubectl("alice", ["apply", "-f", "-"], YAML.stringify(network))).toMatch(/created/);
    const vxlan = JSON.parse(kubectl("alice", ["-n", "team-a", "get", "tenantnetwork", "after-upgrade", "-o", "json"])).spec.Options.vxlan;
    expect(vxlan).toBeGreaterThanOrEqual(300);
  });
});
