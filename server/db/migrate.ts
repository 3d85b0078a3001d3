// Schema migrations without the Prisma CLI's native schema engine (which Prisma downloads from the
// internet on first use): the same engine compiled to WebAssembly, driven through the
// better-sqlite3 driver adapter.
//   - `createMigration` writes prisma/migrations/<timestamp>_<name>/migration.sql from the
//     difference between the existing migrations and prisma/schema.prisma (development);
//   - `applyMigrations` applies the pending ones and records them in _prisma_migrations (every
//     start of the console; idempotent).
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { bindMigrationAwareSqlAdapterFactory } from "@prisma/driver-adapter-utils";
import { databaseUrl, sqlitePath } from "./url";
import { openDb, type Db } from "./client";

const require = createRequire(import.meta.url);

/** Closes every connection the engine opened: it never does so itself, and a second run would find the file locked. */
class ClosingSqliteFactory extends PrismaBetterSqlite3 {
  private readonly opened: { dispose(): Promise<void> }[] = [];
  override async connect() {
    const adapter = await super.connect();
    this.opened.push(adapter);
    return adapter;
  }
  override async connectToShadowDb() {
    const adapter = await super.connectToShadowDb();
    this.opened.push(adapter);
    return adapter;
  }
  async closeAll() {
    await Promise.all(this.opened.splice(0).map((a) => a.dispose()));
  }
}

interface WasmEngine {
  diff(params: unknown): Promise<{ exitCode: number; stdout?: string }>;
  applyMigrations(params: unknown): Promise<{ appliedMigrationNames: string[] }>;
  free(): void;
}

export interface MigrationPaths {
  schema: string;
  migrations: string;
}

export function defaultMigrationPaths(root = process.cwd()): MigrationPaths {
  return { schema: path.join(root, "prisma", "schema.prisma"), migrations: path.join(root, "prisma", "migrations") };
}

type Glue = Record<string, unknown> & {
  __wbg_set_wasm(exports: unknown): void;
  SchemaEngine: { new: (options: unknown, log: (line: string) => void, adapter: unknown) => Promise<WasmEngine> };
};
let glueLoaded: Promise<Glue> | undefined;
let lastPanic = "";

async function loadGlue(): Promise<Glue> {
  // A Rust panic inside the engine reports its message through this global before throwing.
  (globalThis as { PRISMA_WASM_PANIC_REGISTRY?: unknown }).PRISMA_WASM_PANIC_REGISTRY = { set_message: (m: string) => (lastPanic = m) };
  const dir = path.dirname(require.resolve("@prisma/schema-engine-wasm/schema_engine_bg"));
  const glue = (await import(path.join(dir, "schema_engine_bg.js"))) as Glue;
  // Node 20 cannot import .wasm modules without a flag: instantiate by hand.
  const { instance } = await WebAssembly.instantiate(fs.readFileSync(path.join(dir, "schema_engine_bg.wasm")), { "./schema_engine_bg.js": glue as unknown as WebAssembly.ModuleImports });
  glue.__wbg_set_wasm(instance.exports);
  (instance.exports as { __wbindgen_start?: () => void }).__wbindgen_start?.();
  return glue;
}

async function loadEngine(url: string, paths: MigrationPaths): Promise<{ engine: WasmEngine; close(): Promise<void> }> {
  glueLoaded ??= loadGlue();
  const glue = await glueLoaded;
  const file = sqlitePath(url);
  if (file !== ":memory:") fs.mkdirSync(path.dirname(file), { recursive: true });
  const factory = new ClosingSqliteFactory({ url });
  try {
    const engine = await glue.SchemaEngine.new({ datamodels: [["schema.prisma", fs.readFileSync(paths.schema, "utf8")]] }, () => {}, bindMigrationAwareSqlAdapterFactory(factory));
    return {
      engine,
      async close() {
        engine.free();
        await factory.closeAll();
      },
    };
  } catch (e) {
    await factory.closeAll();
    throw new Error(`schema engine: ${lastPanic || (e as Error).message}`);
  }
}

function migrationsList(dir: string) {
  const lock = path.join(dir, "migration_lock.toml");
  const names = fs.existsSync(dir) ? fs.readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort() : [];
  return {
    baseDir: dir,
    shadowDbInitScript: "",
    lockfile: { path: "migration_lock.toml", content: fs.existsSync(lock) ? fs.readFileSync(lock, "utf8") : null },
    migrationDirectories: names.map((name) => ({
      path: name,
      migrationFile: { path: "migration.sql", content: { tag: "ok", value: fs.readFileSync(path.join(dir, name, "migration.sql"), "utf8") } },
    })),
  };
}

const filters = { externalTables: [], externalEnums: [] };

/** Applies the migrations not yet applied; returns their names. */
export async function applyMigrations(url = databaseUrl(), paths = defaultMigrationPaths()): Promise<string[]> {
  const { engine, close } = await loadEngine(url, paths);
  try {
    const result = await engine.applyMigrations({ migrationsList: migrationsList(paths.migrations), filters });
    return result.appliedMigrationNames;
  } finally {
    await close();
  }
}

/** Writes a new migration for what schema.prisma has and the migrations do not; undefined when nothing changed. */
export async function createMigration(name: string, url = databaseUrl(), paths = defaultMigrationPaths()): Promise<string | undefined> {
  const lock = path.join(paths.migrations, "migration_lock.toml");
  if (!fs.existsSync(lock)) {
    fs.mkdirSync(paths.migrations, { recursive: true });
    fs.writeFileSync(lock, '# managed by tenet db migrate\nprovider = "sqlite"\n');
  }
  const { engine, close } = await loadEngine(url, paths);
  try {
    const files = [{ path: "schema.prisma", content: fs.readFileSync(paths.schema, "utf8") }];
    const diff = await engine.diff({ from: { tag: "migrations", ...migrationsList(paths.migrations) }, to: { tag: "schemaDatamodel", files }, script: true, exitCode: true, filters });
    if (diff.exitCode !== 2 || !diff.stdout) return undefined;
    const stamp = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
    const dir = path.join(paths.migrations, `${stamp}_${name.replace(/[^a-z0-9_]+/gi, "_")}`);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, "migration.sql"), diff.stdout);
    return path.basename(dir);
  } finally {
    await close();
  }
}

/** Migrates, then opens (CLI and tests). */
export async function openMigratedDb(url = databaseUrl()): Promise<Db> {
  await applyMigrations(url);
  return openDb(url);
}
