// Cookies of the OIDC sign-in routes: the pending sign-in, and the session once it succeeded.
import { NextResponse } from "next/server";
import type { SignInErrorCode } from "../domain/signIn/redirect";
import { createSession, SESSION_TTL_MS } from "../db/sessions";
import { CSRF_COOKIE, SESSION_COOKIE } from "./context";
import { consoleRuntime } from "./runtime";

export const OIDC_COOKIE = "tenet_oidc";

/** Back to the sign-in page with one of the known error codes; the pending sign-in is dropped. */
export function signInErrorRedirect(url: URL, code: SignInErrorCode): NextResponse {
  const res = NextResponse.redirect(new URL(`/signin?error=${code}`, url), 302);
  res.cookies.delete({ name: OIDC_COOKIE, path: "/api/auth/oidc" });
  return res;
}

export async function startOidcSession(res: NextResponse, identity: { user: string; groups: string[] }, secure: boolean) {
  const { db } = await consoleRuntime();
  const s = await createSession(db, { ...identity, method: "oidc" });
  const maxAge = Math.floor(SESSION_TTL_MS / 1000);
  res.cookies.set(SESSION_COOKIE, s.token, { httpOnly: true, sameSite: "strict", path: "/", maxAge, secure });
  res.cookies.set(CSRF_COOKIE, s.csrfToken, { httpOnly: false, sameSite: "strict", path: "/", maxAge, secure });
}
