// Schema migrations without the Prisma CLI's native schema engine (which Prisma downloads from the
// internet on first use): the same engine compiled to WebAssembly, driven through a driver adapter
// (better-sqlite3 for SQLite, pg for PostgreSQL). Each provider has its own schema and migrations:
// prisma/schema.prisma + prisma/migrations, prisma/postgres/schema.prisma + prisma/postgres/migrations.
//   - `createMigration` writes <migrations>/<timestamp>_<name>/migration.sql from the difference
//     between the existing migrations and the schema (development);
//   - `applyMigrations` applies the pending ones and records them in _prisma_migrations (every
//     start of the console; idempotent; on PostgreSQL replicas starting together take turns on
//     the engine's advisory lock).
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import type pg from "pg";
import { bindMigrationAwareSqlAdapterFactory, type SqlDriverAdapter, type SqlMigrationAwareDriverAdapterFactory } from "@prisma/driver-adapter-utils";
import { databaseUrl, providerOf, redactedUrl, sqlitePath, withPostgresDatabase, type DbProvider } from "./url";
import { openDb, type Db } from "./client";

const require = createRequire(import.meta.url);

/**
 * Hands the engine connections and closes every one of them afterwards: the engine does not
 * always do so itself (a second run would find the SQLite file locked, or a pg pool keeps the
 * process alive). Each connection's dispose runs at most once.
 */
class ClosingFactory implements SqlMigrationAwareDriverAdapterFactory {
  private readonly opened: SqlDriverAdapter[] = [];
  readonly provider: SqlMigrationAwareDriverAdapterFactory["provider"];
  readonly adapterName: string;
  constructor(
    private readonly inner: SqlMigrationAwareDriverAdapterFactory,
    private readonly shadow: () => Promise<SqlDriverAdapter> = () => inner.connectToShadowDb(),
    private readonly adapt: (adapter: SqlDriverAdapter) => void = () => {},
  ) {
    this.provider = inner.provider;
    this.adapterName = inner.adapterName;
  }
  private track(adapter: SqlDriverAdapter): SqlDriverAdapter {
    const dispose = adapter.dispose.bind(adapter);
    let done: Promise<void> | undefined;
    adapter.dispose = () => (done ??= dispose());
    this.adapt(adapter);
    this.opened.push(adapter);
    return adapter;
  }
  async connect() {
    return this.track(await this.inner.connect());
  }
  async connectToShadowDb() {
    return this.track(await this.shadow());
  }
  async closeAll() {
    // newest first: a shadow database is dropped through a connection opened before it
    for (const a of this.opened.splice(0).reverse()) await a.dispose();
  }
}

/**
 * PostgreSQL shadow database (for `createMigration`: the engine replays the migrations into it to
 * learn what they produce): a temporary database on the same server, dropped afterwards. The
 * account needs CREATEDB for this; applying migrations does not. (PrismaPg's own version drops the
 * database before closing its pool, which PostgreSQL refuses, and given a connection string it
 * opens the "shadow" pool on the main database: the URL wins over its `database` override.)
 */
