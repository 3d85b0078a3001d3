// Performs a Dockerfile's steps without a container engine (none on our machines): each stage is a
// directory, WORKDIR/COPY/ENV/RUN act inside it, COPY honours .dockerignore, and `FROM` of a base
// image or `RUN apt-get install` are checked against this machine (same Node major, a Go at least as
// new, same Debian, the packages installed) rather than performed. What the final stage holds is what the image holds.
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { copyTree } from "./runtimeTree";

export interface Instruction {
  op: string;
  args: string;
  line: number;
}

export function parseDockerfile(text: string): Instruction[] {
  const out: Instruction[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const start = i;
    let line = lines[i];
    while (line.trimEnd().endsWith("\\") && i + 1 < lines.length) line = line.trimEnd().slice(0, -1).trimEnd() + " " + lines[++i].trim();
    const t = line.trim();
    if (!t || t.startsWith("#")) continue;
    const m = /^(\w+)\s+(.*)$/s.exec(t);
    if (!m) throw new Error(`Dockerfile line ${start + 1}: cannot read "${t}"`);
    out.push({ op: m[1].toUpperCase(), args: m[2].trim(), line: start + 1 });
  }
  return out;
}

/** .dockerignore patterns (Go filepath.Match plus `**`, as Docker reads them), matched against a path or any of its parents. */
export function ignoreMatcher(patterns: string[]): (rel: string) => boolean {
  const rules = patterns
    .map((p) => p.trim())
    .filter((p) => p && !p.startsWith("#"))
    .map((p) => {
      const negate = p.startsWith("!");
      const glob = path.posix.normalize((negate ? p.slice(1) : p).replace(/^\/+/, ""));
      const re = glob
        .split("/")
        .map((seg) =>
          seg === "**"
            ? "(?:.*)"
            : seg
                .replace(/[.+^${}()|\\]/g, "\\$&")
                .replace(/\*/g, "[^/]*")
                .replace(/\?/g, "[^/]"),
        )
        .join("/")
        .replace(/\(\?:\.\*\)\//g, "(?:.*/)?");
      return { negate, re: new RegExp(`^${re}$`) };
    });
  return (rel) => {
    const parts = rel.split("/");
    let ignored = false;
    for (const { negate, re } of rules) {
      for (let n = 1; n <= parts.length; n++) if (re.test(parts.slice(0, n).join("/"))) ignored = !negate;
    }
    return ignored;
  };
}

export interface Stage {
  name: string;
  root: string;
  workdir: string;
  env: Record<string, string>;
  user?: string;
  entrypoint?: string[];
  cmd?: string[];
}

export interface BuildOptions {
  dockerfile: string;
  context: string;
  outDir: string;
  /** Keep stages already built in outDir (only their metadata is read again): for re-running the checks. */
  reuse?: boolean;
  log?: (line: string) => void;
}

/** Copies like COPY: a tree as it is, less what `skip` (absolute paths) leaves out. */
function copyInto(src: string, dest: string, skip?: (abs: string) => boolean) {
  copyTree(src, dest, skip ? (rel) => skip(path.join(src, rel)) : undefined);
}

const jsonOrShell = (args: string) => (args.startsWith("[") ? (JSON.parse(args) as string[]) : ["/bin/sh", "-c", args]);

/** Runs every instruction; returns the stages by name (the last one is the image). */
export function buildDockerfile(o: BuildOptions): Stage[] {
  const log = o.log ?? ((l) => process.stderr.write(`${l}\n`));
  const ignore = ignoreMatcher(
    fs.existsSync(path.join(o.context, ".dockerignore")) ? fs.readFileSync(path.join(o.context, ".dockerignore"), "utf8").split("\n") : [],
  );
  const skipContext = (abs: string) => ignore(path.relative(o.context, abs).split(path.sep).join("/"));
  const stages: Stage[] = [];
  let stage: Stage | undefined;
  let reusing = false;
  const inStage = (p: string) => path.join(stage!.root, path.posix.isAbsolute(p) ? p : path.posix.join(stage!.workdir, p));
  for (const ins of parseDockerfile(fs.readFileSync(o.dockerfile, "utf8"))) {
    const where = `Dockerfile line ${ins.line}: ${ins.op} ${ins.args}`;
    if (ins.op === "FROM") {
      const m = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(ins.args);
      if (!m) throw new Error(`${where}: cannot read`);
      const name = m[2] ?? `stage${stages.length}`;
      const root = path.join(o.outDir, name);
      const previous = stages.find((s) => s.name === m[1]);
      reusing = !!o.reuse && fs.existsSync(root);
      if (!reusing) fs.rmSync(root, { recursive: true, force: true });
      if (reusing) log(`[image] reusing ${root}`);
      else if (previous) copyInto(previous.root, root);
      else {
        fs.mkdirSync(root, { recursive: true });
        checkBaseImage(m[1], where);
      }
      stage = { name, root, workdir: "/", env: { ...(previous?.env ?? {}) } };
      stages.push(stage);
      log(`[image] ${where}`);
      continue;
    }
    if (!stage) throw new Error(`${where}: before FROM`);
    log(`[image] ${where}`);
    if (reusing && (ins.op === "COPY" || ins.op === "RUN")) continue;
    switch (ins.op) {
      case "WORKDIR":
        stage.workdir = path.posix.resolve(stage.workdir, ins.args);
        fs.mkdirSync(inStage("."), { recursive: true });
        break;
      case "ENV":
        for (const m of ins.args.matchAll(/(\w+)=("[^"]*"|\S+)/g)) stage.env[m[1]] = m[2].replace(/^"|"$/g, "");
        break;
      case "USER":
        stage.user = ins.args;
        break;
      case "ENTRYPOINT":
        stage.entrypoint = jsonOrShell(ins.args);
        break;
      case "CMD":
        stage.cmd = jsonOrShell(ins.args);
        break;
      case "COPY": {
        const words = ins.args.split(/\s+/);
        const from = words[0].startsWith("--from=") ? words.shift()!.slice("--from=".length) : undefined;
        const dest = words.pop()!;
        const source = from ? stages.find((s) => s.name === from) : undefined;
        if (from && !source) throw new Error(`${where}: no stage ${from}`);
        const toDir = dest.endsWith("/") || words.length > 1;
        for (const src of words) {
          const abs = source ? path.join(source.root, path.posix.resolve("/", src)) : path.join(o.context, src);
          if (!fs.existsSync(abs)) throw new Error(`${where}: ${src} does not exist${source ? ` in stage ${from}` : " in the build context"}`);
          const target = inStage(dest);
          const isDir = fs.statSync(abs).isDirectory();
          copyInto(abs, isDir ? target : toDir ? path.join(target, path.basename(abs)) : target, source ? undefined : skipContext);
        }
        break;
      }
      case "RUN":
        run(ins.args, stage, inStage("."), where, log);
        break;
      default:
        throw new Error(`${where}: instruction not supported by this test; extend deploy/image/dockerfile.ts`);
    }
  }
  return stages;
}

/** What the base images are checked against: this machine's Node.js and Go versions and Debian release. */
export interface Machine {
  node: string;
  /** `go env GOVERSION` without "go", or undefined without Go */
  go?: string;
  /** VERSION_CODENAME of /etc/os-release */
  debian?: string;
}

function thisMachine(): Machine {
  const go = spawnSync("go", ["env", "GOVERSION"], { encoding: "utf8" });
  const os = fs.readFileSync("/etc/os-release", "utf8");
  return {
    node: process.versions.node,
    go: go.status === 0 ? go.stdout.trim().replace(/^go/, "") : undefined,
    debian: /^VERSION_CODENAME=(\w+)/m.exec(os)?.[1],
  };
}

const versionParts = (v: string) =>
  v
    .split(/[^\d]+/)
    .filter(Boolean)
    .map(Number);
/** a >= b, comparing dotted numbers part by part (a missing part counts as 0). */
function atLeast(a: string, b: string): boolean {
  const [x, y] = [versionParts(a), versionParts(b)];
  for (let i = 0; i < Math.max(x.length, y.length); i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) > (y[i] ?? 0);
  return true;
}

/**
 * Why this machine cannot stand in for a base image, or undefined when it can: node:<major>-<debian>
 * needs the same Node.js major; golang:<version>-<debian> a Go at least that new (Go builds what an
 * older Go built); both the same Debian release.
 */
export function baseImageProblem(image: string, machine: Machine): string | undefined {
  const node = /^node:(\d+)-(\w+)/.exec(image);
  const go = /^golang:(\d+\.\d+(?:\.\d+)?)-(\w+)/.exec(image);
  if (!node && !go) return "only node:<major>-<debian> and golang:<version>-<debian> base images can be checked on this machine";
  if (node && node[1] !== machine.node.split(".")[0]) return `this machine runs Node ${machine.node}, the image Node ${node[1]}`;
  if (go && !machine.go) return `this machine has no Go (\`go\` on PATH), the image Go ${go[1]}`;
  if (go && !atLeast(machine.go!, go[1])) return `this machine runs Go ${machine.go}, older than the image's Go ${go[1]}`;
  const debian = (node ?? go)![2];
  if (machine.debian !== debian) return `this machine is not Debian ${debian}`;
  return undefined;
}

function checkBaseImage(image: string, where: string) {
  const problem = baseImageProblem(image, thisMachine());
  if (problem) throw new Error(`${where}: ${problem}`);
}

function run(command: string, stage: Stage, cwd: string, where: string, log: (l: string) => void) {
  for (const part of command.split("&&").map((p) => p.trim())) {
    // package installation is the base image's business: check that this machine has the packages
    if (/^apt-get\s+install\b/.test(part)) {
      const packages = part
        .split(/\s+/)
        .slice(2)
        .filter((w) => !w.startsWith("-"));
      const missing = packages.filter((p) => spawnSync("dpkg", ["-s", p], { stdio: "ignore" }).status !== 0);
      if (missing.length) throw new Error(`${where}: this machine lacks ${missing.join(", ")} (apt-get install ${missing.join(" ")})`);
      log(`[image]   checked installed: ${packages.join(", ")}`);
      continue;
    }
    if (/^apt-get\s+update\b/.test(part) || /^rm -rf \/var\/lib\/apt\/lists/.test(part)) continue;
    if (/(^|\s)\//.test(part.replace(/\S+=\S+/g, ""))) throw new Error(`${where}: "${part}" uses an absolute path; keep RUN paths relative to WORKDIR`);
    log(`[image]   $ ${part}`);
    execFileSync("/bin/sh", ["-c", part], { cwd, stdio: ["ignore", "inherit", "inherit"], env: { ...hostEnv(), ...stage.env } });
  }
}

/** This machine's environment without what a test runner or a developer's shell adds (NODE_ENV=test, TENET_*). */
function hostEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const k of Object.keys(env))
    if (k === "NODE_ENV" || k.startsWith("VITEST") || k.startsWith("TENET_") || k === "DATABASE_URL" || k === "KUBECONFIG") delete env[k];
  return env;
}
