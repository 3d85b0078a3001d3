// The console's Prisma client: one per process and database. Migrations are applied before the
// console starts (migrate.ts: `tenet db migrate`, run by `npm start`), never by the web server itself.
import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaClient } from "./generated/client";
import { databaseUrl } from "./url";

export type Db = InstanceType<typeof PrismaClient>;

const g = globalThis as unknown as { tenetDbs?: Map<string, Db> };

/** The database at `url` (DATABASE_URL by default). */
export function openDb(url = databaseUrl()): Db {
  g.tenetDbs ??= new Map();
  let db = g.tenetDbs.get(url);
  if (!db) {
    db = new PrismaClient({ adapter: new PrismaBetterSqlite3({ url }) });
    g.tenetDbs.set(url, db);
  }
  return db;
}
