// Runs before every request the console serves (Next.js "proxy", formerly middleware): refuses paths
// that are not valid percent-encoding, and sets the security headers: for pages a Content Security
// Policy with a fresh nonce, which Next.js applies to its inline scripts while rendering.
import { NextResponse, type NextRequest } from "next/server";
import { API_POLICY, COMMON_HEADERS, pagePolicy, pathDecodes } from "@/server/api/securityHeaders";

function withHeaders(res: NextResponse, policy: string): NextResponse {
  res.headers.set("content-security-policy", policy);
  for (const [name, value] of Object.entries(COMMON_HEADERS)) res.headers.set(name, value);
  return res;
}

export function proxy(request: NextRequest) {
  const { pathname } = request.nextUrl;
  if (!pathDecodes(pathname)) {
    return withHeaders(
      new NextResponse(`bad request: the path ${JSON.stringify(pathname.slice(0, 200))} is not valid percent-encoding\n`, {
        status: 400,
        headers: { "content-type": "text/plain; charset=utf-8" },
      }),
      API_POLICY,
    );
  }
  if (pathname.startsWith("/api/")) return withHeaders(NextResponse.next(), API_POLICY);
  const nonce = Buffer.from(crypto.getRandomValues(new Uint8Array(18))).toString("base64");
  const policy = pagePolicy(nonce);
  const requestHeaders = new Headers(request.headers);
  requestHeaders.set("content-security-policy", policy);
  return withHeaders(NextResponse.next({ request: { headers: requestHeaders } }), policy);
}

export const config = {
  // static files carry no script of their own to police; everything else passes here
  matcher: ["/((?!_next/static|_next/image|favicon.ico).*)"],
};
