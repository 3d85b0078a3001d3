// The peer IPAM of `npm run bench:cni`: Whereabouts (github.com/k8snetworkplumbingwg/whereabouts),
// built from its Go module at a pinned tag, never committed. The binary is cached as
// .tenet/bin/whereabouts-<version>, so only the first run builds (a few minutes on 2 cores); its
// CRDs come from the same module's doc/crds/.
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { REPO_ROOT } from "../tools/cli/controlplaneBinary";

const run = promisify(execFile);
const MODULE = "github.com/k8snetworkplumbingwg/whereabouts";
/** The CRDs the IPAM plugin itself uses (doc/crds/ also holds the node-slice controller's). */
const CRD_FILES = ["whereabouts.cni.cncf.io_ippools.yaml", "whereabouts.cni.cncf.io_overlappingrangeipreservations.yaml"];

export interface Whereabouts {
  version: string;
  binary: string;
  crdFiles: string[];
}

/** The module's source directory in the Go module cache (downloaded through the module proxy if absent). */
async function moduleSource(version: string): Promise<string> {
  const { stdout } = await run("go", ["mod", "download", "-json", `${MODULE}@${version}`], { timeout: 300_000, maxBuffer: 1 << 20 });
  const info = JSON.parse(stdout) as { Dir?: string; Error?: string };
  if (!info.Dir) throw new Error(`go mod download ${MODULE}@${version}: ${info.Error ?? "no source directory"}`);
  return info.Dir;
}

/**
 * Whereabouts `version`: the cached binary, or one built now from a copy of the module's source in
 * a temporary directory (`go install …@version` refuses it: its go.mod has a replace directive).
 */
export async function ensureWhereabouts(version: string, say: (line: string) => void): Promise<Whereabouts> {
  const source = await moduleSource(version);
  const crdFiles = CRD_FILES.map((f) => path.join(source, "doc", "crds", f));
  const binary = path.join(REPO_ROOT, ".tenet", "bin", `whereabouts-${version}`);
  if (fs.existsSync(binary)) return { version, binary, crdFiles };
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "tenet-whereabouts-"));
  try {
    say(`building whereabouts ${version} from its Go module (once; cached as ${path.relative(REPO_ROOT, binary)})`);
    const started = performance.now();
    const src = path.join(tmp, "src");
    fs.cpSync(source, src, { recursive: true });
    const out = path.join(tmp, "whereabouts");
    await run("go", ["build", "-trimpath", "-ldflags", "-s -w", "-o", out, "./cmd/"], {
      cwd: src,
      env: { ...process.env, CGO_ENABLED: "0" },
      timeout: 30 * 60_000,
      maxBuffer: 16 << 20,
    });
    fs.mkdirSync(path.dirname(binary), { recursive: true });
    fs.copyFileSync(out, `${binary}.partial`);
    fs.chmodSync(`${binary}.partial`, 0o755);
    fs.renameSync(`${binary}.partial`, binary);
    say(`built whereabouts ${version} in ${((performance.now() - started) / 1000).toFixed(0)} s`);
    return { version, binary, crdFiles };
  } finally {
    // the module cache's files are read-only; root removes them all the same
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
