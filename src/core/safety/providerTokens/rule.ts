/**
 * The two shapes of provider rule. A `TokenRule` is a credential with a recognisable literal (a prefix such as
 * `glpat-`, or a fixed marker a known number of characters in, such as Azure's `Q~`): the combined keyword scan
 * finds the literal, then a sticky, bounded regex confirms the token at that exact position. A `KeywordRule` is a
 * credential without one (a 32-character hex key): it is only recognised as the value assigned to a name that
 * holds the provider's keyword (`TWILIO_AUTH_TOKEN = …`), the way gitleaks gates such rules on a nearby keyword.
 */

export interface TokenRule {
  readonly id: string;
  /** Lower-case literals the scan looks for. */
  readonly anchors: readonly string[];
  /** Sticky (`y`) regex matched where the token starts; the whole match is the secret. Every quantifier is bounded. */
  readonly pattern: RegExp;
  /** Characters a token is made of: a token right after one of them is in the middle of a longer word. */
  readonly wordChar: RegExp;
  /** Minimum Shannon entropy (bits/char) of the match; below it the match is a made-up or repeated value. */
  readonly minEntropy: number;
  /** How many characters of the token come before its anchor (0: the anchor is the token's start). */
  readonly back?: number;
  /** Extra check on the match, e.g. the mix of character classes a generated key always has. */
  readonly validate?: (value: string) => boolean;
}

export interface KeywordRule {
  readonly id: string;
  /** Lower-case words; one of them must start a word of the assigned name (`twilio` in `TWILIO_AUTH_TOKEN`). */
  readonly keywords: readonly string[];
  /** The whole value must match (anchored when the rule is built). */
  readonly value: RegExp;
  readonly minEntropy: number;
}

export const ALNUM = /[A-Za-z0-9]/;
export const ALNUM_UNDERSCORE = /[A-Za-z0-9_]/;
export const ALNUM_DASH_UNDERSCORE = /[A-Za-z0-9_-]/;
export const BASE64_CHAR = /[A-Za-z0-9+/]/;

/** A generated key of 20+ characters has upper case, lower case and digits; prose and CSS class names do not. */
export function mixedCase(value: string): boolean {
  return /[a-z]/.test(value) && /[A-Z]/.test(value) && /[0-9]/.test(value);
}

/** Letters and digits both: a random alphanumeric key of 16+ characters nearly always has some of each. */
export function lettersAndDigits(value: string): boolean {
  return /[A-Za-z]/.test(value) && /[0-9]/.test(value);
}

/** At least two of lower case, upper case and digits: a generated key, not a word or a run of one character. */
export function twoClasses(value: string): boolean {
  return Number(/[a-z]/.test(value)) + Number(/[A-Z]/.test(value)) + Number(/[0-9]/.test(value)) >= 2;
}

type TokenOptions = Partial<Pick<TokenRule, "wordChar" | "minEntropy" | "back" | "validate">>;

/** A token rule with the usual defaults: word characters `[A-Za-z0-9_-]`, entropy at least 3 bits a character. */
export function token(id: string, anchors: readonly string[], pattern: RegExp, options: TokenOptions = {}): TokenRule {
  if (!pattern.sticky) throw new Error(`${id}: the pattern must be sticky`);
  return { id, anchors, pattern, wordChar: ALNUM_DASH_UNDERSCORE, minEntropy: 3.0, ...options };
}

/** A keyword rule; `value` is written unanchored and matched against the whole assigned value. */
export function keyword(id: string, keywords: readonly string[], value: RegExp, minEntropy = 3.0): KeywordRule {
  return { id, keywords, value: new RegExp(`^(?:${value.source})$`, value.flags.replace(/[gy]/g, "")), minEntropy };
}

/** Decodes standard or URL-safe base64 (no Node, no DOM), or undefined when it is not base64. */
export function decodeBase64(b64: string): string | undefined {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  let bits = 0;
  let acc = 0;
  let out = "";
  for (const ch of b64.replace(/=+$/, "")) {
    let v = alphabet.indexOf(ch);
    if (ch === "-") v = 62;
    else if (ch === "_") v = 63;
    if (v < 0) return undefined;
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += String.fromCharCode((acc >> bits) & 0xff);
    }
  }
  return out;
}
