// npm run bench:console — how fast the console's two heaviest views become interactive in headless
// Chromium, against an empty signed-in page of the same app, same server, same run:
//   address map   /usage/network of a TenantNetwork /16 with 30,000 addresses held by DanmEps:
//                 until the canvas is drawn and pointing at an address shows its holder
//   network list  /networks?ns=team-a with 5,000 TenantNetworks: until the first rows are shown
//   baseline      / (the signed-in landing page): until the page shell shows who is signed in
// Targets (issue): address map under 1 s, network list under 0.5 s on this machine.
//
// It brings up everything itself: a local cluster in a temporary home (no controllers), the seed
// data (networks through the API server and webhook as the admin; the /16's alloc bitmap written
// directly with 30,000 bits set, then one DanmEp per address created with parallel requests), a
// production build of the console (`next build` into .next-bench) and `next start` on a free port.
//   BENCH_RUNS=5             measured loads per page (the median is reported), after one warm-up
//   BENCH_REUSE_BUILD=1      skip `next build` when .next-bench already holds a build
//   BENCH_KEEP=1             keep the temporary home (logs) afterwards
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { chromium, type BrowserContext } from "playwright-core";
import { Bitmap } from "../server/domain/bitmap";
import type { NetworkObject } from "../server/domain/api/network";
import { danmPath } from "../server/kube/access";
import { KubeRest } from "../server/kube/rest";
import { readDemoPasswords } from "../tools/cli/consoleAccounts";
import { REPO_ROOT } from "../tools/cli/controlplaneBinary";
import { clusterDown, clusterUp } from "../tools/cli/localCluster";
import { buildConsole, startConsole, stopConsole } from "../tools/testing/consoleServer";
import { makeTestHome } from "../tools/testing/testHome";

const DIST_DIR = ".next-bench";
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const NETWORKS = 5_000;
const HELD = 30_000;
const LIST_NS = "team-a";
const MAP_NS = "team-b";
const MAP_NET = "bench-map";
const TARGET_MAP_MS = 1_000;
const TARGET_LIST_MS = 500;
const say = (line: string) => process.stderr.write(`[bench] ${line}\n`);
const server = { distDir: DIST_DIR, say };

/** Runs `task(i)` for i in [0, n) with `width` in flight. */
async function parallel(n: number, width: number, task: (i: number) => Promise<unknown>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < n) await task(next++);
    }),
  );
}

const v4 = (n: number) => `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;

async function seed(admin: KubeRest) {
  let started = Date.now();
  const tenantNetwork = (namespace: string, name: string, cidr: string) => ({
    apiVersion: "danm.k8s.io/v1",
    kind: "TenantNetwork",
    metadata: { name, namespace },
    spec: { NetworkType: "ipvlan", Options: { host_device: "bond2", cidr } },
  });
  await parallel(NETWORKS, 16, (i) =>
    admin.call(danmPath("TenantNetwork", LIST_NS), {
      method: "POST",
      body: tenantNetwork(LIST_NS, `bench-${String(i).padStart(4, "0")}`, `10.${100 + (i >> 8)}.${i & 255}.0/24`),
    }),
  );
  say(`created ${NETWORKS} TenantNetworks in ${LIST_NS} in ${((Date.now() - started) / 1000).toFixed(1)}s`);

  // the /16: 30,000 addresses set in its bitmap (as IPAM would after 30,000 dynamic allocations)
  started = Date.now();
  const created = await admin.call<NetworkObject>(danmPath("TenantNetwork", MAP_NS), { method: "POST", body: tenantNetwork(MAP_NS, MAP_NET, "10.200.0.0/16") });
  const o = created.spec!.Options!;
  const bitmap = Bitmap.decode(o.alloc!);
  const base = (10 << 24) | (200 << 16);
  for (let i = 1; i <= HELD; i++) bitmap.set(i);
  const updated = {
    ...created,
    spec: { ...created.spec, Options: { ...o, alloc: bitmap.encode(), allocation_pool: { ...o.allocation_pool, lastIp: v4(base + HELD) } } },
  };
  await admin.call(danmPath("TenantNetwork", MAP_NS, MAP_NET), { method: "PUT", body: updated });
  await parallel(HELD, 32, (k) =>
    admin.call(danmPath("DanmEp", MAP_NS), {
      method: "POST",
      body: {
        apiVersion: "danm.k8s.io/v1",
        kind: "DanmEp",
        metadata: { name: `bench-ep-${k + 1}`, namespace: MAP_NS },
        spec: {
          NetworkName: MAP_NET,
          apiType: "TenantNetwork",
          NetworkType: "ipvlan",
          Pod: `bench-pod-${k + 1}`,
          Host: "node-1",
          Interface: { Name: "eth1", Address: `${v4(base + k + 1)}/16` },
        },
      },
    }),
  );
  say(`set ${HELD} bits in ${MAP_NS}/${MAP_NET}'s alloc and created ${HELD} DanmEps holding them in ${((Date.now() - started) / 1000).toFixed(1)}s`);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Loads `url` in a fresh tab of the signed-in context; ms from navigation start until `ready` resolves. */
