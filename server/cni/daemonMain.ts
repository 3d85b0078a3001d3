// Entry point: `tenet cni-daemon [--socket PATH] [--node NAME]` — the danm daemon of one node
// (server/cni/daemon.ts); the `danm` executable the runtime runs hands it every CNI request.
import os from "node:os";
import { parseArgs } from "node:util";
import { createLogger } from "../log";
import { CniDaemon, DEFAULT_DAEMON_SOCKET } from "./daemon";

export async function runCniDaemon(argv: string[]): Promise<CniDaemon> {
  const { values } = parseArgs({
    args: argv,
    options: {
      socket: { type: "string", default: DEFAULT_DAEMON_SOCKET },
      node: { type: "string", default: process.env.NODE_NAME || os.hostname() },
    },
  });
  const log = createLogger("cni-daemon", { fields: { node: values.node } });
  const daemon = await CniDaemon.start({ socket: values.socket!, node: values.node!, log });
  log("listening", { socket: values.socket });
  const stop = (signal: string) => {
    log("stopping: finishing the requests in flight", { signal });
    void daemon.close().then(() => process.exit(0));
  };
  process.once("SIGTERM", () => stop("SIGTERM"));
  process.once("SIGINT", () => stop("SIGINT"));
  return daemon;
}
