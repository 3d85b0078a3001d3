// netwatcher's host interface manager (danm-spec §12.2, design decision 12): reads the node's
// links, plans with server/domain/hostInterfaces, and applies the whole plan with one
// `ip -force -batch` process. One failing interface does not stop the others; each failure is
// reported with the kernel's reason. Interfaces it creates carry the alias OWNER_ALIAS, so a
// restarted agent removes what it owns and nothing else.
import {
  desiredHostInterfaces,
  interfaceMatches,
  OWNER_ALIAS,
  planHostInterfaces,
  vxlanEndpoints,
  VXLAN_UDP_PORT,
  type ActualInterface,
  type DesiredInterface,
  type HostInterfaceConflict,
  type HostInterfaceSource,
  type InterfaceAddress,
} from "../domain/hostInterfaces";
import { readAddresses, readLinks, runBatch, type IpOptions } from "./links";

export interface HostInterfaceFailure {
  name: string;
  /** The networks that wanted it (empty for a removal). */
  users: string[];
  /** The `ip` command that failed, as given to `ip -batch`. */
  command?: string;
  /** The kernel's (or iproute2's) reason. */
  error: string;
}

export interface ReconcileReport {
  created: string[];
  removed: string[];
  broughtUp: string[];
  failed: HostInterfaceFailure[];
  conflicts: HostInterfaceConflict[];
}

type Target = { state: "present"; desired: DesiredInterface; action: "create" | "bringUp" } | { state: "absent" };

interface Op {
  name: string;
  target: Target;
  /** 1-based batch line numbers with their text. */
  lines: { n: number; text: string; role: "del" | "add" | "alias" | "up" }[];
}

/** Rounds are only repeated when iproute2 stopped early (each such round settles at least one
 * interface) or when a group removal failed (once). */
const MAX_ROUNDS = 50;

/**
 * Interface group the agent moves interfaces to just before removing them with one
 * `link del group`: the kernel then unregisters them together (one RCU grace period instead of one
 * per interface, ~50x faster for a thousand VxLANs). Used only when every link already in the group
 * is about to be removed, so nothing the agent does not own can go with them.
 */
export const REMOVAL_GROUP = 517351;
/** Below this many removals, plain `link del NAME` lines. */
const GROUP_REMOVAL_MIN = 4;

function addLine(d: DesiredInterface, addresses: Map<string, InterfaceAddress[]>): string | { error: string } {
  if (d.kind === "vlan") return `link add link ${d.parent} name ${d.name} up type vlan id ${d.id}`;
  const ends = vxlanEndpoints(d.id, addresses.get(d.parent) ?? []);
  if (!ends)
    return { error: `host_device "${d.parent}" has no global IPv4 or IPv6 address, so ${d.name} (VNI ${d.id}) has no VTEP address and is not created` };
  return `link add ${d.name} up type vxlan id ${d.id} dev ${d.parent} dstport ${VXLAN_UDP_PORT} local ${ends.local} group ${ends.group} learning l2miss l3miss`;
}

function achieved(op: Op, links: Map<string, ActualInterface>): boolean {
  const a = links.get(op.name);
  if (op.target.state === "absent") return !a;
  return !!a && a.ownedByTenet && a.up && interfaceMatches(a, op.target.desired);
}

