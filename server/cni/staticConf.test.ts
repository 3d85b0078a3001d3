// A static NetworkType's configuration is <cniDir>/<NetworkID>.conf and nothing outside cniDir: a NetworkID cannot point the delegate's configuration elsewhere (N-27).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readStaticConf } from "./del";
import { CniError } from "./protocol";

describe("readStaticConf", () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "tenet-static-conf-"));
  const cniDir = path.join(root, "net.d");
  fs.mkdirSync(cniDir);
  fs.writeFileSync(path.join(cniDir, "tenant-bridge.conf"), '{"type":"bridge"}');
  fs.writeFileSync(path.join(root, "x.conf"), '{"type":"outside"}');
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  it("reads the NetworkID's file in the CNI config directory", () => {
    expect(readStaticConf(cniDir, "tenant-bridge")).toEqual({ path: path.join(cniDir, "tenant-bridge.conf"), text: '{"type":"bridge"}' });
  });

  it.each(["../x", "../../../../tmp/x", "..", "a/b", ""])("refuses NetworkID %j instead of reading outside the directory", (id) => {
    expect(() => readStaticConf(cniDir, id)).toThrow(CniError);
    expect(() => readStaticConf(cniDir, id)).toThrow(/\(N-27\)/);
  });
});
