// The image's file tree (runtimeTree.ts): which packages the CLI brings, what is left out, and that
// every package the CLI's sources import is among them (else an entry point fails in the image only).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { build } from "esbuild";
import { afterEach, describe, expect, it } from "vitest";
import { assembleRuntimeTree, CLI_PACKAGES, isPruned, packageClosure } from "./runtimeTree";

const REPO = path.resolve(import.meta.dirname, "..", "..");
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function tree(files: Record<string, string | object>): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "tenet-runtime-"));
  dirs.push(root);
  for (const [file, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), typeof content === "string" ? content : JSON.stringify(content));
  }
  return root;
}

const pkg = (name: string, more: object = {}) => ({ [`node_modules/${name}/package.json`]: { name, ...more }, [`node_modules/${name}/index.js`]: "" });

describe("packageClosure", () => {
  it("follows dependencies, installed optional ones and required peers, nested copies where npm put them", () => {
    const root = tree({
      ...pkg("a", {
        dependencies: { b: "1" },
        optionalDependencies: { "not-installed": "1", c: "1" },
        peerDependencies: { p: "1", q: "1" },
        peerDependenciesMeta: { q: { optional: true } },
      }),
      ...pkg("b", { dependencies: { d: "2" } }),
      "node_modules/b/node_modules/d/package.json": { name: "d", version: "2" },
      ...pkg("c"),
      ...pkg("d", { version: "1" }),
      ...pkg("p"),
      ...pkg("q"),
      ...pkg("unrelated"),
    });
    expect(packageClosure(root, ["a"]).map((p) => p.dir)).toEqual([
      "node_modules/a",
      "node_modules/b",
      "node_modules/b/node_modules/d",
      "node_modules/c",
      "node_modules/p",
    ]);
  });

  it("names what is missing and who needs it", () => {
    const root = tree({ ...pkg("a", { dependencies: { gone: "1" } }) });
    expect(() => packageClosure(root, ["a"])).toThrow(/gone \(needed by a\) is not installed/);
  });
});

describe("isPruned", () => {
  it("drops maps, type declarations, the native module's build leftovers and unused Prisma compilers", () => {
    expect(isPruned("x", "dist/index.js.map")).toBe(true);
    expect(isPruned("x", "dist/index.d.ts")).toBe(true);
    expect(isPruned("x", "dist/index.js")).toBe(false);
    expect(isPruned("better-sqlite3", "build/Release/better_sqlite3.node")).toBe(false);
    expect(isPruned("better-sqlite3", "lib/database.js")).toBe(false);
    expect(isPruned("better-sqlite3", "build/Release/obj.target/better_sqlite3/src/better_sqlite3.o")).toBe(true);
    expect(isPruned("better-sqlite3", "deps/sqlite3/sqlite3.c")).toBe(true);
    expect(isPruned("@prisma/client", "runtime/query_compiler_fast_bg.sqlite.wasm-base64.mjs")).toBe(false);
    expect(isPruned("@prisma/client", "runtime/query_compiler_fast_bg.postgresql.mjs")).toBe(false);
    expect(isPruned("@prisma/client", "runtime/query_compiler_fast_bg.mysql.mjs")).toBe(true);
    expect(isPruned("@prisma/client", "runtime/query_compiler_small_bg.sqlite.wasm-base64.js")).toBe(true);
    expect(isPruned("@prisma/client", "runtime/client.mjs")).toBe(false);
  });
});

describe("assembleRuntimeTree", () => {
  it("merges the standalone build, its static files, our sources without tests and the CLI's packages", () => {
    const app = tree({
      ".next/standalone/server.js": "",
      ".next/standalone/.next/BUILD_ID": "b1",
      ".next/standalone/node_modules/next/dist/server/next.js": "",
      ".next/static/chunks/app.js": "",
      ".next/cache/big": "",
      "package.json": { name: "app" },
      "tsconfig.json": {},
      "server/api/x.ts": "",
      "server/api/x.test.ts": "",
      "tools/cli/tenet.mjs": "",
      "tools/db/newMigration.ts": "",
      "prisma/schema.prisma": "",
      "deploy/chart/Chart.yaml": "",
      "dist/danm": "",
      "components/Big.tsx": "",
      ...Object.assign({}, ...CLI_PACKAGES.map((n) => pkg(n))),
      "node_modules/zod/index.d.ts": "",
      ...pkg("devonly"),
    });
    const out = path.join(app, "out");
    assembleRuntimeTree({ appDir: app, outDir: out, say: () => {} });
    const has = (f: string) => fs.existsSync(path.join(out, f));
    for (const f of [
      ".next/BUILD_ID",
      ".next/static/chunks/app.js",
      "node_modules/next/dist/server/next.js",
      "server/api/x.ts",
      "tools/cli/tenet.mjs",
      "dist/danm",
      "node_modules/zod/index.js",
      "node_modules/tsx/index.js",
    ])
      expect(has(f), f).toBe(true);
    for (const f of ["server.js", ".next/cache", "server/api/x.test.ts", "components", "node_modules/devonly", "node_modules/zod/index.d.ts"])
      expect(has(f), f).toBe(false);
  });

  it("refuses a build without the standalone output, saying how to make it", () => {
    const app = tree({ ".next/BUILD_ID": "b1" });
    expect(() => assembleRuntimeTree({ appDir: app, outDir: path.join(app, "out"), say: () => {} })).toThrow(/TENET_NEXT_OUTPUT=standalone next build/);
  });
});

describe("the CLI's packages", () => {
  it("include every package the CLI's sources import (bundled with esbuild to list them)", async () => {
    const result = await build({
      entryPoints: [path.join(REPO, "tools/cli/main.ts")],
      bundle: true,
      platform: "node",
      format: "esm",
      packages: "external",
      metafile: true,
      write: false,
      logLevel: "silent",
      outdir: path.join(os.tmpdir(), "tenet-cli-imports"),
    });
    const imported = new Set<string>();
    for (const input of Object.values(result.metafile.inputs))
      for (const i of input.imports) {
        if (!i.external || i.path.startsWith("node:") || i.path.startsWith(".")) continue;
        imported.add(
          i.path
            .split("/")
            .slice(0, i.path.startsWith("@") ? 2 : 1)
            .join("/"),
        );
      }
    const closure = new Set(packageClosure(REPO, CLI_PACKAGES).map((p) => p.name));
    // tools/cli/tenet.mjs registers tsx itself
    expect(closure.has("tsx")).toBe(true);
    expect([...imported].filter((p) => !closure.has(p))).toEqual([]);
    // and no build tool came along
    for (const dev of ["next", "typescript", "prisma", "vitest", "@playwright/test", "esbuild-wasm"]) expect(closure.has(dev), dev).toBe(false);
  });
});
