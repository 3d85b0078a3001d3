import { describe, expect, it } from "vitest";
import { WorkQueue } from "./workQueue";

describe("WorkQueue", () => {
  it("a key added several times while pending is processed once, in insertion order", async () => {
    const seen: string[] = [];
    const q = new WorkQueue(async (k) => void seen.push(k));
    for (const k of ["a", "b", "a", "c", "b"]) q.add(k);
    q.start();
    await q.idle();
    expect(seen).toEqual(["a", "b", "c"]);
  });

  it("a key added while it is being processed is processed once more afterwards", async () => {
    const seen: string[] = [];
    const q = new WorkQueue(async (k) => {
      seen.push(k);
      if (seen.length === 1) {
        q.add("a");
        q.add("a");
      }
    });
    q.add("a");
    q.start();
    await q.idle();
    expect(seen).toEqual(["a", "a"]);
  });

  it("a failing key does not stop the queue, and addAfter requeues later", async () => {
    const seen: string[] = [];
    const q = new WorkQueue(async (k) => {
      seen.push(k);
      if (k === "bad" && seen.length === 1) {
        q.addAfter("bad", 5);
        throw new Error("boom");
      }
    });
    q.add("bad");
    q.add("good");
    q.start();
    await q.idle();
    expect(seen).toEqual(["bad", "good"]);
    await new Promise((r) => setTimeout(r, 30));
    await q.idle();
    expect(seen).toEqual(["bad", "good", "bad"]);
    await q.stop();
  });

  it("stop drops pending keys and waits for the key being processed", async () => {
    const seen: string[] = [];
    let release!: () => void;
    const q = new WorkQueue(async (k) => {
      seen.push(`start ${k}`);
      if (k === "slow") await new Promise<void>((r) => (release = r));
      seen.push(`end ${k}`);
    });
    q.add("slow");
    q.add("next");
    q.start();
    const stopped = q.stop().then(() => seen.push("stopped"));
    release();
    await stopped;
    expect(seen).toEqual(["start slow", "end slow", "stopped"]);
  });
});
