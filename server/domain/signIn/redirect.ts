// Where the browser goes after signing in (`/signin?next=…`, and the OIDC callback) and what the
// sign-in page may say about a failed redirect (`/signin?error=…`). Both come from the address bar,
// so both are attacker-chosen text.

/** An origin no real request has, to resolve `next` against: only a path of the console keeps it. */
const PROBE_ORIGIN = "https://console.invalid";

/**
 * `next` as a path of the console itself, or "/" when it would lead anywhere else. It is parsed as
 * a URL against the console's origin, as the browser will: `//host`, `/\host`, `/<TAB>/host`,
 * `https:…` and `javascript:…` all resolve to another origin and are refused.
 */
export function safeNextPath(next: string | null | undefined): string {
  if (!next || !next.startsWith("/")) return "/";
  let url: URL;
  try {
    url = new URL(next, PROBE_ORIGIN);
  } catch {
    return "/";
  }
  if (url.origin !== PROBE_ORIGIN) return "/";
  return `${url.pathname}${url.search}${url.hash}`;
}

/** The failures the sign-in page may report after a redirect, by the code in `?error=`. */
export const SIGN_IN_ERRORS = {
  "oidc-not-configured": "Signing in through the identity provider is not configured on this console.",
  "oidc-unreachable": "The identity provider cannot be reached; try again later or ask your administrator.",
  "oidc-expired": "The sign-in took too long or cookies are blocked; try again.",
  "oidc-damaged": "The sign-in cookie is damaged; try again.",
  "oidc-failed": "The identity provider's answer was not accepted (the console's log has the reason); try again.",
} as const;

export type SignInErrorCode = keyof typeof SIGN_IN_ERRORS;

/** The message of a known `?error=` code; undefined for anything else (never the text itself). */
export function signInErrorMessage(code: string | null | undefined): string | undefined {
  return code && Object.hasOwn(SIGN_IN_ERRORS, code) ? SIGN_IN_ERRORS[code as SignInErrorCode] : undefined;
}
