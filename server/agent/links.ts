// The node's links through iproute2: `ip -j -d link show` / `ip -j addr show` to read, and one
// `ip -force -batch -` process to apply many changes. `-force` keeps going after a failing line;
// iproute2 prints the kernel's reason followed by "Command failed -:<line>", which parseBatchErrors
// attributes to the line. Everything can run inside a named network namespace (`ip -n NS`).
import { spawn } from "node:child_process";
import { OWNER_ALIAS, type ActualInterface, type InterfaceAddress } from "../domain/hostInterfaces";

export interface IpOptions {
  /** Named network namespace (`ip netns`) to work in; the agent's own namespace when absent. */
  netns?: string;
  /** Path of the ip binary; "ip" from PATH by default. */
  ipPath?: string;
}

export interface IpResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `ip [-n NS] ...args`, feeding `input` on stdin. Never throws for a non-zero exit. */
export function runIp(args: readonly string[], options: IpOptions = {}, input?: string): Promise<IpResult> {
  const argv = [...(options.netns ? ["-n", options.netns] : []), ...args];
  return new Promise((resolve, reject) => {
    const child = spawn(options.ipPath ?? "ip", argv, { stdio: ["pipe", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => err.push(b));
    child.on("error", reject);
    child.on("close", (code, signal) =>
      resolve({ code: code ?? (signal ? 128 : 1), stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8") }),
    );
    child.stdin.on("error", () => {}); // ip may exit before reading everything; close reports it
    child.stdin.end(input ?? "");
  });
}

interface IpLinkJson {
  ifname: string;
  link?: string;
  ifalias?: string;
  group?: string;
  mtu?: number;
  flags?: string[];
  linkinfo?: { info_kind?: string; info_data?: { id?: number; link?: string } };
}

/** Parses `ip -j -d link show`. VxLAN underlay comes from info_data.link, a VLAN's from `link`. */
export function parseLinks(json: string): ActualInterface[] {
  const links = JSON.parse(json || "[]") as IpLinkJson[];
  return links.map((l) => {
    const kind = l.linkinfo?.info_kind ?? "";
    const data = l.linkinfo?.info_data;
    const parent = kind === "vxlan" ? data?.link : l.link;
    const a: ActualInterface = { name: l.ifname, kind, ownedByTenet: l.ifalias === OWNER_ALIAS, up: (l.flags ?? []).includes("UP") };
    if ((kind === "vxlan" || kind === "vlan") && typeof data?.id === "number") a.id = data.id;
    if (parent) a.parent = parent;
    if (l.group !== undefined) a.group = String(l.group);
    if (typeof l.mtu === "number") a.mtu = l.mtu;
    return a;
  });
}

interface IpAddrJson {
  ifname: string;
  addr_info?: { family?: string; local?: string; scope?: string }[];
}

/** Parses `ip -j addr show` into addresses per interface name, in the kernel's order. */
export function parseAddresses(json: string): Map<string, InterfaceAddress[]> {
  const out = new Map<string, InterfaceAddress[]>();
  for (const l of JSON.parse(json || "[]") as IpAddrJson[]) {
    const list = (l.addr_info ?? []).flatMap((a) =>
      (a.family === "inet" || a.family === "inet6") && a.local ? [{ family: a.family, address: a.local, scope: a.scope ?? "" } as InterfaceAddress] : [],
    );
    out.set(l.ifname, list);
  }
  return out;
}

function failure(what: string, r: IpResult): Error {
  return new Error(`${what} failed (exit ${r.code}): ${r.stderr.trim() || "no message"}`);
}

export async function readLinks(options: IpOptions = {}): Promise<ActualInterface[]> {
  const r = await runIp(["-j", "-d", "link", "show"], options);
  if (r.code !== 0) throw failure("ip link show", r);
  return parseLinks(r.stdout);
}

export async function readAddresses(options: IpOptions = {}): Promise<Map<string, InterfaceAddress[]>> {
  const r = await runIp(["-j", "addr", "show"], options);
  if (r.code !== 0) throw failure("ip addr show", r);
  return parseAddresses(r.stdout);
}

export interface BatchOutcome {
  code: number;
  /** Error text per failed line (1-based), as iproute2 / the kernel printed it. */
  lineErrors: Map<number, string>;
  /** Error text after the last "Command failed" marker when ip stopped early (an argument error
   * makes iproute2 exit even under -force); the failing line is then unknown. */
  aborted?: string;
}

/** Splits a `-force -batch` stderr into the messages of each failed line. */
export function parseBatchErrors(code: number, stderr: string): BatchOutcome {
  const lineErrors = new Map<number, string>();
  let pending: string[] = [];
  for (const line of stderr.split("\n")) {
    const m = /^Command failed (?:.*):(\d+)\s*$/.exec(line);
    if (m) {
      lineErrors.set(Number(m[1]), pending.join("; ") || "failed without a message");
      pending = [];
    } else if (line.trim()) pending.push(line.trim());
  }
  const outcome: BatchOutcome = { code, lineErrors };
  if (code !== 0 && pending.length) outcome.aborted = pending.join("; ");
  return outcome;
}

/** Applies all lines with one `ip -force -batch -` process. */
export async function runBatch(lines: readonly string[], options: IpOptions = {}): Promise<BatchOutcome> {
  if (lines.length === 0) return { code: 0, lineErrors: new Map() };
  const r = await runIp(["-force", "-batch", "-"], options, lines.join("\n") + "\n");
  return parseBatchErrors(r.code, r.stderr);
}
