// Signing in and out through the browser: console accounts, Kubernetes tokens, and what a signed-out
// browser can reach.
import type { APIRequestContext } from "@playwright/test";
import { expect, test, uniqueName } from "./fixtures";

const SESSION_COOKIE = "tenet_session";

/** The console's routes behind the app shell (AppShell's navigation) plus the landing page. */
const PROTECTED_ROUTES = ["/", "/networks", "/admin/clusternetworks", "/admin/tenantconfig", "/admin/tenants", "/admin/nodes", "/usage", "/audit"];

/** A tRPC query over HTTP as the browser would send it; returns status and error code. */
async function trpcQuery(request: APIRequestContext, procedure: string, input: unknown, headers: Record<string, string> = {}) {
  const res = await request.get(`/api/trpc/${procedure}?input=${encodeURIComponent(JSON.stringify(input))}`, { headers });
  const body = (await res.json()) as { error?: { data?: { code?: string } }; result?: unknown };
  return { status: res.status(), code: body.error?.data?.code, body };
}

test.describe("console accounts", () => {
  test("a wrong password shows an error and sets no session cookie", async ({ page, stack }) => {
    await page.goto("/signin");
    await page.locator("#name").fill("alice");
    await page.locator("#password").fill(`${stack.passwords.alice}-wrong`);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await expect(page.locator("form").getByRole("alert")).toHaveText(/wrong account name or password/);
    await expect(page).toHaveURL(/\/signin$/);
    expect((await page.context().cookies()).map((c) => c.name)).not.toContain(SESSION_COOKIE);
  });

  test("the right password lands on the home page showing the person and the role RBAC gives", async ({ page, signIn, saveScreenshot }) => {
    await signIn(page, "alice");
    await expect(page).toHaveURL(/\/$/);
    await expect(page.getByRole("heading", { name: "Welcome, alice" })).toBeVisible();
    await expect(page.getByTestId("whoami")).toHaveText(/alice\s*\(tenant of team-a\)/);
    const cookie = (await page.context().cookies()).find((c) => c.name === SESSION_COOKIE);
    expect(cookie?.httpOnly).toBe(true);
    expect(cookie?.sameSite).toBe("Strict");
    await saveScreenshot(page, "home-tenant");
  });

  test("each demo account sees its own role", async ({ pageAs }) => {
    const roles: Record<string, RegExp> = { netadmin: /netadmin\s*\(netadmin; operator\b/, bob: /bob\s*\(tenant of team-b\)/, olga: /olga\s*\(operator\)/ };
    for (const [user, shown] of Object.entries(roles)) {
      const page = await pageAs(user);
      await expect(page.getByTestId("whoami")).toHaveText(shown);
    }
  });

  test("signing out returns to /signin and the old session no longer opens the API", async ({ page, signIn }) => {
    await signIn(page, "alice");
    const before = (await page.context().cookies()).find((c) => c.name === SESSION_COOKIE)!.value;
    expect((await trpcQuery(page.request, "objects.list", { kind: "TenantNetwork", namespace: "team-a" })).status).toBe(200);

    await page.getByRole("button", { name: "Sign out" }).click();
    await expect(page).toHaveURL(/\/signin/);
    expect((await page.context().cookies()).find((c) => c.name === SESSION_COOKIE)?.value ?? "").toBe("");
    const now = await trpcQuery(page.request, "objects.list", { kind: "TenantNetwork", namespace: "team-a" });
    expect([now.status, now.code]).toEqual([401, "UNAUTHORIZED"]);
    // the session is gone on the server, not only from the browser
    const replayed = await trpcQuery(page.request, "objects.list", { kind: "TenantNetwork", namespace: "team-a" }, { cookie: `${SESSION_COOKIE}=${before}` });
    expect([replayed.status, replayed.code]).toEqual([401, "UNAUTHORIZED"]);
  });

  test("a console page opened while signed out goes to /signin?next=… and back after signing in", async ({ page, stack }) => {
    for (const route of PROTECTED_ROUTES) {
      const answer = await page.goto(route);
      expect(answer?.status(), `${route} signed out`).toBe(200);
      await expect(page).toHaveURL(`/signin?next=${encodeURIComponent(route)}`);
      await expect(page.getByTestId("whoami")).toHaveCount(0);
    }
    const last = PROTECTED_ROUTES[PROTECTED_ROUTES.length - 1];
    await page.locator("#name").fill("netadmin");
    await page.locator("#password").fill(stack.passwords.netadmin);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await expect(page).toHaveURL(last);
    await expect(page.getByTestId("whoami")).toContainText("netadmin");
  });
});

test.describe("Kubernetes token", () => {
  test("a ServiceAccount token signs in as that ServiceAccount; a bad token is refused", async ({ page, kubectl, saveScreenshot }) => {
    const sa = uniqueName("e2e-robot");
    kubectl("admin", ["create", "serviceaccount", sa, "-n", "team-a"]);
    try {
      const issued = kubectl("admin", ["create", "token", sa, "-n", "team-a", "--duration", "10m"], { check: false });
      expect(issued.status, `the local control plane could not issue a token: ${issued.stderr.trim()}`).toBe(0);
      const token = issued.stdout.trim();

      await page.goto("/signin");
      await page.getByRole("tab", { name: "Kubernetes token" }).click();
      await page.locator("#token").fill(`${token}x`);
      await page.getByRole("button", { name: "Sign in", exact: true }).click();
      await expect(page.locator("form").getByRole("alert")).toHaveText(/did not accept this token/);
      await saveScreenshot(page, "signin-token-refused");

      await page.locator("#token").fill(token);
      await page.getByRole("button", { name: "Sign in", exact: true }).click();
      await expect(page.getByTestId("whoami")).toContainText(`system:serviceaccount:team-a:${sa}`);
      await expect(page.getByTestId("whoami")).toContainText("no tenet role");
      await expect(page.getByText("Kubernetes gives you no tenet role yet")).toBeVisible();
    } finally {
      kubectl("admin", ["delete", "serviceaccount", sa, "-n", "team-a", "--wait=false"], { check: false });
    }
  });
});
