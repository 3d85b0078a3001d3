// The frame of a benchmark on its own local cluster (bench:ipam, bench:cni): an ephemeral control
// plane with tenet's CRDs, webhook and seed data but no controllers (the leak reconciler would free
// addresses the benchmark holds without DanmEps, and only what is measured should write), removed
// with its home when the benchmark ends, fails or is stopped with Ctrl-C.
import fs from "node:fs";
import { clusterDown, clusterUp, type LocalCluster } from "../tools/cli/localCluster";

export interface BenchClusterHooks {
  /** Undoes what the benchmark made outside the cluster (host devices, namespaces); runs first. */
  cleanUp?: () => void | Promise<void>;
  /** Seams for tests. */
  up?: typeof clusterUp;
  down?: typeof clusterDown;
  exit?: (code: number) => void;
}

/** Runs `bench` on a fresh cluster in `home`; a failure is printed and sets the exit code 1. */
export async function runOnBenchCluster(home: string, bench: (cluster: LocalCluster) => Promise<void>, hooks: BenchClusterHooks = {}): Promise<void> {
  const { cleanUp = () => {}, up = clusterUp, down = clusterDown, exit = (code: number) => process.exit(code) } = hooks;
  let tornDown: Promise<void> | undefined;
  const tearDown = () =>
    (tornDown ??= (async () => {
      await cleanUp();
      await down(home);
      fs.rmSync(home, { recursive: true, force: true });
    })());
  const onSignal = (signal: NodeJS.Signals) => {
    process.stderr.write(`\n${signal}: tearing the benchmark's cluster down\n`);
    void tearDown().finally(() => exit(130));
  };
  const signals = ["SIGINT", "SIGTERM"] as const;
  for (const s of signals) process.once(s, onSignal);
  try {
    const started = performance.now();
    const cluster = await up({ home, ephemeral: true, seed: true, controllers: false, say: (l) => process.stderr.write(`[cluster] ${l}\n`) });
    process.stderr.write(`[cluster] ready in ${((performance.now() - started) / 1000).toFixed(1)}s\n`);
    await bench(cluster);
  } catch (e) {
    process.exitCode = 1;
    console.error(e);
  } finally {
    await tearDown();
    for (const s of signals) process.off(s, onSignal);
  }
}
