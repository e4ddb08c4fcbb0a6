/**
 * Passwords in URLs and connection strings: `postgres://app:<password>@db:5432/app`, `redis://:<password>@cache`,
 * `https://user:<password>@git.example.org/repo.git`. Only the password is redacted, so the model still sees the
 * scheme, user and host (useful context, not secret), except with GitHub's `x-oauth-basic`, where the user part is
 * the token. ADO.NET-style `Password=...;` strings are handled by the
 * generic assignment rule.
 */
import { isPlaceholderValue } from "./allowlist.ts";
import type { Span } from "./types.ts";

/** user:password@ right after `://`. Neither part may hold `/`, so `https://host:8080/path@x` is not a match. */
const USERINFO_RE = /([^\s:@/?#'"`<>\\]{0,128}):([^\s@/?#'"`<>\\]{1,256})@(?=[A-Za-z0-9[._-])/y;
const SCHEME_CHAR = /[A-Za-z0-9+.-]/;
/** Passwords that documentation uses for "put your password here". */
const STOPWORDS = new Set(["password", "pass", "passwd", "pwd", "secret", "changeme", "user", "username", "pw", "p", "x"]);

/** Judges the URL whose `://` is at `hit`; returns the password span or undefined. */
export function judgeUrlCredentials(text: string, hit: number): Span | undefined {
  // A scheme is 2..32 scheme characters starting with a letter, right before `://`.
  let s = hit;
  while (s > 0 && hit - s < 32 && SCHEME_CHAR.test(text[s - 1])) s--;
  if (hit - s < 2 || !/[A-Za-z]/.test(text[s])) return undefined;
  USERINFO_RE.lastIndex = hit + 3;
  const m = USERINFO_RE.exec(text);
  if (!m) return undefined;
  const password = m[2];
  // `https://<token>:x-oauth-basic@github.com/…`: the token is in the user part (secretlint's basic-auth rule).
  if (password === "x-oauth-basic") {
    const user = m[1];
    if (user.length < 8 || isPlaceholderValue(user)) return undefined;
    return { start: hit + 3, end: hit + 3 + user.length };
  }
  if (STOPWORDS.has(password.toLowerCase()) || isPlaceholderValue(password)) return undefined;
  // `host:8080@` is a port, not a password.
  if (/^\d{1,5}$/.test(password)) return undefined;
  const start = hit + 3 + m[1].length + 1;
  return { start, end: start + password.length };
}
