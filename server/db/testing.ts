// For the database tests: every suite runs once per supported database (SQLite, PostgreSQL), each
// time against a fresh, migrated database of its own, so test files can run in parallel.
//   describe.each(testDatabases())("audit on $name", (target) => {
//     const db = useFreshDb(target);     // beforeAll: create + migrate; afterAll: drop
//     it("…", async () => { await recordAudit(db(), …) });
//   });
// PostgreSQL comes from tools/testing/postgres.ts (the unit project's globalSetup); without it the
// PostgreSQL suites are skipped and their name says why.
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, beforeEach, inject } from "vitest";
import { closeDb, type Db } from "./client";
import { openMigratedDb } from "./migrate";
import { withPostgresDatabase, type DbProvider } from "./url";

export interface TestDatabase {
  name: string;
  provider: DbProvider;
  /** the PostgreSQL server (its maintenance database); undefined for SQLite */
  serverUrl?: string;
  /** why this database is not available (its suites are skipped) */
  skip?: string;
}

export function testDatabases(): TestDatabase[] {
  const postgres = inject("postgres");
  return [
    { name: "SQLite", provider: "sqlite" },
    "url" in postgres
      ? { name: "PostgreSQL", provider: "postgresql", serverUrl: postgres.url }
      : { name: `PostgreSQL (skipped: ${postgres.missing})`, provider: "postgresql", skip: postgres.missing },
  ];
}

export interface ScratchDatabase {
  url: string;
  drop(): Promise<void>;
}

/** An empty database (not migrated) on the target. */
export async function scratchDatabase(target: TestDatabase): Promise<ScratchDatabase> {
  if (target.provider === "sqlite") {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tenet-db-test-"));
    const url = `file:${path.join(dir, "console.db")}`;
    return {
      url,
      async drop() {
        await closeDb(url);
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  if (!target.serverUrl) throw new Error(`no PostgreSQL server: ${target.skip}`);
  const name = `tenet_test_${randomUUID().replaceAll("-", "")}`;
  const admin = new pg.Client({ connectionString: target.serverUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const url = withPostgresDatabase(target.serverUrl, name);
  return {
    url,
    async drop() {
      await closeDb(url);
      const c = new pg.Client({ connectionString: target.serverUrl });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

/**
 * A migrated database of the suite's own, made before its tests and dropped after them; with
 * `empty`, every table is emptied before each test. Tests of an unavailable database are skipped
 * with the reason.
 */
export function useFreshDb(target: TestDatabase, opts: { empty?: boolean } = {}): () => Db {
  let scratch: ScratchDatabase | undefined;
  let db: Db | undefined;
  beforeEach(async (ctx) => {
    if (target.skip) ctx.skip(target.skip);
    else if (opts.empty) await emptyTables(db!);
  });
  beforeAll(async () => {
    if (target.skip) return;
    scratch = await scratchDatabase(target);
    db = await openMigratedDb(scratch.url);
  });
  afterAll(async () => {
    await scratch?.drop();
  });
  return () => {
    if (!db) throw new Error(`the ${target.name} test database was not created`);
    return db;
  };
}

/** Rows of every table emptied (between tests of one suite). */
export async function emptyTables(db: Db): Promise<void> {
  await db.session.deleteMany();
  await db.account.deleteMany();
  await db.auditEvent.deleteMany();
  await db.usageSample.deleteMany();
  await db.signInFailure.deleteMany();
}
