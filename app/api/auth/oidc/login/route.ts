import { NextResponse } from "next/server";
import { isSecureRequest } from "@/server/api/context";
import { oidcSettings, startSignIn } from "@/server/api/oidc";
import { OIDC_COOKIE, signInErrorRedirect } from "@/server/api/oidcCookies";

export const dynamic = "force-dynamic";

export async function GET(req: Request) {
  const settings = oidcSettings();
  if (!settings) return NextResponse.json({ error: "OIDC sign-in is not configured (TENET_OIDC_ISSUER, TENET_OIDC_CLIENT_ID)" }, { status: 404 });
  const url = new URL(req.url);
  try {
    const { redirect, pending } = await startSignIn(settings, req.url, url.searchParams.get("next") ?? "/");
    const res = NextResponse.redirect(redirect, 302);
    res.cookies.set(OIDC_COOKIE, Buffer.from(JSON.stringify(pending)).toString("base64url"), {
      httpOnly: true,
      sameSite: "lax",
      path: "/api/auth/oidc",
      maxAge: 600,
      secure: isSecureRequest(req),
    });
    return res;
  } catch (e) {
    console.error(`OIDC sign-in: cannot reach the provider ${settings.issuer}:`, e);
    return signInErrorRedirect(url, "oidc-unreachable");
  }
}
