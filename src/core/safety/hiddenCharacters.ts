/**
 * Characters a reader cannot see but a model reads: bidi controls (Trojan Source, CVE-2021-42574), zero-width
 * characters, and the Unicode tag block (used to smuggle ASCII instructions past a human reviewer). They are found
 * in one regex pass and each run of them becomes one edit: removed, or escaped as a visible `<U+202E>`.
 *
 * Left intact on purpose: the tag sequence of a valid emoji subdivision flag (🏴 + tag letters + CANCEL TAG), a
 * ZWJ joining two emoji (👨‍👩‍👧), ZWJ/ZWNJ between letters of scripts that need them (Persian, Hindi), a BOM at
 * offset 0, and LRM/RLM marks, which RTL text uses and which cannot reorder code.
 */
import type { HiddenCharacterKind } from "./types.ts";

/** What to do with hidden characters. `escape` shows the model (and the user) that something was there. */
export type HiddenCharacterAction = "escape" | "remove";

/**
 * Runs of hidden characters, as parallel typed arrays: a hostile file can hold hundreds of thousands of them, and
 * one object per run would cost more than the scan itself.
 */
export interface HiddenRuns {
  readonly length: number;
  readonly starts: Int32Array;
  readonly ends: Int32Array;
  readonly codePoints: Int32Array;
  readonly counts: Int32Array;
  /** Index into {@link HIDDEN_KINDS}. */
  readonly kinds: Uint8Array;
}

export const HIDDEN_KINDS: readonly HiddenCharacterKind[] = ["bidi-control", "zero-width", "tag"];

function isCandidate(c: number, next: number): boolean {
  return (
    (c >= 0x202a && c <= 0x202e) ||
    (c >= 0x2066 && c <= 0x2069) ||
    (c >= 0x200b && c <= 0x200d) ||
    (c >= 0x2060 && c <= 0x2064) ||
    c === 0xfeff ||
    c === 0x180e ||
    (c === 0xdb40 && next >= 0xdc00 && next <= 0xdc7f)
  );
}

/** Bidi embeddings/overrides/isolates, zero-width space/joiners, word joiner & invisible operators, ZWNBSP, Mongolian VS, tags. */
const HIDDEN_RE = /[\u202A-\u202E\u2066-\u2069\u200B-\u200D\u2060-\u2064\uFEFF\u180E]|\uDB40[\uDC00-\uDC7F]/g;

function kindOf(cp: number): number {
  if ((cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069)) return 0;
  if (cp >= 0xe0000) return 2;
  return 1;
}

const EMOJI_BEFORE_ZWJ = /(?:\p{Extended_Pictographic}|[\u{1F3FB}-\u{1F3FF}]|\uFE0F|\u20E3)$/u;
const EMOJI_AFTER_ZWJ = /^[\p{Extended_Pictographic}]/u;
/** Letters and marks of scripts other than Latin/Common, where ZWJ and ZWNJ change how text is shaped. */
const JOINING_SCRIPT_BEFORE = /[\p{L}\p{M}]$/u;
const JOINING_SCRIPT_AFTER = /^[\p{L}\p{M}]/u;
const LATIN_OR_ASCII = /[\p{Script=Latin}\p{ASCII}]/u;

function isBenignJoiner(text: string, start: number, end: number, cp: number): boolean {
  const before = text.slice(Math.max(0, start - 2), start);
  const after = text.slice(end, end + 2);
  if (cp === 0x200d && EMOJI_BEFORE_ZWJ.test(before) && EMOJI_AFTER_ZWJ.test(after)) return true;
  if (cp === 0x200c || cp === 0x200d) {
    const b = [...before].pop() ?? "";
    const a = [...after][0] ?? "";
    if (JOINING_SCRIPT_BEFORE.test(b) && JOINING_SCRIPT_AFTER.test(a) && !LATIN_OR_ASCII.test(b) && !LATIN_OR_ASCII.test(a)) return true;
  }
  return false;
}