export class HostInterfaceAgent {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: IpOptions = {}) {}

  /** Brings the node's host interfaces to what `networks` (and NADs) want. Calls are serialised. */
  reconcile(networks: readonly HostInterfaceSource[]): Promise<ReconcileReport> {
    const run = this.queue.then(() => this.reconcileNow(networks));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async reconcileNow(networks: readonly HostInterfaceSource[]): Promise<ReconcileReport> {
    const report: ReconcileReport = { created: [], removed: [], broughtUp: [], failed: [], conflicts: [] };
    const desired = desiredHostInterfaces(networks);
    const settled = new Set<string>(); // failed or in conflict: left out of later rounds
    let links = await readLinks(this.options);
    let groupRemoval = true;

    for (let round = 0; round < MAX_ROUNDS; round++) {
      const plan = planHostInterfaces(
        desired.filter((d) => !settled.has(d.name)),
        links.filter((a) => !settled.has(a.name)),
      );
      for (const c of plan.conflicts) {
        report.conflicts.push(c);
        settled.add(c.name);
      }
      const addresses = plan.create.some((d) => d.kind === "vxlan") ? await readAddresses(this.options) : new Map<string, InterfaceAddress[]>();
      const useGroup =
        groupRemoval &&
        plan.remove.length >= GROUP_REMOVAL_MIN &&
        links.every((a) => a.group !== String(REMOVAL_GROUP) || plan.remove.some((r) => r.name === a.name));
      const { ops, groupLine } = this.buildOps(plan.create, plan.remove, plan.bringUp, addresses, report, settled, useGroup);
      if (ops.length === 0) break;

      const lines = ops.flatMap((op) => op.lines);
      if (groupLine) lines.push(groupLine);
      lines.sort((x, y) => x.n - y.n);
      const outcome = await runBatch(
        lines.map((l) => l.text),
        this.options,
      );
      // The group removal failed as a whole: plan again and remove one by one, each with its reason.
      const groupFailed = !!groupLine && outcome.lineErrors.has(groupLine.n);
      if (groupFailed) groupRemoval = false;
      const rollback: string[] = [];
      const pending: Op[] = [];
      for (const op of ops) {
        const errors = op.lines.filter((l) => outcome.lineErrors.has(l.n));
        if (errors.length === 0) {
          pending.push(op);
          continue;
        }
        settled.add(op.name);
        const users = op.target.state === "present" ? op.target.desired.users : [];
        // The first failing line is the cause (after a failed add, the alias line fails too).
        report.failed.push({ name: op.name, users, command: errors[0].text, error: outcome.lineErrors.get(errors[0].n) ?? "" });
        // Created but not marked: remove it again, or a restarted agent would take it for foreign.
        if (errors.every((l) => l.role === "alias")) rollback.push(`link del ${op.name}`);
      }
      if (rollback.length) await runBatch(rollback, this.options);

      if (!outcome.aborted && !groupFailed) {
        for (const op of pending) this.recordSuccess(op, report);
        break;
      }
      // iproute2 exited at some line without saying which: see what happened, blame the first
      // interface whose change is missing, and plan the rest again.
      links = await readLinks(this.options);
      const byName = new Map(links.map((a) => [a.name, a]));
      const missing = pending.filter((op) => {
        if (!achieved(op, byName)) return true;
        this.recordSuccess(op, report);
        return false;
      });
      // Lines run in order, so the interface that stopped ip is the missing one whose lines end
      // first (a removal by group ends at the group line).
      const lastLine = (op: Op) => Math.max(...op.lines.map((l) => l.n), op.target.state === "absent" && groupLine ? groupLine.n : 0);
      const culprit = outcome.aborted ? missing.sort((a, b) => lastLine(a) - lastLine(b))[0] : undefined;
      if (culprit) {
        settled.add(culprit.name);
        report.failed.push({
          name: culprit.name,
          users: culprit.target.state === "present" ? culprit.target.desired.users : [],
          command: (culprit.lines.find((l) => l.role === "add") ?? culprit.lines[0]).text,
          error: outcome.aborted ?? "",
        });
      }
      if (!culprit && !groupFailed) break;
      if (round === MAX_ROUNDS - 1) {
        const left = missing.filter((op) => !settled.has(op.name));
        for (const op of left) report.failed.push({ name: op.name, users: [], error: `not applied: ip -batch stopped early ${MAX_ROUNDS} times` });
      }
    }
    report.failed.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    report.created.sort();
    report.removed.sort();
    report.broughtUp.sort();
    return report;
  }

  private buildOps(
    create: DesiredInterface[],
    remove: ActualInterface[],
    bringUp: DesiredInterface[],
    addresses: Map<string, InterfaceAddress[]>,
    report: ReconcileReport,
    settled: Set<string>,
    useGroup: boolean,
  ): { ops: Op[]; groupLine?: Op["lines"][number] } {
    const ops = new Map<string, Op>();
    let n = 0;
    const blocked = new Set<string>();
    const addLines = new Map<string, string>();
    for (const d of create) {
      const line = addLine(d, addresses);
      if (typeof line === "string") addLines.set(d.name, line);
      else {
        blocked.add(d.name);
        settled.add(d.name);
        report.failed.push({ name: d.name, users: d.users, error: line.error });
      }
    }
    const op = (name: string, target: Target) => {
      const existing = ops.get(name);
      if (existing) {
        existing.target = target;
        return existing;
      }
      const created: Op = { name, target, lines: [] };
      ops.set(name, created);
      return created;
    };
    // Removals first, so a replaced interface's name is free when it is created again.
    const removals = remove.filter((a) => !blocked.has(a.name));
    for (const a of removals)
      op(a.name, { state: "absent" }).lines.push({ n: ++n, text: useGroup ? `link set ${a.name} group ${REMOVAL_GROUP}` : `link del ${a.name}`, role: "del" });
    const groupLine = useGroup && removals.length ? { n: ++n, text: `link del group ${REMOVAL_GROUP}`, role: "del" as const } : undefined;
    for (const d of create) {
      const line = addLines.get(d.name);
      if (!line) continue;
      const o = op(d.name, { state: "present", desired: d, action: "create" });
      o.lines.push({ n: ++n, text: line, role: "add" }, { n: ++n, text: `link set ${d.name} alias ${OWNER_ALIAS}`, role: "alias" });
    }
    for (const d of bringUp) op(d.name, { state: "present", desired: d, action: "bringUp" }).lines.push({ n: ++n, text: `link set ${d.name} up`, role: "up" });
    return { ops: [...ops.values()], groupLine };
  }

  private recordSuccess(op: Op, report: ReconcileReport): void {
    if (op.target.state === "absent") report.removed.push(op.name);
    else if (op.target.action === "create") report.created.push(op.name);
    else report.broughtUp.push(op.name);
  }
}
