// OIDC sign-in end to end against a real OpenID provider (oidc-provider, on loopback) and the real
// API server: the console's login route sends the browser to the provider, the provider signs the
// user in and sends it back, the callback checks state, PKCE, nonce and the ID token, and the
// session then acts in Kubernetes as the mapped user and groups.
import http from "node:http";
import type { AddressInfo } from "node:net";
// @ts-expect-error oidc-provider ships no type declarations
import Provider from "oidc-provider";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { GET as login } from "../../app/api/auth/oidc/login/route";
import { GET as callback } from "../../app/api/auth/oidc/callback/route";
import { createContext, readCookie, SESSION_COOKIE, CSRF_COOKIE } from "./context";
import { appRouter } from "./root";
import { testRuntime } from "./testing";

const cluster = inject("cluster");
let runtime: Awaited<ReturnType<typeof testRuntime>>;
let server: http.Server;
let issuer: string;
const CONSOLE = "http://console.test";

/** A minimal cookie-keeping browser for the provider's own pages. */
class Browser {
  private readonly jar = new Map<string, string>();
  async go(url: string, init: RequestInit = {}): Promise<Response> {
    const cookie = [...this.jar].map(([k, v]) => `${k}=${v}`).join("; ");
    const res = await fetch(url, { ...init, redirect: "manual", headers: { ...(init.headers as object), cookie } });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(";");
      const eq = pair.indexOf("=");
      this.jar.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
    return res;
  }
  /** Follows redirects on the provider until one leaves it (to the console). */
  async follow(url: string, init: RequestInit = {}): Promise<string> {
    let res = await this.go(url, init);
    let location = res.headers.get("location");
    while (location) {
      const next = new URL(location, url).toString();
      if (!next.startsWith(issuer)) return next;
      url = next;
      res = await this.go(url);
      location = res.headers.get("location");
    }
    return url;
  }
}

beforeAll(async () => {
  runtime = await testRuntime(cluster.controlPlane.kubeconfigs["tenet-console"]);
  server = http.createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: "tenet",
        client_secret: "s3cret-for-test",
        redirect_uris: [`${CONSOLE}/api/auth/oidc/callback`],
        grant_types: ["authorization_code"],
        response_types: ["code"],
      },
    ],
    claims: { openid: ["sub"], email: ["email", "email_verified"], groups: ["groups"] },
    scopes: ["openid", "email", "groups"],
    findAccount: async (_ctx: unknown, sub: string) => ({
      accountId: sub,
      claims: async () => ({
        sub,
        email: `${sub}@example.test`,
        email_verified: true,
        groups: sub === "alice" ? ["tenet:tenants"] : sub === "mallory" ? ["system:masters"] : [],
      }),
    }),
    pkce: { required: () => true },
    features: { devInteractions: { enabled: true } },
    // kube-apiserver reads only the ID token; put the scope's claims there, as Dex and Keycloak do
    conformIdTokenClaims: false,
  });
  server.on("request", provider.callback());
  Object.assign(process.env, {
    TENET_OIDC_ISSUER: issuer,
    TENET_OIDC_CLIENT_ID: "tenet",
    TENET_OIDC_CLIENT_SECRET: "s3cret-for-test",
    TENET_OIDC_ALLOW_HTTP: "1",
    TENET_OIDC_SCOPES: "openid email groups",
    TENET_OIDC_USERNAME_CLAIM: "sub",
    TENET_OIDC_USERNAME_PREFIX: "",
    // the cluster's RBAC names the groups bare; the default would be "oidc:"
    TENET_OIDC_GROUPS_PREFIX: "",
  });
});

afterAll(async () => {
  for (const k of Object.keys(process.env)) if (k.startsWith("TENET_OIDC_")) delete process.env[k];
  server.close();
  await runtime.dispose();
});

/** Submits the provider's current interaction form (login, then consent). */
async function submitInteraction(browser: Browser, url: string, fields: Record<string, string>): Promise<string> {
  const page = await browser.go(url);
  const html = await page.text();
  const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
  expect(action, `a form on ${url}`).toBeTruthy();
  return browser.follow(new URL(action!, url).toString(), {
    method: "POST",
    body: new URLSearchParams(fields),
    headers: { "content-type": "application/x-www-form-urlencoded" },
  });
}

/** Signs `user` in at the provider from the console's login route with `next`; returns the callback's answer. */
async function signInThroughProvider(user: string, next: string): Promise<Response> {
  const start = await login(new Request(`${CONSOLE}/api/auth/oidc/login?next=${encodeURIComponent(next)}`));
  const pendingCookie = start.headers.getSetCookie().find((c) => c.startsWith("tenet_oidc="))!;
  const browser = new Browser();
  let at = await browser.follow(start.headers.get("location")!);
  at = await submitInteraction(browser, at, { prompt: "login", login: user, password: "any" });
  if (at.startsWith(issuer)) at = await submitInteraction(browser, at, { prompt: "consent" });
  return callback(new Request(at, { headers: { cookie: pendingCookie.split(";")[0] } }));
}

