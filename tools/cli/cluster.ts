import path from "node:path";
import { clusterDown, clusterStatus, clusterUp, DEMO_USERS, kubeconfigPath } from "./localCluster";

const PEOPLE = ["netadmin", "alice", "bob", "olga"];

export async function runCluster(argv: string[]): Promise<number> {
  const [sub, arg] = argv;
  const say = (l: string) => process.stderr.write(`${l}\n`);
  switch (sub) {
    case "up": {
      const cluster = await clusterUp({ say });
      const rel = (f: string) => path.relative(process.cwd(), f);
      process.stdout.write(
        [
          "",
          `tenet is running on a local Kubernetes API server at ${cluster.controlPlane.server}`,
          "",
          "Use it with kubectl as one of the demo users:",
          ...PEOPLE.map((u) => `  ${u.padEnd(9)} (${DEMO_USERS[u]})  export KUBECONFIG=${rel(cluster.kubeconfig(u))}`),
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
    case "build": {
      const { ensureControlPlaneBinary } = await import("./controlplaneBinary");
      const { defaultHome } = await import("./localCluster");
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
      process.stderr.write("usage: tenet cluster up | down | status | build | kubeconfig USER\n");
      return 2;
  }
}
