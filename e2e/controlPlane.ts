// Restarting the test cluster's API server the way an operator would: stop the control plane
// process, start the same binary with the same arguments on the same data directory and port.
// The arguments are read from the running process (/proc/<pid>/cmdline), so this never drifts from
// how tools/cli/localCluster.ts starts it.
import fs from "node:fs";
import path from "node:path";
import type { ControlPlaneState } from "../tools/cli/localCluster";
import { isAlive, readPid, startDetached, stopProcess, tail, waitFor } from "../tools/cli/processes";

function files(home: string) {
  return {
    pid: path.join(home, "run", "controlplane.pid"),
    state: path.join(home, "cluster", "state.json"),
    log: path.join(home, "logs", "controlplane.log"),
  };
}

function readState(file: string): ControlPlaneState | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8")) as ControlPlaneState;
  } catch {
    return undefined;
  }
}

export interface Restart {
  oldPid: number;
  newPid: number;
  /** from SIGTERM to the old process until the new one answered /readyz */
  downMs: number;
}

/** Stops the control plane and starts it again on the same port and data; resolves when it is ready. */
export async function restartControlPlane(home: string): Promise<Restart> {
  const f = files(home);
  const oldPid = readPid(f.pid);
  const before = readState(f.state);
  if (!isAlive(oldPid) || !before) throw new Error(`no running control plane in ${home}`);
  const argv = fs.readFileSync(`/proc/${oldPid}/cmdline`, "utf8").split("\0").filter(Boolean);
  if (argv.includes("--ephemeral")) throw new Error("the control plane runs with --ephemeral: its data would be removed when it stops");
  const [binary, ...rest] = argv;
  const args: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    if (rest[i] === "--port") i++;
    else if (!rest[i].startsWith("--port=")) args.push(rest[i]);
  }
  args.push("--port", String(before.port));

  const started = Date.now();
  await stopProcess(oldPid, 30_000);
  const newPid = startDetached(binary, args, { logFile: f.log, pidFile: f.pid });
  await waitFor(
    "control plane restart",
    () => {
      const s = readState(f.state);
      return s?.ready && s.pid === newPid ? s : undefined;
    },
    { timeoutMs: 120_000, intervalMs: 100, abort: () => (isAlive(newPid) ? undefined : `exited during start-up:\n${tail(f.log)}`) },
  );
  const after = readState(f.state)!;
  if (after.server !== before.server) throw new Error(`the control plane came back at ${after.server}, not ${before.server}`);
  return { oldPid, newPid, downMs: Date.now() - started };
}
