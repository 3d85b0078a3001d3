// The Helm chart, rendered with `helm template`: least privilege, pod security, the SQLite/replicas
// rule, certificates, and that it stays in step with deploy/ (CRDs, RBAC, webhook rules) and with the
// metric names the code registers.
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { readManifestFile } from "../../server/kube/apply";
import { ipamAllocationUpdateCondition, webhookConfigurations } from "../webhook/configurations";
import { findObject, FULL_VALUES, renderChart, type K8sObject } from "./render";

const deployDir = path.join(import.meta.dirname, "..");
const REPO = path.join(deployDir, "..");

type Container = {
  name: string;
  image?: string;
  args?: string[];
  command?: string[];
  env?: { name: string; value?: string; valueFrom?: any }[];
  resources?: any;
  ports?: { name?: string; containerPort: number }[];
  securityContext?: any;
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[];
};
type PodSpec = {
  securityContext?: any;
  containers: Container[];
  initContainers?: Container[];
  hostNetwork?: boolean;
  volumes?: any[];
  serviceAccountName?: string;
};
type Rule = { apiGroups: string[]; resources: string[]; verbs: string[] };

const find = findObject;
const podSpec = (o: K8sObject) => (o as any).spec.template.spec as PodSpec;
const workloads = (objects: K8sObject[]) => objects.filter((o) => o.kind === "Deployment" || o.kind === "DaemonSet");
const env = (c: Container) => Object.fromEntries((c.env ?? []).map((e) => [e.name, e.value ?? e.valueFrom]));

let defaults: K8sObject[];
let full: K8sObject[];
beforeAll(() => {
  defaults = renderChart();
  full = renderChart(FULL_VALUES);
}, 600_000);

describe("chart: pod security and resources", () => {
  // a root container must say why: the capabilities it adds are the only ones it may have
  const ROOT_ALLOWED: Record<string, string[]> = { "DaemonSet/tenet-agent": ["NET_ADMIN"], "DaemonSet/tenet-cni": [] };
  // the danm daemon creates, moves and configures interfaces in other Pods' network namespaces through
  // the delegate plugins it runs: the one privileged container (docs/cni.md "Daemon")
  const PRIVILEGED = ["DaemonSet/tenet-cni container cni-daemon"];

  it("renders every component", () => {
    expect(
      workloads(defaults)
        .map((o) => `${o.kind}/${o.metadata.name}`)
        .sort(),
    ).toEqual(["DaemonSet/tenet-agent", "DaemonSet/tenet-cni", "Deployment/tenet-console", "Deployment/tenet-controllers", "Deployment/tenet-webhook"]);
  });

  for (const variant of ["default", "full"] as const) {
    it(`every container has CPU and memory requests, a memory limit, a read-only root and no privilege escalation (${variant} values)`, () => {
      const problems: string[] = [];
      for (const w of workloads(variant === "default" ? defaults : full)) {
        const spec = podSpec(w);
        for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
          const where = `${w.kind}/${w.metadata.name} container ${c.name}`;
          if (!c.resources?.requests?.cpu || !c.resources?.requests?.memory) problems.push(`${where}: no cpu/memory request`);
          if (!c.resources?.limits?.memory) problems.push(`${where}: no memory limit`);
          if (c.securityContext?.readOnlyRootFilesystem !== true) problems.push(`${where}: root filesystem writable`);
          if (PRIVILEGED.includes(where)) {
            if (c.securityContext?.privileged !== true) problems.push(`${where}: should be privileged`);
          } else {
            if (c.securityContext?.allowPrivilegeEscalation !== false) problems.push(`${where}: privilege escalation allowed`);
            if (JSON.stringify(c.securityContext?.capabilities?.drop) !== '["ALL"]') problems.push(`${where}: capabilities not dropped`);
            if (c.securityContext?.privileged) problems.push(`${where}: privileged`);
          }
          if (!(c.volumeMounts ?? []).some((m) => m.mountPath === "/tmp")) problems.push(`${where}: no writable /tmp (tsx caches there)`);
        }
      }
      expect(problems).toEqual([]);
    });
  }

  it("Deployments run as the image's non-root user; only the node agent and CNI installer run as root, with only the capabilities they need", () => {
    for (const w of workloads(full)) {
      const key = `${w.kind}/${w.metadata.name}`;
      const spec = podSpec(w);
      const added = spec.containers.flatMap((c) => c.securityContext?.capabilities?.add ?? []);
      if (key in ROOT_ALLOWED) {
        expect(added, key).toEqual(ROOT_ALLOWED[key]);
        continue;
      }
      expect(w.kind, key).toBe("Deployment");
      expect(spec.securityContext, key).toMatchObject({ runAsNonRoot: true, runAsUser: 65532, seccompProfile: { type: "RuntimeDefault" } });
      expect(added, key).toEqual([]);
      expect(spec.hostNetwork, key).toBeFalsy();
    }
  });

  it("the node agent: host network, NET_ADMIN, the host's /sys read-only, its node name from the downward API, like deploy/agent", () => {
    const agent = find(full, "DaemonSet", "tenet-agent");
    const spec = podSpec(agent);
    expect(spec.hostNetwork).toBe(true);
    const c = spec.containers[0];
    expect(c.args).toEqual(expect.arrayContaining(["agent", "--node=$(NODE_NAME)", "--sysfs-root=/host", "--sriov-config=/etc/pcidp/config.json"]));
    expect(env(c).NODE_NAME).toEqual({ fieldRef: { fieldPath: "spec.nodeName" } });
    expect(c.volumeMounts).toContainEqual({ name: "sys", mountPath: "/host/sys", readOnly: true });
    expect(spec.volumes).toContainEqual({ name: "sys", hostPath: { path: "/sys", type: "Directory" } });
    expect(spec.volumes).toContainEqual({ name: "sriov-config", configMap: { name: "sriovdp-config", optional: true } });
    expect(spec.serviceAccountName).toBe("tenet-agent");
    // the same mounts and arguments as the plain manifest
    const plain = podSpec(readManifestFile(path.join(deployDir, "agent", "daemonset.yaml"))[0] as K8sObject);
    for (const arg of plain.containers[0].args!) expect(c.args).toContain(arg);
    for (const mount of plain.containers[0].volumeMounts!) expect(c.volumeMounts).toContainEqual(mount);
  });
});

