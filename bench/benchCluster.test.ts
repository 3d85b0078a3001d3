import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { LocalCluster, UpOptions } from "../tools/cli/localCluster";
import { runOnBenchCluster } from "./benchCluster";

/** A cluster that is only a record of what was done to it. */
function fakeCluster() {
  const events: string[] = [];
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "tenet-benchcluster-test-"));
  const cluster = { home } as LocalCluster;
  return {
    events,
    home,
    hooks: {
      up: vi.fn(async (options?: UpOptions) => {
        events.push(`up ephemeral=${options?.ephemeral} seed=${options?.seed} controllers=${options?.controllers}`);
        return cluster;
      }),
      down: vi.fn(async () => {
        events.push(`down, home there: ${fs.existsSync(home)}`);
        return [];
      }),
      cleanUp: () => void events.push("clean up"),
      exit: vi.fn(),
    },
  };
}

describe("runOnBenchCluster", () => {
  const exitCode = process.exitCode;
  const sigintListeners = process.listenerCount("SIGINT");
  beforeEach(() => void vi.spyOn(process.stderr, "write").mockImplementation(() => true));
  afterEach(() => {
    process.exitCode = exitCode;
    vi.restoreAllMocks();
  });

  it("runs the benchmark on an ephemeral cluster without controllers, then cleans up, removes the cluster and its home", async () => {
    const f = fakeCluster();
    await runOnBenchCluster(f.home, async () => void f.events.push("bench"), f.hooks);
    expect(f.events).toEqual(["up ephemeral=true seed=true controllers=false", "bench", "clean up", "down, home there: true"]);
    expect(fs.existsSync(f.home)).toBe(false);
    expect(process.exitCode).toBe(exitCode);
    expect(process.listenerCount("SIGINT"), "its Ctrl-C handler is gone").toBe(sigintListeners);
  });

  it("a failing benchmark is printed, sets exit code 1 and still tears everything down", async () => {
    const f = fakeCluster();
    const printed = vi.spyOn(console, "error").mockImplementation(() => {});
    await runOnBenchCluster(
      f.home,
      async () => {
        throw new Error("no such network");
      },
      f.hooks,
    );
    expect(printed).toHaveBeenCalledWith(expect.objectContaining({ message: "no such network" }));
    expect(process.exitCode).toBe(1);
    expect(f.events.slice(-2)).toEqual(["clean up", "down, home there: true"]);
    expect(fs.existsSync(f.home)).toBe(false);
  });

  it("Ctrl-C during the benchmark tears down once and exits 130", async () => {
    const f = fakeCluster();
    let release = () => {};
    const running = runOnBenchCluster(
      f.home,
      () => {
        process.emit("SIGINT", "SIGINT");
        return new Promise<void>((resolve) => (release = resolve));
      },
      f.hooks,
    );
    await vi.waitFor(() => expect(f.hooks.exit).toHaveBeenCalledWith(130));
    expect(fs.existsSync(f.home)).toBe(false);
    release();
    await running;
    expect(f.events.filter((e) => e.startsWith("down"))).toHaveLength(1);
  });
});
