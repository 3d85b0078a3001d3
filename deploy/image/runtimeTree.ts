// What the image's final stage holds (Dockerfile: `tsx deploy/image/runtimeTree.ts runtime` in the
// build stage, then `COPY --from=build /app/runtime ./`), instead of the whole node_modules:
//   - the console: Next.js's standalone output (`output: "standalone"`, TENET_NEXT_OUTPUT=standalone),
//     i.e. the server build and only the node_modules files Next traced for it, plus its static files;
//   - the CLI entry points (tools/cli/tenet.mjs through tsx: webhook, controllers, agent, install-cni,
//     cni-daemon, db, validate, console): our sources and the packages they import with everything
//     those depend on, minus files no entry point reads (source maps, type declarations, the native
//     module's build intermediates, Prisma query compilers for databases tenet does not use);
//   - the danm CNI executable (dist/danm: the Go client the Dockerfile's danm stage builds).
// Usage: tsx deploy/image/runtimeTree.ts OUT_DIR [APP_DIR]
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** What the CLI's sources import from node_modules (`tsx` runs them; the rest comes by dependency). */
export const CLI_PACKAGES = [
  "tsx",
  // the danm daemon (`tenet cni-daemon`) asks the kubelet's PodResources API over gRPC (SR-IOV)
  "@grpc/grpc-js",
  "@grpc/proto-loader",
  "@kubernetes/client-node",
  "@node-rs/argon2",
  "@prisma/adapter-better-sqlite3",
  "@prisma/adapter-pg",
  "@prisma/client",
  "@prisma/driver-adapter-utils",
  "@prisma/schema-engine-wasm",
  "prom-client",
  "undici",
  "yaml",
  "zod",
];

/** Our files the CLI runs (tests excluded). */
export const APP_FILES = ["package.json", "tsconfig.json", "server", "tools/cli", "tools/db", "prisma", "deploy", "dist"];

/** Files of a package (path inside it, `/`-separated) that no entry point reads. */
const PRUNED: { pkg?: string; file: RegExp }[] = [
  { file: /\.(js|mjs|cjs|css)\.map$/ },
  { file: /\.d\.(ts|mts|cts)$/ },
  // the compiled module is all that runs (lib/ loads it through `bindings`)
  { pkg: "better-sqlite3", file: /^(deps|src|docs)\/|^build\/(?!Release\/better_sqlite3\.node$)/ },
  // the generated clients (server/db/generated*) load the "fast" compilers of SQLite and PostgreSQL only
  { pkg: "@prisma/client", file: /^runtime\/query_compiler_(small_bg\.|fast_bg\.(mysql|cockroachdb|sqlserver)\.)/ },
];

const TEST_FILE = /\.(int\.)?test\.ts$|\.imagetest\.ts$/;

export function isPruned(pkg: string, fileInPkg: string): boolean {
  return PRUNED.some((p) => (!p.pkg || p.pkg === pkg) && p.file.test(fileInPkg));
}

function readJson(file: string): Record<string, any> {
  return JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, any>;
}

/** Node's lookup of package `name` from directory `from`: node_modules of `from` and each parent up to `root`. */
function resolvePackage(root: string, name: string, from: string): string | undefined {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, "node_modules", name);
    if (fs.existsSync(path.join(candidate, "package.json"))) return candidate;
    if (dir === root || !dir.startsWith(root)) return undefined;
  }
}

/**
 * The directories (relative to `root`) of `roots` and of everything they depend on: dependencies,
 * optional dependencies that are installed, and peer dependencies not marked optional.
 */
