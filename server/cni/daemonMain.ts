// Entry point: `tenet cni-daemon [--socket PATH] [--node NAME] [--spawner PATH]` — the danm daemon
// of one node (server/cni/daemon.ts); the `danm` executable the runtime runs hands it every CNI
// request. --spawner names a danm executable whose `spawner` mode starts the programs the daemon
// runs (processes.ts); default dist/danm of this tree when it exists.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { createLogger } from "../log";
import { CniDaemon, DEFAULT_DAEMON_SOCKET } from "./daemon";

export async function runCniDaemon(argv: string[]): Promise<CniDaemon> {
  const { values } = parseArgs({
    args: argv,
    options: {
      socket: { type: "string", default: DEFAULT_DAEMON_SOCKET },
      node: { type: "string", default: process.env.NODE_NAME || os.hostname() },
      spawner: { type: "string" },
    },
  });
  const log = createLogger("cni-daemon", { fields: { node: values.node } });
  const bundled = path.resolve(import.meta.dirname, "..", "..", "dist", "danm");
  const spawner = values.spawner ?? (fs.existsSync(bundled) ? bundled : undefined);
  if (spawner && !fs.existsSync(spawner)) throw new Error(`tenet cni-daemon: --spawner ${spawner} does not exist`);
  const daemon = await CniDaemon.start({ socket: values.socket!, node: values.node!, log, spawner });
  log("listening", { socket: values.socket, spawner: spawner ?? "none: programs are started directly" });
  const stop = (signal: string) => {
    log("stopping: finishing the requests in flight", { signal });
    void daemon.close().then(() => process.exit(0));
  };
  process.once("SIGTERM", () => stop("SIGTERM"));
  process.once("SIGINT", () => stop("SIGINT"));
  return daemon;
}
