// design.md's rules of the house, held by a test: server/domain imports nothing outside itself (and
// no Node I/O); only server/kube imports @kubernetes/client-node; no file named utils/helpers/misc;
// no import cycles among the repository's modules.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "..");
const SKIP = new Set(["node_modules", ".next", ".tenet", ".git", "tools/controlplane", "server/db/generated"]);

function sources(dir: string): string[] {
  return fs.readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = path.join(dir, e.name);
    if (SKIP.has(rel) || SKIP.has(e.name)) return [];
    if (e.isDirectory()) return sources(rel);
    return /\.(ts|tsx|mjs)$/.test(e.name) ? [rel] : [];
  });
}

const importsOf = (file: string) =>
  [
    ...fs.readFileSync(path.join(root, file), "utf8").matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s+["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g),
  ].map((m) => m[1] ?? m[2]);

/** The repository's module `spec` names from `file`, or undefined for a package or a file outside the walk. */
function resolveImport(file: string, spec: string, known: Set<string>): string | undefined {
  const base = spec.startsWith("@/") ? spec.slice(2) : spec.startsWith(".") ? path.join(path.dirname(file), spec) : undefined;
  if (base === undefined) return undefined;
  const candidates = [
    base,
    `${base}.ts`,
    `${base}.tsx`,
    `${base}.mjs`,
    base.replace(/\.js$/, ".ts"),
    path.join(base, "index.ts"),
    path.join(base, "index.tsx"),
  ];
  return candidates.map((c) => path.normalize(c)).find((c) => known.has(c));
}

/** What `file` loads when it runs: static and dynamic imports and re-exports; `import type` is erased and does not count. */
const runtimeImportsOf = (file: string) =>
  [
    ...fs
      .readFileSync(path.join(root, file), "utf8")
      .matchAll(
        /(?:^|\n)\s*(?:import|export)(\s+type\b)?[^'"]*?from\s+["']([^"']+)["']|(?:^|\n)\s*import\s+["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g,
      ),
  ]
    .filter((m) => !m[1])
    .map((m) => m[2] ?? m[3] ?? m[4]);

/** Every import cycle, one per strongly connected group of modules, as a path back to its start. */
function importCycles(graph: Map<string, string[]>): string[][] {
  // Tarjan's strongly connected components
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const groups: string[][] = [];
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const group: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      group.push(w);
    } while (w !== v);
    if (group.length > 1 || (graph.get(v) ?? []).includes(v)) groups.push(group);
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) visit(v);
  // within each group, the shortest way from its first module back to itself
  return groups.map((group) => {
    const members = new Set(group);
    const start = [...group].sort()[0];
    const from = new Map<string, string>();
    const queue = [start];
    while (queue.length) {
      const v = queue.shift()!;
      for (const w of graph.get(v) ?? []) {
        if (!members.has(w)) continue;
        if (w === start) {
          const cycle = [v];
          while (cycle[0] !== start) cycle.unshift(from.get(cycle[0])!);
          return [...cycle, start];
        }
        if (!from.has(w)) {
          from.set(w, v);
          queue.push(w);
        }
      }
    }
    return [start, start];
  });
}

describe("rules of the house", () => {
  const all = sources(".");

  it("server/domain imports only server/domain, zod, and no Node built-ins", () => {
    const offences = all
      .filter((f) => f.startsWith("server/domain/") && !f.endsWith(".test.ts"))
      .flatMap((f) =>
        importsOf(f)
          .filter((spec) => (spec.startsWith(".") ? !path.join(path.dirname(f), spec).startsWith("server/domain") : spec !== "zod"))
          .map((spec) => `${f} imports ${spec}`),
      );
    expect(offences).toEqual([]);
  });

  it("only server/kube imports @kubernetes/client-node", () => {
    const offences = all.filter((f) => !f.startsWith("server/kube/") && importsOf(f).some((s) => s.startsWith("@kubernetes/client-node")));
    expect(offences).toEqual([]);
  });

  it("only server/db imports Prisma", () => {
    const offences = all.filter(
      (f) =>
        !f.startsWith("server/db/") &&
        f !== "prisma.config.ts" &&
        importsOf(f).some((s) => s.startsWith("@prisma/") || s === "prisma" || s.startsWith("prisma/") || s.includes("db/generated")),
    );
    expect(offences).toEqual([]);
  });

  it("browser code (components/, app/) does not import server-only modules other than types", () => {
    const offences = all
      .filter((f) => /^(components|app)\//.test(f) && !f.startsWith("app/api/"))
      .flatMap((f) => {
        const text = fs.readFileSync(path.join(root, f), "utf8");
        return [...text.matchAll(/(?:^|\n)\s*import\s+(type\s+)?[^'"]*?from\s+["']([^"']+)["']/g)]
          .filter((m) => !m[1] && /(^@\/server\/(kube|db|api|controllers|agent|cni|webhook)\/)|^(node:|undici$|@kubernetes|@prisma)/.test(m[2]))
          .map((m) => `${f} imports ${m[2]}`);
      });
    expect(offences).toEqual([]);
  });

  it("no utils, helpers or misc files", () => {
    expect(all.filter((f) => /(^|\/)(utils|helpers|misc)(\.|\/)/.test(f))).toEqual([]);
  });

  it("no import cycles among the repository's modules (each is reported as a path back to its start)", () => {
    const known = new Set(all);
    const graph = new Map(all.map((f) => [f, runtimeImportsOf(f).flatMap((spec) => resolveImport(f, spec, known) ?? [])]));
    expect(importCycles(graph).map((cycle) => cycle.join(" → "))).toEqual([]);
  });

  it("the cycle finder reports every cycle, a module importing itself included, and follows dynamic imports but not `import type`", () => {
    const graph = new Map([
      ["a.ts", ["b.ts"]],
      ["b.ts", ["c.ts", "d.ts"]],
      ["c.ts", ["a.ts"]],
      ["d.ts", []],
      ["e.ts", ["e.ts"]],
      ["f.ts", ["a.ts"]],
    ]);
    expect(importCycles(graph)).toEqual([
      ["a.ts", "b.ts", "c.ts", "a.ts"],
      ["e.ts", "e.ts"],
    ]);
    const known = new Set(["tools/cli/localCluster.ts", "tools/cli/demoUsers.ts", "components/network/NetworkList.tsx", "server/log.ts"]);
    expect(resolveImport("tools/cli/consoleAccounts.ts", "./localCluster", known)).toBe("tools/cli/localCluster.ts");
    expect(resolveImport("components/a/B.tsx", "@/components/network/NetworkList", known)).toBe("components/network/NetworkList.tsx");
    expect(resolveImport("server/agent/main.ts", "../log", known)).toBe("server/log.ts");
    expect(resolveImport("server/agent/main.ts", "node:http", known)).toBeUndefined();
    expect(runtimeImportsOf("tools/cli/localCluster.ts")).toContain("./consoleAccounts");
    expect(importsOf("server/controllers/leaderElection.ts")).toContain("../kube/leases");
    expect(runtimeImportsOf("server/controllers/leaderElection.ts")).not.toContain("../kube/leases");
  });

  it("the walk sees the project (a broken walk would pass vacuously)", () => {
    expect(all).toContain("server/domain/admission/network.ts");
    expect(all).toContain("server/kube/watchCache.ts");
  });
});
