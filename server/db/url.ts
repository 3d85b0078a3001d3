// Where the console's database lives: DATABASE_URL, else .tenet/console.db beside the local cluster.
//   file:/path/console.db                      SQLite (the local default; one console process)
//   postgresql://user:password@host:5432/db    PostgreSQL (several console replicas share it)
import path from "node:path";

export type DbProvider = "sqlite" | "postgresql";

export function databaseUrl(): string {
  return process.env.DATABASE_URL ?? `file:${path.join(process.env.TENET_HOME ?? path.join(process.cwd(), ".tenet"), "console.db")}`;
}

/** Which database a URL names, from its scheme. */
export function providerOf(url: string): DbProvider {
  if (url.startsWith("file:")) return "sqlite";
  if (/^postgres(ql)?:\/\//.test(url)) return "postgresql";
  throw new Error(`DATABASE_URL must be a SQLite file: URL or a postgresql:// URL (got ${url.split(":")[0]}:…)`);
}

/** The file of a `file:` SQLite URL. */
export function sqlitePath(url: string): string {
  if (!url.startsWith("file:")) throw new Error(`DATABASE_URL must be a SQLite file: URL (got ${url.split(":")[0]}:…)`);
  return url.slice("file:".length);
}

const PG_URL = /^(postgres(?:ql)?:\/\/[^/?#]*)(\/[^?#]*)?(.*)$/s;

/** The database name of a postgresql:// URL ("" when the URL names none and the server's default applies). */
export function postgresDatabase(url: string): string {
  const m = PG_URL.exec(url);
  if (!m) throw new Error("not a postgresql:// URL");
  return decodeURIComponent((m[2] ?? "").slice(1));
}

/** The same postgresql:// URL naming another database on that server (user, host, parameters kept). */
export function withPostgresDatabase(url: string, database: string): string {
  const m = PG_URL.exec(url);
  if (!m) throw new Error("not a postgresql:// URL");
  return `${m[1]}/${encodeURIComponent(database)}${m[3]}`;
}

/** A URL without its password, for messages. */
export function redactedUrl(url: string): string {
  return url.replace(/^(postgres(?:ql)?:\/\/[^:@/?#]*):[^@/?#]*@/, "$1:***@");
}
