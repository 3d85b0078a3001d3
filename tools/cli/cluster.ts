import path from "node:path";
import { parseArgs } from "node:util";
import { DEMO_ACCOUNTS, DEMO_PEOPLE, DEMO_USERS } from "./demoUsers";
import { clusterDown, clusterStatus, clusterUp, defaultHome, kubeconfigPath, seedDemoWorkload, type UpOptions } from "./localCluster";

export async function runCluster(argv: string[]): Promise<number> {
  const [sub, arg] = argv;
  const say = (l: string) => process.stderr.write(`${l}\n`);
  switch (sub) {
    case "up": {
      const nodes = upNodeOptions(argv.slice(1));
      if (typeof nodes === "string") {
        process.stderr.write(`${nodes}\nusage: tenet cluster up [--nodes N] [--simulated]\n`);
        return 2;
      }
      const cluster = await clusterUp({ say, ...nodes });
      if (cluster.realNodes) await seedDemoWorkload(cluster, say);
      const rel = (f: string) => path.relative(process.cwd(), f);
      process.stdout.write(
        [
          "",
          `tenet is running on a local Kubernetes API server at ${cluster.controlPlane.server}`,
          "",
          "Use it with kubectl as one of the demo users:",
          ...DEMO_ACCOUNTS.map((u) => `  ${u.padEnd(9)} (${DEMO_PEOPLE[u]})  export KUBECONFIG=${rel(cluster.kubeconfig(u))}`),
          `  admin     (system:masters)   export KUBECONFIG=${rel(cluster.kubeconfig("admin"))}`,
          "",
          "For example, as alice (tenant of team-a):",
          `  kubectl --kubeconfig ${rel(cluster.kubeconfig("alice"))} -n team-a apply -f examples/tenantnetworks.yaml`,
          `  kubectl --kubeconfig ${rel(cluster.kubeconfig("alice"))} -n team-a get tenantnetworks`,
          "",
          "Stop it with: npx tenet cluster down",
          "",
        ].join("\n"),
      );
      return 0;
    }
    case "load-image": {
      if (!arg) {
        process.stderr.write(
          "usage: tenet cluster load-image FILE   (an OCI or docker image archive, e.g. from `docker save` or `skopeo copy ... oci-archive:FILE`)\n",
        );
        return 2;
      }
      const { loadImageIntoNodes } = await import("./realNodes");
      try {
        for (const line of loadImageIntoNodes(defaultHome(), arg)) process.stdout.write(`${line}\n`);
      } catch (e) {
        process.stderr.write(`tenet cluster load-image: ${(e as Error).message}\n`);
        return 1;
      }
      return 0;
    }
    case "build": {
      const { ensureControlPlaneBinary } = await import("./controlplaneBinary");
      const binary = await ensureControlPlaneBinary(path.join(defaultHome(), "bin"), say);
      process.stdout.write(`${path.relative(process.cwd(), binary)}\n`);
      return 0;
    }
    case "down": {
      const stopped = await clusterDown();
      process.stdout.write(stopped.length ? `stopped ${stopped.join(" and ")}\n` : "nothing was running\n");
      return 0;
    }
    case "status":
      process.stdout.write((await clusterStatus()).join("\n") + "\n");
      return 0;
    case "kubeconfig": {
      if (!arg) {
        process.stderr.write(`usage: tenet cluster kubeconfig USER (one of admin, ${Object.keys(DEMO_USERS).join(", ")})\n`);
        return 2;
      }
      const file = kubeconfigPath(arg);
      if (!file) {
        process.stderr.write(`no kubeconfig for "${arg}"; run \`npx tenet cluster up\` first (users: admin, ${Object.keys(DEMO_USERS).join(", ")})\n`);
        return 1;
      }
      process.stdout.write(`${file}\n`);
      return 0;
    }
    default:
      process.stderr.write("usage: tenet cluster up [--nodes N] [--simulated] | down | status | build | kubeconfig USER | load-image FILE\n");
      return 2;
  }
}

/** `cluster up` flags: real nodes by default (2), --nodes N of them, or --simulated agent-only nodes. A string is a usage error. */
export function upNodeOptions(argv: string[]): Pick<UpOptions, "nodes" | "nodeCount"> | string {
  let values: { nodes?: string; simulated?: boolean };
  try {
    ({ values } = parseArgs({ args: argv, options: { nodes: { type: "string" }, simulated: { type: "boolean" } }, strict: true }));
  } catch (e) {
    return (e as Error).message;
  }
  if (values.simulated) return values.nodes === undefined ? { nodes: "simulated" } : "--nodes counts real nodes; --simulated always starts node-1..3";
  if (values.nodes === undefined) return { nodes: "real" };
  const count = Number(values.nodes);
  if (!Number.isInteger(count) || count < 1 || count > 8) return `--nodes must be a whole number from 1 to 8, not "${values.nodes}"`;
  return { nodes: "real", nodeCount: count };
}
