// Which stored version a draft builds on. The cluster changes objects under an open editor (IPAM
// rewrites a network's alloc, the webhook a TenantConfig's reservations): a clean draft follows the
// newest version; a dirty one keeps its own and is told when what it shows changed elsewhere.

export interface Versioned {
  metadata: { resourceVersion?: string };
}

/**
 * `a` is a newer version of the object than `b`. resourceVersions are opaque, but numeric on every
 * API server we know: compared as numbers when both are, otherwise any difference counts as newer.
 */
export function isNewerVersion(a: Versioned | undefined, b: Versioned | undefined): boolean {
  if (!a) return false;
  if (!b) return true;
  const x = a.metadata.resourceVersion ?? "";
  const y = b.metadata.resourceVersion ?? "";
  if (x === y) return false;
  const [nx, ny] = [Number(x), Number(y)];
  return x !== "" && y !== "" && Number.isFinite(nx) && Number.isFinite(ny) ? nx > ny : true;
}

export interface DraftVersions<O> {
  /** The version a save builds on: the stored one when newer than the draft's base, else the base. */
  latest: O | undefined;
  /** The draft is clean and a newer version came: load it into the draft. */
  follow: boolean;
  /** The draft is dirty and a newer version changed what the draft shows: saving would overwrite it. */
  changedElsewhere: boolean;
}

/** `contentOf` gives what a version shows in the editor, so a change the editor does not show (alloc) is no conflict. */
export function draftVersions<O extends Versioned>(
  stored: O | undefined,
  base: O | undefined,
  dirty: boolean,
  contentOf: (o: O | undefined) => string,
): DraftVersions<O> {
  const newer = !!base && isNewerVersion(stored, base);
  return {
    latest: newer ? stored : base,
    follow: newer && !dirty,
    changedElsewhere: newer && dirty && contentOf(stored) !== contentOf(base),
  };
}
