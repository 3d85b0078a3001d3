// Who is calling: the session from the cookie, the CSRF header and whether the request comes from
// the console's own origin.
import { findSession, type SessionRecord } from "../db/sessions";
import { consoleRuntime, type ConsoleRuntime } from "./runtime";

export const SESSION_COOKIE = "tenet_session";
export const CSRF_COOKIE = "tenet_csrf";

export interface Context {
  runtime: ConsoleRuntime;
  session?: SessionRecord;
  sessionToken?: string;
  csrfHeader: string | null;
  sameOrigin: boolean;
  secure: boolean;
  /** the client's address, as far as it can be known (see clientAddress) */
  client: string;
  resHeaders: Headers;
}

/** A cookie's value; undefined when absent or not valid percent-encoding (a damaged cookie is no cookie). */
export function readCookie(header: string | null, name: string): string | undefined {
  for (const part of (header ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

/**
 * Whether X-Forwarded-Host/-Proto/-For are believed: only when TENET_TRUSTED_PROXY=1 says the console
 * is reached through a proxy that sets them (anyone else can send them too).
 */
export function trustsForwardedHeaders(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.TENET_TRUSTED_PROXY === "1";
}

/** The host the browser sent the request to. */
function requestHost(req: Request): string | null {
  return (trustsForwardedHeaders() ? req.headers.get("x-forwarded-host") : null) ?? req.headers.get("host");
}

/** Whether the request reached the console over HTTPS (or TENET_SECURE_COOKIES=1 says so). */
export function isSecureRequest(req: Request): boolean {
  const proto = (trustsForwardedHeaders() ? req.headers.get("x-forwarded-proto") : null) ?? new URL(req.url).protocol.replace(":", "");
  return proto === "https" || process.env.TENET_SECURE_COOKIES === "1";
}

/**
 * The client's address: the last X-Forwarded-For entry, which is the one the trusted proxy added or,
 * without a proxy, the one Next.js took from the connection (a client may send its own header, so
 * without a proxy the address is a hint, which is why the sign-in throttle also limits per account).
 */
export function clientAddress(req: Request): string {
  const forwarded = req.headers
    .get("x-forwarded-for")
    ?.split(",")
    .map((a) => a.trim())
    .filter(Boolean);
  return forwarded?.at(-1)?.slice(0, 100) ?? "unknown";
}

/** Origin (or Referer) must name the host the request was sent to; browsers always send Origin on POST. */
export function isSameOrigin(req: Request): boolean {
  const origin = req.headers.get("origin") ?? req.headers.get("referer");
  if (!origin) return req.method === "GET";
  try {
    return new URL(origin).host === requestHost(req);
  } catch {
    return false;
  }
}

export async function createContext({ req, resHeaders }: { req: Request; resHeaders: Headers }): Promise<Context> {
  const runtime = await consoleRuntime();
  const sessionToken = readCookie(req.headers.get("cookie"), SESSION_COOKIE);
  const session = await findSession(runtime.db, sessionToken);
  return {
    runtime,
    session,
    sessionToken,
    csrfHeader: req.headers.get("x-tenet-csrf"),
    sameOrigin: isSameOrigin(req),
    secure: isSecureRequest(req),
    client: clientAddress(req),
    resHeaders,
  };
}
