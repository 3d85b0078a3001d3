// CPU a benchmark phase costs, two ways (bench:cni):
// - the whole machine's busy CPU from /proc/stat: everything, the API server, etcd and webhook
//   included, and also anything else running on the machine at the time;
// - the CPU of the processes this benchmark spawns and of their children, through a cgroup of its
//   own: Node.js cannot read a child's rusage, and a process a plugin starts and never waits for
//   escapes rusage anyway, not a cgroup.
import fs from "node:fs";
import path from "node:path";

/** Clock ticks per second of /proc/stat (USER_HZ, 100 on Linux). */
const USER_HZ = 100;

/** Busy CPU-seconds in the first line of /proc/stat: user, nice, system, irq, softirq, steal (not idle, not iowait). */
export function busyCpuSeconds(procStat: string): number {
  const [label, ...ticks] = procStat.split("\n")[0].trim().split(/\s+/);
  if (label !== "cpu" || ticks.length < 8) throw new Error(`not a /proc/stat cpu line: ${procStat.split("\n")[0]}`);
  const [user, nice, system, , , irq, softirq, steal] = ticks.map(Number);
  return (user + nice + system + irq + softirq + steal) / USER_HZ;
}

/** The machine's busy CPU-seconds since boot, all cores added. */
export function machineCpuSeconds(): number {
  return busyCpuSeconds(fs.readFileSync("/proc/stat", "utf8"));
}

function ownCpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

const CGROUP_ROOT = "/sys/fs/cgroup";

/** Where this process's cgroup for CPU accounting lives, and how to read its usage in seconds. */
function cgroupLayout(): { parent: string; home: string; usage: (dir: string) => number } | undefined {
  const own = fs
    .readFileSync("/proc/self/cgroup", "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => l.split(":"));
  if (fs.existsSync(path.join(CGROUP_ROOT, "cgroup.controllers"))) {
    const v2 = own.find(([id]) => id === "0");
    if (!v2) return undefined;
    const usage = (dir: string) => Number(/^usage_usec (\d+)$/m.exec(fs.readFileSync(path.join(dir, "cpu.stat"), "utf8"))?.[1]) / 1e6;
    return { parent: CGROUP_ROOT, home: path.join(CGROUP_ROOT, v2[2]), usage };
  }
  const v1 = own.find(([, controllers]) => controllers.split(",").includes("cpuacct"));
  const mount = path.join(CGROUP_ROOT, "cpuacct");
  if (!v1 || !fs.existsSync(mount)) return undefined;
  return { parent: mount, home: path.join(mount, v1[2]), usage: (dir: string) => Number(fs.readFileSync(path.join(dir, "cpuacct.usage"), "utf8")) / 1e9 };
}

/**
 * CPU-seconds used by the processes this process starts while it sits in a cgroup of its own, and by
 * their children: the cgroup's usage less this process's own CPU. open() moves this process in (its
 * children inherit the cgroup; processes started earlier, like a cluster, stay out), close() moves it
 * back and removes the cgroup. open() answers why it cannot where cgroups are not writable.
 */
export class ExecutableCpu {
  private constructor(
    private readonly dir: string,
    private readonly home: string,
    private readonly usage: (dir: string) => number,
    /** This process's CPU-seconds when it joined (the cgroup counts only what came after). */
    private readonly ownAtOpen: number,
  ) {}

  static open(name: string): ExecutableCpu | string {
    try {
      const layout = cgroupLayout();
      if (!layout) return "no cpuacct (cgroup v1) or cgroup v2 hierarchy";
      const dir = path.join(layout.parent, name);
      fs.mkdirSync(dir);
      try {
        const ownAtOpen = ownCpuSeconds();
        fs.writeFileSync(path.join(dir, "cgroup.procs"), String(process.pid));
        return new ExecutableCpu(dir, layout.home, layout.usage, ownAtOpen);
      } catch (e) {
        fs.rmdirSync(dir);
        throw e;
      }
    } catch (e) {
      return `cgroup not writable: ${(e as Error).message}`;
    }
  }

  /** CPU-seconds of everything in the cgroup but this process, since open(). */
  seconds(): number {
    return this.usage(this.dir) - (ownCpuSeconds() - this.ownAtOpen);
  }

  close(): void {
    try {
      fs.writeFileSync(path.join(this.home, "cgroup.procs"), String(process.pid));
      fs.rmdirSync(this.dir);
    } catch {
      // a child still in it keeps the cgroup; it goes with the machine's next clean-up
    }
  }
}

/**
 * CPU-seconds one process has used: utime + stime of /proc/<pid>/stat, with `withReaped` also cutime +
 * cstime (the children it waited for). NaN once the process is gone.
 */
export function processCpuSeconds(pid: number, withReaped = false): number {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    // fields[0] is field 3 (state): utime..cstime are fields 14-17
    return fields.slice(11, withReaped ? 15 : 13).reduce((sum, f) => sum + Number(f), 0) / USER_HZ;
  } catch {
    return NaN;
  }
}

/** The live children of a process (every thread's). */
function childrenOf(pid: number): number[] {
  try {
    return fs
      .readdirSync(`/proc/${pid}/task`)
      .flatMap((tid) => fs.readFileSync(`/proc/${pid}/task/${tid}/children`, "utf8").split(" ").filter(Boolean).map(Number));
  } catch {
    return [];
  }
}

/**
 * CPU-seconds of a long-running process and its descendants: each one's own time and the time of
 * the children it reaped. A child that exits between two readings moves from its own line into its
 * parent's reaped time, so the sum only grows.
 */
export function processTreeCpuSeconds(pid: number): number {
  let total = 0;
  const seen = new Set<number>();
  const visit = (p: number) => {
    if (seen.has(p) || !p) return;
    seen.add(p);
    total += processCpuSeconds(p, true) || 0; // gone meanwhile: its time is in its parent's reaped time
    for (const c of childrenOf(p)) visit(c);
  };
  visit(pid);
  return total;
}
