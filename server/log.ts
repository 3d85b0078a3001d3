// The one log line of every long-running process (webhook, controllers, node agent, console): a
// JSON object per line, `{"time", "level", "component", "msg", ...fields}`, a fixed message plus
// fields (`log("vni released", { profile, vni })`), so a collector can filter on any of them.
// Components take a `Log` and do not know where it writes; entry points make one with `createLogger`.

export type LogLevel = "debug" | "info" | "warn" | "error";

export const LOG_LEVELS: readonly LogLevel[] = ["debug", "info", "warn", "error"];

export type LogFields = Record<string, unknown>;

export interface LogRecord {
  time: string;
  level: LogLevel;
  component: string;
  msg: string;
  [field: string]: unknown;
}

/** A fixed message plus fields, at level info: what components take as their `log` option. */
export type Log = (msg: string, fields?: LogFields) => void;

/** A `Log` (info) with one method per level. */
export interface Logger extends Log {
  debug: Log;
  info: Log;
  warn: Log;
  error: Log;
}

const OWN_KEYS = new Set(["time", "level", "component", "msg"]);

/**
 * One record. A field named like one of the record's own keys does not replace it: it is kept as
 * `field.<name>`.
 */
export function logRecord(component: string, level: LogLevel, msg: string, fields: LogFields = {}, now = new Date()): LogRecord {
  const record: LogRecord = { time: now.toISOString(), level, component, msg };
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    record[OWN_KEYS.has(key) ? `field.${key}` : key] = value;
  }
  return record;
}

/** The record as one line of JSON: bigints as decimal strings, an Error as its stack (or name and message). */
export function logLine(record: LogRecord): string {
  return `${JSON.stringify(record, (_key, value: unknown) => (typeof value === "bigint" ? value.toString() : value instanceof Error ? (value.stack ?? `${value.name}: ${value.message}`) : value))}\n`;
}

export interface LoggerOptions {
  /** Where lines go; standard error unless told. */
  write?: (line: string) => void;
  now?: () => Date;
  /** Fields on every line (the node agent's `node`). */
  fields?: LogFields;
}

/** A logger for `component`: each call writes one JSON line. */
export function createLogger(component: string, options: LoggerOptions = {}): Logger {
  const write = options.write ?? ((line: string) => void process.stderr.write(line));
  const now = options.now ?? (() => new Date());
  const bound = options.fields ?? {};
  const at =
    (level: LogLevel): Log =>
    (msg, fields = {}) =>
      write(logLine(logRecord(component, level, msg, { ...bound, ...fields }, now())));
  const logger = at("info") as Logger;
  logger.debug = at("debug");
  logger.info = at("info");
  logger.warn = at("warn");
  logger.error = at("error");
  return logger;
}
