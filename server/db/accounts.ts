// Local console accounts. Passwords are hashed with Argon2id (@node-rs/argon2); never stored or logged.
import { hash, verify } from "@node-rs/argon2";
import type { Db } from "./client";

export interface AccountIdentity {
  name: string;
  groups: string[];
}

// Verifying against this when the account does not exist keeps the answer time the same, so the
// sign-in form does not tell which names exist.
let decoy: Promise<string> | undefined;

export async function upsertAccount(db: Db, name: string, password: string, groups: string[]): Promise<void> {
  if (!/^[a-z0-9]([-a-z0-9.@_]*[a-z0-9])?$/i.test(name)) throw new Error(`account name ${JSON.stringify(name)} must be letters, digits, and - . @ _ inside`);
  if (password.length < 8) throw new Error(`the password of account ${name} must have at least 8 characters`);
  const passwordHash = await hash(password);
  await db.account.upsert({
    where: { name },
    create: { name, passwordHash, groups: JSON.stringify(groups) },
    update: { passwordHash, groups: JSON.stringify(groups) },
  });
}

/** The account's identity when the password is right, else undefined. */
export async function checkPassword(db: Db, name: string, password: string): Promise<AccountIdentity | undefined> {
  const account = await db.account.findUnique({ where: { name } });
  if (!account) {
    decoy ??= hash("not a password of anyone");
    await verify(await decoy, password).catch(() => false);
    return undefined;
  }
  const ok = await verify(account.passwordHash, password).catch(() => false);
  return ok ? { name: account.name, groups: JSON.parse(account.groups) as string[] } : undefined;
}

export async function listAccounts(db: Db): Promise<AccountIdentity[]> {
  const rows = await db.account.findMany({ orderBy: { name: "asc" } });
  return rows.map((a) => ({ name: a.name, groups: JSON.parse(a.groups) as string[] }));
}
