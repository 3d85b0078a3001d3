// A production build of the console served by `next start` against a local cluster's home: what the
// browser tests (e2e/globalSetup.ts) and the console benchmark (bench/console.ts) run.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { consoleDatabaseUrl } from "../cli/consoleAccounts";
import { REPO_ROOT } from "../cli/controlplaneBinary";
import { freePort, isAlive, stopProcess, tail, waitFor } from "../cli/processes";

const NEXT = path.join(REPO_ROOT, "node_modules/.bin/next");

export interface ConsoleServerOptions {
  /** build directory (TENET_NEXT_DIST_DIR), so a running `next dev` is not disturbed */
  distDir: string;
  say: (line: string) => void;
  /** `next start` (the default), or `tenet console` as the chart and the image run it */
  launcher?: "next" | "tenet";
  /** more environment for the console (e.g. TENET_LOG_FORMAT=json) */
  env?: Record<string, string>;
}

function run(args: string[], env: NodeJS.ProcessEnv, logFile: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const log = fs.openSync(logFile, "a");
    const child = spawn(NEXT, args, { cwd: REPO_ROOT, env, stdio: ["ignore", log, log] });
    fs.closeSync(log);
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`next ${args.join(" ")} exited with ${code}:\n${tail(logFile, 40)}`))));
  });
}

/** `next build` into options.distDir (log in <home>/logs); skipped when `reuse` and a build exists. */
export async function buildConsole(home: string, options: ConsoleServerOptions & { reuse?: boolean }): Promise<void> {
  if (options.reuse && fs.existsSync(path.join(REPO_ROOT, options.distDir, "BUILD_ID"))) {
    options.say(`reusing the console build in ${options.distDir}`);
    return;
  }
  const started = Date.now();
  const logFile = path.join(home, "logs", "next-build.log");
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  options.say(`building the console into ${options.distDir} (log ${logFile})`);
  await run(["build"], { ...process.env, TENET_NEXT_DIST_DIR: options.distDir, NEXT_TELEMETRY_DISABLED: "1" }, logFile);
  options.say(`console built in ${((Date.now() - started) / 1000).toFixed(0)}s`);
}

/** `next start` on a free loopback port against the cluster in `home`, in its own process group. */
export async function startConsole(home: string, options: ConsoleServerOptions): Promise<{ child: ChildProcess; baseURL: string; logFile: string }> {
  const port = await freePort();
  const logFile = path.join(home, "logs", "next.log");
  const log = fs.openSync(logFile, "a");
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: "production",
    NEXT_TELEMETRY_DISABLED: "1",
    TENET_NEXT_DIST_DIR: options.distDir,
    TENET_CLUSTER_STATE: path.join(home, "cluster", "state.json"),
    TENET_HOME: home,
    DATABASE_URL: consoleDatabaseUrl(home),
    ...options.env,
  };
  delete env.KUBECONFIG;
  delete env.TENET_CONSOLE_KUBECONFIG;
  // its own process group, so stopping it stops next and its workers together
  const [command, args] =
    options.launcher === "tenet"
      ? [process.execPath, [path.join(REPO_ROOT, "tools/cli/tenet.mjs"), "console", "--hostname", "127.0.0.1", "--port", String(port)]]
      : [NEXT, ["start", "-H", "127.0.0.1", "-p", String(port)]];
  const child = spawn(command, args, { cwd: REPO_ROOT, env, stdio: ["ignore", log, log], detached: true });
  fs.closeSync(log);
  const baseURL = `http://127.0.0.1:${port}`;
  await waitFor("console", async () => ((await fetch(`${baseURL}/signin`).catch(() => undefined))?.status === 200 ? true : undefined), {
    timeoutMs: 60_000,
    intervalMs: 250,
    abort: () =>
      child.exitCode !== null || child.signalCode
        ? `${options.launcher === "tenet" ? "tenet console" : "next start"} exited:\n${tail(logFile, 40)}`
        : undefined,
  });
  options.say(`console serving on ${baseURL} (pid ${child.pid}, log ${logFile})`);
  return { child, baseURL, logFile };
}

/** Stops a console started by startConsole: its whole process group. */
export async function stopConsole(pid: number | undefined): Promise<void> {
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
