// The tenet-cni DaemonSet's probe of the danm daemon (`danm --probe`, tools/danm/probe.go): it passes
// only when the daemon answers over its socket, and the manifests run it against the socket they serve.
import { spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readManifestFile } from "../../server/kube/apply";
import { danmClientBinary } from "../../server/cni/build";
import { CniDaemon } from "../../server/cni/daemon";
import { SUPPORTED_VERSIONS } from "../../server/cni/protocol";
import { findObject, renderChart } from "../chart/render";

let danm: string;
let dir: string;
beforeAll(async () => {
  danm = await danmClientBinary();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "tenet-probe-"));
}, 120_000);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Runs `danm --probe ...args` without blocking the event loop (the daemon under test runs in this process). */
function probe(...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string; ms: number }> {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(danm, ["--probe", ...args], { stdio: ["ignore", "pipe", "pipe"], env: {} as NodeJS.ProcessEnv });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (status) => resolve({ status, stdout, stderr, ms: performance.now() - started }));
  });
}

describe("danm --probe", () => {
  it("passes while the daemon answers on the socket, fails naming the socket once it has stopped", async () => {
    const socket = path.join(dir, "danm.sock");
    const daemon = await CniDaemon.start({ socket, node: "probe-test", log: () => {} });
    const up = await probe("--socket", socket);
    expect(up.status, up.stderr).toBe(0);
    expect(up.stdout).toContain(`the danm daemon at ${socket} answers`);
    for (const v of SUPPORTED_VERSIONS) expect(up.stdout).toContain(v);
    await daemon.close();
    const down = await probe("--socket", socket);
    expect(down.status).toBe(1);
    expect(down.stderr).toMatch(new RegExp(`the danm daemon at ${socket}: unreachable`));
  });

  it("fails when something accepts on the socket but does not answer in time, or answers something else", async () => {
    const socket = path.join(dir, "silent.sock");
    const held: net.Socket[] = [];
    const silent = net.createServer((s) => held.push(s)).listen(socket);
    await new Promise((r) => silent.once("listening", r));
    const stuck = await probe("--socket", socket, "--timeout", "300ms");
    expect(stuck.status).toBe(1);
    expect(stuck.stderr).toContain("no answer to a VERSION request within 300ms");
    expect(stuck.ms).toBeLessThan(5_000);
    held.forEach((s) => s.destroy());
    await new Promise((r) => silent.close(r));

    const other = path.join(dir, "other.sock");
    const wrong = net.createServer((s) => s.resume().end('{"code": 1, "stdout": "{\\"code\\": 4, \\"msg\\": \\"no\\"}"}\n')).listen(other);
    await new Promise((r) => wrong.once("listening", r));
    const refused = await probe("--socket", other);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain("answered VERSION with code 1");
    await new Promise((r) => wrong.close(r));
  });

  it("the DaemonSets probe the socket the installer writes into the netconf, from the image's client", { timeout: 60_000 }, () => {
    const plain = readManifestFile(path.join(import.meta.dirname, "daemonset.yaml"))[0] as any;
    const moved = renderChart({ cni: { daemon: { socket: "/run/custom/danm.sock" } } });
    for (const [ds, socket] of [
      [plain, "/run/tenet/danm.sock"],
      [findObject(renderChart(), "DaemonSet", "tenet-cni"), "/run/tenet/danm.sock"],
      [findObject(moved, "DaemonSet", "tenet-cni"), "/run/custom/danm.sock"],
    ] as const) {
      const containers = ds.spec.template.spec.containers as any[];
      const daemon = containers.find((c) => c.name === "cni-daemon");
      const installer = containers.find((c) => c.name === "install-cni");
      expect(daemon.args).toEqual(expect.arrayContaining(["cni-daemon", `--socket=${socket}`]));
      expect(installer.args).toContain(`--daemon-socket=${socket}`);
      for (const p of [daemon.readinessProbe, daemon.livenessProbe])
        expect(p.exec.command).toEqual(["/app/dist/danm", "--probe", `--socket=${socket}`, expect.stringMatching(/^--timeout=\d+s$/)]);
      // the probe's own timeout ends before the kubelet's
      const seconds = Number(/--timeout=(\d+)s/.exec(daemon.livenessProbe.exec.command[3])![1]);
      expect(seconds).toBeLessThan(daemon.livenessProbe.timeoutSeconds);
      expect(daemon.volumeMounts.some((m: any) => socket.startsWith(m.mountPath + "/"))).toBe(true);
    }
  });
});