const sessionCookies = (res: Response) =>
  res.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");

describe("OIDC sign-in", () => {
  it("a system: group in the provider's claim is not impersonated: mallory's system:masters gives nothing", async () => {
    const done = await signInThroughProvider("mallory", "/");
    const ctx = await createContext({
      req: new Request(`${CONSOLE}/api/trpc`, { headers: { cookie: sessionCookies(done), host: "console.test" } }),
      resHeaders: new Headers(),
    });
    const me = await appRouter.createCaller(ctx).auth.me();
    expect(me!.groups).toEqual(["system:authenticated"]);
    // as system:masters the API server would let her do everything (netadmin and operator); as herself, nothing
    expect(me!.roles).toEqual({ netadmin: false, operator: false, tenantNamespaces: [] });
  });

  it("after sign-in the browser stays on the console whatever next= says", async () => {
    for (const next of ["/\\localhost:8099/x", "/\t/localhost:8099/x", "//evil.example/", "https://evil.example/"]) {
      const done = await signInThroughProvider("alice", next);
      expect(done.headers.get("location"), next).toBe(`${CONSOLE}/`);
    }
  });

  it("signs alice in through the provider and acts in Kubernetes as alice with her groups", async () => {
    const start = await login(new Request(`${CONSOLE}/api/auth/oidc/login?next=/networks`));
    expect(start.status).toBe(302);
    const pendingCookie = start.headers.getSetCookie().find((c) => c.startsWith("tenet_oidc="))!;
    expect(pendingCookie).toMatch(/HttpOnly/i);
    const authorize = new URL(start.headers.get("location")!);
    expect(authorize.origin).toBe(issuer);
    expect(authorize.searchParams.get("code_challenge_method")).toBe("S256");

    const browser = new Browser();
    let at = await browser.follow(authorize.toString());
    at = await submitInteraction(browser, at, { prompt: "login", login: "alice", password: "any" });
    if (at.startsWith(issuer)) at = await submitInteraction(browser, at, { prompt: "consent" });
    expect(at.startsWith(`${CONSOLE}/api/auth/oidc/callback?`)).toBe(true);

    const done = await callback(new Request(at, { headers: { cookie: pendingCookie.split(";")[0] } }));
    expect(done.status).toBe(302);
    expect(done.headers.get("location")).toBe(`${CONSOLE}/networks`);
    const cookies = done.headers
      .getSetCookie()
      .map((c) => c.split(";")[0])
      .join("; ");
    expect(readCookie(cookies, SESSION_COOKIE)).toBeTruthy();

    const ctx = await createContext({
      req: new Request(`${CONSOLE}/api/trpc`, { headers: { cookie: cookies, host: "console.test" } }),
      resHeaders: new Headers(),
    });
    const me = await appRouter.createCaller(ctx).auth.me();
    expect(me).toMatchObject({ user: "alice", method: "oidc", roles: { tenantNamespaces: ["team-a"] } });
    expect(me!.groups).toContain("tenet:tenants");
    expect(readCookie(cookies, CSRF_COOKIE)).toBeTruthy();
  });

  it("refuses a callback whose state does not match the pending sign-in", async () => {
    const start = await login(new Request(`${CONSOLE}/api/auth/oidc/login`));
    const pendingCookie = start.headers
      .getSetCookie()
      .find((c) => c.startsWith("tenet_oidc="))!
      .split(";")[0];
    const forged = await callback(
      new Request(`${CONSOLE}/api/auth/oidc/callback?code=stolen&state=not-the-state&iss=${encodeURIComponent(issuer)}`, {
        headers: { cookie: pendingCookie },
      }),
    );
    expect(forged.status).toBe(302);
    const location = new URL(forged.headers.get("location")!);
    expect(location.pathname).toBe("/signin");
    // a fixed code; the reason goes to the console's log
    expect(location.searchParams.get("error")).toBe("oidc-failed");
    expect(forged.headers.getSetCookie().some((c) => c.startsWith(`${SESSION_COOKIE}=`) && !c.startsWith(`${SESSION_COOKIE}=;`))).toBe(false);
  });

  it("without the pending cookie the callback explains what happened", async () => {
    const res = await callback(new Request(`${CONSOLE}/api/auth/oidc/callback?code=x&state=y`));
    expect(new URL(res.headers.get("location")!).searchParams.get("error")).toBe("oidc-expired");
  });
});
