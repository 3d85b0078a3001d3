// What a real node of the local cluster needs from the host besides its network: a cgroup root of
// its own in every hierarchy (kubelet --cgroup-root), a shared bind mount for the kubelet's root
// directory, and the cleanup of both when the node goes (tools/cli/realNodes.ts).
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

export const CGROUP_ROOT = "/sys/fs/cgroup";

/** The cgroup hierarchies to prepare a node's cgroup root in (cgroup v1: one per controller; v2: one). */
function cgroupHierarchies(): string[] {
  if (fs.existsSync(path.join(CGROUP_ROOT, "cgroup.controllers"))) return [CGROUP_ROOT];
  return fs
    .readdirSync(CGROUP_ROOT)
    .map((h) => path.join(CGROUP_ROOT, h))
    .filter((h) => fs.existsSync(path.join(h, "cgroup.procs")) && !h.endsWith("/unified"));
}

/** kubelet insists that its --cgroup-root exists in every hierarchy; a new cpuset needs its parent's cpus and mems. */
export function createCgroupRoot(name: string) {
  for (const h of cgroupHierarchies()) {
    const dir = path.join(h, name);
    fs.mkdirSync(dir, { recursive: true });
    for (const f of ["cpuset.cpus", "cpuset.mems"]) {
      const file = path.join(dir, f);
      if (fs.existsSync(file) && !fs.readFileSync(file, "utf8").trim()) fs.writeFileSync(file, fs.readFileSync(path.join(h, f), "utf8").trim());
    }
  }
}

/** Kills every process left in a node's cgroups (containers whose shim is gone) and removes the cgroups, deepest first. */
export function removeCgroupRoot(name: string) {
  for (const h of cgroupHierarchies()) {
    const top = path.join(h, name);
    if (!fs.existsSync(top)) continue;
    const dirs: string[] = [];
    const walk = (d: string) => {
      dirs.push(d);
      for (const e of fs.readdirSync(d, { withFileTypes: true })) if (e.isDirectory()) walk(path.join(d, e.name));
    };
    walk(top);
    for (const d of dirs.reverse()) {
      for (let attempt = 0; attempt < 20; attempt++) {
        const pids = fs.readFileSync(path.join(d, "cgroup.procs"), "utf8").split("\n").filter(Boolean).map(Number);
        for (const pid of pids) {
          try {
            process.kill(pid, "SIGKILL");
          } catch {
            // gone
          }
        }
        try {
          fs.rmdirSync(d);
          break;
        } catch {
          execFileSync("sleep", ["0.1"]);
        }
      }
    }
  }
}

/** Mount points at or below `dir`, deepest first. */
function mountsUnder(dir: string): string[] {
  const prefix = path.resolve(dir);
  return fs
    .readFileSync("/proc/self/mountinfo", "utf8")
    .split("\n")
    .map((l) => l.split(" ")[4])
    .filter((m): m is string => !!m && (m === prefix || m.startsWith(`${prefix}/`)))
    .map((m) => m.replace(/\\040/g, " "))
    .sort((a, b) => b.length - a.length);
}

export function unmountAll(dir: string) {
  for (const m of mountsUnder(dir)) {
    try {
      execFileSync("umount", ["-l", m], { stdio: "ignore" });
    } catch {
      // already gone
    }
  }
}

/** kubelet's root directory must be a shared mount, or mount propagation of volumes fails (`/` is private here). */
export function sharedMount(dir: string) {
  fs.mkdirSync(dir, { recursive: true });
  if (!mountsUnder(dir).includes(path.resolve(dir))) execFileSync("mount", ["--bind", dir, dir]);
  execFileSync("mount", ["--make-rshared", dir]);
}
