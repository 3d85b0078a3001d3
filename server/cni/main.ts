// The danm CNI plugin's entry point: reads the environment and the netconf on stdin, runs the
// command, prints the result (or a CNI error JSON with a non-zero exit). Bundled into one executable
// by build.ts; the Kubernetes client is imported only by commands that need the API server, so
// VERSION starts fast.
import os from "node:os";
import { errorJson, parseNetConf, readEnvironment, versionResult, type DanmNetConf } from "./protocol";
import { encodeResult } from "./result";
import type { PluginRun } from "./del";

const IPAM_RETRY = { deadlineMs: 180_000, maxAttempts: 2_000, baseDelayMs: 20, maxDelayMs: 2_000 };

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

async function pluginRun(env: ReturnType<typeof readEnvironment>, conf: DanmNetConf): Promise<PluginRun> {
  const [{ kubeDanmApi }, { NetworkIpam }] = await Promise.all([import("./kubeDanmApi"), import("./ipam")]);
  const api = kubeDanmApi(conf.kubeconfig);
  return {
    env,
    conf,
    api,
    // A burst of pods on one network makes many plugin runs race for its bitmap; each keeps retrying
    // within the runtime's patience (CRI runtimes give a sandbox 4 min) rather than the 30 s default.
    ipam: new NetworkIpam({ get: api.getNetwork, replace: api.replaceNetwork }, { retry: IPAM_RETRY }),
    host: process.env.NODE_NAME || os.hostname(),
    log: (line) => process.stderr.write(`danm: ${line}\n`),
  };
}

async function main(): Promise<number | undefined> {
  let cniVersion = "1.0.0";
  try {
    const env = readEnvironment(process.env);
    const stdin = env.command === "VERSION" && process.stdin.isTTY ? "{}" : await readStdin();
    const conf = parseNetConf(stdin || "{}", env.command);
    cniVersion = conf.cniVersion;
    switch (env.command) {
      case "VERSION":
        process.stdout.write(JSON.stringify(versionResult(cniVersion)) + "\n");
        return 0;
      case "ADD": {
        const { runAdd } = await import("./add");
        const result = await runAdd(await pluginRun(env, conf));
        process.stdout.write(JSON.stringify(encodeResult(result, conf.cniVersion)) + "\n");
        return 0;
      }
      case "DEL": {
        const { runDel } = await import("./del");
        await runDel(await pluginRun(env, conf));
        return 0;
      }
      case "CHECK": {
        const { runCheck } = await import("./add");
        await runCheck(await pluginRun(env, conf));
        return 0;
      }
    }
  } catch (e) {
    process.stdout.write(JSON.stringify(errorJson(e, cniVersion)) + "\n");
    return 1;
  }
}

main().then((code) => process.exit(code ?? 0));
