// Running a delegate CNI plugin (danm-spec §11.6): the binary named by the netconf's type, found in
// CNI_PATH, called with the runtime's environment, CNI_IFNAME set to the DanmEp's interface name and
// the generated netconf on stdin.
import fs from "node:fs";
import path from "node:path";
import { runProcess } from "./processes";
import { CNI_ERROR, CniError, type CniEnvironment } from "./protocol";
import { decodeResult, type CniResult } from "./result";

const PLUGIN_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

export function findPlugin(type: string, cniPath: string[]): string | undefined {
  if (!PLUGIN_NAME.test(type)) return undefined;
  for (const dir of cniPath) {
    const candidate = path.join(dir, type);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // next directory
    }
  }
  return undefined;
}

export interface DelegateCall {
  command: "ADD" | "DEL" | "CHECK";
  type: string;
  conf: Record<string, unknown>;
  ifName: string;
  env: CniEnvironment;
  /** Names the interface in errors: "pod team-a/web, network DanmNet team-a/internal". */
  what: string;
}

/** Kubelet and CRI runtimes always send IgnoreUnknown=1; delegates like `static` refuse unknown args without it. */
export function delegateArgs(argsText: string): string {
  return /(^|;)IgnoreUnknown=/.test(argsText) ? argsText : ["IgnoreUnknown=1", argsText].filter(Boolean).join(";");
}

async function run(binary: string, env: Record<string, string | undefined>, stdin: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const result = await runProcess(binary, [], { env, stdin });
  if (result.error) throw new Error(result.error);
  return result;
}

/** Runs the delegate; ADD returns its result, DEL/CHECK return undefined. Failures throw CniError (103). */
export async function callDelegate(call: DelegateCall): Promise<CniResult | undefined> {
  const binary = findPlugin(call.type, call.env.path);
  if (!binary)
    throw new CniError(CNI_ERROR.delegateFailed, `${call.what}: CNI plugin "${call.type}" not found in CNI_PATH (${call.env.path.join(":") || "empty"})`);
  const env: Record<string, string | undefined> = {
    PATH: process.env.PATH,
    CNI_COMMAND: call.command,
    CNI_CONTAINERID: call.env.containerId,
    CNI_NETNS: call.env.netns,
    CNI_IFNAME: call.ifName,
    CNI_ARGS: delegateArgs(call.env.argsText),
    CNI_PATH: call.env.path.join(":"),
  };
  const out = await run(binary, env, JSON.stringify(call.conf));
  if (out.code !== 0) {
    let reason = out.stderr.trim() || `exit code ${out.code}`;
    try {
      const e = JSON.parse(out.stdout) as { code?: number; msg?: string; details?: string };
      if (e.msg) reason = `${e.msg}${e.details ? ` (${e.details})` : ""} [code ${e.code}]`;
    } catch {
      if (out.stdout.trim()) reason = out.stdout.trim();
    }
    throw new CniError(CNI_ERROR.delegateFailed, `${call.what}: ${call.type} ${call.command} of interface ${call.ifName} failed: ${reason}`);
  }
  return call.command === "ADD" ? decodeResult(out.stdout, `${call.what}: ${call.type}`) : undefined;
}