/** A run of tag characters after 🏴 that spells a subdivision flag: 2..12 tag digits/letters, then CANCEL TAG. */
function isFlagTagSequence(text: string, start: number, end: number): boolean {
  if (start < 2 || text.charCodeAt(start - 2) !== 0xd83c || text.charCodeAt(start - 1) !== 0xdff4) return false;
  const n = (end - start) / 2;
  if (n < 3 || n > 13) return false;
  for (let i = start; i < end - 2; i += 2) {
    const low = text.charCodeAt(i + 1);
    // E0030..E0039 digits, E0061..E007A lower-case letters.
    if (!((low >= 0xdc30 && low <= 0xdc39) || (low >= 0xdc61 && low <= 0xdc7a))) return false;
  }
  return text.charCodeAt(end - 1) === 0xdc7f;
}

function hex(cp: number): string {
  return "U+" + cp.toString(16).toUpperCase().padStart(4, "0");
}

/** The visible stand-in for a run: `<U+202E>`, or `<U+E0049 ×38>` for a run of 38. */
export function escapeHiddenRun(codePoint: number, count: number): string {
  return count === 1 ? `<${hex(codePoint)}>` : `<${hex(codePoint)} ×${count}>`;
}

export function codePointLabel(cp: number): string {
  return hex(cp);
}

const escapeCache = new Map<number, string>();

/** The replacement for a run under `action`; cached, since floods repeat the same few. */
export function hiddenReplacement(action: HiddenCharacterAction, codePoint: number, count: number): string {
  if (action === "remove") return "";
  if (count !== 1) return escapeHiddenRun(codePoint, count);
  let e = escapeCache.get(codePoint);
  if (e === undefined) {
    e = escapeHiddenRun(codePoint, 1);
    escapeCache.set(codePoint, e);
  }
  return e;
}

/** Finds runs of consecutive hidden characters of one kind, skipping the benign sequences described above. */
export function findHiddenCharacters(text: string): HiddenRuns {
  let cap = 16;
  let starts = new Int32Array(cap);
  let ends = new Int32Array(cap);
  let codePoints = new Int32Array(cap);
  let counts = new Int32Array(cap);
  let kinds = new Uint8Array(cap);
  let n = 0;
  const grow = (): void => {
    cap *= 2;
    const g32 = (a: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> => {
      const b = new Int32Array(cap);
      b.set(a);
      return b;
    };
    starts = g32(starts);
    ends = g32(ends);
    codePoints = g32(codePoints);
    counts = g32(counts);
    const k = new Uint8Array(cap);
    k.set(kinds);
    kinds = k;
  };
  // The regex rejects text without any candidate at native speed (a one-byte string cannot match at all); a
  // plain loop from the first candidate is faster than one match object per character when there are many.
  const re = new RegExp(HIDDEN_RE.source, HIDDEN_RE.flags);
  const firstMatch = re.exec(text);
  const length = text.length;
  for (let i = firstMatch ? firstMatch.index : length; i < length; i++) {
    const first = text.charCodeAt(i);
    if (first < 0x180e || !isCandidate(first, text.charCodeAt(i + 1))) continue;
    const start = i;
    const cp = first === 0xdb40 ? 0xe0000 + (text.charCodeAt(start + 1) - 0xdc00) : first;
    const end = start + (cp > 0xffff ? 2 : 1);
    i = end - 1;
    if (cp === 0xfeff && start === 0) continue;
    if ((cp === 0x200d || cp === 0x200c) && isBenignJoiner(text, start, end, cp)) continue;
    const kind = kindOf(cp);
    if (n > 0 && ends[n - 1] === start && kinds[n - 1] === kind) {
      ends[n - 1] = end;
      counts[n - 1]++;
      continue;
    }
    // The previous run is complete: drop it if it is the tag sequence of a valid flag.
    if (n > 0 && kinds[n - 1] === 2 && isFlagTagSequence(text, starts[n - 1], ends[n - 1])) n--;
    if (n === cap) grow();
    starts[n] = start;
    ends[n] = end;
    codePoints[n] = cp;
    counts[n] = 1;
    kinds[n] = kind;
    n++;
  }
  if (n > 0 && kinds[n - 1] === 2 && isFlagTagSequence(text, starts[n - 1], ends[n - 1])) n--;
  return { length: n, starts, ends, codePoints, counts, kinds };
}
