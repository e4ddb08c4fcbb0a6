/**
 * The generic rule: `password|secret|token|api_key … = "<value>"` in any of the syntaxes code and config use
 * (`.env`, JSON, YAML, TOML, TypeScript, Python, shell, PHP, Go). A hit of a keyword is widened to the identifier
 * around it, an assignment operator must follow, and the literal value is then judged by the keyword's tier:
 * passwords are short and low-entropy, tokens and keys are long and random. Expressions (`process.env.TOKEN`,
 * `getPassword()`), type annotations, placeholders and hashes are not values. The AWS secret access key has no
 * prefix, so it is recognised here, by its key name and shape.
 */
import {
  UUID_RE,
  isDataUri,
  isHexDigest,
  isIntegrityHash,
  isPathOrUrl,
  isPlaceholderValue,
  isPublicKey,
} from "./allowlist.ts";
import { shannonEntropy } from "./text.ts";
import type { Span } from "./types.ts";
import { isExpressionLike, isVersion, isWordLike, looksLikeName, words } from "./valueShapes.ts";

export interface AssignmentFinding {
  readonly ruleId: "password" | "generic-secret" | "aws-secret-access-key";
  readonly start: number;
  readonly end: number;
}

const IDENT_MAX = 64;
const VALUE_MAX = 256;

function isIdentChar(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 95 || c === 45 || c === 46;
}

type Tier = "password" | "secret" | "key";

const PASSWORD_WORDS = new Set(["password", "passwd", "pass", "pwd", "passphrase", "pswd"]);
const PASSWORD_SUFFIXES = ["password", "passwd", "passphrase"];
const SECRET_WORDS = new Set(["secret", "secrets", "token", "credential", "credentials", "auth", "authorization", "bearer", "cookie"]);
const SECRET_SUFFIXES = ["secret", "token", "credential", "credentials"];
/** Compound names (checked on the words joined) that mean "a key that is a credential". */
const SECRET_COMPOUNDS = [
  "apikey",
  "accesskey",
  "secretkey",
  "privatekey",
  "authkey",
  "signingkey",
  "encryptionkey",
  "masterkey",
  "sessionkey",
  "licensekey",
  "clientkey",
  "appkey",
  "webhookurl",
];

/** The tier of an identifier, or undefined when it does not name a credential (`tokenizer`, `bypass`, `primaryKey`). */
function tierOf(ws: readonly string[]): Tier | undefined {
  for (const w of ws) {
    if (PASSWORD_WORDS.has(w) || PASSWORD_SUFFIXES.some((s) => w.endsWith(s))) return "password";
  }
  const joined = ws.join("");
  for (const w of ws) {
    if (SECRET_WORDS.has(w) || SECRET_SUFFIXES.some((s) => w.endsWith(s) && w !== s + "s")) return "secret";
  }
  if (SECRET_COMPOUNDS.some((c) => joined.includes(c))) return "secret";
  if (ws[ws.length - 1] === "key") return "key";
  return undefined;
}

