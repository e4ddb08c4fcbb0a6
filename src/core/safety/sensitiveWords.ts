/**
 * The user's own list of words that must not reach the model (a client's name, a project code name): the design
 * article's sensitive-word idea, made configurable and empty by default. Matching is case-insensitive and by
 * substring, so `falcon` also covers `ProjectFalconClient` (names hide inside identifiers) and works for scripts
 * without spaces between words. Occurrences inside our own placeholders are ignored so filtering stays idempotent.
 */
import { lowerKeepingOffsets } from "./text.ts";
import type { Span } from "./types.ts";

/** `redact` replaces each occurrence with `<redacted:sensitive-word#n>`; `block` refuses to send the text at all. */
export type SensitiveWordAction = "redact" | "block";

export interface SensitiveWordFinding extends Span {
  /** Index of the word in the list (never the word itself, which may be confidential). */
  readonly wordIndex: number;
}

const PLACEHOLDER_RE = /<(?:secret|redacted):[a-z0-9-]{1,40}#\d{1,7}>/g;

/** Normalises the configured list: trimmed, non-empty, lower-cased, longest first so overlaps keep the longer word. */
export function normalizeSensitiveWords(words: readonly string[]): { word: string; index: number }[] {
  return words
    .map((w, index) => ({ word: lowerKeepingOffsets(w.trim()), index }))
    .filter((w) => w.word.length > 0)
    .sort((a, b) => b.word.length - a.word.length);
}

/** Finds every occurrence of every word; overlapping hits are left for the caller's overlap resolution. */
export function findSensitiveWords(text: string, words: readonly string[]): SensitiveWordFinding[] {
  const list = normalizeSensitiveWords(words);
  if (list.length === 0) return [];
  const lower = lowerKeepingOffsets(text);
  const placeholders: Span[] = [];
  for (const m of text.matchAll(PLACEHOLDER_RE)) placeholders.push({ start: m.index, end: m.index + m[0].length });
  const insidePlaceholder = (s: number, e: number): boolean => {
    let lo = 0;
    let hi = placeholders.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (placeholders[mid].end <= s) lo = mid + 1;
      else hi = mid;
    }
    const p = placeholders[lo];
    return p !== undefined && p.start < e;
  };
  const out: SensitiveWordFinding[] = [];
  for (const { word, index } of list) {
    let i = lower.indexOf(word);
    while (i !== -1) {
      if (!insidePlaceholder(i, i + word.length)) out.push({ start: i, end: i + word.length, wordIndex: index });
      i = lower.indexOf(word, i + word.length);
    }
  }
  return out;
}
