// Cookies of the OIDC sign-in routes: the pending sign-in, and the session once it succeeded.
import type { NextResponse } from "next/server";
import { createSession, SESSION_TTL_MS } from "../db/sessions";
import { CSRF_COOKIE, SESSION_COOKIE } from "./context";
import { consoleRuntime } from "./runtime";

export const OIDC_COOKIE = "tenet_oidc";

export function secureCookies(req: Request): boolean {
  const proto = req.headers.get("x-forwarded-proto") ?? new URL(req.url).protocol.replace(":", "");
  return proto === "https" || process.env.TENET_SECURE_COOKIES === "1";
}

export async function startOidcSession(res: NextResponse, identity: { user: string; groups: string[] }, secure: boolean) {
  const { db } = await consoleRuntime();
  const s = await createSession(db, { ...identity, method: "oidc" });
  const maxAge = Math.floor(SESSION_TTL_MS / 1000);
  res.cookies.set(SESSION_COOKIE, s.token, { httpOnly: true, sameSite: "strict", path: "/", maxAge, secure });
  res.cookies.set(CSRF_COOKIE, s.csrfToken, { httpOnly: false, sameSite: "strict", path: "/", maxAge, secure });
}
