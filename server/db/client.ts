// The console's Prisma client: one per process and database. Migrations are applied before the
// console starts (migrate.ts: `tenet db migrate`, run by `npm start`), never by the web server itself.
//
// Two generated clients, one per provider (Prisma takes one provider per schema): SQLite
// (./generated, from prisma/schema.prisma) and PostgreSQL (./generated-postgres, from the derived
// prisma/postgres/schema.prisma). They have the same models and fields; the PostgreSQL one accepts
// a few more query options (`mode: "insensitive"`, field references in `in`). `Db` is the SQLite
// client's type, so code written against it uses only what both databases support, and the
// PostgreSQL client stands in for it (checked below, operation by operation).
import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient, type Prisma as SqliteNs } from "./generated/client";
import { PrismaClient as PrismaPgClient, type Prisma as PgNs } from "./generated-postgres/client";
import { databaseUrl, providerOf } from "./url";

export type Db = InstanceType<typeof PrismaClient>;

// Compile-time guard (fails `npm run typecheck` when the two clients drift apart): for every
// model and operation, the arguments written against `Db` are accepted by the PostgreSQL client,
// and both return the same rows.
type SqliteOps = SqliteNs.TypeMap["model"];
type PgOps = PgNs.TypeMap["model"];
type Mismatches = {
  [M in keyof SqliteOps]: M extends keyof PgOps
    ? {
        [O in keyof SqliteOps[M]["operations"]]: O extends keyof PgOps[M]["operations"]
          ? SqliteOps[M]["operations"][O] extends { args: infer A; result: infer R }
            ? PgOps[M]["operations"][O] extends { args: infer PA; result: infer PR }
              ? [A] extends [PA]
                ? [R] extends [PR]
                  ? [PR] extends [R]
                    ? never
                    : `${M & string}.${O & string} result`
                  : `${M & string}.${O & string} result`
                : `${M & string}.${O & string} arguments`
              : never
            : never
          : `${M & string}.${O & string} missing`;
      }[keyof SqliteOps[M]["operations"]]
    : `${M & string} missing`;
}[keyof SqliteOps];
const clientsAgree: [Mismatches] extends [never] ? true : Mismatches = true;
void clientsAgree;

const g = globalThis as unknown as { tenetDbs?: Map<string, Db> };

// Connections of one replica: enough for concurrent requests, few enough that several replicas
// stay far below PostgreSQL's default max_connections (100).
const PG_POOL_SIZE = 10;

/** The database at `url` (DATABASE_URL by default): `file:` → SQLite, `postgresql://` → PostgreSQL. */
export function openDb(url = databaseUrl()): Db {
  g.tenetDbs ??= new Map();
  let db = g.tenetDbs.get(url);
  if (!db) {
    if (providerOf(url) === "postgresql") {
      const adapter = new PrismaPg({ connectionString: url, max: PG_POOL_SIZE }, { onPoolError: () => undefined });
      db = new PrismaPgClient({ adapter }) as unknown as Db;
    } else {
      db = new PrismaClient({ adapter: new PrismaBetterSqlite3({ url }) });
    }
    g.tenetDbs.set(url, db);
  }
  return db;
}

/** Disconnects and forgets the client of `url` (tests that drop their database). */
export async function closeDb(url: string): Promise<void> {
  const db = g.tenetDbs?.get(url);
  if (!db) return;
  g.tenetDbs!.delete(url);
  await db.$disconnect();
}
