// The console against an attacker with a browser or an HTTP client: where sign-in may send the
// browser, what the sign-in page may say, framing, the Content Security Policy (and that the
// console's own pages break none of it), malformed input, batch size, forwarded headers and the
// password throttle.
import type { APIRequestContext, BrowserContext, Page } from "@playwright/test";
import { expect, test } from "./fixtures";

const SESSION_COOKIE = "tenet_session";

/** Signs in through the form at `url` (a fresh page of its own context) and returns where the browser lands. */
async function signInAt(page: Page, url: string, user: string, password: string): Promise<URL> {
  await page.goto(url);
  await page.locator("#name").fill(user);
  await page.locator("#password").fill(password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page.getByTestId("whoami")).toContainText(user);
  return new URL(page.url());
}

/** Records every CSP violation and console error of the context's pages. */
async function watchViolations(context: BrowserContext, page: Page): Promise<string[]> {
  const seen: string[] = [];
  await context.exposeFunction("reportCspViolation", (v: string) => seen.push(v));
  await context.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) =>
      (window as unknown as { reportCspViolation(v: string): void }).reportCspViolation(
        `${e.violatedDirective} blocked ${e.blockedURI} at ${e.sourceFile}:${e.lineNumber}`,
      ),
    );
  });
  page.on("console", (m) => {
    if (m.type() === "error") seen.push(`console error: ${m.text()}`);
  });
  page.on("pageerror", (e) => seen.push(`page error: ${e.message}`));
  return seen;
}

/** A signed-in API client: the session cookie and its CSRF token. */
async function session(request: APIRequestContext, baseURL: string, user: string, password: string) {
  const res = await request.post("/api/trpc/auth.signIn", { headers: { origin: baseURL }, data: { method: "local", name: user, password } });
  expect(res.status()).toBe(200);
  const cookies = res
    .headersArray()
    .filter((h) => h.name.toLowerCase() === "set-cookie")
    .map((h) => h.value.split(";")[0]);
  const csrf = cookies.find((c) => c.startsWith("tenet_csrf="))!.slice("tenet_csrf=".length);
  return { cookie: cookies.join("; "), csrf };
}

test.describe("after signing in", () => {
  const escapes = [
    "%2F%5Clocalhost%3A8099%2Fx",
    "%2F%09%2Flocalhost%3A8099%2Fx",
    "%2F%09%5Clocalhost%3A8099%2Fx",
    "%2F%2Fevil.example%2Fx",
    "https%3A%2F%2Fevil.example%2F",
    "javascript%3Aalert(document.domain)",
  ];
  for (const next of escapes) {
    test(`next=${next} stays on the console`, async ({ browser, stack }) => {
      const context = await browser.newContext({ baseURL: stack.baseURL });
      try {
        const landed = await signInAt(await context.newPage(), `/signin?next=${next}`, "alice", stack.passwords.alice);
        expect(landed.origin).toBe(stack.baseURL);
        expect(landed.pathname).toBe("/");
      } finally {
        await context.close();
      }
    });
  }

  test("next= naming a page of the console goes there", async ({ page, stack }) => {
    const landed = await signInAt(page, `/signin?next=${encodeURIComponent("/usage")}`, "olga", stack.passwords.olga);
    expect(`${landed.origin}${landed.pathname}`).toBe(`${stack.baseURL}/usage`);
  });

  test("?error= shows only the console's own messages, never the text of the address", async ({ page }) => {
    await page.goto(`/signin?error=${encodeURIComponent("Your account is locked. Call +1 555 0100 now")}`);
    await expect(page.getByRole("button", { name: "Sign in", exact: true })).toBeVisible();
    await expect(page.getByText("Call +1 555 0100")).toHaveCount(0);
    await expect(page.locator("form").getByRole("alert")).toHaveCount(0);
    await page.goto("/signin?error=oidc-expired");
    await expect(page.locator("form").getByRole("alert")).toHaveText(/took too long or cookies are blocked/);
  });
});

