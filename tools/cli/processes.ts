// Background processes of the local cluster: started detached, tracked by pid files under .tenet/run.
import { spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";

export function isAlive(pid: number | undefined): pid is number {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

export function readPid(file: string): number | undefined {
  try {
    const pid = Number(fs.readFileSync(file, "utf8").trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Starts a detached process whose output goes to a log file; returns its pid. */
export function startDetached(command: string, args: string[], options: { logFile: string; pidFile: string; cwd?: string; env?: NodeJS.ProcessEnv }): number {
  fs.mkdirSync(path.dirname(options.logFile), { recursive: true });
  fs.mkdirSync(path.dirname(options.pidFile), { recursive: true });
  const log = fs.openSync(options.logFile, "a");
  const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, detached: true, stdio: ["ignore", log, log] });
  fs.closeSync(log);
  child.unref();
  fs.writeFileSync(options.pidFile, String(child.pid));
  return child.pid!;
}

/** SIGTERM, then SIGKILL after the grace period; true when it was running. */
export async function stopProcess(pid: number | undefined, graceMs = 15_000): Promise<boolean> {
  if (!isAlive(pid)) return false;
  process.kill(pid, "SIGTERM");
  const deadline = Date.now() + graceMs;
  while (isAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (isAlive(pid)) process.kill(pid, "SIGKILL");
  while (isAlive(pid)) await new Promise((r) => setTimeout(r, 50));
  return true;
}

export function tail(file: string, lines = 20): string {
  try {
    return fs.readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  options: { timeoutMs: number; intervalMs?: number; abort?: () => string | undefined },
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  let last = "";
  for (;;) {
    const why = options.abort?.();
    if (why) throw new Error(`${what}: ${why}`);
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (e) {
      last = (e as Error).message; // not yet
    }
    if (Date.now() > deadline) throw new Error(`${what}: not ready after ${Math.round(options.timeoutMs / 1000)}s${last ? `: ${last}` : ""}`);
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 200));
  }
}