export function packageClosure(root: string, roots: string[]): { name: string; dir: string }[] {
  const found = new Map<string, string>();
  const visit = (name: string, from: string, required: boolean, via: string) => {
    const dir = resolvePackage(root, name, from);
    if (!dir) {
      if (required) throw new Error(`${name} (needed by ${via}) is not installed under ${path.relative(root, from) || "."}/node_modules: run npm ci`);
      return;
    }
    if (found.has(dir)) return;
    found.set(dir, name);
    const pkg = readJson(path.join(dir, "package.json"));
    for (const d of Object.keys(pkg.dependencies ?? {})) visit(d, dir, true, name);
    for (const d of Object.keys(pkg.optionalDependencies ?? {})) visit(d, dir, false, name);
    for (const d of Object.keys(pkg.peerDependencies ?? {})) if (!pkg.peerDependenciesMeta?.[d]?.optional) visit(d, dir, true, name);
  };
  for (const r of roots) visit(r, root, true, "the tenet CLI");
  return [...found].map(([dir, name]) => ({ name, dir: path.relative(root, dir) })).sort((a, b) => a.dir.localeCompare(b.dir));
}

/** Copies `src` to `dest` (files, directories, symlinks as links), skipping what `skip` says (path relative to src). */
export function copyTree(src: string, dest: string, skip: (rel: string) => boolean = () => false, rel = ""): void {
  const stat = fs.lstatSync(src);
  if (rel && skip(rel)) return;
  if (stat.isSymbolicLink()) {
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    fs.rmSync(dest, { force: true, recursive: true });
    fs.symlinkSync(fs.readlinkSync(src), dest);
  } else if (stat.isDirectory()) {
    fs.mkdirSync(dest, { recursive: true });
    for (const e of fs.readdirSync(src)) copyTree(path.join(src, e), path.join(dest, e), skip, rel ? `${rel}/${e}` : e);
  } else {
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    fs.copyFileSync(src, dest);
    fs.chmodSync(dest, stat.mode & 0o7777);
  }
}

export interface RuntimeTreeOptions {
  appDir: string;
  outDir: string;
  /** Next's build directory inside appDir */
  distDir?: string;
  say?: (line: string) => void;
}

/** Builds the tree; returns the packages the CLI brought. */
export function assembleRuntimeTree(o: RuntimeTreeOptions): { name: string; dir: string }[] {
  const say = o.say ?? ((l) => process.stderr.write(`${l}\n`));
  const distDir = o.distDir ?? ".next";
  const standalone = path.join(o.appDir, distDir, "standalone");
  if (!fs.existsSync(path.join(standalone, "server.js")))
    throw new Error(`${standalone} has no standalone build of the console: run \`TENET_NEXT_OUTPUT=standalone next build\` first`);
  fs.rmSync(o.outDir, { recursive: true, force: true });
  // the console: the server build and the files Next traced for it (its server.js is not used: `tenet console` starts it)
  copyTree(standalone, o.outDir, (rel) => rel === "server.js");
  copyTree(path.join(o.appDir, distDir, "static"), path.join(o.outDir, ".next", "static"));
  if (fs.existsSync(path.join(o.appDir, "public"))) copyTree(path.join(o.appDir, "public"), path.join(o.outDir, "public"));
  // the CLI: our sources and its packages
  for (const f of APP_FILES) copyTree(path.join(o.appDir, f), path.join(o.outDir, f), (rel) => TEST_FILE.test(rel));
  const packages = packageClosure(o.appDir, CLI_PACKAGES);
  for (const p of packages) {
    copyTree(path.join(o.appDir, p.dir), path.join(o.outDir, p.dir), (rel) => rel.startsWith("node_modules/") || isPruned(p.name, rel));
  }
  say(`[runtime] ${o.outDir}: the console's standalone build, ${APP_FILES.join(", ")} and ${packages.length} packages for the CLI`);
  return packages;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [outDir, appDir = process.cwd()] = process.argv.slice(2);
  if (!outDir) {
    process.stderr.write("usage: tsx deploy/image/runtimeTree.ts OUT_DIR [APP_DIR]\n");
    process.exit(2);
  }
  assembleRuntimeTree({ appDir: path.resolve(appDir), outDir: path.resolve(outDir) });
}
