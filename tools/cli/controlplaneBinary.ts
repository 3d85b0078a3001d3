// Builds tools/controlplane once per source version (cached under .tenet/bin) with visible progress.
import { spawn } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";

export const REPO_ROOT = path.resolve(import.meta.dirname, "..", "..");
const SOURCE_DIR = path.join(REPO_ROOT, "tools", "controlplane");

/** A hash of a Go program's sources (its .go files, go.mod, go.sum): the cache key of its build. */
export function sourceHash(dir = SOURCE_DIR): string {
  const hash = crypto.createHash("sha256");
  for (const file of fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".go") || f === "go.mod" || f === "go.sum")
    .sort()) {
    hash.update(file).update(fs.readFileSync(path.join(dir, file)));
  }
  return hash.digest("hex").slice(0, 16);
}

/** Path of the control plane binary for the current sources, building it if needed. */
export async function ensureControlPlaneBinary(binDir: string, say: (line: string) => void = (l) => process.stderr.write(l + "\n")): Promise<string> {
  const target = path.join(binDir, `controlplane-${sourceHash()}`);
  if (fs.existsSync(target)) return target;
  fs.mkdirSync(binDir, { recursive: true });
  say("building the local Kubernetes control plane from Go modules (kube-apiserver, etcd, controllers);");
  say("a first build downloads ~1 GB of modules and takes several minutes on 2 cores; later runs reuse it.");
  const started = Date.now();
  const partial = `${target}.partial`;
  let packages = 0;
  await new Promise<void>((resolve, reject) => {
    const child = spawn("go", ["build", "-v", "-p", process.env.TENET_GO_BUILD_P ?? "2", "-trimpath", "-ldflags=-s -w", "-o", partial, "."], {
      cwd: SOURCE_DIR,
      env: { ...process.env, CGO_ENABLED: "0" },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let errors = "";
    const ticker = setInterval(() => say(`  … ${Math.round((Date.now() - started) / 1000)}s, ${packages} packages compiled`), 15_000);
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      for (const line of chunk.split("\n")) {
        if (/^[\w.\-/]+$/.test(line.trim())) packages++;
        else if (line.trim()) errors += line + "\n";
      }
    });
    child.on("error", (e) => {
      clearInterval(ticker);
      reject(new Error(`cannot run go (is Go installed?): ${e.message}`));
    });
    child.on("exit", (code) => {
      clearInterval(ticker);
      if (code === 0) resolve();
      else reject(new Error(`go build of tools/controlplane failed (exit ${code}):\n${errors.slice(-4000)}`));
    });
  });
  fs.renameSync(partial, target);
  for (const old of fs.readdirSync(binDir).filter((f) => f.startsWith("controlplane-") && path.join(binDir, f) !== target))
    fs.rmSync(path.join(binDir, old), { force: true });
  say(`built in ${Math.round((Date.now() - started) / 1000)}s${packages ? ` (${packages} packages compiled)` : ""}: ${path.relative(REPO_ROOT, target)}`);
  return target;
}
