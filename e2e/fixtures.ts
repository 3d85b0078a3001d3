// What every browser test gets: the stack the global setup started, sign-in through the real form,
// kubectl as any demo user of the test cluster, screenshots for the docs, and the live-update status
// of an open page, its live messages and its console API requests still waiting for an answer.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { test as base, expect, type Browser, type Page } from "@playwright/test";
import { kubeconfigOf, readStack, type E2eStack } from "./stack";

export const SCREENSHOT_DIR = path.resolve(import.meta.dirname, "..", "docs", "screenshots");

export interface KubectlResult {
  status: number;
  stdout: string;
  stderr: string;
}

export interface KubectlOptions {
  /** written to kubectl's stdin (for `-f -`) */
  input?: string;
  /** throw when kubectl fails (default true) */
  check?: boolean;
}

export type Kubectl = (user: string, args: string[], options?: KubectlOptions) => KubectlResult;

/** kubectl as `user` (admin, netadmin, alice, bob, olga) against the test cluster. */
export function kubectlFor(stack: E2eStack): Kubectl {
  return (user, args, options = {}) => {
    const r = spawnSync("/usr/bin/kubectl", args, {
      env: { ...process.env, KUBECONFIG: kubeconfigOf(stack, user) },
      input: options.input,
      encoding: "utf8",
      timeout: 30_000,
      maxBuffer: 256 * 1024 * 1024,
    });
    const result = { status: r.status ?? -1, stdout: r.stdout ?? "", stderr: `${r.stderr ?? ""}${r.error ? `\n${r.error.message}` : ""}` };
    if (options.check !== false && result.status !== 0)
      throw new Error(`kubectl ${args.join(" ")} as ${user} failed (${result.status}): ${result.stderr.trim()}`);
    return result;
  };
}

/** Signs in through the /signin form and waits for the app shell to name the person. */
export async function signIn(page: Page, stack: E2eStack, user: string): Promise<void> {
  const password = stack.passwords[user];
  if (!password) throw new Error(`no console account ${user} (accounts: ${Object.keys(stack.passwords).join(", ")})`);
  await page.goto("/signin");
  await page.locator("#name").fill(user);
  await page.locator("#password").fill(password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page.getByTestId("whoami")).toContainText(user);
}

/** The number of live changes the page has received (LiveUpdates' data-changes). */
export async function liveChanges(page: Page): Promise<number> {
  return Number(await page.getByTestId("live-status").getAttribute("data-changes"));
}

/**
 * Waits until the page's live subscription is connected and quiet: the status says "live" and the
 * change count has not moved for `quietMs` (the first subscriber of a fresh console sees the shared
 * watches' initial lists as changes). Returns the count.
 */
export async function liveSettled(page: Page, quietMs = 1_000): Promise<number> {
  await expect(page.getByTestId("live-status")).toHaveText("live");
  let last = await liveChanges(page);
  for (let since = Date.now(); Date.now() - since < quietMs;) {
    await page.waitForTimeout(100);
    const now = await liveChanges(page);
    if (now !== last) {
      last = now;
      since = Date.now();
    }
  }
  return last;
}

/**
 * Records every message of the page's live stream (an EventSource), from its next navigation on.
 * A test that asserts a change did not reach a page waits for a later change that must reach it:
 * changes of one kind arrive in order, so when the later one is there, the earlier would be too.
 */
export async function recordLiveMessages(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const w = window as unknown as { __e2eLive: string[]; EventSource: typeof EventSource };
    w.__e2eLive = [];
    const Original = w.EventSource;
    w.EventSource = class extends Original {
      constructor(url: string | URL, init?: EventSourceInit) {
        super(url, init);
        const record = (e: Event) => w.__e2eLive.push((e as MessageEvent).data as string);
        this.addEventListener("message", record);
        for (const type of ["serialized-error", "connected", "ping"]) this.addEventListener(type, record);
      }
    } as typeof EventSource;
  });
}

/** The live messages the page has received since recordLiveMessages and its last navigation. */
export async function liveMessages(page: Page): Promise<string[]> {
  return page.evaluate(() => (window as unknown as { __e2eLive?: string[] }).__e2eLive ?? []);
}

