// Sign-in through an OpenID Connect provider (Dex, Keycloak, Entra ID, ...), with openid-client:
// authorization code flow with PKCE, state and nonce. The ID token's claims become the Kubernetes
// identity the console impersonates, mapped like kube-apiserver's --oidc-* flags, so RBAC written
// for kubectl users of the same provider applies unchanged.
import * as oidc from "openid-client";
import { defaultIpamIdentities, mayChangeAllocationState, type IpamIdentities } from "../domain/rules/allocationState";
import { safeNextPath } from "../domain/signIn/redirect";

export interface OidcSettings {
  issuer: string;
  clientId: string;
  clientSecret?: string;
  /** the console's external URL; the callback is <url>/api/auth/oidc/callback */
  consoleUrl?: string;
  scopes: string;
  usernameClaim: string;
  usernamePrefix: string;
  groupsClaim: string;
  groupsPrefix: string;
  /** http:// issuers, for a provider on a development machine only */
  allowHttp: boolean;
  /** what the sign-in button says */
  displayName: string;
  /** tenet's IPAM identities (the webhook's --ipam-users/--ipam-groups): no claim ever maps to one (N-28) */
  ipam: IpamIdentities;
}

export const DEFAULT_GROUPS_PREFIX = "oidc:";

/** OIDC settings from TENET_OIDC_* variables; undefined when no issuer is configured. */
export function oidcSettings(env: NodeJS.ProcessEnv = process.env): OidcSettings | undefined {
  if (!env.TENET_OIDC_ISSUER || !env.TENET_OIDC_CLIENT_ID) return undefined;
  const usernameClaim = env.TENET_OIDC_USERNAME_CLAIM ?? "sub";
  return {
    issuer: env.TENET_OIDC_ISSUER,
    clientId: env.TENET_OIDC_CLIENT_ID,
    clientSecret: env.TENET_OIDC_CLIENT_SECRET,
    consoleUrl: env.TENET_CONSOLE_URL,
    scopes: env.TENET_OIDC_SCOPES ?? "openid profile email groups",
    usernameClaim,
    // kube-apiserver's default: claims other than email are prefixed with the issuer URL and '#'
    usernamePrefix: env.TENET_OIDC_USERNAME_PREFIX ?? (usernameClaim === "email" ? "" : `${env.TENET_OIDC_ISSUER}#`),
    groupsClaim: env.TENET_OIDC_GROUPS_CLAIM ?? "groups",
    // a provider's groups never pass as they are: "admins" at the provider is "oidc:admins" here
    groupsPrefix: env.TENET_OIDC_GROUPS_PREFIX ?? DEFAULT_GROUPS_PREFIX,
    allowHttp: env.TENET_OIDC_ALLOW_HTTP === "1",
    displayName: env.TENET_OIDC_DISPLAY_NAME ?? new URL(env.TENET_OIDC_ISSUER).host,
    ipam: ipamIdentitiesFrom(env),
  };
}

const list = (v: string | undefined) =>
  (v ?? "")
    .split(",")
    .map((x) => x.trim())
    .filter(Boolean);

/** The webhook's IPAM identities as the chart gives them to the console (TENET_IPAM_USERS, TENET_IPAM_GROUPS), else its defaults. */
function ipamIdentitiesFrom(env: NodeJS.ProcessEnv): IpamIdentities {
  const defaults = defaultIpamIdentities(env.POD_NAMESPACE || undefined);
  return {
    users: env.TENET_IPAM_USERS === undefined ? defaults.users : list(env.TENET_IPAM_USERS),
    groups: env.TENET_IPAM_GROUPS === undefined ? defaults.groups : list(env.TENET_IPAM_GROUPS),
  };
}

