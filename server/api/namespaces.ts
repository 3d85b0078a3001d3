// Namespaces a person might be a tenant of. Listed by the console's read-only watch identity (a
// tenant may not list namespaces); which of them the person may use is then asked as the person.
import type { ConsoleRuntime } from "./runtime";

const SYSTEM = /^(kube-|tenet-system$|default$)/;

let cached: { at: number; value: Promise<string[]> } | undefined;

export function tenantNamespaceCandidates(runtime: ConsoleRuntime, now = Date.now()): Promise<string[]> {
  if (cached && now - cached.at < 5_000) return cached.value;
  const value = runtime.live.watcher.call<{ items: { metadata: { name: string } }[] }>("/api/v1/namespaces").then((l) =>
    l.items
      .map((n) => n.metadata.name)
      .filter((n) => !SYSTEM.test(n))
      .sort(),
  );
  cached = { at: now, value };
  value.catch(() => (cached = undefined));
  return value;
}
