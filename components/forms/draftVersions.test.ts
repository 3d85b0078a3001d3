import { describe, expect, it } from "vitest";
import { draftVersions, isNewerVersion } from "./draftVersions";

const v = (resourceVersion: string | undefined, shown = "a") => ({ metadata: { resourceVersion }, shown });
const shown = (o: { shown: string } | undefined) => o?.shown ?? "";

describe("isNewerVersion", () => {
  const cases: [string, ReturnType<typeof v> | undefined, ReturnType<typeof v> | undefined, boolean][] = [
    ["a higher number is newer", v("12"), v("9"), true],
    ["numbers compare as numbers, not text", v("100"), v("99"), true],
    ["a lower number is older", v("9"), v("12"), false],
    ["the same version is not newer", v("7"), v("7"), false],
    ["an opaque version that differs counts as newer", v("abc"), v("abd"), true],
    ["nothing stored is never newer", undefined, v("1"), false],
    ["anything is newer than no base", v("1"), undefined, true],
  ];
  for (const [name, a, b, newer] of cases) it(name, () => expect(isNewerVersion(a, b)).toBe(newer));
});

describe("draftVersions", () => {
  it("a clean draft follows a newer stored version and builds on it", () => {
    const stored = v("5");
    expect(draftVersions(stored, v("4"), false, shown)).toEqual({ latest: stored, follow: true, changedElsewhere: false });
  });

  it("a dirty draft keeps its edits, builds on the newer version, and is told only when what it shows changed", () => {
    const base = v("4", "a");
    expect(draftVersions(v("5", "a"), base, true, shown)).toMatchObject({
      follow: false,
      changedElsewhere: false,
      latest: { metadata: { resourceVersion: "5" } },
    });
    expect(draftVersions(v("5", "b"), base, true, shown)).toMatchObject({ follow: false, changedElsewhere: true });
  });

  it("an older stored version (a list not refetched since the save) is ignored", () => {
    const base = v("9");
    expect(draftVersions(v("8", "b"), base, true, shown)).toEqual({ latest: base, follow: false, changedElsewhere: false });
    expect(draftVersions(v("8"), base, false, shown)).toEqual({ latest: base, follow: false, changedElsewhere: false });
  });

  it("a new object has nothing to follow", () => {
    expect(draftVersions<ReturnType<typeof v>>(undefined, undefined, true, shown)).toEqual({ latest: undefined, follow: false, changedElsewhere: false });
  });
});
