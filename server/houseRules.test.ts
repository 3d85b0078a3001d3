// design.md's rules of the house, held by a test: server/domain imports nothing outside itself (and
// no Node I/O); only server/kube imports @kubernetes/client-node; no file named utils/helpers/misc.
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

const importsOf = (file: string) => [...fs.readFileSync(path.join(root, file), "utf8").matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s+["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1] ?? m[2]);

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
    const offences = all.filter((f) => !f.startsWith("server/db/") && f !== "prisma.config.ts" && importsOf(f).some((s) => s.startsWith("@prisma/") || s === "prisma" || s.startsWith("prisma/") || s.includes("db/generated")));
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

  it("the walk sees the project (a broken walk would pass vacuously)", () => {
    expect(all).toContain("server/domain/admission/network.ts");
    expect(all).toContain("server/kube/watchCache.ts");
  });
});
