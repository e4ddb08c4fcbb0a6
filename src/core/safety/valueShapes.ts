/**
 * What a name or a value looks like: the words of an identifier, expressions, version ranges and names that are
 * not generated keys. Shared by the generic assignment rule and the provider keyword rules.
 */

/** Splits `DB_PASSWORD`, `apiKey`, `client-secret` into lower-case words. */
export function words(identifier: string): string[] {
  const out: string[] = [];
  let cur = "";
  for (let i = 0; i < identifier.length; i++) {
    const c = identifier.charCodeAt(i);
    const upper = c >= 65 && c <= 90;
    const lowerOrDigit = (c >= 97 && c <= 122) || (c >= 48 && c <= 57);
    if (!upper && !lowerOrDigit) {
      if (cur) out.push(cur);
      cur = "";
      continue;
    }
    // camelCase boundary: an upper-case letter after a lower-case letter or digit.
    if (upper && cur && i > 0) {
      const p = identifier.charCodeAt(i - 1);
      if ((p >= 97 && p <= 122) || (p >= 48 && p <= 57)) {
        out.push(cur);
        cur = "";
      }
    }
    cur += upper ? String.fromCharCode(c + 32) : identifier[i];
  }
  if (cur) out.push(cur);
  return out;
}

export function isExpressionLike(value: string): boolean {
  // Identifiers and member chains (`process.env.TOKEN`, `self.password`), calls, indexing, literals of other types.
  if (/^[A-Za-z_$][\w$]*(?:\??\.[A-Za-z_$][\w$]*)*$/.test(value) && !/\d/.test(value)) return true;
  // A negated identifier or member chain (`!isCompleteFix`, `!a.b2`).
  if (/^!{1,2}[A-Za-z_$][\w$]*(?:\??\.[A-Za-z_$][\w$]*)*$/.test(value)) return true;
  if (/[([{]/.test(value)) return true;
  // Operators of an expression (`a && a.token`, `e.key ? e.key : null`, `x || y`).
  if (/&&|\|\||=>|[=!]=|\?[^?]*:/.test(value)) return true;
  if (/^(?:true|false|null|none|nil|undefined|yes|no|on|off)$/i.test(value)) return true;
  if (/^-?\d+(?:\.\d+)?$/.test(value)) return true;
  return false;
}

/** No digits, only letters and separators: a name, a label, an event id or a sentence (gitleaks' `^[a-zA-Z_.-]+$`). */
export function isWordLike(value: string): boolean {
  return /^[A-Za-z_.:/@# -]+$/.test(value);
}

/** `^10.2.2`, `~1.0`, `>=3.9.1-beta.2`: a version range in a manifest, not a password. */
export function isVersion(value: string): boolean {
  return /^(?:[~^]|[<>]=?|=)?v?\d{1,6}(?:\.\d{1,6}){1,3}(?:[-+][\w.]{1,40})?$/.test(value);
}

/**
 * Identifiers made of words (`OAuth2TokenCredential`, `token_sha256_to_refresh`, `FlowPasswordRequiredResultV2`),
 * as opposed to generated keys: words have many vowels, few digits, and letters in runs of one case (`assword`,
 * `TOKEN`). Random base62 has a vowel share of about 0.19, a digit share of 0.16 and changes case every other
 * letter; all of these must say "name".
 */
export function looksLikeName(value: string): boolean {
  let letters = 0;
  let vowels = 0;
  let digits = 0;
  let inRuns = 0;
  let runLength = 0;
  let runUpper = false;
  let longest = 0;
  const closeRun = (): void => {
    if (runLength >= 3) inRuns += runLength;
    longest = Math.max(longest, runLength);
    runLength = 0;
  };
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    const upper = c >= 65 && c <= 90;
    const lower = c >= 97 && c <= 122;
    if (c >= 48 && c <= 57) digits++;
    if (!upper && !lower) {
      closeRun();
      continue;
    }
    letters++;
    if ("aeiouAEIOU".includes(value[i])) vowels++;
    if (runLength > 0 && upper !== runUpper) closeRun();
    runUpper = upper;
    runLength++;
  }
  closeRun();
  // Thresholds measured on 100 000 random base62 strings: 0.25 % of 12-character, 0.15 % of 20-character and
  // 0.008 % of 40-character values pass as names (a false negative of the generic rule only; prefixed tokens have
  // their own rules), while 10 of 14 real constant names from popular packages do.
  return letters >= 6 && vowels / letters >= 0.3 && digits / value.length <= 0.2 && inRuns / value.length >= 0.7 && longest >= 6;
}
