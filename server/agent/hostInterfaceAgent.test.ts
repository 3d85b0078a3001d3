// The agent's batch building and failure attribution against a scripted `ip` (no root needed): the
// script answers link/addr reads from files, records every batch, and replays a given stderr/exit.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { NetworkObject } from "../domain/api/network";
import { HostInterfaceAgent, REMOVAL_GROUP } from "./hostInterfaceAgent";

const FAKE_IP = `#!/bin/sh
dir=$(dirname "$0")
case "$*" in
  *"link show"*) n=$(cat "$dir/reads" 2>/dev/null || echo 0); n=$((n+1)); echo $n > "$dir/reads"
    if [ -f "$dir/links.$n.json" ]; then cat "$dir/links.$n.json"; else cat "$dir/links.json"; fi ;;
  *"addr show"*) cat "$dir/addrs.json" ;;
  *"-batch"*) b=$(ls "$dir" | grep -c '^batch\\.'); b=$((b+1)); cat > "$dir/batch.$b"
    if [ -f "$dir/stderr.$b" ]; then cat "$dir/stderr.$b" >&2; exit "$(cat "$dir/code.$b")"; fi ;;
esac
`;

const network = (id: string, vxlan: number, host_device = "p0"): NetworkObject =>
  ({ apiVersion: "danm.k8s.io/v1", kind: "ClusterNetwork", metadata: { name: id }, spec: { NetworkID: id, Options: { host_device, vxlan } } }) as NetworkObject;
const p0 = { ifname: "p0", flags: ["UP"], group: "default", linkinfo: { info_kind: "veth" } };
const vx = (name: string, id: number, extra: object = {}) => ({
  ifname: name,
  ifalias: "tenet:owned",
  flags: ["UP"],
  group: "default",
  linkinfo: { info_kind: "vxlan", info_data: { id, link: "p0" } },
  ...extra,
});

describe("HostInterfaceAgent with a scripted ip", () => {
  let dir: string;
  let agent: HostInterfaceAgent;
  const write = (file: string, content: unknown) => fs.writeFileSync(path.join(dir, file), typeof content === "string" ? content : JSON.stringify(content));
  const batch = (n: number) =>
    fs
      .readFileSync(path.join(dir, `batch.${n}`), "utf8")
      .trim()
      .split("\n");
  const batches = () => fs.readdirSync(dir).filter((f) => f.startsWith("batch.")).length;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "tenet-fake-ip-"));
    write("ip", FAKE_IP);
    fs.chmodSync(path.join(dir, "ip"), 0o755);
    write("addrs.json", [{ ifname: "p0", addr_info: [{ family: "inet", local: "10.1.0.1", scope: "global" }] }]);
    agent = new HostInterfaceAgent({ ipPath: path.join(dir, "ip") });
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("creates with one batch: add (up) then alias per interface", async () => {
    write("links.json", [p0]);
    expect(await agent.reconcile([network("a", 600)])).toEqual({ created: ["vx_a"], removed: [], broughtUp: [], failed: [], conflicts: [] });
    expect(batch(1)).toEqual([
      "link add vx_a up type vxlan id 600 dev p0 dstport 4789 local 10.1.0.1 group 239.0.2.88 learning l2miss l3miss",
      "link set vx_a alias tenet:owned",
    ]);
  });

  it("removes many owned interfaces with one group removal, and one by one when a foreign link is in that group", async () => {
    const owned = [1, 2, 3, 4].map((i) => vx(`vx_${i}`, i));
    write("links.json", [p0, ...owned]);
    expect((await agent.reconcile([])).removed).toEqual(["vx_1", "vx_2", "vx_3", "vx_4"]);
    expect(batch(1)).toEqual([...[1, 2, 3, 4].map((i) => `link set vx_${i} group ${REMOVAL_GROUP}`), `link del group ${REMOVAL_GROUP}`]);

    write("links.json", [p0, ...owned, { ifname: "theirs", flags: [], group: String(REMOVAL_GROUP) }]);
    expect((await agent.reconcile([])).removed).toEqual(["vx_1", "vx_2", "vx_3", "vx_4"]);
    expect(batch(2)).toEqual([1, 2, 3, 4].map((i) => `link del vx_${i}`));
  });

  it("falls back to removing one by one, each with its reason, when the group removal fails", async () => {
    const owned = [1, 2, 3, 4].map((i) => vx(`vx_${i}`, i));
    write("links.json", [p0, ...owned]);
    write("stderr.1", "RTNETLINK answers: Operation not permitted\nCommand failed -:5\n");
    write("code.1", "1");
    write("stderr.2", "RTNETLINK answers: Device or resource busy\nCommand failed -:2\n");
    write("code.2", "1");
    const report = await agent.reconcile([]);
    expect(batch(2)).toEqual([1, 2, 3, 4].map((i) => `link del vx_${i}`));
    expect(report.failed).toEqual([{ name: "vx_2", users: [], command: "link del vx_2", error: "RTNETLINK answers: Device or resource busy" }]);
    expect(report.removed).toEqual(["vx_1", "vx_3", "vx_4"]);
  });

  it("when ip stops early, blames the first interface whose change is missing and retries the rest", async () => {
    write("links.1.json", [p0]);
    // After the first batch only vx_a exists: ip stopped at vx_b's add line.
    write("links.2.json", [p0, vx("vx_a", 1)]);
    write("links.json", [p0, vx("vx_a", 1), vx("vx_c", 3)]);
    write("stderr.1", 'Error: argument "x" is wrong: invalid id\n');
    write("code.1", "255");
    const report = await agent.reconcile([network("a", 1), network("b", 2), network("c", 3)]);
    expect(report.failed).toEqual([
      { name: "vx_b", users: ["ClusterNetwork b"], command: expect.stringContaining("link add vx_b"), error: 'Error: argument "x" is wrong: invalid id' },
    ]);
    expect(report.created).toEqual(["vx_a", "vx_c"]);
    expect(batches()).toBe(2);
    expect(batch(2)).toEqual([
      "link add vx_c up type vxlan id 3 dev p0 dstport 4789 local 10.1.0.1 group 239.0.0.3 learning l2miss l3miss",
      "link set vx_c alias tenet:owned",
    ]);
  });

  it("removes an interface again when it was created but could not be marked as owned", async () => {
    write("links.json", [p0]);
    write("stderr.1", "RTNETLINK answers: Cannot allocate memory\nCommand failed -:2\n");
    write("code.1", "1");
    const report = await agent.reconcile([network("a", 1)]);
    expect(report.failed).toEqual([
      { name: "vx_a", users: ["ClusterNetwork a"], command: "link set vx_a alias tenet:owned", error: "RTNETLINK answers: Cannot allocate memory" },
    ]);
    expect(batch(2)).toEqual(["link del vx_a"]);
  });
});
