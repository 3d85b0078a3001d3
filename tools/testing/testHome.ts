// A temporary home for a local cluster run by tests or a benchmark. It links the repository's
// .tenet/bin, so the control plane binary is built once per machine, not once per run.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { REPO_ROOT } from "../cli/controlplaneBinary";

export function makeTestHome(prefix: string): string {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  fs.mkdirSync(path.join(home, "logs"), { recursive: true });
  const sharedBin = path.join(REPO_ROOT, ".tenet", "bin");
  fs.mkdirSync(sharedBin, { recursive: true });
  fs.symlinkSync(sharedBin, path.join(home, "bin"));
  return home;
}
