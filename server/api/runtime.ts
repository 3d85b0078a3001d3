// Process-wide parts of the console: the connection to the API server (as the console's own
// identity, which may only impersonate), the database, and the shared watches behind live updates.
import fs from "node:fs";
import { KubeRest } from "../kube/rest";
import { openDb, type Db } from "../db/client";
import { LiveHub } from "./live";

export interface ConsoleRuntime {
  kube: KubeRest;
  db: Db;
  live: LiveHub;
}

/**
 * The kubeconfig of the console's identity: TENET_CONSOLE_KUBECONFIG; else the local cluster's
 * `tenet-console` user (TENET_CLUSTER_STATE); else KUBECONFIG / in-cluster.
 */
export function consoleKubeconfig(): string | undefined {
  if (process.env.TENET_CONSOLE_KUBECONFIG) return process.env.TENET_CONSOLE_KUBECONFIG;
  const statePath = process.env.TENET_CLUSTER_STATE;
  if (statePath && fs.existsSync(statePath)) {
    const state = JSON.parse(fs.readFileSync(statePath, "utf8")) as { kubeconfigs: Record<string, string> };
    return state.kubeconfigs["tenet-console"];
  }
  return undefined;
}

const g = globalThis as unknown as { tenetConsole?: Promise<ConsoleRuntime> };

export function consoleRuntime(): Promise<ConsoleRuntime> {
  g.tenetConsole ??= (async () => {
    const kube = await KubeRest.fromFile(consoleKubeconfig());
    const db = openDb();
    return { kube, db, live: new LiveHub(kube) };
  })();
  g.tenetConsole.catch(() => (g.tenetConsole = undefined));
  return g.tenetConsole;
}

/** For tests: a runtime over given parts. */
export function setConsoleRuntime(runtime: ConsoleRuntime | undefined) {
  g.tenetConsole = runtime ? Promise.resolve(runtime) : undefined;
}
