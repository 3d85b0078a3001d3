"use client";
// The one draft of the console's editors: it follows the stored object while clean (draftVersions),
// builds the object to send and its local verdict, and asks the cluster for a dry run, 600 ms after
// the last keystroke (or on demand), keeping only the newest answer.
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { draftVersions, type Versioned } from "./draftVersions";

/** The cluster's verdict on the draft: a server-side dry run. */
export type DryRun = { state: "idle" } | { state: "checking" } | { state: "ok"; answer: unknown } | { state: "refused"; error: unknown };

export interface Built {
  /** The object a save (and a dry run) sends. */
  object: unknown;
  /** Problems the browser can see: no dry run and no save until they are fixed. */
  blocked: boolean;
}

export interface DraftOptions<D, O extends Versioned, B extends Built> {
  /** The stored object as the cluster has it now; undefined for a new one. */
  stored: O | undefined;
  /** The draft showing a stored version (undefined: a new object). */
  draftOf: (stored: O | undefined) => D;
  /** What of a draft is content, for "dirty" and "changed elsewhere" (default: all of it, as JSON). */
  contentOf?: (draft: D) => string;
  /** The object the draft describes over `latest`, and the local verdict; keep it stable (useCallback). */
  build: (draft: D, latest: O | undefined) => B;
  /** The dry run: create (no stored object) or replace, with dryRun set. */
  dryRun: (object: unknown) => Promise<unknown>;
  /** Ask the cluster as the person types (default), or only when checkNow() is called. */
  checkAsYouType?: boolean;
}

const asJson = (d: unknown) => JSON.stringify(d);
export const DRY_RUN_DELAY_MS = 600;

export function useDraft<D, O extends Versioned, B extends Built>({
  stored,
  draftOf,
  contentOf = asJson,
  build,
  dryRun,
  checkAsYouType = true,
}: DraftOptions<D, O, B>) {
  const creating = stored === undefined;
  const [base, setBase] = useState(stored); // the version the draft started from
  const [draft, setDraft] = useState<D>(() => draftOf(stored));
  const [check, setCheck] = useState<DryRun>({ state: "idle" });
  const content = (o: O | undefined) => contentOf(draftOf(o));
  // draftOf and contentOf are pure: the base alone decides these
  const baseContent = useMemo(() => contentOf(draftOf(base)), [base]);
  const dirty = contentOf(draft) !== baseContent;
  const { latest, follow, changedElsewhere } = draftVersions(stored, base, dirty, content);

  /** Starts the draft over from a stored version: after a save, or to drop one's edits. */
  const rebase = useCallback((version: O | undefined) => {
    setBase(version);
    setDraft(draftOf(version));
  }, []);
  useEffect(() => {
    if (follow) rebase(stored);
  }, [follow, stored, rebase]);

  const built = useMemo(() => build(draft, latest), [build, draft, latest]);
  const objectJson = JSON.stringify(built.object);
  const seq = useRef(0);
  const dryRunRef = useRef(dryRun);
  dryRunRef.current = dryRun;

  /** Asks the cluster now; an answer that is no longer the newest is dropped. */
  const checkNow = useCallback(async (): Promise<DryRun> => {
    const mine = ++seq.current;
    setCheck({ state: "checking" });
    let result: DryRun;
    try {
      result = { state: "ok", answer: await dryRunRef.current(JSON.parse(objectJson)) };
    } catch (error) {
      result = { state: "refused", error };
    }
    if (mine === seq.current) setCheck(result);
    return result;
  }, [objectJson]);

  const checking = checkAsYouType && !built.blocked && (creating || dirty);
  useEffect(() => {
    if (!checkAsYouType) return;
    seq.current++;
    setCheck({ state: "idle" });
    if (!checking) return;
    const timer = setTimeout(() => void checkNow(), DRY_RUN_DELAY_MS);
    return () => clearTimeout(timer);
  }, [checkAsYouType, checking, checkNow]);

  /** Changes the draft. */
  const edit = useCallback((change: (d: D) => D) => setDraft(change), []);

  return { draft, edit, built, latest, creating, dirty, changedElsewhere, check, checkNow, rebase, loadLatest: () => rebase(stored) };
}
