// npm run bench:agent — the node agent's host interface reconcile against plain
// `ip -batch`, same run, same fresh network namespace: create 1,000 VxLAN host interfaces
// (NetworkIDs n0..n999, VNIs 1..1000, underlay p0) and delete them again.
//   agent     HostInterfaceAgent.reconcile(1,000 networks), then reconcile([])
//   ip-batch  the agent's own lines, precomputed: link add / alias in one `ip -n NS -batch -`, then
//             link set group / link del group in another — the ratio is the agent's overhead
//             (reading links and addresses, planning, parsing)
//   informational, once: deleting with one `link del NAME` line per interface (what a plain batch
//   does; the kernel then waits an RCU grace period per interface)
// Target: the agent within 2x of ip-batch. Needs root and iproute2.
import { execFileSync } from "node:child_process";
import type { NetworkObject } from "../server/domain/api/network";
import { desiredHostInterfaces, OWNER_ALIAS, vxlanEndpoints, VXLAN_UDP_PORT } from "../server/domain/hostInterfaces";
import { HostInterfaceAgent, REMOVAL_GROUP } from "../server/agent/hostInterfaceAgent";
import { readLinks } from "../server/agent/links";
import { createScratchNetns, scratchNetnsUnavailable } from "../server/agent/scratchNetns";

const COUNT = Number(process.env.BENCH_INTERFACES ?? 1000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const PER_NAME = process.env.BENCH_PER_NAME !== "0";
const TARGET_RATIO = 2;

const unavailable = scratchNetnsUnavailable();
if (unavailable) {
  console.error(`bench:agent cannot run: ${unavailable}`);
  process.exit(1);
}

const networks: NetworkObject[] = Array.from({ length: COUNT }, (_, i) => ({
  apiVersion: "danm.k8s.io/v1",
  kind: "ClusterNetwork",
  metadata: { name: `n${i}` },
  spec: { NetworkID: `n${i}`, NetworkType: "ipvlan", Options: { host_device: "p0", vxlan: i + 1 } },
}));

const ns = createScratchNetns(`tnt-bench-agent-${process.pid}`, { igmpMemberships: COUNT + 64 });
const ms = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;

async function vxlanCount(): Promise<number> {
  return (await readLinks({ netns: ns.name })).filter((l) => l.kind === "vxlan").length;
}

function ipBatch(lines: string[]): void {
  execFileSync("ip", ["-n", ns.name, "-batch", "-"], { input: lines.join("\n") + "\n", stdio: ["pipe", "ignore", "pipe"] });
}

async function baseline(perName = false): Promise<{ create: number; remove: number }> {
  const ends = (vni: number) => vxlanEndpoints(vni, [{ family: "inet", address: ns.address, scope: "global" }])!;
  const desired = desiredHostInterfaces(networks);
  const add = desired.flatMap((d) => {
    const e = ends(d.id);
    return [
      `link add ${d.name} up type vxlan id ${d.id} dev ${d.parent} dstport ${VXLAN_UDP_PORT} local ${e.local} group ${e.group} learning l2miss l3miss`,
      `link set ${d.name} alias ${OWNER_ALIAS}`,
    ];
  });
  const del = perName
    ? desired.map((d) => `link del ${d.name}`)
    : [...desired.map((d) => `link set ${d.name} group ${REMOVAL_GROUP}`), `link del group ${REMOVAL_GROUP}`];
  let t0 = process.hrtime.bigint();
  ipBatch(add);
  const create = ms(t0);
  if ((await vxlanCount()) !== COUNT) throw new Error("ip -batch did not create every interface");
  t0 = process.hrtime.bigint();
  ipBatch(del);
  const remove = ms(t0);
  if ((await vxlanCount()) !== 0) throw new Error("ip -batch did not delete every interface");
  return { create, remove };
}

async function agentRun(): Promise<{ create: number; remove: number }> {
  const agent = new HostInterfaceAgent({ netns: ns.name });
  let t0 = process.hrtime.bigint();
  const up = await agent.reconcile(networks);
  const create = ms(t0);
  if (up.created.length !== COUNT || up.failed.length || up.conflicts.length)
    throw new Error(
      `agent create: ${up.created.length} created, failures ${JSON.stringify(up.failed.slice(0, 3))}, conflicts ${JSON.stringify(up.conflicts.slice(0, 3))}`,
    );
  if ((await vxlanCount()) !== COUNT) throw new Error("agent did not create every interface");
  t0 = process.hrtime.bigint();
  const down = await agent.reconcile([]);
  const remove = ms(t0);
  if (down.removed.length !== COUNT || down.failed.length)
    throw new Error(`agent delete: ${down.removed.length} removed, failures ${JSON.stringify(down.failed.slice(0, 3))}`);
  if ((await vxlanCount()) !== 0) throw new Error("agent did not delete every interface");
  return { create, remove };
}

try {
  console.log(`bench:agent — ${COUNT} VxLAN host interfaces in namespace ${ns.name}, best of ${ROUNDS} rounds (alternating)`);
  const best = { agent: { create: Infinity, remove: Infinity }, base: { create: Infinity, remove: Infinity } };
  for (let r = 0; r < ROUNDS; r++) {
    const b = await baseline();
    const a = await agentRun();
    console.log(
      `  round ${r + 1}: ip-batch create ${b.create.toFixed(0)} ms, delete ${b.remove.toFixed(0)} ms | agent create ${a.create.toFixed(0)} ms, delete ${a.remove.toFixed(0)} ms`,
    );
    for (const k of ["create", "remove"] as const) {
      best.base[k] = Math.min(best.base[k], b[k]);
      best.agent[k] = Math.min(best.agent[k], a[k]);
    }
  }
  const baseTotal = best.base.create + best.base.remove;
  const agentTotal = best.agent.create + best.agent.remove;
  const ratio = agentTotal / baseTotal;
  if (PER_NAME) {
    const p = await baseline(true);
    console.log(
      `  informational: ip -batch with one "link del NAME" per interface: delete ${p.remove.toFixed(0)} ms (agent ${(p.remove / best.agent.remove).toFixed(0)}x faster)`,
    );
  }
  console.log(`ip -batch   create ${best.base.create.toFixed(0)} ms  delete ${best.base.remove.toFixed(0)} ms  total ${baseTotal.toFixed(0)} ms`);
  console.log(`agent       create ${best.agent.create.toFixed(0)} ms  delete ${best.agent.remove.toFixed(0)} ms  total ${agentTotal.toFixed(0)} ms`);
  console.log(
    `ratio agent / ip -batch: create ${(best.agent.create / best.base.create).toFixed(2)}x, delete ${(best.agent.remove / best.base.remove).toFixed(2)}x, total ${ratio.toFixed(2)}x (target <= ${TARGET_RATIO}x: ${ratio <= TARGET_RATIO ? "met" : "NOT met"})`,
  );
} finally {
  ns.remove();
}