/** Waits until a live message naming `name` has reached the page. */
export async function liveMessageArrives(page: Page, name: string, timeout = 5_000): Promise<void> {
  await expect
    .poll(async () => (await liveMessages(page)).some((m) => m.includes(name)), { message: `a live change naming ${name}`, timeout, intervals: [25, 50, 100] })
    .toBe(true);
}

/**
 * Counts the page's console API requests that have no answer yet (the live stream, which never
 * ends, left out); `answered()` waits until every one has its answer.
 */
export function trackApiRequests(page: Page): { answered(): Promise<void> } {
  const open = new Set<unknown>();
  page.on("request", (r) => {
    if (r.url().includes("/api/") && r.resourceType() !== "eventsource") open.add(r);
  });
  page.on("requestfinished", (r) => void open.delete(r));
  page.on("requestfailed", (r) => void open.delete(r));
  return { answered: () => expect.poll(() => open.size, { message: "console API requests without an answer", intervals: [25, 50, 100] }).toBe(0) };
}

interface Fixtures {
  stack: E2eStack;
  /** Signs `page` in as `user` through the form. */
  signIn: (page: Page, user: string) => Promise<void>;
  /** kubectl as `user`, KUBECONFIG=<home>/cluster/kubeconfigs/<user>.kubeconfig */
  kubectl: Kubectl;
  /** A new browser context (own cookies) signed in as `user`; closed after the test. */
  pageAs: (user: string) => Promise<Page>;
  /** Writes docs/screenshots/<name>.png at 1280×800 (`screenshot` is Playwright's own option). */
  saveScreenshot: (page: Page, name: string) => Promise<string>;
}

async function newContextPage(browser: Browser, baseURL: string) {
  const context = await browser.newContext({ baseURL, viewport: { width: 1280, height: 800 } });
  return { context, page: await context.newPage() };
}

export const test = base.extend<Fixtures>({
  // eslint-disable-next-line no-empty-pattern
  stack: async ({}, use) => use(readStack()),
  baseURL: async ({ stack }, use) => use(stack.baseURL),
  signIn: async ({ stack }, use) => use((page, user) => signIn(page, stack, user)),
  kubectl: async ({ stack }, use) => use(kubectlFor(stack)),
  pageAs: async ({ browser, stack }, use) => {
    const opened: { close(): Promise<void> }[] = [];
    await use(async (user) => {
      const { context, page } = await newContextPage(browser, stack.baseURL);
      opened.push(context);
      await signIn(page, stack, user);
      return page;
    });
    for (const c of opened) await c.close();
  },
  // eslint-disable-next-line no-empty-pattern
  saveScreenshot: async ({}, use) =>
    use(async (page, name) => {
      if (!/^[a-z0-9][a-z0-9-]*$/.test(name)) throw new Error(`screenshot name ${JSON.stringify(name)}: use lower-case letters, digits and '-'`);
      fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
      await page.setViewportSize({ width: 1280, height: 800 });
      const file = path.join(SCREENSHOT_DIR, `${name}.png`);
      await page.screenshot({ path: file, animations: "disabled", caret: "hide" });
      return file;
    }),
});

export { expect };

/** A name unique to this run, for objects a test creates (Kubernetes name rules). */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}${Math.floor(Math.random() * 1296)
    .toString(36)
    .padStart(2, "0")}`;
}

/** Moves the mouse over the address map's cell `index` (cells are laid out row by row, data-columns wide). */
export async function hoverCell(page: Page, index: number) {
  const map = page.getByTestId("address-map");
  await expect(map).toHaveAttribute("data-ready", "true");
  const columns = Number(await map.getAttribute("data-columns"));
  const size = Number(await map.getAttribute("data-size"));
  const rows = Math.ceil(size / columns);
  const box = (await map.boundingBox())!;
  const [col, row] = [index % columns, Math.floor(index / columns)];
  await page.mouse.move(box.x + ((col + 0.5) * box.width) / columns, box.y + ((row + 0.5) * box.height) / rows);
}
