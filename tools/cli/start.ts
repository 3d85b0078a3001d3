// `npm start`: the console on the local default. With KUBECONFIG set (or in-cluster) it uses that
// cluster; otherwise it brings up the local control plane with tenet installed first.
import { spawn, spawnSync } from "node:child_process";
import path from "node:path";
import { REPO_ROOT } from "./controlplaneBinary";
import { clusterUp, defaultHome, seedDemoWorkload } from "./localCluster";
import { consoleDatabaseUrl, readDemoPasswords } from "./consoleAccounts";
import { DEMO_ACCOUNTS } from "./demoUsers";

export async function runStart(argv: string[]): Promise<number> {
  const say = (l: string) => process.stderr.write(`${l}\n`);
  const port = process.env.PORT ?? argv.find((a) => /^\d+$/.test(a)) ?? "3000";
  const env: NodeJS.ProcessEnv = { ...process.env };
  if (process.env.KUBECONFIG || process.env.KUBERNETES_SERVICE_HOST) {
    say(`using the cluster of ${process.env.KUBECONFIG ? `KUBECONFIG=${process.env.KUBECONFIG}` : "this Pod's service account"}`);
    env.TENET_CONSOLE_KUBECONFIG ??= process.env.KUBECONFIG ?? "";
  } else {
    const cluster = await clusterUp({ say, nodes: "real" });
    if (cluster.realNodes) await seedDemoWorkload(cluster, say);
    env.TENET_CLUSTER_STATE = path.join(cluster.home, "cluster", "state.json");
    env.DATABASE_URL ??= consoleDatabaseUrl(cluster.home);
    say(`local cluster ready; kubectl as alice: export KUBECONFIG=${path.relative(process.cwd(), cluster.kubeconfig("alice"))}`);
    const passwords = readDemoPasswords(cluster.home) ?? {};
    say("sign in to the console as:");
    for (const a of DEMO_ACCOUNTS) say(`  ${a.padEnd(9)} password ${passwords[a]}`);
  }
  const { applyMigrations } = await import("../../server/db/migrate");
  const applied = await applyMigrations(env.DATABASE_URL ?? undefined);
  if (applied.length) say(`database: applied ${applied.join(", ")}`);
  const next = path.join(REPO_ROOT, "node_modules", ".bin", "next");
  say("building the console …");
  const build = spawnSync(next, ["build"], { cwd: REPO_ROOT, stdio: ["ignore", "ignore", "inherit"], env: { ...env, NEXT_TELEMETRY_DISABLED: "1" } });
  if (build.status !== 0) {
    say("next build failed");
    return 1;
  }
  say(
    `console: http://127.0.0.1:${port}   (stop with Ctrl-C; the cluster keeps running until \`npx tenet cluster down\`, data in ${path.relative(process.cwd(), defaultHome())})`,
  );
  const server = spawn(next, ["start", "-H", "127.0.0.1", "-p", port], { cwd: REPO_ROOT, stdio: "inherit", env: { ...env, NEXT_TELEMETRY_DISABLED: "1" } });
  const stop = () => server.kill("SIGTERM");
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  return new Promise((resolve) => server.on("exit", (code) => resolve(code ?? 0)));
}