/** Milestones of one address map load, in ms after navigation start. */
interface MapMarks {
  requestSent: number[];
  responseEnd: number[];
  drawn: number[];
}

let navigationStart = 0;

/** Loads `url` in a fresh tab of the signed-in context; ms from navigation start until `ready` resolves. */
async function timeLoad(
  context: BrowserContext,
  url: string,
  ready: (page: import("playwright-core").Page) => Promise<unknown>,
  marks?: MapMarks,
): Promise<number> {
  const page = await context.newPage();
  if (marks) {
    page.on("requestfinished", (request) => {
      if (!/\/api\/trpc\/[^?]*usage\.network/.test(request.url())) return;
      const t = request.timing();
      marks.requestSent.push(t.startTime + Math.max(0, t.requestStart) - navigationStart);
      marks.responseEnd.push(t.startTime + t.responseEnd - navigationStart);
    });
  }
  try {
    const t0 = performance.now();
    navigationStart = Date.now();
    await page.goto(url, { waitUntil: "commit" });
    await ready(page);
    return performance.now() - t0;
  } finally {
    await page.close();
  }
}

async function main() {
  const home = makeTestHome("tenet-bench-console-");
  say(`home ${home}`);
  let nextPid: number | undefined;
  let browser: import("playwright-core").Browser | undefined;
  try {
    // the build and the cluster use different resources much of the time: run them together
    const [cluster] = await Promise.all([
      clusterUp({ home, ephemeral: true, seed: true, controllers: false, say: (l) => say(`[cluster] ${l}`) }),
      buildConsole(home, { ...server, reuse: process.env.BENCH_REUSE_BUILD === "1" }),
    ]);
    const admin = await KubeRest.fromFile(cluster.controlPlane.kubeconfigs.admin);
    await seed(admin);
    await admin.close();
    const passwords = readDemoPasswords(home);
    if (!passwords) throw new Error(`no demo accounts in ${home}/demo-accounts.json`);
    const { child, baseURL } = await startConsole(home, server);
    nextPid = child.pid;

    browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--headless", "--no-sandbox", "--disable-gpu"] });
    const context = await browser.newContext({ viewport: { width: 1400, height: 1100 } });
    const signin = await context.newPage();
    await signin.goto(`${baseURL}/signin`);
    await signin.fill("#name", "olga");
    await signin.fill("#password", passwords.olga);
    await signin.getByRole("button", { name: "Sign in" }).click();
    await signin.waitForURL((u) => !u.pathname.startsWith("/signin"));
    await signin.close();

    const mapMarks: MapMarks = { requestSent: [], responseEnd: [], drawn: [] };
    const mapUrl = `${baseURL}/usage/network?kind=TenantNetwork&namespace=${MAP_NS}&name=${MAP_NET}`;
    const listUrl = `${baseURL}/networks?ns=${LIST_NS}`;
    const baseline = (page: import("playwright-core").Page) => page.getByTestId("whoami").waitFor({ timeout: 60_000 });
    const mapReady = async (page: import("playwright-core").Page) => {
      const canvas = page.locator('[data-testid="address-map"][data-ready="true"]');
      await canvas.waitFor({ timeout: 60_000 });
      mapMarks.drawn.push(Date.now() - navigationStart);
      // interactive: pointing at an address shows its holder (10.200.1.1 = index 257 = column 1 of row 1)
      const box = (await canvas.boundingBox())!;
      const cell = box.width / 256;
      await page.mouse.move(box.x + 1.5 * cell, box.y + 1.5 * cell);
      await page.getByTestId("address-detail-holder").filter({ hasText: "bench-pod-257" }).waitFor({ timeout: 10_000 });
    };
    const listExists = fs.existsSync(path.join(REPO_ROOT, "app/(console)/networks/page.tsx"));
    const listReady = listExists
      ? (page: import("playwright-core").Page) => page.locator('[data-testid="network-list"] [data-testid="network-row"]').first().waitFor({ timeout: 60_000 })
      : (page: import("playwright-core").Page) => page.getByTestId("network-usage-row").first().waitFor({ timeout: 60_000 });
    const listTarget = listExists ? listUrl : `${baseURL}/usage`;

    // warm-up: compiles nothing (production build) but fills caches (shared DanmEp watch, JS chunks)
    say("warming up");
    for (const [url, ready] of [
      [`${baseURL}/`, baseline],
      [mapUrl, mapReady],
      [listTarget, listReady],
    ] as const)
      await timeLoad(context, url, ready);
    const results: Record<"baseline" | "map" | "list", number[]> = { baseline: [], map: [], list: [] };

    for (let r = 0; r < RUNS; r++) {
      results.baseline.push(await timeLoad(context, `${baseURL}/`, baseline));
      results.map.push(await timeLoad(context, mapUrl, mapReady, mapMarks));
      results.list.push(await timeLoad(context, listTarget, listReady));
    }
    const b = median(results.baseline);
    const m = median(results.map);
    const l = median(results.list);
    const row = (name: string, xs: number[], target?: number) => {
      const med = median(xs);
      const verdict = target === undefined ? "" : med <= target ? `  meets the ${target} ms target` : `  MISSES the ${target} ms target`;
      return `${name.padEnd(58)}${med.toFixed(0).padStart(7)} ms  (runs ${xs.map((x) => x.toFixed(0)).join(", ")})  ${(med / b).toFixed(2).padStart(5)}× baseline${verdict}`;
    };
    const lines = [
      `Console benchmark: headless Chromium against \`next start\` (production build), local kube-apiserver + etcd + webhook on ${os.cpus().length} cores; median of ${RUNS} loads after a warm-up, each in a fresh tab of a signed-in session (olga)`,
      "",
      row("baseline: / (signed-in shell, who is signed in)", results.baseline),
      row(`address map: /16, ${HELD.toLocaleString("en")} used, until hover shows a holder`, results.map, TARGET_MAP_MS),
      `  medians after navigation start: data request (usage.network, ~1.1 MB: bitmap + 30,000 holders) sent ${median(mapMarks.requestSent.slice(-RUNS)).toFixed(0)} ms, answered ${median(mapMarks.responseEnd.slice(-RUNS)).toFixed(0)} ms; canvas drawn ${median(mapMarks.drawn.slice(-RUNS)).toFixed(0)} ms`,
      row(
        listExists
          ? `network list: /networks?ns=${LIST_NS}, ${NETWORKS.toLocaleString("en")} TenantNetworks, first rows`
          : `usage table (no /networks page yet): ${NETWORKS.toLocaleString("en")} networks`,
        results.list,
        TARGET_LIST_MS,
      ),
      `machine load (1-min average) ${os.loadavg()[0].toFixed(1)} at the end: other work on these ${os.cpus().length} cores slows every row alike`,
      "",
      `ratios: address map ${(m / b).toFixed(2)}× baseline, network list ${(l / b).toFixed(2)}× baseline`,
    ];
    process.stdout.write(`${lines.join("\n")}\n`);
  } finally {
    await browser?.close().catch(() => undefined);
    await stopConsole(nextPid);
    await clusterDown(home);
    if (process.env.BENCH_KEEP === "1") say(`kept ${home}`);
    else fs.rmSync(home, { recursive: true, force: true });
  }
}

await main();
