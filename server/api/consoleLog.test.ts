import { describe, expect, it } from "vitest";
import { errorText, installJsonLogs, logFormat, consoleRecord, rawRecords, stripAnsi, type LogTargets } from "./consoleLog";

const NOW = new Date("2026-01-02T03:04:05.678Z");

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  const targets: LogTargets = {
    console: { log: () => {}, info: () => {}, debug: () => {}, warn: () => {}, error: () => {} },
    stdout: { write: (c: string | Uint8Array) => (out.push(String(c)), true) },
    stderr: { write: (c: string | Uint8Array) => (err.push(String(c)), true) },
  };
  return { targets, out, err };
}

const lines = (chunks: string[]) =>
  chunks
    .join("")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe("logFormat (TENET_LOG_FORMAT)", () => {
  it("is text unless json is asked for, and refuses anything else with the choices", () => {
    expect(logFormat(undefined)).toBe("text");
    expect(logFormat("")).toBe("text");
    expect(logFormat("JSON")).toBe("json");
    expect(logFormat("text")).toBe("text");
    expect(() => logFormat("yaml")).toThrow(/TENET_LOG_FORMAT is "yaml": use json .* or text/);
  });
});

describe("consoleRecord", () => {
  it("has time, level, component and msg, in the order of the other components' lines (server/log.ts)", () => {
    const r = consoleRecord("console", "info", ["listening on", 3000], NOW);
    expect(r).toEqual({ time: "2026-01-02T03:04:05.678Z", level: "info", component: "console", msg: "listening on 3000" });
    expect(Object.keys(r!)).toEqual(["time", "level", "component", "msg"]);
  });

  it("strips ANSI colours and Next's prefix glyphs, which set the level", () => {
    expect(consoleRecord("console", "info", ["\u001b[1m\u001b[32m✓\u001b[39m\u001b[22m Ready in 75ms"], NOW)).toMatchObject({
      msg: "Ready in 75ms",
      level: "info",
    });
    expect(consoleRecord("console", "info", ["▲ Next.js 16.4.6"], NOW)).toMatchObject({ msg: "Next.js 16.4.6" });
    expect(consoleRecord("console", "info", ["\u001b[33m\u001b[1m⚠\u001b[22m\u001b[39m", "slow"], NOW)).toMatchObject({ msg: "slow", level: "warn" });
    expect(consoleRecord("console", "error", ["\u001b[31m⨯\u001b[39m", "boom"], NOW)).toMatchObject({ msg: "boom", level: "error" });
    // a prefix never lowers the level of console.error
    expect(consoleRecord("console", "error", ["⚠ deprecated"], NOW)).toMatchObject({ level: "error" });
    expect(stripAnsi("\u001b]8;;https://x\u0007link\u001b]8;;\u0007 \u001b[2mdim\u001b[0m")).toBe("link dim");
  });

  it("keeps an Error's stack in `error` and its name and message in msg", () => {
    const e = new Error("cannot reach the API server");
    const r = consoleRecord("console", "error", ["⨯", "request failed:", e], NOW)!;
    expect(r.msg).toBe("request failed: Error: cannot reach the API server");
    expect(r.error).toBe(e.stack);
    expect(r.error).toMatch(/\n {4}at /);
  });

  it("adds the causes of an error and what Next and Node attach to it (digest, code, syscall, path)", () => {
    const cause = Object.assign(new Error("ENOENT: no such file"), { code: "ENOENT", syscall: "open", path: "/etc/kubeconfig" });
    const e = Object.assign(new Error("runtime failed", { cause }), { digest: "4021337" });
    const r = consoleRecord("console", "error", [e], NOW)!;
    expect(r.error).toContain("Error: runtime failed");
    expect(r.error).toContain("\nCaused by: Error: ENOENT: no such file");
    expect(r.digest).toBe("4021337");
    const direct = consoleRecord("console", "error", [cause], NOW)!;
    expect(direct).toMatchObject({ code: "ENOENT", syscall: "open", path: "/etc/kubeconfig" });
  });

  it("keeps the first line of an error whose stack lost it", () => {
    const e = new Error("db locked");
    e.stack = "    at query (db.ts:1:1)";
    expect(errorText(e)).toBe("Error: db locked\n    at query (db.ts:1:1)");
  });

  it("keeps a multi-line message in one record, and objects on one line", () => {
    const r = consoleRecord("console", "warn", ["first\nsecond\n  third", { a: { b: [1, 2] } }], NOW)!;
    expect(r.msg).toBe("first\nsecond\n  third { a: { b: [ 1, 2 ] } }");
    expect(JSON.stringify(r)).not.toContain("\n");
  });

  it("says nothing for blank lines", () => {
    expect(consoleRecord("console", "info", [""], NOW)).toBeUndefined();
    expect(consoleRecord("console", "info", [], NOW)).toBeUndefined();
    expect(consoleRecord("console", "info", ["\u001b[0m  "], NOW)).toBeUndefined();
  });

  it("takes a line that already is a JSON object apart instead of quoting it (message becomes msg)", () => {
    const r = consoleRecord("console", "error", [JSON.stringify({ level: "warn", message: "watch expired", kind: "DanmEp" })], NOW);
    expect(r).toEqual({ time: NOW.toISOString(), component: "console", msg: "watch expired", level: "warn", kind: "DanmEp" });
    const own = consoleRecord(
      "console",
      "info",
      [JSON.stringify({ time: "2020-01-01T00:00:00.000Z", component: "svcwatcher", msg: "synced", level: "nonsense" })],
      NOW,
    );
    expect(own).toEqual({ time: "2020-01-01T00:00:00.000Z", component: "svcwatcher", msg: "synced", level: "info" });
  });
});

