import { NextResponse } from "next/server";
import { finishSignIn, oidcSettings, type PendingSignIn } from "@/server/api/oidc";
import { OIDC_COOKIE, secureCookies, startOidcSession } from "@/server/api/oidcCookies";
import { readCookie } from "@/server/api/context";

export const dynamic = "force-dynamic";

export async function GET(req: Request) {
  const settings = oidcSettings();
  const url = new URL(req.url);
  const fail = (message: string) => {
    const res = NextResponse.redirect(new URL(`/signin?error=${encodeURIComponent(message)}`, url), 302);
    res.cookies.delete({ name: OIDC_COOKIE, path: "/api/auth/oidc" });
    return res;
  };
  if (!settings) return fail("OIDC sign-in is not configured");
  const raw = readCookie(req.headers.get("cookie"), OIDC_COOKIE);
  if (!raw) return fail("the sign-in took too long or cookies are blocked; try again");
  let pending: PendingSignIn;
  try {
    pending = JSON.parse(Buffer.from(raw, "base64url").toString()) as PendingSignIn;
  } catch {
    return fail("the sign-in cookie is damaged; try again");
  }
  try {
    const identity = await finishSignIn(settings, url, pending);
    const res = NextResponse.redirect(new URL(pending.next, url), 302);
    res.cookies.delete({ name: OIDC_COOKIE, path: "/api/auth/oidc" });
    await startOidcSession(res, identity, secureCookies(req));
    return res;
  } catch (e) {
    // openid-client wraps the specific reason ("unexpected state", "invalid signature", ...) as the cause
    const cause = (e as { cause?: { message?: string } }).cause?.message;
    return fail(`OIDC sign-in failed: ${(e as Error).message}${cause ? `: ${cause}` : ""}`);
  }
}
