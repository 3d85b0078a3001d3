import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import YAML from "yaml";
import { danmClientBinary } from "../../server/cni/build";
import { SUPPORTED_VERSIONS } from "../../server/cni/protocol";
import { installCni } from "./installCni";

describe("tenet install-cni", () => {
  // the first call builds the Go client (a minute at most on a clean machine), later ones copy it
  it("installs the danm client, the node's kubeconfig and the danm netconf naming the daemon's socket", { timeout: 180_000 }, async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tenet-cni-"));
    const plugin = await danmClientBinary();
    fs.writeFileSync(path.join(dir, "ca.crt"), "CA");
    fs.writeFileSync(path.join(dir, "token"), "secret-token\n");
    const bin = path.join(dir, "bin");
    const conf = path.join(dir, "conf");
    // what earlier versions installed goes away
    fs.mkdirSync(bin);
    fs.writeFileSync(path.join(bin, "danm.mjs"), "");
    fs.writeFileSync(path.join(bin, "danm-node"), "");
    const socket = path.join(dir, "danm.sock");
    const written = installCni({
      plugin,
      binDir: bin,
      confDir: conf,
      hostBinDir: bin,
      hostConfDir: conf,
      server: "https://10.96.0.1:443",
      caFile: path.join(dir, "ca.crt"),
      tokenFile: path.join(dir, "token"),
      daemonSocket: socket,
    });
    expect(written.map((f) => path.basename(f)).sort()).toEqual(["00-danm.conf", "danm", "danm.kubeconfig"]);
    expect(fs.readdirSync(bin)).toEqual(["danm"]);
    // the runtime calls bin/danm with CNI_* variables; VERSION needs no daemon
    const version = execFileSync(path.join(bin, "danm"), [], {
      env: { CNI_COMMAND: "VERSION" } as unknown as NodeJS.ProcessEnv,
      input: "{}",
      encoding: "utf8",
    });
    expect(JSON.parse(version)).toEqual({ cniVersion: "1.0.0", supportedVersions: [...SUPPORTED_VERSIONS] });
    // with no daemon listening, an ADD fails at once with "try again later", naming the socket from the netconf
    const add = spawnSync(path.join(bin, "danm"), [], {
      env: {
        CNI_COMMAND: "ADD",
        CNI_CONTAINERID: "c1",
        CNI_NETNS: "/proc/1/ns/net",
        CNI_IFNAME: "eth0",
        CNI_PATH: "/opt/cni/bin",
      } as unknown as NodeJS.ProcessEnv,
      input: fs.readFileSync(path.join(conf, "00-danm.conf")),
      encoding: "utf8",
    });
    expect(add.status).toBe(1);
    expect(JSON.parse(add.stdout)).toMatchObject({
      cniVersion: "1.0.0",
      code: 11,
      msg: expect.stringContaining(`the danm daemon is unreachable at ${socket}`),
    });
    const kubeconfig = YAML.parse(fs.readFileSync(path.join(conf, "danm.kubeconfig"), "utf8"));
    expect(kubeconfig.users[0].user.token).toBe("secret-token");
    expect(kubeconfig.clusters[0].cluster).toEqual({ server: "https://10.96.0.1:443", "certificate-authority-data": Buffer.from("CA").toString("base64") });
    expect((fs.statSync(path.join(conf, "danm.kubeconfig")).mode & 0o777).toString(8)).toBe("600");
    expect(JSON.parse(fs.readFileSync(path.join(conf, "00-danm.conf"), "utf8"))).toMatchObject({
      type: "danm",
      kubeconfig: path.join(conf, "danm.kubeconfig"),
      cniDir: conf,
      daemonSocket: socket,
    });
    expect(fs.readdirSync(bin).some((f) => f.includes(".tenet-"))).toBe(false);
  });
});
