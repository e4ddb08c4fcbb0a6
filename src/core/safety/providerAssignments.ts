/**
 * Keyword-gated provider rules (providerTokens/keywordRules.ts): at a hit of a provider keyword, the assignment
 * around it is read once (the same reader as the generic rule), and its value is matched against the shapes of
 * the rules of that keyword. Hits inside a name already read reuse that reading, so a flood of keywords stays linear.
 */
import { isPlaceholderValue } from "./allowlist.ts";
import { readAssignment, type ReadAssignment } from "./assignments.ts";
import type { KeywordRule } from "./providerTokens/rule.ts";
import { shannonEntropy } from "./text.ts";
import type { Span } from "./types.ts";
import { isExpressionLike, looksLikeName, words } from "./valueShapes.ts";

/** Last words of names that hold an identifier, an address or a digest, not a credential (`heroku_app_id`). */
const NOT_SECRET_LAST_WORD = /^(?:id|ids|uuid|guid|sid|name|url|uri|host|hostname|endpoint|domain|region|zone|site|user|username|email|login|org|path|file|dir|version|sha\d*|hash|digest|checksum|commit|rev|etag|fingerprint|integrity|count|enabled|type|mode|channel|prefix|format|length|size|timeout|port)$/;

/** The last assignment read, by identifier span. */
export interface KeywordReadCache {
  read?: ReadAssignment;
}

function isLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

/** True when the keyword at `hit` starts a word: after a non-letter, or at a camelCase boundary (`myTwilioKey`). */
function startsWord(text: string, hit: number): boolean {
  if (hit === 0) return true;
  const p = text.charCodeAt(hit - 1);
  if (!isLetter(p)) return true;
  const c = text.charCodeAt(hit);
  return p >= 97 && p <= 122 && c >= 65 && c <= 90;
}

/**
 * Words rather than a key: a mixed-case value that reads as a name (`TwitterConsumerKeyValue`), or a value in one
 * case with no digit and the vowels of words (`mattermostserveradmin`; random letters have about 19 % vowels).
 */
function isWordy(value: string): boolean {
  const lower = /[a-z]/.test(value);
  const upper = /[A-Z]/.test(value);
  if (lower && upper) return looksLikeName(value);
  if (/[0-9]/.test(value) || !(lower || upper)) return false;
  const letters = value.replace(/[^A-Za-z]/g, "");
  return letters.replace(/[^aeiouAEIOU]/g, "").length / letters.length >= 0.3;
}

/** Judges the keyword hit at `hit` against `rules` (`quotedOnly`: the text is source code); returns the first rule whose shape the assigned value has. */
export function judgeKeywordAssignment(text: string, hit: number, rules: readonly KeywordRule[], cache: KeywordReadCache, quotedOnly = false): (Span & { rule: KeywordRule }) | undefined {
  if (!startsWord(text, hit)) return undefined;
  let read = cache.read;
  if (!read || hit < read.identStart || hit >= read.identEnd) {
    read = readAssignment(text, hit);
    cache.read = read;
  }
  if (!read.name || !read.value) return undefined;
  const { start, end } = read.value;
  const value = text.slice(start, end);
  // In source code an unquoted identifier is an expression; in config files (`.env`, YAML) it is a literal.
  // Base64 padding (`…==`) is not an operator.
  if (!read.quoted && quotedOnly && isExpressionLike(value.replace(/=+$/, ""))) return undefined;
  const ws = words(text.slice(read.name.start, read.name.end));
  if (NOT_SECRET_LAST_WORD.test(ws[ws.length - 1] ?? "")) return undefined;
  for (const rule of rules) {
    if (!rule.value.test(value)) continue;
    if (shannonEntropy(value) < rule.minEntropy || isWordy(value) || isPlaceholderValue(value, { strict: true })) continue;
    return { start, end, rule };
  }
  return undefined;
}