describe("chart: the danm daemon", () => {
  const daemonOf = (objects: K8sObject[]) => podSpec(find(objects, "DaemonSet", "tenet-cni")).containers.find((c) => c.name === "cni-daemon")!;
  const hostPathOf = (spec: PodSpec, c: Container, mountPath: string) =>
    spec.volumes!.find((v) => v.name === c.volumeMounts!.find((m) => m.mountPath === mountPath)?.name)?.hostPath?.path;

  it("runs beside the installer with the host's network and PIDs, its node's name, and the mounts and probes of deploy/cni", () => {
    const spec = podSpec(find(defaults, "DaemonSet", "tenet-cni")) as PodSpec & { hostPID?: boolean; terminationGracePeriodSeconds?: number };
    expect(spec.containers.map((c) => c.name)).toEqual(["install-cni", "cni-daemon"]);
    expect(spec.hostNetwork).toBe(true);
    expect(spec.hostPID).toBe(true);
    // the daemon gives the requests in flight danm's 30 s budget after SIGTERM
    expect(spec.terminationGracePeriodSeconds).toBeGreaterThan(30);
    const c = daemonOf(defaults);
    expect(c.image).toBe(spec.containers[0].image);
    expect(env(c).NODE_NAME).toEqual({ fieldRef: { fieldPath: "spec.nodeName" } });
    const plainDs = readManifestFile(path.join(deployDir, "cni", "daemonset.yaml"))[0] as any;
    const plain = plainDs.spec.template.spec as PodSpec & { hostPID?: boolean };
    const plainDaemon = plain.containers.find((x) => x.name === "cni-daemon")!;
    expect(plain.hostPID).toBe(true);
    expect(c.args).toEqual(plainDaemon.args);
    expect(c.securityContext).toEqual({ privileged: true, readOnlyRootFilesystem: true });
    expect(plainDaemon.securityContext).toEqual({ runAsUser: 0, privileged: true, readOnlyRootFilesystem: true });
    for (const probe of ["readinessProbe", "livenessProbe"] as const) expect((c as any)[probe], probe).toEqual((plainDaemon as any)[probe]);
    // the same host paths at the same places as the plain manifest
    for (const mount of plainDaemon.volumeMounts!) {
      expect(c.volumeMounts, mount.mountPath).toContainEqual(mount);
      expect(hostPathOf(spec, c, mount.mountPath), mount.mountPath).toBe(hostPathOf(plain, plainDaemon, mount.mountPath));
    }
    expect(
      c
        .volumeMounts!.filter((m) => (m as any).mountPropagation === "HostToContainer")
        .map((m) => m.mountPath)
        .sort(),
    ).toEqual(["/run/netns", "/var/run/netns"]);
    expect(find(defaults, "DaemonSet", "tenet-cni").spec.updateStrategy.rollingUpdate).toEqual({ maxUnavailable: "10%", maxSurge: 0 });
  });

  it("sees the netconf's paths where the installer's netconf names them: socket, IPAM statistics, CNI directories, extra host paths", () => {
    const moved = renderChart({
      cni: {
        binDir: "/usr/libexec/cni",
        confDir: "/etc/kubernetes/cni/net.d",
        daemon: { socket: "/var/run/danm/danm.sock", podResourcesDir: "/data/kubelet/pod-resources", hostPaths: ["/usr/lib/cni", "/run/flannel"] },
      },
      agent: { ipam: { statsDir: "/var/tmp/ipam-stats" } },
    });
    const spec = podSpec(find(moved, "DaemonSet", "tenet-cni"));
    const [installer, c] = spec.containers;
    expect(installer.args).toEqual(
      expect.arrayContaining([
        "--host-bin-dir=/usr/libexec/cni",
        "--host-conf-dir=/etc/kubernetes/cni/net.d",
        "--daemon-socket=/var/run/danm/danm.sock",
        "--ipam-stats-dir=/var/tmp/ipam-stats",
      ]),
    );
    expect(c.args).toContain("--socket=/var/run/danm/danm.sock");
    for (const same of ["/usr/libexec/cni", "/etc/kubernetes/cni/net.d", "/var/run/danm", "/var/tmp/ipam-stats", "/usr/lib/cni", "/run/flannel", "/run/tenet"])
      expect(hostPathOf(spec, c, same), same).toBe(same);
    expect(hostPathOf(spec, c, "/var/lib/kubelet/pod-resources")).toBe("/data/kubelet/pod-resources");
    // under /run/tenet nothing is mounted twice
    const paths = daemonOf(defaults).volumeMounts!.map((m) => m.mountPath);
    expect(new Set(paths).size).toBe(paths.length);
    expect(paths.filter((p) => p.startsWith("/run/tenet"))).toEqual(["/run/tenet"]);
  });
});

