// `tenet console` with TENET_LOG_FORMAT=json, as the chart runs it: the real production server
// (a `next build` of the console, reused when .next-e2e holds one) against the test cluster. Every
// line it writes, Next's startup lines and a failing request's error included, is a JSON object.
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { buildConsole, startConsole, stopConsole } from "../testing/consoleServer";

const cluster = inject("cluster");
const say = (line: string) => process.stderr.write(`[console] ${line}\n`);
const server = { distDir: ".next-e2e", say };
let pid: number | undefined;
let baseURL: string;
let logFile: string;
let logStart: number;

/** What the console wrote since it started (the log file is appended to by every start in this home). */
const written = () => fs.readFileSync(logFile, "utf8").slice(logStart);
const records = () =>
  written()
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => {
      try {
        return JSON.parse(l) as Record<string, unknown>;
      } catch {
        throw new Error(`not a JSON line: ${l}`);
      }
    });

async function until(what: string, f: () => boolean, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!f()) {
    if (Date.now() > deadline) throw new Error(`${what} within ${timeoutMs / 1000}s; the console wrote:\n${written()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  await buildConsole(cluster.home, { ...server, reuse: true });
  logFile = path.join(cluster.home, "logs", "next.log");
  logStart = fs.existsSync(logFile) ? fs.statSync(logFile).size : 0;
  // a database nobody migrated (the init container did not run): every session lookup fails
  const unmigrated = path.join(fs.mkdtempSync(path.join(cluster.home, "console-log-")), "console.db");
  const started = await startConsole(cluster.home, {
    ...server,
    launcher: "tenet",
    env: { TENET_LOG_FORMAT: "json", DATABASE_URL: `file:${unmigrated}` },
  });
  pid = started.child.pid;
  baseURL = started.baseURL;
  expect(started.logFile).toBe(logFile);
}, 900_000);

afterAll(async () => {
  await stopConsole(pid);
});

describe("tenet console with TENET_LOG_FORMAT=json", () => {
  it("logs its startup as JSON lines with time, level, component and msg", async () => {
    await until("the Ready line", () => written().includes("Ready in"));
    const startup = records();
    for (const r of startup) {
      expect(Date.parse(r.time as string), JSON.stringify(r)).not.toBeNaN();
      expect(r.component).toBe("console");
      expect(typeof r.msg).toBe("string");
      expect(["debug", "info", "warn", "error"]).toContain(r.level);
    }
    const messages = startup.map((r) => r.msg as string);
    expect(messages).toContainEqual(expect.stringMatching(/^Next\.js \d+\.\d+/));
    expect(messages).toContainEqual(expect.stringMatching(/^Ready in \d/));
    // no colour codes, no Next prefix glyphs left
    expect(written()).not.toMatch(/\\u001b|[▲✓⨯⚠]/);
  });

  it("logs a failing request as one JSON line whose `error` holds the whole stack", async () => {
    expect((await fetch(`${baseURL}/signin`)).status).toBe(200);
    const res = await fetch(`${baseURL}/api/usage/addresses.csv`, { headers: { cookie: "tenet_session=not-a-session" } });
    expect(res.status).toBe(500);
    await until("the request's error", () => records().some((r) => r.level === "error" && typeof r.error === "string"));
    const failure = records().find((r) => r.level === "error" && typeof r.error === "string")!;
    // Prisma's answer for a database without tables, and where it came from
    expect(failure.msg).toMatch(/Session|no such table/i);
    expect(failure.error as string).toMatch(/\n\s+at /);
    // through tRPC the browser learns that it failed and when, not the database's words
    const trpc = await fetch(`${baseURL}/api/trpc/auth.me`, { headers: { cookie: "tenet_session=not-a-session" } });
    expect(trpc.status).toBe(500);
    const body = await trpc.text();
    expect(body).toMatch(/the console failed unexpectedly at \d{4}-\d\d-\d\dT[\d:.]+Z; its log has the details/);
    expect(body).not.toMatch(/Session|table|prisma/i);
    // and nothing the console wrote, before or after, is anything but a JSON object per line
    const all = records();
    expect(all.length).toBeGreaterThanOrEqual(4);
    for (const r of all) expect(Object.keys(r).slice(0, 4)).toEqual(["time", "level", "component", "msg"]);
  });
});
