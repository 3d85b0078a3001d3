import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import YAML from "yaml";
import { runValidate } from "./validate";

const root = path.resolve(import.meta.dirname, "..", "..");
const ex = (f: string) => path.join(root, "examples", f);

async function validate(...argv: string[]) {
  const out = new PassThrough();
  const err = new PassThrough();
  let stdout = "";
  let stderr = "";
  out.on("data", (d) => (stdout += d));
  err.on("data", (d) => (stderr += d));
  const code = await runValidate(argv, out, err);
  return { code, stdout, stderr };
}

describe("tenet validate", () => {
  it("allows every example manifest, in file order, and exits 0", async () => {
    const r = await validate(
      ...["tenantconfig.yaml", "clusternetworks.yaml", "tenantnetworks.yaml", "danmnet.yaml", "pod.yaml", "service.yaml"].flatMap((f) => ["-f", ex(f)]),
    );
    expect(r.stdout.trim().split("\n")).toEqual([
      "ALLOWED TenantConfig/tenet",
      "ALLOWED ClusterNetwork/oam",
      "ALLOWED ClusterNetwork/backhaul",
      "ALLOWED ClusterNetwork/fronthaul",
      "ALLOWED ClusterNetwork/overlay",
      "ALLOWED TenantNetwork/signalling",
      "ALLOWED TenantNetwork/media",
      "ALLOWED TenantNetwork/fronthaul",
      "ALLOWED TenantNetwork/lab-bridge",
      "ALLOWED DanmNet/internal",
      "ALLOWED Pod/sbc-0",
      "ALLOWED Service/sbc-media",
    ]);
    expect(r.code).toBe(0);
  });

  it("prints DENIED with the rule ID for each invalid example and exits 1", async () => {
    const r = await validate(
      "-f",
      ex("invalid/tenant-sets-vlan.yaml"),
      "-f",
      ex("invalid/clusternetwork-bad.yaml"),
      "-f",
      ex("invalid/danmnet-too-big.yaml"),
      "--context",
      ex("tenantconfig.yaml"),
    );
    const lines = r.stdout.trim().split("\n");
    expect(lines[0]).toBe(
      "DENIED TenantNetwork/sneaky [N-23] TenantNetwork team-a/sneaky is invalid: spec.Options.vlan: Forbidden: vlan is assigned by the cluster; remove it from TenantNetwork sneaky (N-23)",
    );
    expect(lines[1]).toMatch(
      /^DENIED ClusterNetwork\/broken \[N-3\] .*spec\.Options\.routes\["10\.31\.0\.0\/16"\].*\(N-3\).*spec\.Options\.host_device: Forbidden: sriov networks take a device_pool, not a host_device \(N-24\)$/,
    );
    expect(lines[2]).toMatch(/^DENIED DanmNet\/huge \[N-10\] DanmNet team-b\/huge is invalid: spec\.Options\.cidr: .*\(N-10\)$/);
    expect(r.code).toBe(1);
  });

  it("-o yaml prints the mutated objects, carrying the TenantConfig reservations from object to object", async () => {
    const r = await validate("-f", ex("tenantconfig.yaml"), "-f", ex("tenantnetworks.yaml"), "-o", "yaml");
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("ALLOWED TenantNetwork/signalling");
    const docs = YAML.parseAllDocuments(r.stdout).map((d) => d.toJS());
    const byName = Object.fromEntries(docs.map((d) => [d.metadata.name, d]));
    expect(byName.signalling.spec).toMatchObject({
      NetworkID: "tn-macvl",
      Options: { host_device: "ens4", vlan: 1000, allocation_pool: { start: "10.60.0.1", end: "10.60.0.126" } },
    });
    expect(byName.media.spec.Options).toMatchObject({ host_device: "ens5", vxlan: 300 });
    expect(byName.fronthaul.spec.Options).toMatchObject({ device_pool: "vendor.example/sriov_left", vlan: 3000 });
    expect(byName["lab-bridge"].spec.NetworkID).toBe("tenant-bridge");
    // the TenantConfig shows the three reservations made after it in the file
    expect(byName.tenet.hostDevices.every((p: { vniType?: string; alloc?: string }) => !p.vniType || p.alloc)).toBe(true);
  });

  it("an existing network in --context makes the object an UPDATE: changing a TenantNetwork's vlan is denied", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tenet-validate-"));
    const first = await validate("-f", ex("tenantconfig.yaml"), "-f", ex("tenantnetworks.yaml"), "-o", "yaml");
    fs.writeFileSync(path.join(dir, "existing.yaml"), first.stdout);
    const changed = YAML.parseAllDocuments(fs.readFileSync(ex("tenantnetworks.yaml"), "utf8")).map((d) => d.toJS())[0];
    changed.spec.Options.vlan = 1500;
    fs.writeFileSync(path.join(dir, "changed.yaml"), YAML.stringify(changed));
    const r = await validate("-f", path.join(dir, "changed.yaml"), "--context", path.join(dir, "existing.yaml"));
    expect(r.stdout).toContain("DENIED TenantNetwork/signalling [N-23]");
    expect(r.stdout).toContain("vlan of a TenantNetwork cannot change after creation (was 1000)");
    expect(r.code).toBe(1);
  });

  it("exits 2 naming file and line when the input cannot be parsed", async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "tenet-validate-")), "broken.yaml");
    fs.writeFileSync(file, "apiVersion: danm.k8s.io/v1\nkind: DanmNet\nmetadata:\n  name: [unclosed\n");
    const r = await validate("-f", file);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`${file.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}:\\d+: `));
    const missing = await validate("-f", "/nonexistent/file.yaml");
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("/nonexistent/file.yaml: cannot read");
  });

  it("runs as `npx tenet validate` from a shell with the documented exit codes", () => {
    const ok = spawnSync("node", [path.join(root, "tools/cli/tenet.mjs"), "validate", "-f", ex("danmnet.yaml")], { encoding: "utf8" });
    expect(ok.stdout).toBe("ALLOWED DanmNet/internal\n");
    expect(ok.status).toBe(0);
    const bad = spawnSync("node", [path.join(root, "tools/cli/tenet.mjs"), "validate", "-f", ex("invalid/danmnet-too-big.yaml")], { encoding: "utf8" });
    expect(bad.status).toBe(1);
    expect(() => execFileSync("node", [path.join(root, "tools/cli/tenet.mjs"), "validate"], { stdio: "pipe" })).toThrow();
  });
});
