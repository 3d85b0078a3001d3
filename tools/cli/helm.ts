// Helm for the chart tests and CI. Neither npm nor Debian packages Helm, so it is built from its Go
// module (`go install helm.sh/helm/v3/cmd/helm@VERSION`, from the Go module proxy) once per machine
// and cached as .tenet/bin/helm-VERSION.
//   npx tsx tools/cli/helm.ts            builds it if missing and prints its path
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { REPO_ROOT } from "./controlplaneBinary";

export const HELM_VERSION = "v3.22.0";

/** Path of the cached Helm binary, building it first when it is not there (a few minutes on 2 cores). */
export function ensureHelm(binDir = path.join(REPO_ROOT, ".tenet", "bin"), say: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): string {
  const target = path.join(binDir, `helm-${HELM_VERSION}`);
  if (fs.existsSync(target)) return target;
  fs.mkdirSync(binDir, { recursive: true });
  const gobin = fs.mkdtempSync(path.join(os.tmpdir(), "tenet-helm-"));
  say(`building helm ${HELM_VERSION} from its Go module (go install helm.sh/helm/v3/cmd/helm@${HELM_VERSION}); the first build takes several minutes`);
  const go = fs.existsSync("/usr/local/go/bin/go") ? "/usr/local/go/bin/go" : "go";
  // outside any module, so the repository's go.mod files play no part
  const built = spawnSync(
    go,
    ["install", "-p", process.env.TENET_GO_BUILD_P ?? "2", "-trimpath", "-ldflags=-s -w", `helm.sh/helm/v3/cmd/helm@${HELM_VERSION}`],
    {
      cwd: gobin,
      env: { ...process.env, GOBIN: gobin, GOFLAGS: "-mod=mod", CGO_ENABLED: "0" },
      stdio: ["ignore", "inherit", "pipe"],
      encoding: "utf8",
    },
  );
  if (built.status !== 0) {
    throw new Error(
      `could not build helm ${HELM_VERSION} with \`go install\` (exit ${built.status ?? built.signal}): ${(built.stderr ?? built.error?.message ?? "").trim().split("\n").slice(-8).join("\n")}`,
    );
  }
  fs.renameSync(path.join(gobin, "helm"), target);
  fs.rmSync(gobin, { recursive: true, force: true });
  return target;
}

/** Runs `helm ARGS`; returns stdout, throws with helm's own message on failure. */
export function helm(args: string[], options: { input?: string } = {}): string {
  const result = spawnSync(ensureHelm(), args, {
    encoding: "utf8",
    input: options.input,
    maxBuffer: 64 * 1024 * 1024,
    env: {
      ...process.env,
      HELM_CACHE_HOME: path.join(os.tmpdir(), "tenet-helm-cache"),
      HELM_CONFIG_HOME: path.join(os.tmpdir(), "tenet-helm-config"),
      HELM_DATA_HOME: path.join(os.tmpdir(), "tenet-helm-data"),
    },
  });
  if (result.status !== 0) throw new Error(`helm ${args.join(" ")} failed: ${(result.stderr || result.error?.message || "").trim()}`);
  return result.stdout;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    process.stdout.write(`${ensureHelm()}\n`);
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    process.exitCode = 1;
  }
}
