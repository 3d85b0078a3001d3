// Global setup of the browser tests: a fresh local cluster (control plane, webhook, controllers,
// demo tenants and accounts) in a temporary home, and a production build of the console served by
// `next start` on a free loopback port. Returns the teardown that stops both.
//
//   TENET_E2E_REUSE_BUILD=1  skip `next build` when .next-e2e already holds a build (iterating on specs)
//   TENET_E2E_KEEP=1         keep the temporary home (logs, data) after the run
import fs from "node:fs";
import { clusterDown, clusterUp } from "../tools/cli/localCluster";
import { readDemoPasswords } from "../tools/cli/consoleAccounts";
import { buildConsole, startConsole, stopConsole } from "../tools/testing/consoleServer";
import { writeStack } from "./stack";
import { makeTestHome } from "../tools/testing/testHome";

const DIST_DIR = ".next-e2e";
const say = (line: string) => process.stderr.write(`[e2e] ${line}\n`);
const server = { distDir: DIST_DIR, say };

export default async function globalSetup() {
  const started = Date.now();
  const home = makeTestHome("tenet-e2e-");
  say(`home ${home}`);

  let nextPid: number | undefined;
  const teardown = async () => {
    const t = Date.now();
    await stopConsole(nextPid);
    const stopped = await clusterDown(home);
    if (process.env.TENET_E2E_KEEP === "1") say(`kept ${home} (TENET_E2E_KEEP=1)`);
    else fs.rmSync(home, { recursive: true, force: true });
    say(`stopped console${stopped.length ? `, ${stopped.join(", ")}` : ""} in ${((Date.now() - t) / 1000).toFixed(1)}s`);
  };

  try {
    // Not ephemeral: live.spec.ts restarts the control plane on the same data; the whole home goes at teardown.
    // The build and the cluster start use different resources for much of the time: run them together.
    await Promise.all([
      clusterUp({ home, ephemeral: false, controllers: true, say: (l) => say(`[cluster] ${l}`) }),
      buildConsole(home, { ...server, reuse: process.env.TENET_E2E_REUSE_BUILD === "1" }),
    ]);
    const passwords = readDemoPasswords(home);
    if (!passwords) throw new Error(`no demo accounts in ${home}/demo-accounts.json`);
    const { child, baseURL } = await startConsole(home, server);
    nextPid = child.pid;
    child.unref();
    writeStack({ baseURL, home, passwords, nextPid: child.pid! });
    say(`stack ready in ${((Date.now() - started) / 1000).toFixed(0)}s`);
  } catch (e) {
    await teardown().catch((err) => say(`teardown after a failed start failed too: ${(err as Error).message}`));
    throw e;
  }
  return teardown;
}
