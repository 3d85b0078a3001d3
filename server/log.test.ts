import { describe, expect, it } from "vitest";
import { createLogger, logLine, logRecord } from "./log";

const NOW = new Date("2026-01-02T03:04:05.678Z");

function captured(options: { fields?: Record<string, unknown> } = {}) {
  const lines: string[] = [];
  const log = createLogger("controllers", { write: (l) => lines.push(l), now: () => NOW, ...options });
  return { log, lines, records: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe("createLogger", () => {
  it("writes one JSON line per call: time, level, component, msg, then the fields", () => {
    const { log, lines, records } = captured();
    log("reconcile pass done", { fixes: 2 });
    expect(lines).toEqual(['{"time":"2026-01-02T03:04:05.678Z","level":"info","component":"controllers","msg":"reconcile pass done","fixes":2}\n']);
    expect(Object.keys(records()[0])).toEqual(["time", "level", "component", "msg", "fixes"]);
  });

  it("has a method per level; calling the logger itself is info", () => {
    const { log, records } = captured();
    log.debug("a");
    log.info("b");
    log.warn("c");
    log.error("d");
    log("e");
    expect(records().map((r) => [r.level, r.msg])).toEqual([
      ["debug", "a"],
      ["info", "b"],
      ["warn", "c"],
      ["error", "d"],
      ["info", "e"],
    ]);
  });

  it("puts bound fields on every line; a call's own field of the same name wins", () => {
    const { log, records } = captured({ fields: { node: "node-1" } });
    log("starting", { netns: "n1" });
    log("moved", { node: "node-2" });
    expect(records()).toEqual([
      { time: NOW.toISOString(), level: "info", component: "controllers", msg: "starting", node: "node-1", netns: "n1" },
      { time: NOW.toISOString(), level: "info", component: "controllers", msg: "moved", node: "node-2" },
    ]);
  });

  it("writes to standard error unless told otherwise", () => {
    const written: string[] = [];
    const original = process.stderr.write;
    process.stderr.write = ((chunk: string) => written.push(chunk) > 0) as typeof process.stderr.write;
    try {
      createLogger("webhook")("listening", { port: 8443 });
    } finally {
      process.stderr.write = original;
    }
    expect(written).toHaveLength(1);
    expect(JSON.parse(written[0])).toMatchObject({ level: "info", component: "webhook", msg: "listening", port: 8443 });
  });
});

describe("logRecord and logLine", () => {
  it("keeps a field named like the record's own keys as field.<name> instead of replacing them", () => {
    expect(logRecord("agent", "warn", "pass failed", { level: "debug", msg: "other", component: "x", time: "then", error: "boom" }, NOW)).toEqual({
      time: NOW.toISOString(),
      level: "warn",
      component: "agent",
      msg: "pass failed",
      "field.level": "debug",
      "field.msg": "other",
      "field.component": "x",
      "field.time": "then",
      error: "boom",
    });
  });

  it("leaves out undefined fields", () => {
    expect(Object.keys(logRecord("agent", "info", "starting", { netns: undefined, applying: false }, NOW))).toEqual([
      "time",
      "level",
      "component",
      "msg",
      "applying",
    ]);
  });

  it("is one line: newlines inside values are escaped, bigints are decimal strings, an Error is its stack", () => {
    const e = new Error("cannot reach the API server");
    const line = logLine(logRecord("webhook", "error", "first\nsecond", { vni: 2n ** 70n, error: e }, NOW));
    expect(line.indexOf("\n")).toBe(line.length - 1);
    const r = JSON.parse(line) as Record<string, unknown>;
    expect(r.msg).toBe("first\nsecond");
    expect(r.vni).toBe("1180591620717411303424");
    expect(r.error).toBe(e.stack);
  });
});