describe("rawRecords (text written straight to a stream)", () => {
  it("is one record for a multi-line write, one per line for JSON lines", () => {
    expect(rawRecords("console", "error", "Trace: here\n    at a (x.js:1:1)\n", NOW)).toEqual([
      { time: NOW.toISOString(), component: "console", msg: "Trace: here\n    at a (x.js:1:1)", level: "error" },
    ]);
    expect(rawRecords("console", "info", '{"msg":"a"}\n{"message":"b"}\n', NOW).map((r) => r.msg)).toEqual(["a", "b"]);
    expect(rawRecords("console", "info", "\n", NOW)).toEqual([]);
  });
});

describe("installJsonLogs", () => {
  it("turns console calls into JSON lines on the streams they used, and puts everything back", () => {
    const { targets, out, err } = capture();
    const before = { log: targets.console.log, write: targets.stdout.write };
    const restore = installJsonLogs("console", targets, () => NOW);
    targets.console.log("\u001b[32m✓\u001b[39m Ready in 75ms");
    targets.console.log("");
    targets.console.error(new Error("boom\nsecond line"));
    targets.console.warn("⚠ careful");
    targets.console.debug("detail", { n: 1n });
    expect(lines(out)).toEqual([
      { time: NOW.toISOString(), component: "console", msg: "Ready in 75ms", level: "info" },
      { time: NOW.toISOString(), component: "console", msg: "detail { n: 1n }", level: "debug" },
    ]);
    const e = lines(err);
    expect(e.map((r) => [r.level, r.msg])).toEqual([
      ["error", "Error: boom\nsecond line"],
      ["warn", "careful"],
    ]);
    expect(e[0].error).toMatch(/^Error: boom\nsecond line\n {4}at /);
    for (const chunk of [...out, ...err]) expect(chunk.endsWith("\n") && chunk.indexOf("\n") === chunk.length - 1).toBe(true);
    restore();
    expect(targets.console.log).toBe(before.log);
    expect(targets.stdout.write).toBe(before.write);
  });

  it("wraps raw writes, waiting for the end of a line and calling the write's callback", async () => {
    const { targets, out, err } = capture();
    const restore = installJsonLogs("console", targets, () => NOW);
    let called = false;
    targets.stdout.write("- Local:   ");
    expect(out).toEqual([]);
    targets.stdout.write(Buffer.from("http://127.0.0.1:3000\n"), () => (called = true));
    targets.stderr.write("\u001b[31mfatal\u001b[0m\n");
    targets.stderr.write("no newline yet");
    await Promise.resolve();
    expect(called).toBe(true);
    expect(lines(out)).toEqual([{ time: NOW.toISOString(), component: "console", msg: "- Local:   http://127.0.0.1:3000", level: "info" }]);
    expect(lines(err).map((r) => r.msg)).toEqual(["fatal"]);
    restore(); // writes what was pending
    expect(lines(err).map((r) => r.msg)).toEqual(["fatal", "no newline yet"]);
  });

  it("still logs a call whose argument cannot be formatted", () => {
    const { targets, out } = capture();
    const restore = installJsonLogs("console", targets, () => NOW);
    const hostile = {
      [Symbol.for("nodejs.util.inspect.custom")]: () => {
        throw new Error("no inspecting me");
      },
    };
    targets.console.log(hostile);
    restore();
    expect(lines(out)).toEqual([{ time: NOW.toISOString(), component: "console", msg: "unformattable log call: no inspecting me", level: "info" }]);
  });
});
