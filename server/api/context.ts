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
  resHeaders: Headers;
}

export function readCookie(header: string | null, name: string): string | undefined {
  for (const part of (header ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}

/** Origin (or Referer) must name the host the request was sent to; browsers always send Origin on POST. */
export function isSameOrigin(req: Request): boolean {
  const origin = req.headers.get("origin") ?? req.headers.get("referer");
  if (!origin) return req.method === "GET";
  try {
    const host = req.headers.get("x-forwarded-host") ?? req.headers.get("host");
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}

export async function createContext({ req, resHeaders }: { req: Request; resHeaders: Headers }): Promise<Context> {
  const runtime = await consoleRuntime();
  const sessionToken = readCookie(req.headers.get("cookie"), SESSION_COOKIE);
  const session = await findSession(runtime.db, sessionToken);
  const proto = req.headers.get("x-forwarded-proto") ?? new URL(req.url).protocol.replace(":", "");
  return { runtime, session, sessionToken, csrfHeader: req.headers.get("x-tenet-csrf"), sameOrigin: isSameOrigin(req), secure: proto === "https" || process.env.TENET_SECURE_COOKIES === "1", resHeaders };
}