describe("chart: RBAC", () => {
  const rulesOf = (objects: K8sObject[], kind: "ClusterRole" | "Role", name: string) => find(objects, kind, name).rules as Rule[];
  const bindingsOf = (objects: K8sObject[], sa: string) =>
    objects.filter(
      (o) =>
        (o.kind === "ClusterRoleBinding" || o.kind === "RoleBinding") &&
        ((o as any).subjects ?? []).some((s: any) => s.kind === "ServiceAccount" && s.name === sa),
    );

  it("the console's ServiceAccount may only impersonate (and review tokens for Kubernetes-token sign-in)", () => {
    const bindings = bindingsOf(full, "tenet-console");
    expect(bindings.map((b) => (b as any).roleRef.name)).toEqual(["tenet:console-impersonator"]);
    for (const rule of rulesOf(full, "ClusterRole", "tenet:console-impersonator")) {
      const ok =
        rule.verbs.every((v) => v === "impersonate") ||
        (rule.apiGroups.join() === "authentication.k8s.io" && rule.resources.join() === "tokenreviews" && rule.verbs.join() === "create");
      expect(ok, JSON.stringify(rule)).toBe(true);
    }
  });

  it("each component's ServiceAccount is bound to its own role only", () => {
    const expected: Record<string, string[]> = {
      "tenet-webhook": ["tenet:webhook"],
      "tenet-controllers": ["tenet:controllers", "tenet:controllers-lease"],
      "tenet-agent": ["tenet:agent"],
      "tenet-cni": ["tenet:cni"],
    };
    for (const [sa, roles] of Object.entries(expected))
      expect(
        bindingsOf(full, sa)
          .map((b) => (b as any).roleRef.name)
          .sort(),
        sa,
      ).toEqual(roles);
    // no wildcard in any component role
    for (const role of ["tenet:webhook", "tenet:controllers", "tenet:agent", "tenet:cni", "tenet:console-impersonator", "tenet:console-watch"]) {
      for (const rule of rulesOf(full, "ClusterRole", role)) expect([...rule.verbs, ...rule.resources, ...rule.apiGroups], role).not.toContain("*");
    }
    // the lease is namespaced: the controllers may not touch Leases elsewhere
    expect(find(full, "RoleBinding", "tenet:controllers-lease").metadata.namespace).toBe("tenet-system");
  });

  it("roles are the same as deploy/rbac (components and people)", () => {
    const plain = [...readManifestFile(path.join(deployDir, "rbac/components.yaml")), ...readManifestFile(path.join(deployDir, "rbac/roles.yaml"))];
    for (const role of plain.filter((o) => o.kind === "ClusterRole" || o.kind === "Role")) {
      const chart = find(full, role.kind!, role.metadata!.name!);
      expect(chart.rules, `${role.kind} ${role.metadata!.name}`).toEqual((role as any).rules);
      for (const [k, v] of Object.entries(role.metadata!.labels ?? {})) expect(chart.metadata.labels[k], `${role.metadata!.name} label ${k}`).toBe(v);
    }
  });

  it("the node agent may read networks and NADs, rewrite NADs, and publish NodeNetworkStatus, nothing more", () => {
    const rules = rulesOf(full, "ClusterRole", "tenet:agent");
    expect(rules.flatMap((r) => r.verbs)).not.toContain("delete");
    expect(rules.find((r) => r.resources.includes("nodenetworkstatuses"))?.verbs.sort()).toEqual(["create", "get", "patch"]);
    // NADs: read, and update for the master rewrite (danm-spec §12.3)
    expect(rules.filter((r) => r.apiGroups.includes("k8s.cni.cncf.io"))).toEqual([
      { apiGroups: ["k8s.cni.cncf.io"], resources: ["network-attachment-definitions"], verbs: ["get", "list", "watch", "update"] },
    ]);
  });
});

