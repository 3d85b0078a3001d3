// For tests of the console's API: a runtime over the test cluster and a temporary database, and a
// tRPC caller acting as a given person (or nobody) exactly as a browser request would, cookie and
// CSRF header included.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { openMigratedDb } from "../db/migrate";
import { createSession } from "../db/sessions";
import { KubeRest, type Identity } from "../kube/rest";
import { createContext, CSRF_COOKIE, SESSION_COOKIE } from "./context";
import { LiveHub } from "./live";
import { appRouter } from "./root";
import { setConsoleRuntime, type ConsoleRuntime } from "./runtime";

/** Identities of the demo users as their console accounts impersonate them. */
export const DEMO_IDENTITIES: Record<string, Identity> = {
  alice: { user: "alice", groups: ["tenet:tenants", "system:authenticated"] },
  bob: { user: "bob", groups: ["tenet:tenants", "system:authenticated"] },
  netadmin: { user: "netadmin", groups: ["tenet:netadmins", "system:authenticated"] },
  olga: { user: "olga", groups: ["tenet:operators", "system:authenticated"] },
  nobody: { user: "mallory", groups: ["system:authenticated"] },
};

/** A console runtime against the cluster whose `tenet-console` kubeconfig is given; installs it as the process runtime. */
export async function testRuntime(consoleKubeconfig: string): Promise<ConsoleRuntime & { dispose(): Promise<void> }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tenet-console-"));
  const db = await openMigratedDb(`file:${path.join(dir, "console.db")}`);
  const kube = await KubeRest.fromFile(consoleKubeconfig);
  const live = new LiveHub(kube);
  const runtime = { kube, db, live };
  setConsoleRuntime(runtime);
  return {
    ...runtime,
    async dispose() {
      live.stop();
      setConsoleRuntime(undefined);
      await db.$disconnect();
      await kube.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface CallerOptions {
  /** send the session's CSRF token (default true) */
  csrf?: boolean;
  /** Origin header (default the console's own) */
  origin?: string;
  /** the client's address (X-Forwarded-For, as Next.js sets it from the connection) */
  client?: string;
}

/** A tRPC caller for `identity` (a fresh session), or for an anonymous browser when undefined. */
export async function callerFor(runtime: ConsoleRuntime, identity: Identity | undefined, options: CallerOptions = {}) {
  const headers = new Headers({ host: "console.test", origin: options.origin ?? "http://console.test", "x-forwarded-for": options.client ?? "192.0.2.1" });
  if (identity) {
    const s = await createSession(runtime.db, { user: identity.user, groups: identity.groups, method: "local" });
    headers.set("cookie", `${SESSION_COOKIE}=${s.token}; ${CSRF_COOKIE}=${s.csrfToken}`);
    if (options.csrf !== false) headers.set("x-tenet-csrf", s.csrfToken);
  }
  const req = new Request("http://console.test/api/trpc", { method: "POST", headers });
  const resHeaders = new Headers();
  const ctx = await createContext({ req, resHeaders });
  return Object.assign(appRouter.createCaller(ctx), { resHeaders });
}