function postgresFactory(url: string): ClosingFactory {
  const options = { onPoolError: () => undefined, onConnectionError: () => undefined };
  const main = new PrismaPg({ connectionString: url, max: 2 }, options);
  const factory: ClosingFactory = new ClosingFactory(
    main,
    async () => {
      const admin = await factory.connect();
      const name = `tenet_shadow_${randomUUID().replaceAll("-", "")}`;
      await admin.executeScript(`CREATE DATABASE "${name}"`);
      const shadow = await new PrismaPg({ connectionString: withPostgresDatabase(url, name), max: 2 }, options).connect();
      const close = shadow.dispose.bind(shadow);
      shadow.dispose = async () => {
        await close();
        await admin.executeScript(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      };
      return shadow;
    },
    readsCharAsText,
  );
  return factory;
}

const PG_CHAR = 18; // the one-byte internal type "char" (pg_class.relkind, pg_constraint.contype, …)
const PG_TEXT = 25;

/**
 * The engine's catalog queries return columns of PostgreSQL's internal type "char", which
 * @prisma/adapter-pg 7.10.0 does not map ("Column type 'char' could not be deserialized from the
 * database"). pg already hands their values over as one-character strings, so they are declared
 * text — exactly what they hold.
 */
function readsCharAsText(adapter: SqlDriverAdapter) {
  const pool = (adapter as unknown as { underlyingDriver(): pg.Pool }).underlyingDriver();
  const relabel = <T>(result: T): T => {
    for (const r of Array.isArray(result) ? result : [result])
      for (const f of (r as pg.QueryResult | undefined)?.fields ?? []) if (f.dataTypeID === PG_CHAR) f.dataTypeID = PG_TEXT;
    return result;
  };
  const promised = <Q extends (...args: never[]) => unknown>(query: Q): Q =>
    ((...args: never[]) => {
      const out = query(...args);
      return typeof args[args.length - 1] === "function" ? out : (out as Promise<unknown>).then(relabel);
    }) as Q;
  pool.query = promised(pool.query.bind(pool));
  // transactions query through a client of the pool
  pool.on("connect", (client) => void (client.query = promised(client.query.bind(client))));
}

function factoryFor(url: string): ClosingFactory {
  if (providerOf(url) === "postgresql") return postgresFactory(url);
  const file = sqlitePath(url);
  if (file !== ":memory:") fs.mkdirSync(path.dirname(file), { recursive: true });
  const inner = new PrismaBetterSqlite3({ url });
  return new ClosingFactory(inner, () => inner.connectToShadowDb(), runsScriptsInExecuteRaw);
}

/**
 * The engine replays migrations into the shadow database with `executeRaw(whole migration.sql)`;
 * better-sqlite3 prepares one statement at a time and refuses ("The supplied SQL string contains
 * more than one statement"). Such a script without parameters goes to `executeScript` instead.
 */
function runsScriptsInExecuteRaw(adapter: SqlDriverAdapter) {
  const executeRaw = adapter.executeRaw.bind(adapter);
  adapter.executeRaw = async (query) => {
    try {
      return await executeRaw(query);
    } catch (e) {
      if (query.args.length > 0 || !(e instanceof RangeError) || !/more than one statement/.test(e.message)) throw e;
      await adapter.executeScript(query.sql);
      return 0;
    }
  };
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

/** The schema and migrations of one provider (SQLite by default, as before PostgreSQL existed). */
export function defaultMigrationPaths(root = process.cwd(), provider: DbProvider = "sqlite"): MigrationPaths {
  const dir = provider === "postgresql" ? path.join(root, "prisma", "postgres") : path.join(root, "prisma");
  return { schema: path.join(dir, "schema.prisma"), migrations: path.join(dir, "migrations") };
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
  const { instance } = await WebAssembly.instantiate(fs.readFileSync(path.join(dir, "schema_engine_bg.wasm")), {
    "./schema_engine_bg.js": glue as unknown as WebAssembly.ModuleImports,
  });
  glue.__wbg_set_wasm(instance.exports);
  (instance.exports as { __wbindgen_start?: () => void }).__wbindgen_start?.();
  return glue;
}

interface ErrorRegistry {
  consumeError(id: number): { error: unknown } | undefined;
}

function engineError(e: unknown, url: string, registry: ErrorRegistry): Error {
  // an error thrown by the driver (connection refused, wrong password, …) reaches us only as its id
  const message = (lastPanic || (e as Error).message || String(e)).replace(/External error id#(\d+)/g, (text, id: string) => {
    const original = registry.consumeError(Number(id))?.error;
    return original instanceof Error ? original.message || text : text;
  });
  lastPanic = "";
  // the engine appends a Rust span trace ("   0: schema_engine_wasm::…") that says nothing to a reader
  return new Error(`schema engine on ${redactedUrl(url)}: ${message.split(/\n\s+0: /)[0]}`);
}

/** Runs `fn` with an engine for the database at `url` and the schema of `paths`; closes everything after. */
async function withEngine<T>(url: string, paths: MigrationPaths, fn: (engine: WasmEngine) => Promise<T>): Promise<T> {
  glueLoaded ??= loadGlue();
  const glue = await glueLoaded;
  const factory = factoryFor(url);
  const bound = bindMigrationAwareSqlAdapterFactory(factory);
  let engine: WasmEngine | undefined;
  try {
    engine = await glue.SchemaEngine.new({ datamodels: [["schema.prisma", fs.readFileSync(paths.schema, "utf8")]] }, () => {}, bound);
    return await fn(engine);
  } catch (e) {
    throw engineError(e, url, bound.errorRegistry as ErrorRegistry);
  } finally {
    engine?.free();
    await factory.closeAll();
  }
}

function migrationsList(dir: string) {
  const lock = path.join(dir, "migration_lock.toml");
  const names = fs.existsSync(dir)
    ? fs
        .readdirSync(dir, { withFileTypes: true })
        .filter((d) => d.isDirectory())
        .map((d) => d.name)
        .sort()
    : [];
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

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
};

/**
 * Two engines migrating one SQLite file at once fail ("SocketTimeout": the file is locked), e.g.
 * `npm start` and the controllers it starts: they take turns through a lock file beside the
 * database. (On PostgreSQL the engine takes an advisory lock itself.)
 */
async function withSqliteMigrationLock<T>(url: string, fn: () => Promise<T>): Promise<T> {
  const file = sqlitePath(url);
  if (file === ":memory:" || providerOf(url) !== "sqlite") return fn();
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const lock = `${file}.migrating`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      fs.writeFileSync(lock, String(process.pid), { flag: "wx" });
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      const holder = Number(fs.readFileSync(lock, "utf8").trim() || 0);
      if (holder && !alive(holder)) {
        fs.rmSync(lock, { force: true }); // left by a process that died while migrating
        continue;
      }
      if (Date.now() > deadline) throw new Error(`${file}: another process (pid ${holder}) has been migrating it for 2 minutes; if none is, delete ${lock}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  try {
    return await fn();
  } finally {
    fs.rmSync(lock, { force: true });
  }
}

/** Applies the migrations not yet applied; returns their names. */
export async function applyMigrations(url = databaseUrl(), paths = defaultMigrationPaths(process.cwd(), providerOf(url))): Promise<string[]> {
  const apply = () =>
    withEngine(
      url,
      paths,
      async (engine) => (await engine.applyMigrations({ migrationsList: migrationsList(paths.migrations), filters })).appliedMigrationNames,
    );
  return providerOf(url) === "sqlite" ? withSqliteMigrationLock(url, apply) : apply();
}

/**
 * The SQL that would bring the migrations of `paths` up to its schema ("" when they match). Needs
 * a shadow database: SQLite makes one in memory, PostgreSQL a temporary database on `url`'s server.
 */
export async function pendingSchemaChange(url = databaseUrl(), paths = defaultMigrationPaths(process.cwd(), providerOf(url))): Promise<string> {
  const files = [{ path: "schema.prisma", content: fs.readFileSync(paths.schema, "utf8") }];
  return withEngine(url, paths, async (engine) => {
    const diff = await engine.diff({
      from: { tag: "migrations", ...migrationsList(paths.migrations) },
      to: { tag: "schemaDatamodel", files },
      script: true,
      exitCode: true,
      filters,
    });
    return diff.exitCode === 2 && diff.stdout ? diff.stdout : "";
  });
}

/** Writes a new migration for what the schema has and the migrations do not; undefined when nothing changed. */
export async function createMigration(
  name: string,
  url = databaseUrl(),
  paths = defaultMigrationPaths(process.cwd(), providerOf(url)),
): Promise<string | undefined> {
  const lock = path.join(paths.migrations, "migration_lock.toml");
  if (!fs.existsSync(lock)) {
    fs.mkdirSync(paths.migrations, { recursive: true });
    fs.writeFileSync(lock, `# managed by tenet db migrate\nprovider = "${providerOf(url)}"\n`);
  }
  const sql = await pendingSchemaChange(url, paths);
  if (!sql) return undefined;
  const stamp = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
  const dir = path.join(paths.migrations, `${stamp}_${name.replace(/[^a-z0-9_]+/gi, "_")}`);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, "migration.sql"), sql);
  return path.basename(dir);
}

/** Migrates, then opens (CLI and tests). */
export async function openMigratedDb(url = databaseUrl()): Promise<Db> {
  await applyMigrations(url);
  return openDb(url);
}