test.describe("headers", () => {
  test("another site cannot frame the console", async ({ page, stack }) => {
    const refused = page.waitForEvent("console", (m) => /frame-ancestors|X-Frame-Options/i.test(m.text()));
    await page.setContent(`<iframe src="${stack.baseURL}/signin" width="600" height="400"></iframe>`);
    await refused;
    const frame = page.frames().find((f) => f !== page.mainFrame())!;
    expect(await frame.locator("#name").count()).toBe(0);
    const res = await page.request.get(`${stack.baseURL}/signin`);
    expect(res.headers()["x-frame-options"]).toBe("DENY");
    expect(res.headers()["content-security-policy"]).toMatch(/frame-ancestors 'none'/);
  });

  test("each page answer has its own script nonce, and the API's answers allow nothing", async ({ request }) => {
    const nonce = async () => /'nonce-([^']+)'/.exec((await request.get("/signin")).headers()["content-security-policy"] ?? "")?.[1];
    const [a, b] = [await nonce(), await nonce()];
    expect(a).toBeTruthy();
    expect(a).not.toBe(b);
    const html = await (await request.get("/signin")).text();
    // every inline script of the page carries a nonce
    expect([...html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>/g)].filter((m) => !/nonce=/.test(m[0]))).toEqual([]);
    const api = await request.get("/api/trpc/auth.methods");
    expect(api.headers()["content-security-policy"]).toBe("default-src 'none'; frame-ancestors 'none'");
  });

  test("the console's pages run under the policy without a single violation or console error", async ({ browser, stack }) => {
    const context = await browser.newContext({ baseURL: stack.baseURL });
    try {
      const page = await context.newPage();
      const violations = await watchViolations(context, page);
      await signInAt(page, "/signin", "netadmin", stack.passwords.netadmin);
      for (const route of ["/", "/networks", "/admin/clusternetworks", "/admin/tenantconfig", "/admin/tenants", "/admin/nodes", "/usage", "/audit"]) {
        const res = await page.goto(route);
        if (res?.status() !== 200) continue;
        await expect(page.getByTestId("whoami")).toContainText("netadmin");
        await expect(page.getByTestId("live-status")).toHaveText("live");
      }
      expect(violations).toEqual([]);
    } finally {
      await context.close();
    }
  });
});

test.describe("bad input answers 4xx", () => {
  test("a malformed session cookie is no session: auth.me says nobody, the CSV export says sign in", async ({ request }) => {
    const cookie = `${SESSION_COOKIE}=%E0%A4%A`;
    const me = await request.get("/api/trpc/auth.me", { headers: { cookie } });
    expect(me.status()).toBe(200);
    expect(await me.json()).toMatchObject({ result: { data: null } });
    expect((await request.get("/api/usage/addresses.csv", { headers: { cookie } })).status()).toBe(401);
  });

  test("a path that is not valid percent-encoding answers 400", async ({ request }) => {
    for (const path of ["/networks/%ZZ/x/y", "/networks/team-a/TenantNetwork/%E0%A4%A", "/api/usage/addresses.csv%ZZ"]) {
      expect((await request.get(path)).status(), path).toBe(400);
    }
  });

  test("a 10,000-deep object in a mutation answers 400 BAD_REQUEST", async ({ request, baseURL, stack }) => {
    const s = await session(request, baseURL!, "alice", stack.passwords.alice);
    const deep = `${'{"a":'.repeat(10_000)}1${"}".repeat(10_000)}`;
    const body = `{"kind":"TenantNetwork","object":{"metadata":{"name":"deep","namespace":"team-a"},"spec":${deep}}}`;
    const res = await request.post("/api/trpc/objects.create", {
      headers: { origin: baseURL!, cookie: s.cookie, "x-tenet-csrf": s.csrf, "content-type": "application/json" },
      data: body,
    });
    expect(res.status()).toBe(400);
    expect(await res.json()).toMatchObject({ error: { data: { code: "BAD_REQUEST" }, message: expect.stringMatching(/deeper than 64 levels/) } });
  });
});

test("a batched request of 100 calls is refused before any runs; 16 are served", async ({ request, baseURL, stack }) => {
  const s = await session(request, baseURL!, "alice", stack.passwords.alice);
  const batch = (n: number) => {
    const input = Object.fromEntries(Array.from({ length: n }, (_, i) => [i, { kind: "TenantNetwork", namespace: "team-a" }]));
    return `/api/trpc/${Array(n).fill("objects.list").join(",")}?batch=1&input=${encodeURIComponent(JSON.stringify(input))}`;
  };
  const big = await request.get(batch(100), { headers: { cookie: s.cookie } });
  expect(big.status()).toBe(400);
  expect(JSON.stringify(await big.json())).toMatch(/Batch call exceeds maximum size/);
  expect((await request.get(batch(16), { headers: { cookie: s.cookie } })).status()).toBe(200);
});

test("a forged X-Forwarded-Host does not make another origin the console's", async ({ request, stack }) => {
  const res = await request.post("/api/trpc/auth.signIn", {
    headers: { origin: "http://evil.example", "x-forwarded-host": "evil.example" },
    data: { method: "local", name: "alice", password: stack.passwords.alice },
  });
  expect(res.status()).toBe(403);
  expect(res.headersArray().some((h) => h.name.toLowerCase() === "set-cookie" && h.value.startsWith(`${SESSION_COOKIE}=`))).toBe(false);
});

test("wrong passwords for bob from another address slow that address down, not bob", async ({ browser, request, baseURL, stack }) => {
  const guess = () =>
    request.post("/api/trpc/auth.signIn", {
      headers: { origin: baseURL!, "x-forwarded-for": "203.0.113.66" },
      data: { method: "local", name: "bob", password: "guess" },
    });
  const statuses: number[] = [];
  for (let i = 0; i < 8; i++) statuses.push((await guess()).status());
  expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
  expect(statuses.at(-1)).toBe(429);
  const context = await browser.newContext({ baseURL: stack.baseURL });
  try {
    const landed = await signInAt(await context.newPage(), "/signin", "bob", stack.passwords.bob);
    expect(landed.pathname).toBe("/");
  } finally {
    await context.close();
  }
});
