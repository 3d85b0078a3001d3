// The console's log as one JSON object per line, like every other component's (server/log.ts:
// time, level, component, msg, fields). Next.js prints human text ("▲ Next.js 16", "✓ Ready in",
// " ⨯ Error: …" with a stack over many lines) and our server code calls console.*; once installed,
// every console call and every raw write to stdout/stderr becomes one JSON line: ANSI colours
// stripped, Next's prefix glyph turned into `level`, an Error's stack kept whole in the `error` field.
// `tenet console` installs it when TENET_LOG_FORMAT=json (the chart and the image set it).
import { formatWithOptions } from "node:util";
import { LOG_LEVELS, logLine, logRecord, type LogLevel, type LogRecord } from "../log";

export type LogFormat = "json" | "text";

/** TENET_LOG_FORMAT: "json" (one JSON object per line) or "text" (as Next.js prints); unset is text. */
export function logFormat(value: string | undefined): LogFormat {
  const v = (value ?? "").trim().toLowerCase();
  if (v === "" || v === "text") return "text";
  if (v === "json") return "json";
  throw new Error(`TENET_LOG_FORMAT is "${value}": use json (one JSON object per line, for log collectors) or text (human-readable, the default)`);
}

// CSI sequences (colours, cursor movement) and OSC sequences (hyperlinks, titles)
const ANSI = /\u001b\[[0-9;?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)|\u009b[0-9;?]*[ -/]*[@-~]/g;

export function stripAnsi(text: string): string {
  return text.replace(ANSI, "");
}

// next/dist/build/output/log.js: ⨯ error, ⚠ warn, ✓ event, ○ wait, ▲ ready, » trace
const NEXT_PREFIX = /^\s*([⨯⚠✓○▲»])(?:\s+|$)/u;
const PREFIX_LEVEL: Record<string, LogLevel | undefined> = { "⨯": "error", "⚠": "warn" };

function isError(v: unknown): v is Error {
  return v instanceof Error || (typeof v === "object" && v !== null && typeof (v as Error).stack === "string" && typeof (v as Error).message === "string");
}

/** An error's stack (or name and message) with its causes, as text without colours. */
export function errorText(e: Error, depth = 0): string {
  let text = typeof e.stack === "string" && e.stack ? e.stack : `${e.name}: ${e.message}`;
  // a stack that lost its first line (some libraries rewrite it) still says what went wrong
  if (e.message && !text.includes(e.message)) text = `${e.name}: ${e.message}\n${text}`;
  const cause = (e as { cause?: unknown }).cause;
  if (cause !== undefined && depth < 5)
    text += `\nCaused by: ${isError(cause) ? errorText(cause, depth + 1) : formatWithOptions({ colors: false }, "%O", cause)}`;
  return stripAnsi(text);
}

/** A string argument that is itself a JSON object (a library's own structured line): its fields. */
function jsonObject(text: string): Record<string, unknown> | undefined {
  const t = text.trim();
  if (!t.startsWith("{") || !t.endsWith("}")) return undefined;
  try {
    const v = JSON.parse(t) as unknown;
    return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function fromJsonObject(component: string, level: LogLevel, obj: Record<string, unknown>, now: Date): LogRecord {
  const { time, component: c, message, msg, level: l, ...fields } = obj;
  const text =
    typeof msg === "string" ? msg : typeof message === "string" ? message : message === undefined && msg === undefined ? "" : JSON.stringify(msg ?? message);
  const record = logRecord(
    typeof c === "string" && c ? c : component,
    LOG_LEVELS.includes(l as LogLevel) ? (l as LogLevel) : level,
    stripAnsi(text),
    fields,
    now,
  );
  if (typeof time === "string") record.time = time;
  return record;
}

/**
 * One log record from the arguments of a console call (or the text of a raw write), or undefined
 * for a call that says nothing (Next prints blank lines between its startup lines).
 */
export function consoleRecord(component: string, level: LogLevel, args: unknown[], now = new Date()): LogRecord | undefined {
  if (args.length === 1 && typeof args[0] === "string") {
    const obj = jsonObject(args[0]);
    if (obj) return fromJsonObject(component, level, obj, now);
  }
  const errors = args.filter(isError);
  // an Error's message goes in msg, its stack in the `error` field
  const shown = args.map((a) => (isError(a) ? `${a.name}: ${a.message}` : a));
  let message = stripAnsi(formatWithOptions({ colors: false, breakLength: Infinity, compact: true }, ...shown)).trimEnd();
  const prefix = NEXT_PREFIX.exec(message);
  if (prefix) {
    message = message.slice(prefix[0].length);
    const l = PREFIX_LEVEL[prefix[1]];
    if (l && LOG_LEVELS.indexOf(l) > LOG_LEVELS.indexOf(level)) level = l;
  }
  message = message.replace(/^\s+/, "");
  if (!message && errors.length === 0) return undefined;
  const record = logRecord(component, level, message, {}, now);
  if (errors.length) {
    record.error = errors.map((e) => errorText(e)).join("\n\n");
    // what Next.js and Node attach to errors: the digest shown to the browser, system error codes
    for (const key of ["digest", "code", "syscall", "path"]) {
      const v = (errors[0] as unknown as Record<string, unknown>)[key];
      if (typeof v === "string" || typeof v === "number") record[key] = v;
    }
  }
  return record;
}

/** The records of text written straight to a stream: JSON lines stay one record each; other text is one record. */
export function rawRecords(component: string, level: LogLevel, text: string, now = new Date()): LogRecord[] {
  const lines = text.split("\n").filter((l) => l.trim());
  if (lines.length > 1 && lines.every((l) => jsonObject(l))) return lines.map((l) => fromJsonObject(component, level, jsonObject(l)!, now));
  const r = consoleRecord(component, level, [text.replace(/\r?\n$/, "")], now);
  return r ? [r] : [];
}

export interface Writable {
  write(chunk: string | Uint8Array, ...rest: unknown[]): boolean;
}

export interface LogTargets {
  console: Pick<Console, "log" | "info" | "debug" | "warn" | "error">;
  stdout: Writable;
  stderr: Writable;
}

/** Text written without a final newline waits for the rest of its line, up to this much. */
const MAX_PENDING = 64 * 1024;

/**
 * Makes `targets` (by default the process's console and streams) log JSON lines as `component`.
 * console.log/info/debug go to stdout, console.warn/error to stderr, as before. Text written straight
 * to stderr is an error (Next.js writes its failures there) unless `rawStderrLevel` says otherwise (a
 * command line tool's progress). Returns a function
 * that writes what is pending and puts everything back.
 */
export function installJsonLogs(
  component: string,
  targets: LogTargets = { console, stdout: process.stdout, stderr: process.stderr },
  now = () => new Date(),
  options: { rawStderrLevel?: LogLevel } = {},
): () => void {
  const { console: c, stdout, stderr } = targets;
  const original = { log: c.log, info: c.info, debug: c.debug, warn: c.warn, error: c.error, stdoutWrite: stdout.write, stderrWrite: stderr.write };
  const writeOut = original.stdoutWrite.bind(stdout);
  const writeErr = original.stderrWrite.bind(stderr);
  const emit = (to: "out" | "err", r: LogRecord | undefined) => {
    if (!r) return;
    const line = logLine(r);
    if (to === "out") writeOut(line);
    else writeErr(line);
  };
  const method =
    (to: "out" | "err", level: LogLevel) =>
    (...args: unknown[]) => {
      try {
        emit(to, consoleRecord(component, level, args, now()));
      } catch (e) {
        // never lose a line because one argument cannot be formatted
        emit(to, logRecord(component, level, `unformattable log call: ${(e as Error).message}`, {}, now()));
      }
    };
  c.log = method("out", "info");
  c.info = method("out", "info");
  c.debug = method("out", "debug");
  c.warn = method("err", "warn");
  c.error = method("err", "error");

  const pending = { out: "", err: "" };
  const flushRaw = (to: "out" | "err") => {
    const text = pending[to];
    pending[to] = "";
    if (text) for (const r of rawRecords(component, to === "out" ? "info" : (options.rawStderrLevel ?? "error"), text, now())) emit(to, r);
  };
  const rawWrite = (to: "out" | "err") =>
    function write(chunk: string | Uint8Array, ...rest: unknown[]): boolean {
      pending[to] += typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8");
      if (pending[to].endsWith("\n") || pending[to].length > MAX_PENDING) flushRaw(to);
      const callback = rest.find((a) => typeof a === "function") as (() => void) | undefined;
      if (callback) queueMicrotask(callback);
      return true;
    };
  stdout.write = rawWrite("out");
  stderr.write = rawWrite("err");

  return () => {
    flushRaw("out");
    flushRaw("err");
    Object.assign(c, { log: original.log, info: original.info, debug: original.debug, warn: original.warn, error: original.error });
    stdout.write = original.stdoutWrite;
    stderr.write = original.stderrWrite;
  };
}
