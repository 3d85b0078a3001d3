import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { busyCpuSeconds, ExecutableCpu, machineCpuSeconds, processCpuSeconds, processTreeCpuSeconds } from "./cpuAccounting";

describe("busyCpuSeconds", () => {
  it("adds user, nice, system, irq, softirq and steal ticks, leaving idle and iowait out", () => {
    // user nice system idle iowait irq softirq steal guest guest_nice (USER_HZ ticks)
    const procStat = "cpu  1000 20 300 999999 4000 5 60 7 100 0\ncpu0 500 10 150 499999 2000 2 30 3 50 0\nintr 1 2 3\n";
    expect(busyCpuSeconds(procStat)).toBeCloseTo((1000 + 20 + 300 + 5 + 60 + 7) / 100, 6);
  });

  it("refuses text that does not start with the machine's cpu line", () => {
    expect(() => busyCpuSeconds("cpu0 1 2 3 4 5 6 7 8\n")).toThrow(/not a \/proc\/stat cpu line/);
    expect(() => busyCpuSeconds("cpu 1 2 3\n")).toThrow(/not a \/proc\/stat cpu line/);
  });

  it("reads this machine's /proc/stat, which only grows", () => {
    const first = machineCpuSeconds();
    expect(first).toBeGreaterThan(0);
    expect(machineCpuSeconds()).toBeGreaterThanOrEqual(first);
  });
});

/** A child that spins for `ms` of wall time, so uses about that much CPU. */
function spin(ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["-e", `const end = Date.now() + ${ms}; while (Date.now() < end);`], { stdio: "ignore" });
    child.on("error", reject);
    child.on("exit", () => resolve());
  });
}

describe("ExecutableCpu", () => {
  const cpu = ExecutableCpu.open(`tenet-test-cpu-${process.pid}`);
  const d = typeof cpu === "string" ? describe.skip : describe;
  if (typeof cpu === "string") console.warn(`skipped: ExecutableCpu: ${cpu}`);

  d("in a cgroup of its own", () => {
    it("counts the CPU of the processes started after open() and not this process's own", async () => {
      const c = cpu as ExecutableCpu;
      try {
        const before = c.seconds();
        // this process works too: none of it may show up
        const end = Date.now() + 300;
        while (Date.now() < end);
        expect(c.seconds() - before).toBeLessThan(0.1);
        await spin(600);
        const used = c.seconds() - before;
        // a spinning child uses about its wall time, less when the machine is busy; node's start-up adds some
        expect(used).toBeGreaterThan(0.05);
        expect(used).toBeLessThan(5);
      } finally {
        c.close();
      }
    });
  });
});

describe("processTreeCpuSeconds", () => {
  it("counts a process's descendants, also once they have exited and been reaped", { timeout: 60_000 }, async () => {
    // a shell whose subshell does a fixed amount of work (starting 400 processes) and exits; the shell then waits, reaping it
    const shell = spawn("/bin/sh", ["-c", "(i=0; while [ $i -lt 400 ]; do /bin/true; i=$((i+1)); done); sleep 30"], { stdio: "ignore" });
    try {
      const own = () => processCpuSeconds(shell.pid!);
      const reaped = () => processCpuSeconds(shell.pid!, true) - own();
      let during = 0;
      // while the subshell runs, its time is its own line in the tree
      for (let i = 0; i < 500 && during < 0.05 && reaped() === 0; i++) {
        await new Promise((r) => setTimeout(r, 20));
        during = processTreeCpuSeconds(shell.pid!) - own();
      }
      expect(during).toBeGreaterThanOrEqual(0.05);
      const partway = reaped() === 0 ? during : undefined;
      // once it exited, the shell reaped it: the time moved into the shell's reaped time, none lost
      for (let i = 0; i < 600 && reaped() === 0; i++) await new Promise((r) => setTimeout(r, 50));
      expect(reaped()).toBeGreaterThan(0);
      if (partway !== undefined) expect(reaped()).toBeGreaterThanOrEqual(partway);
      expect(processTreeCpuSeconds(shell.pid!) - own()).toBeGreaterThanOrEqual(reaped());
    } finally {
      shell.kill("SIGKILL");
    }
    await new Promise((r) => shell.once("exit", r));
    expect(processCpuSeconds(shell.pid!)).toBeNaN();
  });
});
