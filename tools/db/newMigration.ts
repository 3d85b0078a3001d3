// `tenet db new NAME`: after a change to prisma/schema.prisma, writes the migration for each
// database the console supports, so the two histories never drift apart:
//   - SQLite: prisma/migrations/<stamp>_NAME (the engine's shadow database is in memory);
//   - PostgreSQL: prisma/postgres/migrations/<stamp>_NAME. The engine needs a PostgreSQL server
//     for its shadow database: DATABASE_URL when it is a postgresql:// URL (the account needs
//     CREATEDB), else a throwaway server from the Debian packages (tools/testing/postgres.ts).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createMigration } from "../../server/db/migrate";
import { providerOf } from "../../server/db/url";
import { postgresMissing, startPostgres } from "../testing/postgres";
import { expectedPostgresSchema, POSTGRES_SCHEMA } from "./postgresSchema";

export interface NewMigrations {
  sqlite?: string;
  postgresql?: string;
  /** why the PostgreSQL migration was not written */
  postgresqlSkipped?: string;
}

export async function createMigrations(name: string, databaseUrl = process.env.DATABASE_URL): Promise<NewMigrations> {
  // the PostgreSQL schema must follow the SQLite one before its migration is computed
  const want = expectedPostgresSchema();
  if (!fs.existsSync(POSTGRES_SCHEMA) || fs.readFileSync(POSTGRES_SCHEMA, "utf8") !== want) fs.writeFileSync(POSTGRES_SCHEMA, want);
  const out: NewMigrations = {};
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "tenet-db-new-"));
  try {
    out.sqlite = await createMigration(name, `file:${path.join(scratch, "scratch.db")}`);
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
  if (databaseUrl && providerOf(databaseUrl) === "postgresql") {
    out.postgresql = await createMigration(name, databaseUrl);
    return out;
  }
  const missing = postgresMissing();
  if (missing) {
    out.postgresqlSkipped = `${missing}; or set DATABASE_URL to a PostgreSQL server where this account may create databases`;
    return out;
  }
  const server = await startPostgres();
  try {
    out.postgresql = await createMigration(name, server.url);
  } finally {
    await server.stop();
  }
  return out;
}
