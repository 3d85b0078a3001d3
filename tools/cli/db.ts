// `tenet db migrate` applies pending migrations (what the console needs before it starts);
// `tenet db new NAME` writes the SQLite and PostgreSQL migrations for changes to prisma/schema.prisma (development);
// `tenet db account NAME --group G...` creates or resets a console account (password from stdin).
import fs from "node:fs";
import { applyMigrations, openMigratedDb } from "../../server/db/migrate";
import { upsertAccount } from "../../server/db/accounts";
import { databaseUrl, redactedUrl } from "../../server/db/url";

export async function runDb(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  const url = databaseUrl();
  if (sub === "migrate") {
    const applied = await applyMigrations(url);
    process.stderr.write(applied.length ? `applied ${applied.join(", ")} to ${redactedUrl(url)}\n` : `${redactedUrl(url)} is up to date\n`);
    return 0;
  }
  if (sub === "new" && rest[0]) {
    const { createMigrations } = await import("../db/newMigration");
    const created = await createMigrations(rest[0]);
    process.stderr.write(
      created.sqlite ? `wrote prisma/migrations/${created.sqlite}/migration.sql\n` : "SQLite: schema.prisma matches the migrations: nothing to write\n",
    );
    if (created.postgresqlSkipped) process.stderr.write(`PostgreSQL migration NOT written: ${created.postgresqlSkipped}\n`);
    else
      process.stderr.write(
        created.postgresql
          ? `wrote prisma/postgres/migrations/${created.postgresql}/migration.sql\n`
          : "PostgreSQL: schema matches the migrations: nothing to write\n",
      );
    return created.postgresqlSkipped ? 1 : 0;
  }
  if (sub === "account" && rest[0]) {
    const groups = rest.flatMap((a, i) => (rest[i - 1] === "--group" ? [a] : []));
    const password = fs.readFileSync(0, "utf8").trim();
    await upsertAccount(await openMigratedDb(url), rest[0], password, [...groups, "system:authenticated"]);
    process.stderr.write(`account ${rest[0]} (groups ${groups.join(", ") || "none"}) saved in ${redactedUrl(url)}\n`);
    return 0;
  }
  process.stderr.write("usage: tenet db migrate | tenet db new NAME | tenet db account NAME [--group G]... < password\n");
  return 2;
}
