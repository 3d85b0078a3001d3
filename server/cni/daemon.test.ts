// The danm daemon's socket protocol and its shared reads, without an API server: what reaches it
// over the socket, and what it answers when the request itself is wrong.
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CniDaemon, RecentReads } from "./daemon";

function ask(socket: string, line: string): Promise<Record<string, any>> {
  return new Promise((resolve, reject) => {
    let text = "";
    const s = net.connect(socket);
    s.setEncoding("utf8");
    s.on("data", (d) => (text += d));
    s.on("end", () => resolve(JSON.parse(text)));
    s.on("error", reject);
    s.end(line);
  });
}

describe("danm daemon socket", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tenet-daemon-"));
  const socket = path.join(dir, "sub", "danm.sock");
  const logs: string[] = [];
  let daemon: CniDaemon;
  beforeAll(async () => {
    fs.mkdirSync(path.dirname(socket));
    fs.writeFileSync(socket, "left over by a killed daemon");
    daemon = await CniDaemon.start({ socket, node: "node-x", log: (m) => logs.push(m) });
  });
  afterAll(async () => {
    await daemon.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("replaces a stale socket file and listens on a socket only its owner may use", () => {
    const st = fs.statSync(socket);
    expect(st.isSocket()).toBe(true);
    expect((st.mode & 0o777).toString(8)).toBe("600");
  });

  it("answers VERSION with the supported versions", async () => {
    const answer = await ask(socket, JSON.stringify({ env: { CNI_COMMAND: "VERSION" }, stdin: '{"cniVersion":"0.4.0"}' }) + "\n");
    expect(answer).toEqual({ code: 0, stdout: JSON.stringify({ cniVersion: "0.4.0", supportedVersions: ["0.3.0", "0.3.1", "0.4.0", "1.0.0"] }) });
  });

  it("answers a CNI error for a request that is not JSON, a missing environment and a bad netconf", async () => {
    const garbage = await ask(socket, "{not json\n");
    expect(garbage.code).toBe(1);
    expect(JSON.parse(garbage.stdout)).toMatchObject({ code: 6, msg: expect.stringContaining(`danm daemon ${socket}: the request is not JSON`) });

    const noEnv = await ask(socket, JSON.stringify({ env: { CNI_COMMAND: "ADD" }, stdin: "{}" }) + "\n");
    expect(JSON.parse(noEnv.stdout)).toMatchObject({ code: 4, msg: "ADD needs the environment variables CNI_CONTAINERID, CNI_NETNS, CNI_IFNAME, CNI_PATH" });

    const env = { CNI_COMMAND: "ADD", CNI_CONTAINERID: "c1", CNI_NETNS: "/proc/1/ns/net", CNI_IFNAME: "eth0", CNI_PATH: "/opt/cni/bin" };
    const noKubeconfig = await ask(socket, JSON.stringify({ env, stdin: '{"cniVersion":"1.0.0","name":"danm"}' }) + "\n");
    expect(JSON.parse(noKubeconfig.stdout)).toMatchObject({ cniVersion: "1.0.0", code: 7, msg: expect.stringContaining("kubeconfig") });

    const shape = await ask(socket, JSON.stringify({ env: "ADD" }) + "\n");
    expect(JSON.parse(shape.stdout)).toMatchObject({ code: 6, msg: expect.stringContaining('the request must be {"env": {...}, "stdin": "..."}') });
  });

  it("refuses a request line longer than 1 MiB without reading on", async () => {
    const answer = await ask(socket, "x".repeat((1 << 20) + 10));
    expect(JSON.parse(answer.stdout)).toMatchObject({ code: 6, msg: expect.stringContaining("request longer than 1048576 bytes") });
  });
});

describe("RecentReads", () => {
  it("shares one read among concurrent callers and reuses it until it is ttl old", async () => {
    let clock = 0;
    let fetches = 0;
    const reads = new RecentReads<number>(1000, () => clock);
    const fetch = async () => ++fetches;
    expect(await Promise.all([reads.read("a", fetch), reads.read("a", fetch), reads.read("a", fetch)])).toEqual([1, 1, 1]);
    clock = 999;
    expect(await reads.read("a", fetch)).toBe(1);
    expect(await reads.read("b", fetch)).toBe(2);
    clock = 1000;
    expect(await reads.read("a", fetch)).toBe(3);
  });

  it("keeps a 'not found' for the ttl, but reads again after any other failure", async () => {
    let status = 404;
    let fetches = 0;
    const reads = new RecentReads<number>(1000, () => 0);
    const failing = () => {
      fetches++;
      return Promise.reject(Object.assign(new Error("failed"), { status }));
    };
    await expect(reads.read("gone", failing)).rejects.toMatchObject({ status: 404 });
    await expect(reads.read("gone", failing)).rejects.toMatchObject({ status: 404 });
    expect(fetches).toBe(1);
    status = 503;
    await expect(reads.read("flaky", failing)).rejects.toMatchObject({ status: 503 });
    await new Promise((r) => setImmediate(r));
    await expect(reads.read("flaky", failing)).rejects.toMatchObject({ status: 503 });
    expect(fetches).toBe(3);
  });
});
