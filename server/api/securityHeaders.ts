// The headers that keep the console's pages from being framed or running script they did not ship:
// a per-response nonce for Next.js's own inline scripts (the proxy sets it; Next.js reads it from
// the request's Content-Security-Policy header and adds it to the scripts it renders).

/** The Content-Security-Policy of a console page rendered with `nonce`. */
export function pagePolicy(nonce: string, development = process.env.NODE_ENV === "development"): string {
  return [
    "default-src 'self'",
    // 'strict-dynamic': what a nonced script loads (Next.js's chunks) may run, nothing else; React's
    // development build evaluates code for its error overlays, the production build never does
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${development ? " 'unsafe-eval'" : ""}`,
    `style-src 'self' 'nonce-${nonce}'`,
    // bars and charts size themselves with style="width: …%" attributes; no script can run from one
    "style-src-attr 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

/** The policy of everything else the console serves (API answers, CSV, metrics): nothing runs, nothing frames it. */
export const API_POLICY = "default-src 'none'; frame-ancestors 'none'";

/** Headers on every answer, pages and API alike. */
export const COMMON_HEADERS: Record<string, string> = {
  "x-frame-options": "DENY",
  "x-content-type-options": "nosniff",
  "referrer-policy": "same-origin",
};

/** Whether a URL path decodes (a path such as /networks/%ZZ/x would make the page's parameters throw). */
export function pathDecodes(pathname: string): boolean {
  try {
    decodeURIComponent(pathname);
    return true;
  } catch {
    return false;
  }
}
