// The daemon's process starter: `danm spawner` (the real Go executable) against the direct runner.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { danmClientBinary } from "./build";
import { directRunner, Spawner, type ProcessRunner } from "./processes";

describe.each([
  ["directly", () => directRunner],
  ["through danm spawner", () => spawner.run],
] as [string, () => ProcessRunner][])("running programs %s", (_, runner) => {
  it("passes arguments, environment and stdin, and returns stdout, stderr and the exit code", async () => {
    const r = await runner()("/bin/sh", ["-c", 'printf "%s|%s|" "$1" "$GREETING"; cat; echo oops >&2; exit 3', "sh", "arg one"], {
      env: { GREETING: "hi", PATH: "/usr/bin:/bin" },
      stdin: "from stdin",
    });
    expect(r).toEqual({ code: 3, stdout: "arg one|hi|from stdin", stderr: "oops\n" });
  });

  it("reports a program that cannot start instead of throwing", async () => {
    const r = await runner()("/nonexistent/plugin", []);
    expect(r.code).toBeNull();
    expect(r.error).toMatch(/ENOENT|no such file/);
  });

  it("runs many at once and matches every answer to its request", async () => {
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => runner()("/bin/sh", ["-c", `sleep 0.0$((${i} % 5)); echo ${i}`])));
    expect(results.map((r) => r.stdout.trim())).toEqual(Array.from({ length: 50 }, (_, i) => String(i)));
  });
});

let spawner: Spawner;
const logs: string[] = [];
beforeAll(async () => {
  spawner = new Spawner(await danmClientBinary(), (m) => logs.push(m));
}, 120_000);
afterAll(() => spawner.close());

describe("danm spawner", () => {
  it("a spawner that dies fails the programs it was running, and the next request starts a new one", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tenet-spawner-"));
    const pidFile = path.join(dir, "spawner.pid");
    // the running program reports its parent (the spawner), which the test then kills
    const running = spawner.run("/bin/sh", ["-c", `echo $PPID > ${pidFile}; sleep 5`]);
    for (let i = 0; i < 100 && !fs.existsSync(pidFile); i++) await new Promise((r) => setTimeout(r, 20));
    process.kill(Number(fs.readFileSync(pidFile, "utf8")), "SIGKILL");
    const r = await running;
    expect(r.code).toBeNull();
    expect(r.error).toMatch(/the danm spawner .* stopped: signal SIGKILL/);
    expect(logs.some((l) => l.includes("spawner stopped"))).toBe(true);
    expect(await spawner.run("/bin/echo", ["again"])).toMatchObject({ code: 0, stdout: "again\n" });
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
