// The demo console accounts of the local cluster: one per demo user, with the same groups as its
// client certificate. Passwords are random per installation, kept in <home>/demo-accounts.json
// (mode 0600, never in git) and printed by `npm start`.
import fs from "node:fs";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { openMigratedDb } from "../../server/db/migrate";
import { upsertAccount } from "../../server/db/accounts";
import { DEMO_ACCOUNTS, DEMO_PEOPLE } from "./demoUsers";

export function consoleDatabaseUrl(home: string) {
  return `file:${path.join(home, "console.db")}`;
}

export function demoAccountsFile(home: string) {
  return path.join(home, "demo-accounts.json");
}

export function readDemoPasswords(home: string): Record<string, string> | undefined {
  try {
    return JSON.parse(fs.readFileSync(demoAccountsFile(home), "utf8")) as Record<string, string>;
  } catch {
    return undefined;
  }
}

/** Creates (or refreshes) the demo accounts; returns name → password. */
export async function seedConsoleAccounts(home: string, say: (l: string) => void = () => {}): Promise<Record<string, string>> {
  const file = demoAccountsFile(home);
  let passwords = readDemoPasswords(home);
  if (!passwords || DEMO_ACCOUNTS.some((a) => !passwords![a])) {
    passwords = Object.fromEntries(DEMO_ACCOUNTS.map((a) => [a, randomBytes(9).toString("base64url")]));
    fs.mkdirSync(home, { recursive: true });
    fs.writeFileSync(file, `${JSON.stringify(passwords, null, 2)}\n`, { mode: 0o600 });
  }
  const db = await openMigratedDb(consoleDatabaseUrl(home));
  const existing = new Set((await db.account.findMany({ select: { name: true } })).map((a) => a.name));
  for (const name of DEMO_ACCOUNTS) {
    if (!existing.has(name)) await upsertAccount(db, name, passwords[name], [DEMO_PEOPLE[name], "system:authenticated"]);
  }
  say(`console accounts: ${DEMO_ACCOUNTS.join(", ")} (passwords in ${path.relative(process.cwd(), file)})`);
  return passwords;
}
