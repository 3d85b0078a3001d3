// JSON patch of the difference between the received and the admitted object (style.md point 6).
// Decision 9: `add` (creates or replaces) for members that may be absent; parents exist because we
// only descend into objects present on both sides.

export type PatchOperation = { op: "add"; path: string; value: unknown } | { op: "remove"; path: string };

const pointer = (key: string) => (key.includes("~") || key.includes("/") ? key.replace(/~/g, "~0").replace(/\//g, "~1") : key);
const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

export function jsonPatch(from: unknown, to: unknown, base = ""): PatchOperation[] {
  const ops: PatchOperation[] = [];
  diffInto(ops, from, to, base);
  return ops;
}

/** Appends the operations from `from` to `to` below `base`: one list for the whole walk, paths built only where needed. */
function diffInto(ops: PatchOperation[], from: unknown, to: unknown, base: string): void {
  if (isPlainObject(from) && isPlainObject(to)) {
    for (const key of Object.keys(to)) {
      const value = to[key];
      if (value === undefined) continue;
      // own members only: `key in` would see inherited names (toString, constructor, __proto__)
      if (!Object.hasOwn(from, key) || from[key] === undefined) ops.push({ op: "add", path: `${base}/${pointer(key)}`, value });
      // the same value (most members of an admitted object are the received ones) has no difference
      else if (from[key] !== value) diffInto(ops, from[key], value, `${base}/${pointer(key)}`);
    }
    for (const key of Object.keys(from)) {
      if (from[key] !== undefined && (!Object.hasOwn(to, key) || to[key] === undefined)) ops.push({ op: "remove", path: `${base}/${pointer(key)}` });
    }
    return;
  }
  if (from === to) return;
  if (typeof from === "object" && from !== null && typeof to === "object" && to !== null && JSON.stringify(from) === JSON.stringify(to)) return;
  ops.push({ op: "add", path: base, value: to });
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
