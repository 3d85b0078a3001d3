// What the e2e global setup started, as the tests see it: the console's address, the temporary home
// of the cluster (kubeconfigs, state, logs) and the demo accounts' passwords. Written by
// globalSetup.ts to <home>/e2e-stack.json; TENET_E2E_STACK names that file for the test workers.
import fs from "node:fs";
import path from "node:path";

export interface E2eStack {
  /** http://127.0.0.1:<port> of `next start` */
  baseURL: string;
  /** the cluster's temporary home (tools/cli/localCluster.ts layout) */
  home: string;
  /** console account name → password (<home>/demo-accounts.json) */
  passwords: Record<string, string>;
  /** pid of `next start` */
  nextPid: number;
}

export const STACK_ENV = "TENET_E2E_STACK";

export function kubeconfigOf(stack: E2eStack, user: string): string {
  return path.join(stack.home, "cluster", "kubeconfigs", `${user}.kubeconfig`);
}

export function writeStack(stack: E2eStack): string {
  const file = path.join(stack.home, "e2e-stack.json");
  fs.writeFileSync(file, `${JSON.stringify(stack, null, 2)}\n`, { mode: 0o600 });
  process.env[STACK_ENV] = file;
  return file;
}

export function readStack(): E2eStack {
  const file = process.env[STACK_ENV];
  if (!file) throw new Error(`${STACK_ENV} is not set: run the browser tests with \`npx playwright test\` (e2e/globalSetup.ts starts the stack)`);
  return JSON.parse(fs.readFileSync(file, "utf8")) as E2eStack;
}
