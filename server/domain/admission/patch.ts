// JSON patch of the difference between the received and the admitted object (style.md point 6).
// Decision 9: `add` (creates or replaces) for members that may be absent; parents exist because we
// only descend into objects present on both sides.

export type PatchOperation = { op: "add"; path: string; value: unknown } | { op: "remove"; path: string };

const pointer = (key: string) => key.replace(/~/g, "~0").replace(/\//g, "~1");
const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

export function jsonPatch(from: unknown, to: unknown, base = ""): PatchOperation[] {
  if (isPlainObject(from) && isPlainObject(to)) {
    const ops: PatchOperation[] = [];
    for (const key of Object.keys(to)) {
      const path = `${base}/${pointer(key)}`;
      if (to[key] === undefined) continue;
      // own members only: `key in` would see inherited names (toString, constructor, __proto__)
      if (!Object.hasOwn(from, key) || from[key] === undefined) ops.push({ op: "add", path, value: to[key] });
      else ops.push(...jsonPatch(from[key], to[key], path));
    }
    for (const key of Object.keys(from)) {
      if (from[key] !== undefined && (!Object.hasOwn(to, key) || to[key] === undefined)) ops.push({ op: "remove", path: `${base}/${pointer(key)}` });
    }
    return ops;
  }
  if (from === to) return [];
  if (typeof from === "object" && from !== null && typeof to === "object" && to !== null && JSON.stringify(from) === JSON.stringify(to)) return [];
  return [{ op: "add", path: base, value: to }];
}

/** Applies add/remove operations (for tests and the offline validator). */
export function applyPatch<T>(document: T, ops: PatchOperation[]): T {
  const root = structuredClone(document) as unknown as Record<string, unknown>;
  for (const op of ops) {
    const keys = op.path
      .split("/")
      .slice(1)
      .map((k) => k.replace(/~1/g, "/").replace(/~0/g, "~"));
    const last = keys.pop()!;
    let parent: Record<string, unknown> = root;
    for (const k of keys) parent = (Object.hasOwn(parent, k) ? parent[k] : undefined) as Record<string, unknown>;
    // defineProperty: a member named __proto__ is data, not the object's prototype
    if (op.op === "add") Object.defineProperty(parent, last, { value: structuredClone(op.value), writable: true, enumerable: true, configurable: true });
    else delete parent[last];
  }
  return root as unknown as T;
}
