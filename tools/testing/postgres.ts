// A throwaway PostgreSQL server for tests, from the Debian packages (`apt-get install postgresql`):
// initdb into a temporary directory, then `postgres` on a free 127.0.0.1 port with durability
// switched off (the data dies with the test run). PostgreSQL refuses to run as root, so under root
// the server runs as the `postgres` user the Debian package creates (else `nobody`).
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { isAlive } from "../cli/processes";

export interface PostgresServer {
  /** postgresql://tenet@127.0.0.1:PORT/tenet (trust authentication, local only) */
  url: string;
  stop(): Promise<void>;
}

/** The directory with initdb and postgres: TENET_POSTGRES_BIN, else the newest /usr/lib/postgresql/<ver>/bin, else PATH. */
export function postgresBinDir(): string | undefined {
  const has = (dir: string) => fs.existsSync(path.join(dir, "initdb")) && fs.existsSync(path.join(dir, "postgres"));
  if (process.env.TENET_POSTGRES_BIN) return has(process.env.TENET_POSTGRES_BIN) ? process.env.TENET_POSTGRES_BIN : undefined;
  const root = "/usr/lib/postgresql";
  const versions = fs.existsSync(root)
    ? fs
        .readdirSync(root)
        .filter((v) => /^\d+$/.test(v))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  for (const v of versions) if (has(path.join(root, v, "bin"))) return path.join(root, v, "bin");
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) if (dir && has(dir)) return dir;
  return undefined;
}

/** Why startPostgres cannot work here, or undefined when it can. */
export function postgresMissing(): string | undefined {
  return postgresBinDir() ? undefined : "PostgreSQL server binaries (initdb, postgres) not found: `apt-get install postgresql` (or set TENET_POSTGRES_BIN)";
}

function userOf(name: string): { uid: number; gid: number } | undefined {
  const r = spawnSync("id", ["-u", name], { encoding: "utf8" });
  const g = spawnSync("id", ["-g", name], { encoding: "utf8" });
  return r.status === 0 && g.status === 0 ? { uid: Number(r.stdout.trim()), gid: Number(g.stdout.trim()) } : undefined;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

function accepting(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const c = net.connect(port, "127.0.0.1");
    c.once("connect", () => (c.destroy(), resolve(true)));
    c.once("error", () => resolve(false));
  });
}

/** Servers whose test run died without stopping them (the run's pid is in `runner.pid`): stopped and removed. */
function reapAbandoned() {
  for (const name of fs.readdirSync(os.tmpdir()).filter((n) => n.startsWith("tenet-pg-"))) {
    const dir = path.join(os.tmpdir(), name);
    try {
      const runner = Number(fs.readFileSync(path.join(dir, "runner.pid"), "utf8"));
      if (!runner || isAlive(runner)) continue;
      const postmaster = Number(fs.readFileSync(path.join(dir, "data", "postmaster.pid"), "utf8").split("\n")[0]);
      if (postmaster && isAlive(postmaster)) process.kill(postmaster, "SIGQUIT"); // immediate shutdown
      fs.rmSync(dir, { recursive: true, force: true });
    } catch {
      // not ours, or already gone
    }
  }
}

