import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import YAML from "yaml";
import { installCni } from "./installCni";

describe("tenet install-cni", () => {
  it("installs a runnable plugin wrapper, the node's kubeconfig and the danm netconf", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tenet-cni-"));
    const plugin = path.join(dir, "plugin.mjs");
    fs.writeFileSync(plugin, 'console.log(JSON.stringify({ argv: process.argv.slice(2), cmd: process.env.CNI_COMMAND }));\n');
    fs.writeFileSync(path.join(dir, "ca.crt"), "CA");
    fs.writeFileSync(path.join(dir, "token"), "secret-token\n");
    const bin = path.join(dir, "bin");
    const conf = path.join(dir, "conf");
    const written = installCni({ plugin, binDir: bin, confDir: conf, hostBinDir: bin, hostConfDir: conf, server: "https://10.96.0.1:443", caFile: path.join(dir, "ca.crt"), tokenFile: path.join(dir, "token"), nodeBinary: process.execPath });
    expect(written.map((f) => path.basename(f)).sort()).toEqual(["00-danm.conf", "danm", "danm-node", "danm.kubeconfig", "danm.mjs"]);
    // the runtime calls bin/danm with CNI_* variables: the wrapper runs the bundle with the copied node
    const out = execFileSync(path.join(bin, "danm"), ["x"], { env: { CNI_COMMAND: "VERSION" } as unknown as NodeJS.ProcessEnv, encoding: "utf8" });
    expect(JSON.parse(out)).toEqual({ argv: ["x"], cmd: "VERSION" });
    const kubeconfig = YAML.parse(fs.readFileSync(path.join(conf, "danm.kubeconfig"), "utf8"));
    expect(kubeconfig.users[0].user.token).toBe("secret-token");
    expect(kubeconfig.clusters[0].cluster).toEqual({ server: "https://10.96.0.1:443", "certificate-authority-data": Buffer.from("CA").toString("base64") });
    expect((fs.statSync(path.join(conf, "danm.kubeconfig")).mode & 0o777).toString(8)).toBe("600");
    expect(JSON.parse(fs.readFileSync(path.join(conf, "00-danm.conf"), "utf8"))).toMatchObject({ type: "danm", kubeconfig: path.join(conf, "danm.kubeconfig"), cniDir: conf });
    expect(fs.readdirSync(bin).some((f) => f.includes(".tenet-"))).toBe(false);
  });
});
