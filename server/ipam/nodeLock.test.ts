// The node lock between real processes: contention, a SIGKILLed holder (reaped or a zombie), a pid
// that now belongs to another process, a creator that died before writing its record.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  acquireNodeLock,
  EMPTY_GRACE_MS,
  formatRecord,
  networkLockFile,
  networkLocks,
  NodeLockTimeout,
  NodeLockUnusable,
  readHolder,
  STALE_CHECK_MS,
} from "./nodeLock";

const MODULE = path.join(path.dirname(fileURLToPath(import.meta.url)), "nodeLock.ts");

/** A node process running `body` (ES module code) with `acquireNodeLock` and `fs` in scope and `args` = the JSON given. */
function nodeChild(body: string, args: unknown, viaShell = false): ChildProcess {
  const code = `import fs from "node:fs"; const { acquireNodeLock } = await import(${JSON.stringify(MODULE)}); const args = JSON.parse(process.env.LOCK_TEST_ARGS); ${body}`;
  const env = { ...process.env, LOCK_TEST_ARGS: JSON.stringify(args) };
  if (!viaShell) return spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", code], { env, stdio: ["ignore", "pipe", "inherit"] });
  // the shell starts the node process in the background, then becomes `sleep`, which never reaps it
  return spawn("sh", ["-c", `"${process.execPath}" --import tsx --input-type=module -e "$LOCK_TEST_CODE" & exec sleep 60`], {
    env: { ...env, LOCK_TEST_CODE: code },
    stdio: ["ignore", "pipe", "inherit"],
  });
}

const exited = (child: ChildProcess) =>
  new Promise<number | null>((resolve) =>
    child.exitCode !== null || child.signalCode !== null ? resolve(child.exitCode) : child.once("exit", (c) => resolve(c)),
  );

/** The first line the child prints. */
function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (d) => {
      out += d;
      if (out.includes("\n")) resolve(out.split("\n")[0]);
    });
    child.once("exit", () => reject(new Error(`child exited before printing a line (got "${out}")`)));
  });
}

/** /proc/<pid>/stat field 22, read here independently of the module under test. */
function startTimeOf(pid: number): number {
  const text = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
  return Number(text.slice(text.lastIndexOf(")") + 2).split(" ")[19]);
}

let dir = "";
let file = "";
const children: ChildProcess[] = [];
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "tenet-nodelock-"));
  file = path.join(dir, "DanmNet_team-a_net.lock");
});
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  fs.rmSync(dir, { recursive: true, force: true });
});

const timeoutOf = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e) => e,
  );

