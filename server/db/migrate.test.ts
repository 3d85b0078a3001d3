import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { expectedPostgresSchema, POSTGRES_SCHEMA } from "../../tools/db/postgresSchema";
import { closeDb, openDb } from "./client";
import { applyMigrations, defaultMigrationPaths, pendingSchemaChange } from "./migrate";
import { scratchDatabase, testDatabases } from "./testing";

const migrationNames = (dir: string) =>
  fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();

describe("the PostgreSQL schema", () => {
  it("is prisma/schema.prisma with only the provider and the client's directory changed (npm run db:generate)", () => {
    expect(fs.readFileSync(POSTGRES_SCHEMA, "utf8")).toBe(expectedPostgresSchema());
  });

  it("declares the same models and fields as the SQLite schema", () => {
    const fields = (file: string) =>
      [...fs.readFileSync(file, "utf8").matchAll(/^model (\w+) \{([^}]*)\}/gm)].map(
        ([, model, body]) =>
          `${model}: ${body
            .split("\n")
            .map((l) => l.trim())
            .filter((l) => l && !l.startsWith("//"))
            .join("; ")}`,
      );
    const sqlite = fields(defaultMigrationPaths(process.cwd(), "sqlite").schema);
    expect(sqlite.length).toBeGreaterThanOrEqual(5);
    expect(fields(defaultMigrationPaths(process.cwd(), "postgresql").schema)).toEqual(sqlite);
  });
});

describe.each(testDatabases())("migrations on $name", (target) => {
  const run = target.skip ? it.skip : it;
  const paths = defaultMigrationPaths(process.cwd(), target.provider);

  run("bring a fresh database to the schema; applying again changes nothing", async () => {
    const scratch = await scratchDatabase(target);
    try {
      expect(await applyMigrations(scratch.url)).toEqual(migrationNames(paths.migrations));
      expect(await applyMigrations(scratch.url)).toEqual([]);
      const db = openDb(scratch.url);
      // every model answers (its table exists with the columns the client expects)
      await db.account.create({ data: { name: "alice", passwordHash: "x" } });
      expect(await db.account.count()).toBe(1);
      expect(await db.session.count()).toBe(0);
      expect(await db.auditEvent.count()).toBe(0);
      expect(await db.usageSample.count()).toBe(0);
      expect(await db.signInFailure.count()).toBe(0);
      await closeDb(scratch.url);
      // data survives a later run
      expect(await applyMigrations(scratch.url)).toEqual([]);
      expect(await openDb(scratch.url).account.count()).toBe(1);
    } finally {
      await scratch.drop();
    }
  });

  run("two processes starting together (replicas; console and controllers) both succeed, each migration applied once", async () => {
    const scratch = await scratchDatabase(target);
    try {
      const [a, b] = await Promise.all([applyMigrations(scratch.url), applyMigrations(scratch.url)]);
      expect([...a, ...b].sort()).toEqual(migrationNames(paths.migrations));
      const applied = await openDb(scratch.url).$queryRawUnsafe<{ migration_name: string }[]>(
        `SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL`,
      );
      expect(applied.map((r) => r.migration_name).sort()).toEqual(migrationNames(paths.migrations));
    } finally {
      await scratch.drop();
    }
  });

  run("the migrations produce exactly the schema (a schema change without `tenet db new` fails here)", async () => {
    const scratch = await scratchDatabase(target);
    try {
      expect(await pendingSchemaChange(scratch.url, paths)).toBe("");
    } finally {
      await scratch.drop();
    }
  });

  run("the lock file names this provider", () => {
    expect(fs.readFileSync(path.join(paths.migrations, "migration_lock.toml"), "utf8")).toContain(`provider = "${target.provider}"`);
  });
});

describe("SQLite migrations", () => {
  it("create the directory of a new database file and leave no lock file behind", async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "tenet-db-dir-"));
    const url = `file:${path.join(root, "not", "yet", "console.db")}`;
    try {
      expect(await applyMigrations(url)).toEqual(migrationNames(defaultMigrationPaths(process.cwd(), "sqlite").migrations));
      expect(fs.readdirSync(path.join(root, "not", "yet"))).toEqual(["console.db"]);
    } finally {
      await closeDb(url);
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