describe("chart: CRDs and webhook", () => {
  it("tells the webhook who may change allocation state (N-28): the release's danm plugin and controllers, system:masters, and what the values add", () => {
    expect(podSpec(find(defaults, "Deployment", "tenet-webhook")).containers[0].args).toEqual(
      expect.arrayContaining([
        "--ipam-users=system:serviceaccount:tenet-system:tenet-cni,system:serviceaccount:tenet-system:tenet-controllers",
        "--ipam-groups=system:masters",
      ]),
    );
    const moved = renderChart({ webhook: { ipamIdentities: { extraUsers: ["node-ipam"], groups: [] } } }, { namespace: "net" });
    expect(podSpec(find(moved, "Deployment", "tenet-webhook")).containers[0].args).toEqual(
      expect.arrayContaining(["--ipam-users=system:serviceaccount:net:tenet-cni,system:serviceaccount:net:tenet-controllers,node-ipam", "--ipam-groups="]),
    );
    // the same identities skip the webhook for allocation-only UPDATEs (matchConditions)
    const ipam = { users: ["system:serviceaccount:net:tenet-cni", "system:serviceaccount:net:tenet-controllers", "node-ipam"], groups: [] };
    for (const kind of ["MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"]) {
      expect(find(moved, kind, "tenet").webhooks[0].matchConditions).toEqual([ipamAllocationUpdateCondition(ipam)]);
    }
  });

  it("installs the CRDs of deploy/crds, unchanged, kept on uninstall", () => {
    const files = fs.readdirSync(path.join(deployDir, "crds")).filter((f) => f.endsWith(".yaml"));
    const crds = defaults.filter((o) => o.kind === "CustomResourceDefinition");
    // each CRD file is linked into the chart: ln -s ../../../crds/NAME.yaml deploy/chart/files/crds/
    expect(fs.readdirSync(path.join(import.meta.dirname, "files", "crds")).sort(), "deploy/chart/files/crds links every deploy/crds/*.yaml").toEqual(
      files.sort(),
    );
    expect(crds.map((c) => c.metadata.name).sort()).toEqual(files.map((f) => readManifestFile(path.join(deployDir, "crds", f))[0].metadata!.name).sort());
    for (const f of files) {
      const plain = readManifestFile(path.join(deployDir, "crds", f))[0] as any;
      const chart = find(defaults, "CustomResourceDefinition", plain.metadata.name);
      expect(chart.spec).toEqual(plain.spec);
      expect(chart.metadata.annotations["helm.sh/resource-policy"]).toBe("keep");
    }
    expect(renderChart({ crds: { install: false } }).some((o) => o.kind === "CustomResourceDefinition")).toBe(false);
  });

  it("the webhook configurations have the rules of deploy/webhook/configurations.ts", () => {
    // with the identities the chart gives the webhook (its --ipam-users/--ipam-groups)
    const chartIpam = {
      users: ["system:serviceaccount:tenet-system:tenet-cni", "system:serviceaccount:tenet-system:tenet-controllers"],
      groups: ["system:masters"],
    };
    const plain = webhookConfigurations({ service: { name: "tenet-webhook", namespace: "tenet-system", port: 443 } }, {}, "tenet", chartIpam);
    for (const objects of [defaults, full]) {
      for (const p of plain) {
        const chart = find(objects, p.kind, "tenet");
        const { caBundle: _, ...clientConfig } = chart.webhooks[0].clientConfig;
        expect({ ...chart.webhooks[0], clientConfig }).toEqual(p.webhooks[0]);
      }
    }
  });

  it("default (tenet): the controllers issue and rotate the certificates; the chart renders neither Secret nor caBundle", () => {
    expect(defaults.filter((o) => o.kind === "Secret" || o.kind === "Certificate").map((o) => o.metadata.name)).toEqual(["tenet-console-metrics"]);
    for (const kind of ["MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"]) {
      const config = find(defaults, kind, "tenet");
      // absent from the chart, so `helm upgrade` leaves the caBundle the controllers set alone
      expect(config.webhooks[0].clientConfig.caBundle).toBeUndefined();
      expect(config.metadata.annotations?.["cert-manager.io/inject-ca-from"]).toBeUndefined();
    }
    const args = podSpec(find(defaults, "Deployment", "tenet-controllers")).containers[0]!.args!;
    expect(args).toEqual(
      expect.arrayContaining([
        "--webhook-certificates",
        "--webhook-tls-secret=tenet-webhook-tls",
        "--webhook-ca-secret=tenet-webhook-ca",
        "--webhook-ca-validity-days=3650",
        "--webhook-cert-validity-days=365",
        "--webhook-cert-check-seconds=3600",
      ]),
    );
    // the webhook mounts only the serving certificate's Secret, never the CA's key
    expect(podSpec(find(defaults, "Deployment", "tenet-webhook")).volumes!.find((v) => v.name === "tls").secret.secretName).toBe("tenet-webhook-tls");
    // just enough: the two Secrets by name (create cannot be named), and tenet's own webhook configurations
    const secrets = find(defaults, "Role", "tenet:controllers-webhook-certificates");
    expect(secrets.metadata.namespace).toBe("tenet-system");
    expect(secrets.rules).toEqual([
      { apiGroups: [""], resources: ["secrets"], resourceNames: ["tenet-webhook-tls", "tenet-webhook-ca"], verbs: ["get", "update"] },
      { apiGroups: [""], resources: ["secrets"], verbs: ["create"] },
    ]);
    expect(find(defaults, "RoleBinding", "tenet:controllers-webhook-certificates").subjects).toEqual([
      { kind: "ServiceAccount", name: "tenet-controllers", namespace: "tenet-system" },
    ]);
    expect(find(defaults, "ClusterRole", "tenet:controllers").rules).toContainEqual({
      apiGroups: ["admissionregistration.k8s.io"],
      resources: ["mutatingwebhookconfigurations", "validatingwebhookconfigurations"],
      resourceNames: ["tenet"],
      verbs: ["get", "update"],
    });
    // other sources: the controllers get none of it
    expect(podSpec(find(full, "Deployment", "tenet-controllers")).containers[0]!.args).not.toContain("--webhook-certificates");
    expect(full.some((o) => o.metadata.name === "tenet:controllers-webhook-certificates")).toBe(false);
    expect(JSON.stringify(find(full, "ClusterRole", "tenet:controllers").rules)).not.toContain("webhookconfigurations");
  });

  it("helm: Helm generates a CA and a serving certificate for the Service, and the CA is the caBundle", () => {
    const viaHelm = renderChart({ webhook: { tls: { source: "helm" } } });
    const secret = find(viaHelm, "Secret", "tenet-webhook-tls");
    const b64 = (k: string) => Buffer.from(secret.data[k], "base64").toString();
    const ca = new crypto.X509Certificate(b64("ca.crt"));
    const cert = new crypto.X509Certificate(b64("tls.crt"));
    expect(cert.verify(ca.publicKey)).toBe(true);
    expect(cert.subjectAltName).toContain("DNS:tenet-webhook.tenet-system.svc");
    expect(crypto.createPrivateKey(b64("tls.key")).asymmetricKeyType).toBeDefined();
    expect(new Date(cert.validTo).getTime()).toBeGreaterThan(Date.now() + 365 * 86_400_000);
    for (const kind of ["MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"]) {
      const config = find(viaHelm, kind, "tenet");
      expect(config.webhooks[0].clientConfig.caBundle).toBe(secret.data["ca.crt"]);
      expect(config.metadata.annotations?.["cert-manager.io/inject-ca-from"]).toBeUndefined();
    }
  });

  it("cert-manager: a Certificate for the Service, the CA injected by cert-manager, no Secret from the chart", () => {
    const certificate = find(full, "Certificate", "tenet-webhook");
    expect(certificate.spec).toMatchObject({
      secretName: "tenet-webhook-tls",
      dnsNames: ["tenet-webhook.tenet-system.svc", "tenet-webhook.tenet-system.svc.cluster.local"],
      issuerRef: { name: "tenet-selfsigned", kind: "Issuer" },
    });
    expect(find(full, "Issuer", "tenet-selfsigned").spec).toEqual({ selfSigned: {} });
    // no certificate Secret (the one there is the console's metrics token: consoleMetrics.test.ts)
    expect(full.filter((o) => o.kind === "Secret").map((o) => o.metadata.name)).toEqual(["tenet-console-metrics"]);
    for (const kind of ["MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"]) {
      const config = find(full, kind, "tenet");
      expect(config.metadata.annotations["cert-manager.io/inject-ca-from"]).toBe("tenet-system/tenet-webhook");
      expect(config.webhooks[0].clientConfig.caBundle).toBeUndefined();
    }
    // your own issuer: no self-signed Issuer
    const own = renderChart({ webhook: { tls: { source: "cert-manager", certManager: { issuerRef: { kind: "ClusterIssuer", name: "corp-ca" } } } } });
    expect(own.some((o) => o.kind === "Issuer")).toBe(false);
    expect(find(own, "Certificate", "tenet-webhook").spec.issuerRef).toEqual({ kind: "ClusterIssuer", name: "corp-ca" });
  });

  it("your own Secret needs its caBundle, and an unknown certificate source is refused", () => {
    expect(() => renderChart({ webhook: { tls: { source: "secret" } } })).toThrow(/webhook\.tls\.caBundle/);
    const own = renderChart({ webhook: { tls: { source: "secret", caBundle: "Q0E=" } } });
    expect(find(own, "ValidatingWebhookConfiguration", "tenet").webhooks[0].clientConfig.caBundle).toBe("Q0E=");
    expect(() => renderChart({ webhook: { tls: { source: "vault" } } })).toThrow(/must be tenet, helm, cert-manager or secret/);
  });
});

