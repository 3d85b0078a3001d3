// Any object as `kubectl get -o yaml` shows it, for YamlView: no metadata.managedFields (kubectl
// shows them only with --show-managed-fields), map keys in the order kubectl's YAML encoder (go-yaml
// v2) writes them, sequences not indented under their key, and strings that YAML 1.1 would read as
// something else (yes, on, 2024-01-02, 12:30) quoted, so the text pasted into a manifest and applied
// with kubectl gives back the same object. Unlike kubectl, long strings are never folded.
import { stringify } from "yaml";

/** The object without what kubectl hides by default. */
export function kubectlShape(object: unknown): unknown {
  if (!object || typeof object !== "object" || Array.isArray(object)) return object;
  const o = object as Record<string, unknown>;
  const metadata = o.metadata;
  if (!metadata || typeof metadata !== "object" || !("managedFields" in metadata)) return object;
  const { managedFields: _dropped, ...rest } = metadata as Record<string, unknown>;
  return { ...o, metadata: rest };
}

const isLetter = (c: string) => /\p{L}/u.test(c);
const isDigit = (c: string) => /\p{Nd}/u.test(c);
const code = (c: string) => c.codePointAt(0)!;

/**
 * go-yaml v2's order of map keys (its keyList.Less), which kubectl's printer uses: letters compare
 * by code point, anything else sorts before a letter, runs of digits compare as numbers (so
 * 9.0.0.0/8 < 10.2.0.0/16 < 10.10.0.0/16, item9 < item10), and a prefix sorts first.
 */
export function goKeyLess(a: string, b: string): boolean {
  const ar = [...a];
  const br = [...b];
  for (let i = 0; i < ar.length && i < br.length; i++) {
    if (ar[i] === br[i]) continue;
    const al = isLetter(ar[i]);
    const bl = isLetter(br[i]);
    if (al && bl) return code(ar[i]) < code(br[i]);
    if (al || bl) return bl;
    let an = 0;
    let bn = 0;
    if (ar[i] === "0" || br[i] === "0") {
      for (let j = i - 1; j >= 0 && isDigit(ar[j]); j--) {
        if (ar[j] !== "0") {
          an = 1;
          bn = 1;
          break;
        }
      }
    }
    let ai = i;
    let bi = i;
    for (; ai < ar.length && isDigit(ar[ai]); ai++) an = an * 10 + code(ar[ai]) - 48;
    for (; bi < br.length && isDigit(br[bi]); bi++) bn = bn * 10 + code(br[bi]) - 48;
    if (an !== bn) return an < bn;
    if (ai !== bi) return ai < bi;
    return code(ar[i]) < code(br[i]);
  }
  return ar.length < br.length;
}

export function goKeyCompare(a: string, b: string): number {
  return goKeyLess(a, b) ? -1 : goKeyLess(b, a) ? 1 : 0;
}

export function toKubectlYaml(object: unknown): string {
  return stringify(kubectlShape(object), {
    // YAML 1.1 is what kubectl reads: its booleans (yes/no/on/off), timestamps and sexagesimals get quoted
    version: "1.1",
    sortMapEntries: (a, b) => goKeyCompare(String(a.key), String(b.key)),
    indentSeq: false,
    lineWidth: 0,
  });
}