export async function startPostgres(opts: { timeoutMs?: number } = {}): Promise<PostgresServer> {
  reapAbandoned();
  const bin = postgresBinDir();
  if (!bin) throw new Error(postgresMissing());
  const owner = process.getuid?.() === 0 ? (userOf("postgres") ?? userOf("nobody")) : undefined;
  if (process.getuid?.() === 0 && !owner) throw new Error("running as root and neither a `postgres` nor a `nobody` user exists to run PostgreSQL as");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tenet-pg-"));
  fs.writeFileSync(path.join(dir, "runner.pid"), String(process.pid));
  const data = path.join(dir, "data");
  fs.mkdirSync(data, { mode: 0o700 });
  if (owner) {
    fs.chownSync(dir, owner.uid, owner.gid);
    fs.chownSync(data, owner.uid, owner.gid);
  }
  const as = owner ? { uid: owner.uid, gid: owner.gid } : {};
  const init = spawnSync(
    path.join(bin, "initdb"),
    ["-D", data, "-U", "tenet", "--auth=trust", "--encoding=UTF8", "--locale=C", "--no-sync", "--no-instructions"],
    { ...as, encoding: "utf8", cwd: dir },
  );
  if (init.status !== 0) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw new Error(`initdb failed (${init.status}): ${init.stderr || init.stdout}`);
  }
  const port = await freePort();
  const log = path.join(dir, "postgres.log");
  const logFd = fs.openSync(log, "a");
  if (owner) fs.fchownSync(logFd, owner.uid, owner.gid);
  const settings = {
    listen_addresses: "127.0.0.1",
    port: String(port),
    unix_socket_directories: dir,
    fsync: "off",
    synchronous_commit: "off",
    full_page_writes: "off",
    shared_buffers: "16MB",
    max_connections: "60",
  };
  const server: ChildProcess = spawn(path.join(bin, "postgres"), ["-D", data, ...Object.entries(settings).flatMap(([k, v]) => ["-c", `${k}=${v}`])], {
    ...as,
    cwd: dir,
    stdio: ["ignore", logFd, logFd],
  });
  fs.closeSync(logFd);
  let exited: number | null | undefined;
  const exit = new Promise<void>((resolve) => server.once("exit", (code) => ((exited = code), resolve())));
  const stop = async () => {
    if (exited === undefined) {
      server.kill("SIGINT"); // fast shutdown
      await Promise.race([exit, new Promise((r) => setTimeout(r, 5000))]);
      if (exited === undefined) server.kill("SIGKILL");
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
  while (!(await accepting(port))) {
    if (exited !== undefined || Date.now() > deadline) {
      const why = fs.existsSync(log) ? fs.readFileSync(log, "utf8").slice(-2000) : "";
      await stop();
      throw new Error(`PostgreSQL did not start on 127.0.0.1:${port}${exited !== undefined ? ` (exited ${exited})` : ""}: ${why}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  // the port accepts before the database is ready for queries; createdb waits for it
  const ready = Date.now() + 10_000;
  for (;;) {
    const r = spawnSync(path.join(bin, "createdb"), ["-h", "127.0.0.1", "-p", String(port), "-U", "tenet", "tenet"], { ...as, encoding: "utf8", cwd: dir });
    if (r.status === 0) break;
    if (Date.now() > ready) {
      await stop();
      throw new Error(`createdb failed: ${r.stderr}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { url: `postgresql://tenet@127.0.0.1:${port}/tenet`, stop };
}

/** What the unit project's tests get from `inject("postgres")`: a server URL, or why there is none. */
export type TestPostgres = { url: string } | { missing: string };

declare module "vitest" {
  export interface ProvidedContext {
    postgres: TestPostgres;
  }
}

/** Test files that run against PostgreSQL say so by using this helper (server/db/testing.ts). */
const USES_POSTGRES = "testDatabases(";

/**
 * vitest globalSetup of the unit project: one PostgreSQL server for the run when a selected test
 * file needs it (TENET_TEST_POSTGRES_URL: use that server instead; it must let the user create
 * databases). Without the binaries the PostgreSQL half of the tests is skipped with the reason,
 * unless TENET_REQUIRE_POSTGRES=1 (.ci/run), where that is an error.
 */
export default async function setup(project: TestProject) {
  const external = process.env.TENET_TEST_POSTGRES_URL;
  if (external) {
    project.provide("postgres", { url: external });
    return;
  }
  // `vitest run some/file.test.ts` selects files by these filters; start the server only if one needs it
  const filters = (project.vitest as unknown as { filenamePattern?: string[] }).filenamePattern;
  const { testFiles } = await project.globTestFiles(filters);
  if (!testFiles.some((f) => fs.readFileSync(f, "utf8").includes(USES_POSTGRES))) {
    project.provide("postgres", { missing: "no selected test file uses PostgreSQL" });
    return;
  }
  const missing = postgresMissing();
  if (missing) {
    if (process.env.TENET_REQUIRE_POSTGRES === "1") throw new Error(`TENET_REQUIRE_POSTGRES=1 and the database tests need PostgreSQL: ${missing}`);
    process.stderr.write(`[postgres] SKIPPING the PostgreSQL half of the database tests: ${missing}\n`);
    project.provide("postgres", { missing });
    return;
  }
  const started = Date.now();
  const server = await startPostgres();
  process.stderr.write(`[postgres] test server ${server.url} ready in ${((Date.now() - started) / 1000).toFixed(1)}s\n`);
  project.provide("postgres", { url: server.url });
  return () => server.stop();
}
