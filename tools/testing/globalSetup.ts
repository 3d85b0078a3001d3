// vitest global setup of the integration project: one real control plane per run, torn down after.
import fs from "node:fs";
import type { TestProject } from "vitest/node";
import { clusterDown, clusterUp, type ControlPlaneState } from "../cli/localCluster";
import { makeTestHome } from "./testHome";

export interface TestCluster {
  home: string;
  controlPlane: ControlPlaneState;
  webhookPort: number;
}

declare module "vitest" {
  export interface ProvidedContext {
    cluster: TestCluster;
  }
}

export default async function setup(project: TestProject) {
  const home = makeTestHome("tenet-it-");
  const started = Date.now();
  const cluster = await clusterUp({ home, ephemeral: true, controllers: false, say: (l) => process.stderr.write(`[cluster] ${l}\n`) });
  process.stderr.write(`[cluster] ready for integration tests in ${((Date.now() - started) / 1000).toFixed(1)}s\n`);
  project.provide("cluster", { home, controlPlane: cluster.controlPlane, webhookPort: cluster.webhookPort });
  return async () => {
    await clusterDown(home);
    fs.rmSync(home, { recursive: true, force: true });
  };
}
