// Bundles the danm CNI plugin into one executable file (`npm run build:cni`): dist/danm, or the
// path given as the first argument. Returns the path when imported (the integration test builds it).
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

export async function buildCniPlugin(outfile = path.join(root, "dist", "danm")): Promise<string> {
  await build({
    entryPoints: [path.join(root, "server", "cni", "main.ts")],
    outfile,
    bundle: true,
    minify: true,
    platform: "node",
    format: "esm",
    target: "node20",
    logLevel: "warning",
    // CommonJS dependencies of @kubernetes/client-node call require(); ESM output has none
    banner: { js: "#!/usr/bin/env node\nimport { createRequire as __danmCreateRequire } from 'node:module'; const require = __danmCreateRequire(import.meta.url);" },
  });
  fs.chmodSync(outfile, 0o755);
  return outfile;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  buildCniPlugin(process.argv[2] ? path.resolve(process.argv[2]) : undefined).then((out) => console.log(`built ${path.relative(process.cwd(), out)}`));
}
