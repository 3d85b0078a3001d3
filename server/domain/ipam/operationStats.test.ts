import { describe, expect, it } from "vitest";
import {
  decodeIpamStats,
  encodeIpamStats,
  ipamOutcome,
  ipamStatsFileName,
  ipamStatsTempName,
  isIpamStatsFileName,
  isIpamStatsTempName,
  MAX_RECORDS_PER_FILE,
  type IpamOperationRecord,
} from "./operationStats";

const record = (over: Partial<IpamOperationRecord> = {}): IpamOperationRecord => ({
  kind: "DanmNet",
  namespace: "team-a",
  network: "internal",
  operation: "allocate",
  outcome: "ok",
  seconds: 0.031,
  conflicts: 0,
  lockWaitSeconds: 0.002,
  ...over,
});
const reasonOf = (text: string) => {
  const d = decodeIpamStats(text);
  return d.ok ? "accepted" : d.reason;
};
const withRecords = (records: unknown[]) => JSON.stringify({ v: 1, records });

describe("IPAM operation outcome", () => {
  it("pool exhausted (A-5) is 'exhausted'; the other rules are the request's fault, except a corrupt network (A-6)", () => {
    expect(ipamOutcome(undefined)).toBe("ok");
    expect(ipamOutcome({ rule: "A-5" })).toBe("exhausted");
    for (const rule of ["A-1", "A-2", "A-3", "A-4"]) expect(ipamOutcome({ rule }), rule).toBe("refused");
    expect(ipamOutcome({ rule: "A-6" })).toBe("error");
  });

  it("running out of time (node lock or conflicts) is 'timeout'; any other failure is 'error'", () => {
    expect(ipamOutcome({ timedOut: true })).toBe("timeout");
    expect(ipamOutcome({})).toBe("error");
    expect(ipamOutcome({ timedOut: false })).toBe("error");
  });
});

describe("IPAM stats file", () => {
  it("round-trips the records of a run, ClusterNetworks without namespace", () => {
    const records = [
      record(),
      record({
        kind: "ClusterNetwork",
        namespace: "",
        network: "external",
        operation: "free",
        outcome: "timeout",
        seconds: 20.4,
        conflicts: 12,
        lockWaitSeconds: 19.9,
      }),
    ];
    expect(decodeIpamStats(encodeIpamStats(records))).toEqual({ ok: true, records });
    expect(decodeIpamStats(encodeIpamStats([]))).toEqual({ ok: true, records: [] });
  });

  it("refuses a whole file for anything it cannot trust, and says why", () => {
    expect(reasonOf("{not json")).toBe("not JSON");
    expect(reasonOf("[1]")).toBe("not a JSON object");
    expect(reasonOf(JSON.stringify({ v: 2, records: [] }))).toBe("version 2, expected 1");
    expect(reasonOf(JSON.stringify({ v: 1 }))).toBe("records is not a list");
    expect(reasonOf(withRecords([record(), "x"]))).toBe("record 1 is not an object");
    expect(reasonOf(withRecords([record({ kind: "Pod" as never })]))).toBe('record 0: kind "Pod" is not a network kind');
    expect(reasonOf(withRecords([record({ namespace: "" })]))).toBe('record 0: namespace "" does not fit a DanmNet');
    expect(reasonOf(withRecords([record({ kind: "ClusterNetwork" })]))).toBe('record 0: namespace "team-a" does not fit a ClusterNetwork');
    expect(reasonOf(withRecords([record({ network: 'x" } evil' })]))).toMatch(/^record 0: network .* is not a name$/);
    expect(reasonOf(withRecords([record({ operation: "steal" as never })]))).toBe('record 0: operation "steal" is not one of allocate, free');
    expect(reasonOf(withRecords([record({ outcome: "maybe" as never })]))).toBe(
      'record 0: outcome "maybe" is not one of ok, exhausted, refused, timeout, error',
    );
    expect(reasonOf(withRecords([record({ seconds: -1 })]))).toBe("record 0: seconds -1 is not a duration");
    expect(reasonOf(withRecords([record({ seconds: "1" as never })]))).toBe('record 0: seconds "1" is not a duration');
    expect(reasonOf(withRecords([record({ seconds: 0.5, lockWaitSeconds: 2 })]))).toBe("record 0: lockWaitSeconds 2 is not a duration within the operation's");
    expect(reasonOf(withRecords([record({ conflicts: 1.5 })]))).toBe("record 0: conflicts 1.5 is not a count");
    expect(reasonOf(withRecords(Array.from({ length: MAX_RECORDS_PER_FILE + 1 }, () => record())))).toBe(
      `${MAX_RECORDS_PER_FILE + 1} records, at most ${MAX_RECORDS_PER_FILE}`,
    );
  });

  it("names files uniquely per run, and the temporary name is never taken for a finished file", () => {
    const name = ipamStatsFileName(1764330000123.7, 4242, "9f3a0c1e");
    expect(name).toBe("1764330000123-4242-9f3a0c1e.json");
    expect(isIpamStatsFileName(name)).toBe(true);
    const temp = ipamStatsTempName(name);
    expect(isIpamStatsFileName(temp)).toBe(false);
    expect(isIpamStatsTempName(temp)).toBe(true);
    expect(isIpamStatsTempName(name)).toBe(false);
    for (const other of ["DanmNet_team-a_x.lock", "notes.json", "1-2-x.json.bak", "../1-2-a.json"]) expect(isIpamStatsFileName(other), other).toBe(false);
  });
});
