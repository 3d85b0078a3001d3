// The commands the chart runs in Pods besides the long-running components (the console's `db migrate`
// init container, `install-cni`) log JSON lines when TENET_LOG_FORMAT=json, as the image sets it.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "./controlplaneBinary";

function tenet(args: string[], env: Record<string, string>) {
  return spawnSync(process.execPath, [path.join(REPO_ROOT, "tools/cli/tenet.mjs"), ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    encoding: "utf8",
  });
}

describe("TENET_LOG_FORMAT=json for the commands run in Pods", () => {
  it("`tenet db migrate` writes one JSON object per line, text without it", { timeout: 60_000 }, () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tenet-jsonlogs-"));
    try {
      const url = `file:${path.join(dir, "console.db")}`;
      const json = tenet(["db", "migrate"], { DATABASE_URL: url, TENET_LOG_FORMAT: "json" });
      expect(json.status, json.stderr).toBe(0);
      const lines = json.stderr.trim().split("\n");
      const records = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(records.map((r) => [r.component, r.level])).toEqual(lines.map(() => ["db", "info"]));
      expect(records.at(-1)!.msg).toMatch(/^applied \d{14}_\w+/);
      const text = tenet(["db", "migrate"], { DATABASE_URL: url, TENET_LOG_FORMAT: "text" });
      expect(text.stderr).toMatch(/is up to date\n$/);
      expect(() => JSON.parse(text.stderr)).toThrow();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a failing command's error is a JSON line too, and a wrong format is refused by name", { timeout: 60_000 }, () => {
    // nothing listens on port 1
    const failed = tenet(["db", "migrate"], { DATABASE_URL: "postgresql://nobody@127.0.0.1:1/tenet", TENET_LOG_FORMAT: "json" });
    expect(failed.status).not.toBe(0);
    const records = failed.stderr
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(records.at(-1)).toMatchObject({
      component: "db",
      level: "error",
      msg: expect.stringMatching(/^tenet: .*Can't reach database server at `127\.0\.0\.1:1`/s),
    });
    const wrong = tenet(["db", "migrate"], { TENET_LOG_FORMAT: "yaml" });
    expect(wrong.status).toBe(1);
    expect(wrong.stderr).toMatch(/TENET_LOG_FORMAT is "yaml": use json .* or text/);
  });
});
