// Global setup of the browser tests: a fresh local cluster (control plane, webhook, controllers,
// demo tenants and accounts) in a temporary home, and a production build of the console served by
// `next start` on a free loopback port. Returns the teardown that stops both.
//
//   TENET_E2E_REUSE_BUILD=1  skip `next build` when .next-e2e already holds a build (iterating on specs)
//   TENET_E2E_KEEP=1         keep the temporary home (logs, data) after the run
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { clusterDown, clusterUp } from "../tools/cli/localCluster";
import { consoleDatabaseUrl, readDemoPasswords } from "../tools/cli/consoleAccounts";
import { REPO_ROOT } from "../tools/cli/controlplaneBinary";
import { freePort, isAlive, stopProcess, tail, waitFor } from "../tools/cli/processes";
import { writeStack } from "./stack";

const DIST_DIR = ".next-e2e";
const say = (line: string) => process.stderr.write(`[e2e] ${line}\n`);

function run(command: string, args: string[], options: { env: NodeJS.ProcessEnv; logFile: string }): Promise<void> {
  return new Promise((resolve, reject) => {
    const log = fs.openSync(options.logFile, "a");
    const child = spawn(command, args, { cwd: REPO_ROOT, env: options.env, stdio: ["ignore", log, log] });
    fs.closeSync(log);
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`${path.basename(command)} ${args.join(" ")} exited with ${code}:\n${tail(options.logFile, 40)}`))));
  });
}

async function buildConsole(home: string): Promise<void> {
  const buildId = path.join(REPO_ROOT, DIST_DIR, "BUILD_ID");
  if (process.env.TENET_E2E_REUSE_BUILD === "1" && fs.existsSync(buildId)) {
    say(`reusing the console build in ${DIST_DIR} (TENET_E2E_REUSE_BUILD=1)`);
    return;
  }
  const started = Date.now();
  const logFile = path.join(home, "logs", "next-build.log");
  say(`building the console into ${DIST_DIR} (next build, log ${logFile})`);
  await run(path.join(REPO_ROOT, "node_modules/.bin/next"), ["build"], { env: { ...process.env, TENET_NEXT_DIST_DIR: DIST_DIR, NEXT_TELEMETRY_DISABLED: "1" }, logFile });
  say(`console built in ${((Date.now() - started) / 1000).toFixed(0)}s`);
}

async function startConsole(home: string): Promise<{ child: ChildProcess; baseURL: string }> {
  const port = await freePort();
  const logFile = path.join(home, "logs", "next.log");
  const log = fs.openSync(logFile, "a");
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: "production",
    NEXT_TELEMETRY_DISABLED: "1",
    TENET_NEXT_DIST_DIR: DIST_DIR,
    TENET_CLUSTER_STATE: path.join(home, "cluster", "state.json"),
    TENET_HOME: home,
    DATABASE_URL: consoleDatabaseUrl(home),
  };
  delete env.KUBECONFIG;
  delete env.TENET_CONSOLE_KUBECONFIG;
  // its own process group, so the teardown stops next and its workers together
  const child = spawn(path.join(REPO_ROOT, "node_modules/.bin/next"), ["start", "-H", "127.0.0.1", "-p", String(port)], { cwd: REPO_ROOT, env, stdio: ["ignore", log, log], detached: true });
  fs.closeSync(log);
  const baseURL = `http://127.0.0.1:${port}`;
  await waitFor("console", async () => ((await fetch(`${baseURL}/signin`)).status === 200 ? true : undefined), {
    timeoutMs: 60_000,
    intervalMs: 250,
    abort: () => (child.exitCode !== null || child.signalCode ? `next start exited:\n${tail(logFile, 40)}` : undefined),
  });
  say(`console serving on ${baseURL} (pid ${child.pid}, log ${logFile})`);
  return { child, baseURL };
}

async function stopConsole(pid: number | undefined) {
  if (!isAlive(pid)) return;
  try {
    process.kill(-pid, "SIGTERM");
  } catch {
    // already gone
  }
  await stopProcess(pid, 10_000);
  try {
    process.kill(-pid, "SIGKILL"); // anything of the group that outlived its leader
  } catch {
    // nothing left
  }
}

export default async function globalSetup() {
  const started = Date.now();
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "tenet-e2e-"));
  fs.mkdirSync(path.join(home, "logs"), { recursive: true });
  // share the compiled control plane with `npm start` and the integration tests: built once per machine
  const sharedBin = path.join(REPO_ROOT, ".tenet", "bin");
  fs.mkdirSync(sharedBin, { recursive: true });
  fs.symlinkSync(sharedBin, path.join(home, "bin"));
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
      buildConsole(home),
    ]);
    const passwords = readDemoPasswords(home);
    if (!passwords) throw new Error(`no demo accounts in ${home}/demo-accounts.json`);
    const { child, baseURL } = await startConsole(home);
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
