// Prisma takes one database provider per schema file. The models live in prisma/schema.prisma
// (SQLite, the local default); prisma/postgres/schema.prisma is derived from it with only the
// provider and the generated client's directory changed. `npm run db:generate` rewrites it;
// server/db/schemas.test.ts fails when the checked-in copy is stale.
//   tsx tools/db/postgresSchema.ts          write prisma/postgres/schema.prisma
//   tsx tools/db/postgresSchema.ts --check  exit 1 when it differs from what would be written
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
export const SQLITE_SCHEMA = path.join(root, "prisma", "schema.prisma");
export const POSTGRES_SCHEMA = path.join(root, "prisma", "postgres", "schema.prisma");

function replaceOnce(text: string, pattern: RegExp, replacement: string, what: string): string {
  const matches = text.match(new RegExp(pattern.source, "g")) ?? [];
  if (matches.length !== 1) throw new Error(`prisma/schema.prisma: expected exactly one ${what} (found ${matches.length})`);
  return text.replace(pattern, replacement);
}

/** The PostgreSQL twin of the SQLite schema text. */
export function postgresSchemaFrom(sqlite: string): string {
  let out = replaceOnce(sqlite, /(datasource\s+db\s*\{[^}]*provider\s*=\s*)"sqlite"/, '$1"postgresql"', 'datasource with provider = "sqlite"');
  out = replaceOnce(out, /(output\s*=\s*)"\.\.\/server\/db\/generated"/, '$1"../../server/db/generated-postgres"', 'generator output "../server/db/generated"');
  return `// GENERATED from prisma/schema.prisma by tools/db/postgresSchema.ts (npm run db:generate): do not edit.\n${out}`;
}

export function expectedPostgresSchema(): string {
  return postgresSchemaFrom(fs.readFileSync(SQLITE_SCHEMA, "utf8"));
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const want = expectedPostgresSchema();
  const have = fs.existsSync(POSTGRES_SCHEMA) ? fs.readFileSync(POSTGRES_SCHEMA, "utf8") : "";
  if (process.argv.includes("--check")) {
    if (have !== want) {
      process.stderr.write("prisma/postgres/schema.prisma is stale: run npm run db:generate\n");
      process.exit(1);
    }
  } else if (have !== want) {
    fs.mkdirSync(path.dirname(POSTGRES_SCHEMA), { recursive: true });
    fs.writeFileSync(POSTGRES_SCHEMA, want);
    process.stderr.write("wrote prisma/postgres/schema.prisma\n");
  }
}