describe("chart: console", () => {
  it("with SQLite (the default) more than one replica is refused with the reason", () => {
    expect(() => renderChart({ console: { replicas: 2 } })).toThrow(/console\.replicas is 2, but the console's database is SQLite.*database\.url\.secretName/s);
    const console = find(defaults, "Deployment", "tenet-console");
    expect(console.spec.replicas).toBe(1);
    expect(console.spec.strategy).toEqual({ type: "Recreate" });
    expect(env(podSpec(console).containers[0]).DATABASE_URL).toBe("file:/var/lib/tenet/console.db");
    expect(find(defaults, "PersistentVolumeClaim", "tenet-console-data").metadata.annotations["helm.sh/resource-policy"]).toBe("keep");
  });

  it("with PostgreSQL from a Secret: several replicas, the URL in the console, its migration and the controllers' usage sampler", () => {
    const console = find(full, "Deployment", "tenet-console");
    expect(console.spec.replicas).toBe(3);
    const fromSecret = { secretKeyRef: { name: "tenet-database", key: "url" } };
    expect(env(podSpec(console).containers[0]).DATABASE_URL).toEqual(fromSecret);
    expect(podSpec(console).initContainers![0]).toMatchObject({ name: "migrate", args: ["db", "migrate"] });
    expect(env(podSpec(console).initContainers![0]).DATABASE_URL).toEqual(fromSecret);
    expect(env(podSpec(find(full, "Deployment", "tenet-controllers")).containers[0]).DATABASE_URL).toEqual(fromSecret);
    expect(full.some((o) => o.kind === "PersistentVolumeClaim")).toBe(false);
    expect(find(full, "PodDisruptionBudget", "tenet-console").spec.minAvailable).toBe(1);
  });

  it("OIDC values become the console's TENET_OIDC_* settings, the client secret from a Secret", () => {
    const e = env(podSpec(find(full, "Deployment", "tenet-console")).containers[0]);
    expect(e).toMatchObject({
      TENET_OIDC_ISSUER: "https://idp.example.com",
      TENET_OIDC_CLIENT_ID: "tenet",
      TENET_OIDC_CLIENT_SECRET: { secretKeyRef: { name: "tenet-oidc", key: "client-secret" } },
      TENET_OIDC_USERNAME_CLAIM: "email",
      TENET_OIDC_USERNAME_PREFIX: "",
      TENET_OIDC_GROUPS_CLAIM: "groups",
      TENET_CONSOLE_URL: "https://tenet.example.com",
      TENET_SECURE_COOKIES: "1",
      TENET_TRUSTED_PROXY: "0",
    });
    // the webhook's IPAM identities, which no claim may map to (N-28)
    expect(e.TENET_IPAM_USERS).toBe("system:serviceaccount:tenet-system:tenet-cni,system:serviceaccount:tenet-system:tenet-controllers");
    expect(e.TENET_IPAM_GROUPS).toBe("system:masters");
    // no prefix given: the console applies kube-apiserver's default (issuer#), so the variable is left out
    const unprefixed = env(
      podSpec(find(renderChart({ console: { url: "https://c", oidc: { issuer: "https://idp", clientId: "x" } } }), "Deployment", "tenet-console"))
        .containers[0],
    );
    expect(unprefixed.TENET_OIDC_USERNAME_PREFIX).toBeUndefined();
    // the same for groups: the console's default prefix (oidc:) applies
    expect(unprefixed.TENET_OIDC_GROUPS_PREFIX).toBeUndefined();
    expect(env(podSpec(find(renderChart({ console: { trustedProxy: true } }), "Deployment", "tenet-console")).containers[0]).TENET_TRUSTED_PROXY).toBe("1");
    expect(() => renderChart({ console: { oidc: { issuer: "https://idp" } } })).toThrow(/clientId/);
    expect(() => renderChart({ console: { oidc: { issuer: "https://idp", clientId: "x" } } })).toThrow(/console\.url/);
    // without OIDC, no TENET_OIDC_* at all (local accounts and Kubernetes tokens)
    expect(Object.keys(env(podSpec(find(defaults, "Deployment", "tenet-console")).containers[0])).filter((k) => k.startsWith("TENET_OIDC"))).toEqual([]);
  });

  it("the console runs `tenet console` (JSON log lines) after `tenet db migrate`, as the image's non-root user", () => {
    const spec = podSpec(find(defaults, "Deployment", "tenet-console"));
    expect(spec.containers[0].command).toBeUndefined();
    expect(spec.containers[0].args).toEqual(["console", "--port", "3000"]);
    expect(env(spec.containers[0]).TENET_LOG_FORMAT).toBe("json");
    expect(spec.serviceAccountName).toBe("tenet-console");
    expect(spec.containers[0].volumeMounts).toContainEqual({ name: "next-cache", mountPath: "/app/.next/cache" });
  });
});

describe("chart: metrics and alerts", () => {
  const source = (dir: string): string =>
    fs
      .readdirSync(dir, { withFileTypes: true })
      .map((e) =>
        e.isDirectory()
          ? source(path.join(dir, e.name))
          : e.name.endsWith(".ts") && !e.name.includes(".test.")
            ? fs.readFileSync(path.join(dir, e.name), "utf8")
            : "",
      )
      .join("\n");

  it("every metric an alert uses is registered by tenet's code", () => {
    const code = source(path.join(REPO, "server"));
    const rule = find(full, "PrometheusRule", "tenet");
    const exprs: string[] = rule.spec.groups.flatMap((g: any) => g.rules.map((r: any) => r.expr));
    const names = new Set(exprs.flatMap((e) => e.match(/tenet_[a-z_]+/g) ?? []).map((n) => n.replace(/_(bucket|sum|count)$/, "")));
    expect([...names].sort()).toEqual([
      "tenet_ipam_conflicts_total",
      "tenet_ipam_operation_duration_seconds",
      "tenet_ipam_operations_total",
      "tenet_network_pool_utilisation_ratio",
      "tenet_reconciler_fixes_total",
      "tenet_vni_range_utilisation_ratio",
      "tenet_webhook_request_duration_seconds",
    ]);
    for (const name of names) expect(code, name).toContain(`"${name}"`);
    const alerts = rule.spec.groups.flatMap((g: any) => g.rules.map((r: any) => r.alert));
    expect(alerts).toEqual(
      expect.arrayContaining([
        "TenetNetworkPoolExhausted",
        "TenetNetworkPoolNearlyExhausted",
        "TenetVniRangeExhausted",
        "TenetAddressesLeaked",
        "TenetVniReservationsLeaked",
        "TenetWebhookDown",
        "TenetIpamSlow",
        "TenetIpamConflicts",
      ]),
    );
  });

  it("webhook.tls.source=tenet: alerts on a webhook certificate near its end and on failing renewals, from registered metrics", () => {
    const rules = find(renderChart({ metrics: { prometheusRule: { enabled: true } } }), "PrometheusRule", "tenet").spec.groups.flatMap((g: any) => g.rules);
    const expiring = rules.find((r: any) => r.alert === "TenetWebhookCertificateExpiring");
    expect(expiring.expr).toBe("min by (certificate) (tenet_webhook_certificate_expiry_timestamp_seconds) - time() < 14 * 86400");
    expect(rules.find((r: any) => r.alert === "TenetWebhookCertificateChecksFailing").expr).toContain("tenet_webhook_certificate_check_failures_total");
    const code = source(path.join(REPO, "server"));
    for (const name of ["tenet_webhook_certificate_expiry_timestamp_seconds", "tenet_webhook_certificate_check_failures_total"])
      expect(code, name).toContain(`"${name}"`);
    // with cert-manager the controllers export none of it: no such alert
    expect(JSON.stringify(find(full, "PrometheusRule", "tenet"))).not.toContain("TenetWebhookCertificate");
  });

  it("keeps the namespace label of the metrics that carry one (pools, IPAM) instead of the scrape target's", () => {
    expect(find(full, "ServiceMonitor", "tenet").spec.endpoints.find((e: any) => e.port === "metrics").honorLabels).toBe(true);
    expect(find(full, "PodMonitor", "tenet-agent").spec.podMetricsEndpoints[0].honorLabels).toBe(true);
  });

  it("the node agents collect the danm plugin's IPAM statistics from the host directory the CNI installer points the plugin at; alerts on slow and contended allocation", () => {
    const spec = podSpec(find(full, "DaemonSet", "tenet-agent"));
    const agent = spec.containers[0];
    const arg = agent.args!.find((a) => a.startsWith("--ipam-stats-dir="))!;
    const mount = agent.volumeMounts!.find((m) => m.mountPath === arg.split("=")[1])!;
    expect(mount, "the agent reads the directory it names from a mount").toBeDefined();
    expect(mount.readOnly, "and removes the files it counted").toBeFalsy();
    expect(spec.volumes).toContainEqual({ name: mount.name, hostPath: { path: "/run/tenet/ipam-stats", type: "DirectoryOrCreate" } });
    expect(podSpec(find(full, "DaemonSet", "tenet-cni")).containers[0].args).toContain("--ipam-stats-dir=/run/tenet/ipam-stats");
    // another host directory moves both ends
    const moved = renderChart({ agent: { ipam: { statsDir: "/run/custom/stats" } } });
    expect(podSpec(find(moved, "DaemonSet", "tenet-agent")).volumes).toContainEqual({
      name: mount.name,
      hostPath: { path: "/run/custom/stats", type: "DirectoryOrCreate" },
    });
    expect(podSpec(find(moved, "DaemonSet", "tenet-cni")).containers[0].args).toContain("--ipam-stats-dir=/run/custom/stats");
    const rules = find(full, "PrometheusRule", "tenet").spec.groups.flatMap((g: any) => g.rules);
    const slow = rules.find((r: any) => r.alert === "TenetIpamSlow");
    expect(slow).toMatchObject({ for: "10m", labels: { severity: "warning" } });
    expect(slow.expr).toBe('histogram_quantile(0.99, sum by (le) (rate(tenet_ipam_operation_duration_seconds_bucket{operation="allocate"}[10m]))) > 5');
    const conflicts = rules.find((r: any) => r.alert === "TenetIpamConflicts");
    expect(conflicts.expr).toBe(
      "sum by (kind, namespace, network) (rate(tenet_ipam_conflicts_total[10m])) / sum by (kind, namespace, network) (rate(tenet_ipam_operations_total[10m])) > 1",
    );
    // without agents nobody collects: no IPAM alerts
    const noAgent = renderChart({ agent: { enabled: false }, metrics: { prometheusRule: { enabled: true } } });
    expect(find(noAgent, "PrometheusRule", "tenet").spec.groups.map((g: any) => g.name)).not.toContain("tenet.ipam");
  });

  it("the ServiceMonitor scrapes the webhook over HTTPS with its CA and every controllers replica", () => {
    const sm = find(full, "ServiceMonitor", "tenet");
    expect(sm.spec.endpoints).toEqual([
      expect.objectContaining({
        port: "https",
        scheme: "https",
        tlsConfig: { serverName: "tenet-webhook.tenet-system.svc", ca: { secret: { name: "tenet-webhook-tls", key: "ca.crt" } } },
      }),
      expect.objectContaining({ port: "metrics", path: "/metrics" }),
      expect.objectContaining({ port: "http", path: "/api/metrics" }), // the console: deploy/chart/consoleMetrics.test.ts
    ]);
    // the Services it selects have those ports
    expect(find(full, "Service", "tenet-webhook").spec.ports[0].name).toBe("https");
    expect(find(full, "Service", "tenet-controllers-metrics").spec.ports[0].name).toBe("metrics");
    expect(defaults.some((o) => o.kind === "ServiceMonitor" || o.kind === "PodMonitor" || o.kind === "PrometheusRule")).toBe(false);
  });

  it("a PodMonitor scrapes every node agent on the port its container declares", () => {
    const pm = find(full, "PodMonitor", "tenet-agent");
    const agent = podSpec(find(full, "DaemonSet", "tenet-agent")).containers[0];
    expect(pm.spec.podMetricsEndpoints).toEqual([expect.objectContaining({ port: "metrics", path: "/metrics" })]);
    expect(agent.ports).toContainEqual({ name: "metrics", containerPort: 9102 });
    expect(agent.args).toContain("--metrics-port=9102");
    expect(pm.spec.selector.matchLabels["app.kubernetes.io/name"]).toBe("tenet-agent");
  });
});
