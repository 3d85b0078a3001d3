// How danm runs other programs (delegate plugins, nsenter, ip, sysctl). Directly with
// child_process by default; in the daemon through `danm spawner` (tools/danm/spawner.go), a small
// process that starts them for it: a fork of the daemon itself costs milliseconds of its one thread
// per child (its address space is copied), hundreds of times per burst of ADDs.
import { spawn, type ChildProcess } from "node:child_process";

export interface ProcessResult {
  /** Exit code; null when killed by a signal or never started. */
  code: number | null;
  stdout: string;
  stderr: string;
  /** Why the program could not be started at all (no such file, not executable). */
  error?: string;
}

export interface ProcessOptions {
  /** The whole environment; absent: this process's. */
  env?: Record<string, string | undefined>;
  stdin?: string;
}

export type ProcessRunner = (file: string, args: string[], options?: ProcessOptions) => Promise<ProcessResult>;

export const directRunner: ProcessRunner = (file, args, options = {}) =>
  new Promise((resolve) => {
    const child = spawn(file, args, { env: (options.env ?? process.env) as NodeJS.ProcessEnv, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    let error: string | undefined;
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.stdin.on("error", () => undefined); // a program that does not read its stdin
    child.on("error", (e) => (error = e.message));
    child.on("close", (code) => resolve({ code: error ? null : code, stdout, stderr, ...(error ? { error } : {}) }));
    child.stdin.end(options.stdin ?? "");
  });

let runner: ProcessRunner = directRunner;

/** Runs a program to its end with the current runner. */
export function runProcess(file: string, args: string[], options?: ProcessOptions): Promise<ProcessResult> {
  return runner(file, args, options);
}

/** Makes `next` the runner of every later runProcess (the daemon's spawner); returns the previous one. */
export function useProcessRunner(next: ProcessRunner): ProcessRunner {
  const previous = runner;
  runner = next;
  return previous;
}

interface Pending {
  resolve(result: ProcessResult): void;
}

/**
 * `danm spawner` as a ProcessRunner: requests go to it as JSON lines, answers come back by id. If it
 * exits, the programs it was running are reported as failed to start and the next request starts a
 * new one.
 */
export class Spawner {
  private child?: ChildProcess;
  private readonly pending = new Map<number, Pending>();
  private next = 1;
  private buffered = "";
  private closed = false;

  constructor(
    readonly binary: string,
    private readonly log: (message: string, fields?: Record<string, unknown>) => void = () => undefined,
  ) {}

  readonly run: ProcessRunner = (file, args, options = {}) => {
    if (this.closed) return directRunner(file, args, options);
    const child = this.child ?? this.start();
    const id = this.next++;
    return new Promise((resolve) => {
      this.pending.set(id, { resolve });
      const env = options.env ? Object.entries(options.env).flatMap(([k, v]) => (v === undefined ? [] : [`${k}=${v}`])) : undefined;
      child.stdin!.write(JSON.stringify({ id, path: file, args, env, stdin: options.stdin ?? "" }) + "\n");
    });
  };

  private start(): ChildProcess {
    const child = spawn(this.binary, ["spawner"], { stdio: ["pipe", "pipe", "inherit"] });
    this.child = child;
    this.buffered = "";
    child.stdin!.on("error", () => undefined);
    child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
      this.buffered += chunk;
      let nl: number;
      while ((nl = this.buffered.indexOf("\n")) >= 0) {
        const line = this.buffered.slice(0, nl);
        this.buffered = this.buffered.slice(nl + 1);
        this.answer(line);
      }
    });
    const gone = (why: string) => {
      if (this.child !== child) return;
      this.child = undefined;
      if (!this.closed)
        this.log("the process spawner stopped; programs it was running count as failed, the next one starts a new spawner", { spawner: this.binary, why });
      for (const [id, p] of this.pending) {
        this.pending.delete(id);
        p.resolve({ code: null, stdout: "", stderr: "", error: `the danm spawner (${this.binary}) stopped: ${why}` });
      }
    };
    child.on("error", (e) => gone(e.message));
    child.on("exit", (code, signal) => gone(signal ? `signal ${signal}` : `exit code ${code}`));
    return child;
  }

  private answer(line: string): void {
    let a: { id?: number; code?: number; stdout?: string; stderr?: string; error?: string };
    try {
      a = JSON.parse(line);
    } catch {
      return;
    }
    const p = a.id === undefined ? undefined : this.pending.get(a.id);
    if (!p) return;
    this.pending.delete(a.id!);
    p.resolve({
      code: a.error || a.code === -1 ? null : (a.code ?? null),
      stdout: a.stdout ?? "",
      stderr: a.stderr ?? "",
      ...(a.error ? { error: a.error } : {}),
    });
  }

  /** Ends the spawner once the programs it runs have finished (its stdin closes). */
  close(): void {
    this.closed = true;
    this.child?.stdin?.end();
  }
}
