// Builds the danm CNI executable (`npm run build:cni`): the small Go client in tools/danm that hands
// each request to the node's danm daemon (server/cni/daemon.ts). Built once per source version into
// .tenet/bin/danm-<hash> (standard library only: no module downloads), then copied to dist/danm or
// the path given as the first argument. Returns the path when imported (the integration tests build it).
import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { sourceHash } from "../../tools/cli/controlplaneBinary";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const SOURCE_DIR = path.join(root, "tools", "danm");

/** The cached executable for the current sources, built when missing. */
export async function danmClientBinary(binDir = path.join(root, ".tenet", "bin")): Promise<string> {
  const target = path.join(binDir, `danm-${sourceHash(SOURCE_DIR)}`);
  if (fs.existsSync(target)) return target;
  fs.mkdirSync(binDir, { recursive: true });
  const partial = `${target}.${process.pid}.partial`;
  await new Promise<void>((resolve, reject) =>
    execFile(
      "go",
      ["build", "-trimpath", "-ldflags=-s -w", "-o", partial, "."],
      { cwd: SOURCE_DIR, env: { ...process.env, CGO_ENABLED: "0", GOFLAGS: "-mod=mod" } },
      (err, _stdout, stderr) => (err ? reject(new Error(`go build of tools/danm failed: ${stderr || err.message}`)) : resolve()),
    ),
  );
  fs.renameSync(partial, target);
  for (const old of fs.readdirSync(binDir).filter((f) => /^danm-[0-9a-f]{16}$/.test(f) && path.join(binDir, f) !== target))
    fs.rmSync(path.join(binDir, old), { force: true });
  return target;
}

export async function buildCniPlugin(outfile = path.join(root, "dist", "danm")): Promise<string> {
  const binary = await danmClientBinary();
  fs.mkdirSync(path.dirname(outfile), { recursive: true });
  const partial = `${outfile}.${process.pid}.partial`;
  fs.copyFileSync(binary, partial);
  fs.chmodSync(partial, 0o755);
  fs.renameSync(partial, outfile);
  return outfile;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  buildCniPlugin(process.argv[2] ? path.resolve(process.argv[2]) : undefined).then((out) => console.log(`built ${path.relative(process.cwd(), out)}`));
}
