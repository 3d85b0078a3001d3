// npm run bench:webhook — tenet's webhook against a bare HTTPS server returning a fixed
// AdmissionReview, same machine, same run, same load: concurrency 32, keep-alive connections.
import { spawn, type ChildProcess } from "node:child_process";
import https from "node:https";
import path from "node:path";
import { selfSignedCert } from "../tools/testing/selfSignedCert";
import { benchMix } from "./webhookMix";
import { processCpuSeconds } from "./cpuAccounting";

const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const WARMUP_SECONDS = 2;
const tls = selfSignedCert();

function startServer(mode: string): Promise<{ child: ChildProcess; port: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        ...(process.env.BENCH_PROFILE && mode === "webhook" ? ["--cpu-prof", "--cpu-prof-dir=/tmp/wprof"] : []),
        "--import",
        "tsx",
        path.join(import.meta.dirname, "webhookServers.ts"),
        mode,
        tls.certFile,
        tls.keyFile,
      ],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    child.stdout!.once("data", (d) => resolve({ child, port: Number(String(d).trim()) }));
    child.once("exit", (code) => reject(new Error(`${mode} server exited with ${code}`)));
  });
}

function post(agent: https.Agent, port: number, pathName: string, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = https.request(
      {
        host: "127.0.0.1",
        port,
        path: pathName,
        method: "POST",
        agent,
        rejectUnauthorized: false,
        headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) },
      },
      (res) => {
        res.resume();
        res.on("end", () => (res.statusCode === 200 ? resolve(performance.now() - started) : reject(new Error(`HTTP ${res.statusCode}`))));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

async function load(port: number, bodies: string[], seconds: number, concurrency = CONCURRENCY) {
  const agent = new https.Agent({ keepAlive: true, maxSockets: concurrency });
  const latencies: number[] = [];
  const end = performance.now() + seconds * 1000;
  let i = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        const n = i++;
        latencies.push(await post(agent, port, n % 2 ? "/validate" : "/mutate", bodies[n % bodies.length]));
      }
    }),
  );
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))];
  return { rps: latencies.length / seconds, p50: q(0.5), p99: q(0.99), n: latencies.length };
}

const bodies = benchMix().filter((b) => !process.env.BENCH_SKIP || !b.includes(process.env.BENCH_SKIP));
const results: Record<string, Awaited<ReturnType<typeof load>>> = {};
/** CPU microseconds per request of the server and of this load generator, over the measured run. */
const cpu: Record<string, { server: number; client: number }> = {};
for (const mode of ["bare", "webhook"]) {
  const { child, port } = await startServer(mode);
  await load(port, bodies, WARMUP_SECONDS);
  const server0 = processCpuSeconds(child.pid!);
  const client0 = process.cpuUsage();
  results[mode] = await load(port, bodies, SECONDS);
  const client = process.cpuUsage(client0);
  cpu[mode] = { server: ((processCpuSeconds(child.pid!) - server0) * 1e6) / results[mode].n, client: (client.user + client.system) / results[mode].n };
  // service time without queueing: one request at a time
  results[`${mode}-serial`] = await load(port, bodies, Math.min(SECONDS, 4), 1);
  child.kill("SIGINT");
  await new Promise((r) => child.once("exit", r));
}
const fmt = (r: (typeof results)[string]) =>
  `${r.rps.toFixed(0).padStart(7)} req/s   p50 ${r.p50.toFixed(2).padStart(6)} ms   p99 ${r.p99.toFixed(2).padStart(6)} ms   (${r.n} requests)`;
const ratio = results.webhook.rps / results.bare.rps;
console.log(
  `webhook benchmark: ${bodies.length} AdmissionReviews (all kinds, allowed and denied), concurrency ${CONCURRENCY}, ${SECONDS}s each after ${WARMUP_SECONDS}s warm-up`,
);
console.log(`  bare HTTPS server   ${fmt(results.bare)}`);
console.log(`  tenet webhook       ${fmt(results.webhook)}`);
console.log(`  throughput ratio    ${ratio.toFixed(2)}x of the bare server (target >= 0.70)`);
console.log(
  `  webhook p99         ${results.webhook.p99.toFixed(2)} ms at concurrency ${CONCURRENCY} (target < 5 ms); the bare server's own p99 is ${results.bare.p99.toFixed(2)} ms`,
);
// On a busy machine the two runs get different shares of the CPU; CPU time per request depends less on that (not at all only on idle cores).
const perRequest = (c: { server: number; client: number }) => c.server + c.client;
console.log(
  `  CPU per request     bare server ${cpu.bare.server.toFixed(0)} us, webhook ${cpu.webhook.server.toFixed(0)} us; load generator ${cpu.bare.client.toFixed(0)} / ${cpu.webhook.client.toFixed(0)} us; ratio on dedicated cores ~${(perRequest(cpu.bare) / perRequest(cpu.webhook)).toFixed(2)}x`,
);
console.log(
  `  one at a time       bare p50 ${results["bare-serial"].p50.toFixed(2)} ms p99 ${results["bare-serial"].p99.toFixed(2)} ms; webhook p50 ${results["webhook-serial"].p50.toFixed(2)} ms p99 ${results["webhook-serial"].p99.toFixed(2)} ms`,
);
