// The one kubeconfig loader, with real files: both transports (client-node and rest.ts) find the
// same cluster the same way — an explicit file, else KUBECONFIG, else in-cluster, else ~/.kube/config.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadKubeConfig } from "./config";
import { KubeRest } from "./rest";

const ENV = ["KUBECONFIG", "KUBERNETES_SERVICE_HOST", "KUBERNETES_SERVICE_PORT", "HOME"] as const;
let saved: Record<string, string | undefined>;
let dir: string;

function kubeconfigFile(name: string, server: string): string {
  const file = path.join(dir, name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(
    file,
    `apiVersion: v1
kind: Config
clusters:
- name: ${path.basename(name)}
  cluster: { server: "${server}", insecure-skip-tls-verify: true }
users:
- name: someone
  user: { token: secret }
contexts:
- name: ${path.basename(name)}
  context: { cluster: ${path.basename(name)}, user: someone }
current-context: ${path.basename(name)}
`,
  );
  return file;
}

beforeEach(() => {
  saved = Object.fromEntries(ENV.map((k) => [k, process.env[k]]));
  for (const k of ENV) delete process.env[k];
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "tenet-kubeconfig-"));
  process.env.HOME = path.join(dir, "home");
});

afterEach(() => {
  for (const k of ENV) {
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
  }
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("loadKubeConfig", () => {
  it("takes the file it is given, before KUBECONFIG", () => {
    const given = kubeconfigFile("given", "https://given.example:6443");
    process.env.KUBECONFIG = kubeconfigFile("env", "https://env.example:6443");
    expect(loadKubeConfig(given).getCurrentCluster()?.server).toBe("https://given.example:6443");
    expect(loadKubeConfig(given).getCurrentUser()?.token).toBe("secret");
  });

  it("takes KUBECONFIG without a file, before the in-cluster ServiceAccount", () => {
    process.env.KUBECONFIG = kubeconfigFile("env", "https://env.example:6443");
    process.env.KUBERNETES_SERVICE_HOST = "10.96.0.1";
    process.env.KUBERNETES_SERVICE_PORT = "443";
    expect(loadKubeConfig().getCurrentCluster()?.server).toBe("https://env.example:6443");
  });

  it("in a Pod (KUBERNETES_SERVICE_HOST), talks to the cluster's own API server", () => {
    kubeconfigFile("home/.kube/config", "https://home.example:6443");
    process.env.KUBERNETES_SERVICE_HOST = "10.96.0.1";
    process.env.KUBERNETES_SERVICE_PORT = "443";
    expect(loadKubeConfig().getCurrentCluster()?.server).toBe("https://10.96.0.1:443");
  });

  it("falls back to ~/.kube/config", () => {
    kubeconfigFile("home/.kube/config", "https://home.example:6443");
    expect(loadKubeConfig().getCurrentCluster()?.server).toBe("https://home.example:6443");
  });

  it("fails on a file that is not there, naming it", () => {
    const missing = path.join(dir, "missing.yaml");
    expect(() => loadKubeConfig(missing)).toThrow(missing);
    process.env.KUBECONFIG = missing;
    expect(() => loadKubeConfig()).toThrow(missing);
  });

  it("is what rest.ts uses too", async () => {
    process.env.KUBECONFIG = kubeconfigFile("env", "https://env.example:6443/");
    const given = await KubeRest.fromFile(kubeconfigFile("given", "https://given.example:6443"));
    const fromEnv = await KubeRest.fromFile();
    expect([given.server, fromEnv.server]).toEqual(["https://given.example:6443", "https://env.example:6443"]);
    await Promise.all([given.close(), fromEnv.close()]);
  });
});
