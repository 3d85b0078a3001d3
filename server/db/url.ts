// Where the console's database lives: DATABASE_URL, else .tenet/console.db beside the local cluster.
import path from "node:path";

export function databaseUrl(): string {
  return process.env.DATABASE_URL ?? `file:${path.join(process.env.TENET_HOME ?? path.join(process.cwd(), ".tenet"), "console.db")}`;
}

/** The file of a `file:` SQLite URL. */
export function sqlitePath(url: string): string {
  if (!url.startsWith("file:")) throw new Error(`DATABASE_URL must be a SQLite file: URL (got ${url.split(":")[0]}:…)`);
  return url.slice("file:".length);
}