/** The Kubernetes identity of a verified ID token's claims. */
export function identityFromClaims(claims: Record<string, unknown>, s: OidcSettings): { user: string; groups: string[] } {
  const name = claims[s.usernameClaim];
  if (typeof name !== "string" || !name) throw new Error(`the ID token has no "${s.usernameClaim}" claim (TENET_OIDC_USERNAME_CLAIM)`);
  if (s.usernameClaim === "email" && claims.email_verified === false) throw new Error(`the provider says the email ${name} is not verified`);
  const user = `${s.usernamePrefix}${name}`;
  // as kube-apiserver refuses for its JWT authenticators: system: names are Kubernetes' own identities
  if (user.startsWith("system:"))
    throw new Error(`the provider's user name ${JSON.stringify(user)} starts with system:, which is reserved for Kubernetes' own identities`);
  // nor tenet's IPAM, which alone may write allocation state (N-28): with an empty prefix a claim could name it
  if (mayChangeAllocationState({ username: user }, s.ipam))
    throw new Error(
      `the provider's user name ${JSON.stringify(user)} is one of tenet's IPAM identities (webhook.ipamIdentities); the console never acts as one`,
    );
  const raw = claims[s.groupsClaim];
  const groups = Array.isArray(raw) ? raw.filter((g): g is string => typeof g === "string") : typeof raw === "string" ? [raw] : [];
  // system: groups are Kubernetes' own (system:masters is every permission), and tenet's IPAM groups
  // may write allocation state (N-28): a claim never grants one, even with an empty prefix
  const mapped = groups.map((g) => `${s.groupsPrefix}${g}`).filter((g) => !g.startsWith("system:") && !mayChangeAllocationState({ groups: [g] }, s.ipam));
  return { user, groups: [...mapped, "system:authenticated"] };
}

const g = globalThis as unknown as { tenetOidc?: { key: string; config: Promise<oidc.Configuration> } };

function configuration(s: OidcSettings): Promise<oidc.Configuration> {
  const key = `${s.issuer}\u0000${s.clientId}`;
  if (g.tenetOidc?.key !== key) {
    const config = oidc.discovery(
      new URL(s.issuer),
      s.clientId,
      undefined,
      s.clientSecret ? oidc.ClientSecretPost(s.clientSecret) : oidc.None(),
      s.allowHttp ? { execute: [oidc.allowInsecureRequests] } : undefined,
    );
    g.tenetOidc = { key, config };
    config.catch(() => (g.tenetOidc = undefined));
  }
  return g.tenetOidc.config;
}

/** What the browser keeps (HttpOnly cookie, 10 minutes) between leaving for the provider and coming back. */
export interface PendingSignIn {
  verifier: string;
  state: string;
  nonce: string;
  next: string;
}

export function callbackUrl(s: OidcSettings, requestUrl: string): string {
  return new URL("/api/auth/oidc/callback", s.consoleUrl ?? requestUrl).toString();
}

export async function startSignIn(s: OidcSettings, requestUrl: string, next: string): Promise<{ redirect: URL; pending: PendingSignIn }> {
  const config = await configuration(s);
  const verifier = oidc.randomPKCECodeVerifier();
  const pending = { verifier, state: oidc.randomState(), nonce: oidc.randomNonce(), next: safeNextPath(next) };
  const redirect = oidc.buildAuthorizationUrl(config, {
    redirect_uri: callbackUrl(s, requestUrl),
    scope: s.scopes,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: "S256",
    state: pending.state,
    nonce: pending.nonce,
  });
  return { redirect, pending };
}

/** Checks the provider's answer (state, PKCE, nonce, ID token signature) and returns who signed in. */
export async function finishSignIn(s: OidcSettings, currentUrl: URL, pending: PendingSignIn) {
  const config = await configuration(s);
  const tokens = await oidc.authorizationCodeGrant(config, currentUrl, {
    pkceCodeVerifier: pending.verifier,
    expectedState: pending.state,
    expectedNonce: pending.nonce,
    idTokenExpected: true,
  });
  const claims = tokens.claims();
  if (!claims) throw new Error("the provider returned no ID token");
  return identityFromClaims(claims as Record<string, unknown>, s);
}