describe("node lock between processes", () => {
  // each round: read a counter file, let other processes run, write it back incremented
  const counterRounds = `
    const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
    // all start together, whatever their start-up took: each says it is ready and waits for the others
    fs.writeFileSync(args.barrier + "/" + process.pid, "");
    while (fs.readdirSync(args.barrier).length < args.processes) await sleep(2);
    for (let i = 0; i < args.rounds; i++) {
      const lock = args.locked ? await acquireNodeLock(args.file, { waitMs: 30000, what: "the counter" }) : undefined;
      const value = Number(fs.readFileSync(args.counter, "utf8"));
      await sleep(args.holdMs);
      fs.writeFileSync(args.counter, String(value + 1));
      lock?.release();
    }`;

  async function contend(processes: number, rounds: number, locked: boolean, holdMs = 3): Promise<number> {
    const counter = path.join(dir, `counter-${locked}`);
    fs.writeFileSync(counter, "0");
    const barrier = fs.mkdtempSync(path.join(dir, "ready-"));
    const runs = Array.from({ length: processes }, () => nodeChild(counterRounds, { file, counter, rounds, locked, barrier, processes, holdMs }));
    children.push(...runs);
    expect(await Promise.all(runs.map(exited))).toEqual(runs.map(() => 0));
    return Number(fs.readFileSync(counter, "utf8"));
  }

  it("three processes contending lose no update with the lock (and do without it)", { timeout: 60_000 }, async () => {
    expect(await contend(3, 15, true)).toBe(45);
    expect(fs.existsSync(file), "the last holder removed the lock file").toBe(false);
    // the same processes without the lock: the test can tell (updates are lost, or a read catches a
    // write half done and the count goes astray). Each holds its read for 20 ms so that they overlap
    // even when a loaded machine starts them apart; a run that happened to serialise them all is
    // tried again (three times at most)
    const unlocked: number[] = [];
    while (unlocked.length < 3 && !unlocked.some((n) => n !== 18)) unlocked.push(await contend(3, 6, false, 20));
    expect(
      unlocked.some((n) => n !== 18),
      `counts without the lock: ${unlocked.join(", ")}`,
    ).toBe(true);
  });

  it("a live holder keeps the lock; once SIGKILLed, a waiter takes over after one stale check", { timeout: 30_000 }, async () => {
    const holder = nodeChild(`await acquireNodeLock(args.file, { waitMs: 0, what: "x" }); console.log("held"); setInterval(() => {}, 1000);`, { file });
    children.push(holder);
    expect(await firstLine(holder)).toBe("held");
    const refused = await timeoutOf(acquireNodeLock(file, { waitMs: 300, what: "DanmNet team-a/net" }));
    expect(refused).toBeInstanceOf(NodeLockTimeout);
    expect((refused as NodeLockTimeout).holder?.pid).toBe(holder.pid);
    expect((refused as Error).message).toMatch(
      /^waited 0\.\d s for the other danm runs on this node that write DanmNet team-a\/net \(lock .* held by pid \d+\)$/,
    );

    // a waiter is already polling when the holder dies
    const started = performance.now();
    const waiting = acquireNodeLock(file, { waitMs: 10_000, what: "x" });
    holder.kill("SIGKILL");
    await exited(holder);
    const lock = await waiting;
    expect(performance.now() - started).toBeLessThan(STALE_CHECK_MS + 1_000);
    expect(readHolder(file)).toEqual({ pid: process.pid, start: startTimeOf(process.pid) });
    lock.release();
    expect(fs.existsSync(file)).toBe(false);
  });

  it("a SIGKILLed holder nobody reaped yet (a zombie) counts as dead", { timeout: 30_000 }, async () => {
    const parent = nodeChild(
      `await acquireNodeLock(args.file, { waitMs: 0, what: "x" }); console.log(process.pid); setInterval(() => {}, 1000);`,
      { file },
      true,
    );
    children.push(parent);
    const pid = Number(await firstLine(parent));
    process.kill(pid, "SIGKILL");
    const deadline = performance.now() + 5_000;
    while (!fs.readFileSync(`/proc/${pid}/stat`, "utf8").includes(") Z ")) {
      expect(performance.now(), "the killed holder becomes a zombie").toBeLessThan(deadline);
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(readHolder(file)?.pid).toBe(pid);
    const lock = await acquireNodeLock(file, { waitMs: 2_000, what: "x" });
    expect(readHolder(file)?.pid).toBe(process.pid);
    lock.release();
  });

  it("a record whose pid now belongs to a process started at another time is stale; with the right start time it is not", { timeout: 30_000 }, async () => {
    const other = spawn("sleep", ["60"], { stdio: "ignore" });
    children.push(other);
    await new Promise((r) => other.once("spawn", r));
    const start = startTimeOf(other.pid!);
    fs.writeFileSync(file, formatRecord({ pid: other.pid!, start }));
    expect(await timeoutOf(acquireNodeLock(file, { waitMs: 300, what: "x" }))).toBeInstanceOf(NodeLockTimeout);
    expect(readHolder(file)).toEqual({ pid: other.pid, start });

    // the holder that wrote this record started earlier; the pid was given to `sleep` since
    fs.writeFileSync(file, formatRecord({ pid: other.pid!, start: start - 1 }));
    const lock = await acquireNodeLock(file, { waitMs: 0, what: "x" });
    expect(readHolder(file)?.pid).toBe(process.pid);
    lock.release();
  });

  it("waiters get the lock in the order they came, also when newcomers keep arriving", { timeout: 30_000 }, async () => {
    const holder = await acquireNodeLock(file, { waitMs: 0, what: "x" });
    const order: number[] = [];
    const waiters: Promise<void>[] = [];
    const wait = (n: number) =>
      acquireNodeLock(file, { waitMs: 10_000, what: "x" }).then(async (lock) => {
        order.push(n);
        await new Promise((r) => setTimeout(r, 5));
        lock.release();
      });
    for (let n = 0; n < 6; n++) {
      waiters.push(wait(n));
      await new Promise((r) => setTimeout(r, 15));
    }
    holder.release();
    // newcomers while the first six are served must queue behind them
    for (let n = 6; n < 9; n++) {
      waiters.push(wait(n));
      await new Promise((r) => setTimeout(r, 2));
    }
    await Promise.all(waiters);
    expect(order).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it("a waiter SIGKILLed while in line does not hold up the ones behind it", { timeout: 30_000 }, async () => {
    const holder = await acquireNodeLock(file, { waitMs: 0, what: "x" });
    const doomed = nodeChild(`console.log("waiting"); await acquireNodeLock(args.file, { waitMs: 60000, what: "x" }); console.log("got it");`, { file });
    children.push(doomed);
    expect(await firstLine(doomed)).toBe("waiting");
    const queue = `${file}.queue`;
    const deadline = performance.now() + 10_000;
    while (!(fs.existsSync(queue) && fs.readdirSync(queue).length === 1)) {
      expect(performance.now(), "the child joined the line").toBeLessThan(deadline);
      await new Promise((r) => setTimeout(r, 10));
    }
    doomed.kill("SIGKILL");
    await exited(doomed);
    expect(fs.readdirSync(queue), "its entry stays behind").toHaveLength(1);
    const next = acquireNodeLock(file, { waitMs: 5_000, what: "x" });
    holder.release();
    const started = performance.now();
    (await next).release();
    expect(performance.now() - started).toBeLessThan(STALE_CHECK_MS + 1_000);
    expect(fs.readdirSync(queue)).toEqual([]);
  });

  it("an empty lock file is being written until it is older than the grace period", { timeout: 30_000 }, async () => {
    fs.writeFileSync(file, "");
    expect(await timeoutOf(acquireNodeLock(file, { waitMs: 300, what: "x" }))).toBeInstanceOf(NodeLockTimeout);
    const old = (Date.now() - EMPTY_GRACE_MS - 1_000) / 1000;
    fs.utimesSync(file, old, old);
    const lock = await acquireNodeLock(file, { waitMs: 0, what: "x" });
    expect(readHolder(file)?.pid).toBe(process.pid);
    lock.release();
  });
});

describe("networkLocks", () => {
  it("names one lock file per network and creates the directory", async () => {
    const locks = networkLocks(path.join(dir, "nested", "ipam"), () => undefined);
    const net = { kind: "ClusterNetwork", name: "external" };
    const seen = await locks(
      net,
      "ClusterNetwork external",
      async () => fs.readFileSync(networkLockFile(path.join(dir, "nested", "ipam"), net), "utf8"),
      1_000,
    );
    expect(seen).toBe(formatRecord({ pid: process.pid, start: startTimeOf(process.pid) }));
    expect(networkLockFile("/run/tenet/ipam", { kind: "DanmNet", namespace: "team-a", name: "internal" })).toBe("/run/tenet/ipam/DanmNet_team-a_internal.lock");
    // released: only the (empty) waiting line of that network is left
    expect(fs.readdirSync(path.join(dir, "nested", "ipam"))).toEqual(["ClusterNetwork__external.lock.queue"]);
    expect(fs.readdirSync(path.join(dir, "nested", "ipam", "ClusterNetwork__external.lock.queue"))).toEqual([]);
  });

  it("runs the write without the lock, once logged, when the directory cannot be used", async () => {
    const blocked = path.join(dir, "not-a-dir");
    fs.writeFileSync(blocked, "");
    const lines: string[] = [];
    const locks = networkLocks(blocked, (l) => lines.push(l));
    expect(await timeoutOf(acquireNodeLock(networkLockFile(blocked, { kind: "DanmNet", namespace: "a", name: "b" }), { waitMs: 0, what: "x" }))).toBeInstanceOf(
      NodeLockUnusable,
    );
    expect(await locks({ kind: "DanmNet", namespace: "a", name: "b" }, "DanmNet a/b", async () => "written", 100)).toBe("written");
    expect(await locks({ kind: "DanmNet", namespace: "a", name: "b" }, "DanmNet a/b", async () => "again", 100)).toBe("again");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/cannot be used: .*; writing DanmNet a\/b without node-local serialisation/);
  });
});
