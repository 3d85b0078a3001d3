import { NextResponse } from "next/server";
import { isSecureRequest, readCookie } from "@/server/api/context";
import { finishSignIn, oidcSettings, type PendingSignIn } from "@/server/api/oidc";
import { OIDC_COOKIE, signInErrorRedirect, startOidcSession } from "@/server/api/oidcCookies";
import { safeNextPath } from "@/server/domain/signIn/redirect";

export const dynamic = "force-dynamic";

export async function GET(req: Request) {
  const settings = oidcSettings();
  const url = new URL(req.url);
  if (!settings) return signInErrorRedirect(url, "oidc-not-configured");
  const raw = readCookie(req.headers.get("cookie"), OIDC_COOKIE);
  if (!raw) return signInErrorRedirect(url, "oidc-expired");
  let pending: PendingSignIn;
  try {
    pending = JSON.parse(Buffer.from(raw, "base64url").toString()) as PendingSignIn;
  } catch {
    return signInErrorRedirect(url, "oidc-damaged");
  }
  try {
    const identity = await finishSignIn(settings, url, pending);
    // the pending cookie is the console's own, but it is checked again: only a path of the console
    const res = NextResponse.redirect(new URL(safeNextPath(pending.next), url), 302);
    res.cookies.delete({ name: OIDC_COOKIE, path: "/api/auth/oidc" });
    await startOidcSession(res, identity, isSecureRequest(req));
    return res;
  } catch (e) {
    // openid-client wraps the specific reason ("unexpected state", "invalid signature", ...) as the cause;
    // it is the operator's to read, the page shows a fixed message
    const cause = (e as { cause?: { message?: string } }).cause?.message;
    console.error(`OIDC sign-in failed: ${(e as Error).message}${cause ? `: ${cause}` : ""}`);
    return signInErrorRedirect(url, "oidc-failed");
  }
}