/** After the identifier: an optional closing quote/bracket, then `=`, `:`, `:=`, `=>`, `?=`, `||=`, `==`. */
const OPERATOR_RE = /["'`]?\]?[ \t]{0,16}(?::=|=>|\?\?=|\|\|=|\?=|===?|!==?|[:=])[ \t]{0,16}/y;
const UNQUOTED_RE = /[^\s"'`,;)}\]<>]{1,256}/y;
const SCHEME_RE = /(?:Bearer|Basic|Token|Bot)[ \t]+/iy;
const PLACEHOLDER_AT = /<(?:secret|redacted):[a-z0-9-]{1,40}#\d{1,7}>/y;

/** Reads a quoted literal starting at `pos` (the quote). Returns the inner span, or undefined if it does not close soon. */
function readQuoted(text: string, pos: number): { start: number; end: number } | undefined {
  const q = text.charCodeAt(pos);
  const limit = Math.min(text.length, pos + 1 + VALUE_MAX + 1);
  for (let i = pos + 1; i < limit; i++) {
    const c = text.charCodeAt(i);
    if (c === 92) {
      i++;
      continue;
    }
    if (c === q) return { start: pos + 1, end: i };
    if (c === 10 && q !== 96) return undefined;
  }
  return undefined;
}

/** Names under which even a UUID is a credential (`client_secret`, `DB_PASSWORD`, `_authToken` of npm, `apiKey`). */
const STRONG_NAME_RE = /secret|passw(?:or)?d|passphrase|apikey|authtoken|accesstoken|accesskey|privatekey/;

const MIN_LENGTH: Record<Tier, number> = { password: 6, secret: 12, key: 20 };
const MIN_ENTROPY: Record<Exclude<Tier, "password">, number> = { secret: 3.0, key: 3.5 };
/** Type names and literals that follow a password name in declarations and schemas, not passwords. */
const NOT_A_PASSWORD_RE = /^(?:string|String|str|bytes|number|boolean|object|unknown|any|null|undefined|None|nil|true|false|required|optional|hidden|password|text|secret)$/i;
const CREDENTIAL_WORD_RE = /passw|secret|token|credential|auth|key/i;

/** Cheap checks first (length, shape, entropy); the allowlists only run on values that already look random. */
function judge(value: string, tier: Tier, ws: readonly string[]): boolean {
  if (value.length < MIN_LENGTH[tier]) return false;
  if (/\s/.test(value) || isVersion(value)) return false;
  if (tier === "password") {
    // A password is whatever its owner typed (`hunter2hunter2`, `correcthorse`): no shape or entropy test, only what
    // is plainly not a password: a type name, a dotted message key or path, a constant, or a name that itself speaks
    // of the credential (`FLOW_PASSWORD_REQUIRED = "FlowPasswordRequiredResultV2"`).
    if (NOT_A_PASSWORD_RE.test(value) || /[.:/@#]/.test(value) || /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$/.test(value)) return false;
    // kebab-case words are attribute values and protocol constants (`autocomplete="new-password"`, `x-oauth-basic`).
    if (/^[a-z]+(?:-[a-z]+)+$/.test(value)) return false;
    if (looksLikeName(value) && CREDENTIAL_WORD_RE.test(value)) return false;
  } else {
    if (isWordLike(value) || looksLikeName(value)) return false;
    if (tier === "key" && (!/\d/.test(value) || !/[A-Za-z]/.test(value) || /[.:/]/.test(value))) return false;
    if (shannonEntropy(value) < MIN_ENTROPY[tier]) return false;
  }
  if (isPlaceholderValue(value) || isIntegrityHash(value) || isDataUri(value) || isPathOrUrl(value)) return false;
  // The key's own name as its value (`SHA256_TOKEN_TO_REFRESH: "token_sha256_to_refresh"`): a constant.
  const vws = words(value);
  if (vws.length >= 2 && vws.every((w) => ws.includes(w))) return false;
  const last = ws[ws.length - 1] ?? "";
  // UUIDs are ids (request ids, CSRF and idempotency tokens), except under a name that says secret or password.
  if (UUID_RE.test(value) && (/(?:id|uuid|guid|ref|name)$/.test(last) || !STRONG_NAME_RE.test(ws.join("")))) return false;
  if (isHexDigest(value) && ws.some((w) => /sha|hash|commit|digest|checksum|rev|etag|fingerprint|integrity/.test(w))) return false;
  // A hex digest under an id name (`private_key_id` of a GCP service account) is the key's id, not the key.
  if (isHexDigest(value) && /^(?:id|ids|uuid|guid|ref)$/.test(last)) return false;
  if (isPublicKey(value)) return false;
  return true;
}

/** A span `[start, end)` known to consist of unquoted-value characters; shared across the hits of one scan. */
export interface ValueRun {
  start: number;
  end: number;
}

/** Longer "identifiers" are blobs (minified code, base64), not names. */
const IDENT_LIMIT = 128;

/** An assignment read at a keyword hit: where the identifier ends, and when an operator and a literal follow, their spans. */
export interface ReadAssignment {
  /** Where the identifier around the hit starts and ends (before trimming `--`, `.`). */
  readonly identStart: number;
  readonly identEnd: number;
  /** The name the operator applies to. */
  readonly name?: Span;
  /** The value (inside quotes, after a `Bearer`/`Basic` scheme). Unquoted, it may be an expression (`a == b`). */
  readonly value?: Span;
  readonly quoted?: boolean;
}

/**
 * Reads the assignment whose name holds the keyword hit at `hit`: the identifier around it, an operator, and a
 * quoted or unquoted literal. Every step is bounded, so the cost per hit is constant.
 */
export function readAssignment(text: string, hit: number, run?: ValueRun, quotedOnly = false): ReadAssignment {
  let s = hit;
  const minS = Math.max(0, hit - IDENT_MAX);
  while (s > minS && isIdentChar(text.charCodeAt(s - 1))) s--;
  const identStart = s;
  let e = hit;
  const maxE = Math.min(text.length, hit + IDENT_LIMIT);
  while (e < maxE && isIdentChar(text.charCodeAt(e))) e++;
  if (e - s >= IDENT_LIMIT || (e === maxE && e < text.length && isIdentChar(text.charCodeAt(e)))) {
    // Skip the whole run (linear: each character of it is visited once more at most).
    while (e < text.length && isIdentChar(text.charCodeAt(e))) e++;
    return { identStart, identEnd: e };
  }
  const identEnd = e;
  // `--password=x`, `.password = x`: the operator side starts after leading dashes and dots.
  while (s < hit && (text.charCodeAt(s) === 45 || text.charCodeAt(s) === 46)) s++;
  // `DB.password`: a trailing dot is punctuation, not part of the name.
  while (e > s && text.charCodeAt(e - 1) === 46) e--;
  const none = { identStart, identEnd };

  // Cheapest test first: most keyword hits in code (`e.key||`, `this.token)`) are not followed by an operator.
  OPERATOR_RE.lastIndex = e;
  const op = OPERATOR_RE.exec(text);
  if (!op) return none;
  // Our own placeholder (`<secret:github-token#1>`) reads like `secret: …`; filtering must be idempotent.
  if (s > 0 && text.charCodeAt(s - 1) === 60) {
    PLACEHOLDER_AT.lastIndex = s - 1;
    if (PLACEHOLDER_AT.test(text)) return none;
  }

  let v = e + op[0].length;
  // `Authorization: Bearer <token>` / `"Basic <b64>"`: the scheme word is not the secret.
  const quote = text.charCodeAt(v);
  let start: number;
  let end: number;
  if (quote === 34 || quote === 39 || quote === 96) {
    const q = readQuoted(text, v);
    if (!q) return none;
    start = q.start;
    end = q.end;
    const scheme = /^(?:Bearer|Basic|Token|Bot)\s+/i.exec(text.slice(start, Math.min(end, start + 8)));
    if (scheme) start += scheme[0].length;
  } else {
    // In source code an unquoted value is an expression (`token = previousToken2`), never a literal.
    if (quotedOnly) return none;
    SCHEME_RE.lastIndex = v;
    const sm = SCHEME_RE.exec(text);
    if (sm) v += sm[0].length;
    // The run of value characters from v. `run` remembers the last run scanned, so a keyword every few
    // characters (`password=password=…`) does not rescan the same 256 characters each time.
    let runEnd: number;
    if (run && v >= run.start && v <= run.end) {
      if (run.end - v >= VALUE_MAX) return none;
      UNQUOTED_RE.lastIndex = run.end;
      const more = UNQUOTED_RE.exec(text);
      runEnd = run.end + (more ? more[0].length : 0);
    } else {
      UNQUOTED_RE.lastIndex = v;
      const m = UNQUOTED_RE.exec(text);
      runEnd = v + (m ? m[0].length : 0);
    }
    if (run) {
      run.start = v;
      run.end = runEnd;
    }
    // A value longer than the bound is a blob (base64 image, minified code), not a credential.
    if (runEnd === v || runEnd - v >= VALUE_MAX) return none;
    start = v;
    end = runEnd;
  }
  return { identStart, identEnd, name: { start: s, end: e }, value: { start, end }, quoted: quote === 34 || quote === 39 || quote === 96 };
}

/**
 * Judges the assignment whose keyword hit is at `hit`. Returns where the identifier around the hit ends, so the
 * caller can skip further keyword hits inside the same name (`secretToken`, or a `keykeykey…` flood) and every
 * character is looked at a bounded number of times.
 */
export function judgeAssignment(text: string, hit: number, run?: ValueRun, quotedOnly = false): { finding?: AssignmentFinding; identEnd: number } {
  const read = readAssignment(text, hit, run, quotedOnly);
  const { identEnd } = read;
  if (!read.name || !read.value) return { identEnd };
  const { start, end } = read.value;
  const value = text.slice(start, end);
  if (value.length < MIN_LENGTH.password || value.length > VALUE_MAX) return { identEnd };
  const ws = words(text.slice(read.name.start, read.name.end));
  const tier = tierOf(ws);
  if (!tier) return { identEnd };
  // Unquoted values only reach here outside source code (.env, YAML, properties, prose). There a lowercase word
  // under a password name is the password (`DB_PASSWORD=correcthorse`); an identifier with capitals, underscores or
  // a member chain is still read as a reference to one (`password: userInput`, `pass = cfg.db_pass`).
  if (!read.quoted && isExpressionLike(value) && !(tier === "password" && /^[a-z][a-z0-9]*$/.test(value))) return { identEnd };

  const joined = ws.join("");
  if ((joined.includes("secretaccesskey") || (joined.includes("aws") && joined.includes("secret"))) && /^[A-Za-z0-9/+]{40}$/.test(value)) {
    if (!isPlaceholderValue(value) && shannonEntropy(value) >= 3.5) return { finding: { ruleId: "aws-secret-access-key", start, end }, identEnd };
    return { identEnd };
  }
  const ruleId = judgeNamedValue(value, ws);
  return ruleId ? { finding: { ruleId, start, end }, identEnd } : { identEnd };
}

/** The generic verdict on `value` assigned to a name made of `ws`: `password`, `generic-secret`, or undefined. */
export function judgeNamedValue(value: string, ws: readonly string[]): "password" | "generic-secret" | undefined {
  const tier = tierOf(ws);
  if (!tier || value.length < MIN_LENGTH.password || !judge(value, tier, ws)) return undefined;
  return tier === "password" ? "password" : "generic-secret";
}
