/**
 * The keyword prefilter: finds, left to right, where any of a few hundred lower-case ASCII anchors occurs in a
 * text, ignoring ASCII case, the longest anchor winning at a position. A regex alternation of that many literals
 * makes V8 try them one by one at every position; this scanner looks the first three characters up in a bit
 * table instead, so the cost per character is small and does not grow with the number of anchors.
 */

/** ASCII lower case of a UTF-16 code unit (other units unchanged). */
function fold(c: number): number {
  return c >= 65 && c <= 90 ? c | 32 : c;
}

const PAIR_ANCHOR = 1;
const PAIR_PREFIX = 2;

export interface AnchorHit {
  readonly index: number;
  /** The anchor as given (lower case). */
  readonly anchor: string;
  /**
   * Where another anchor can start inside this one (`sk` then `key` in `skey`), relative to `index`: the caller
   * resumes there when this hit led nowhere. The anchor's own length when none can.
   */
  readonly resume: number;
}

export class AnchorScanner {
  /** One bit per ASCII-folded trigram that starts an anchor of three or more characters: `(c0 << 14 | c1 << 7 | c2)`. */
  private readonly trigrams = new Uint8Array(1 << 18);
  /** The two-character anchors, by `(c0 << 7 | c1)`. */
  private readonly pairs = new Map<number, string>();
  /**
   * Per ASCII-folded character pair `(c0 << 7 | c1)`: PAIR_ANCHOR when the pair is an anchor, PAIR_PREFIX when a
   * longer anchor starts with it. Almost every pair of real text has neither, so one lookup in this small table
   * (16 KB, stays in cache) settles most positions before the large trigram table is touched.
   */
  private readonly pairFlags = new Uint8Array(1 << 14);
  /** The longer anchors by trigram, longest first. */
  private readonly byTrigram = new Map<number, string[]>();
  private readonly resume = new Map<string, number>();

  constructor(anchors: Iterable<string>) {
    const sorted = [...new Set(anchors)].sort((x, y) => y.length - x.length);
    for (const a of sorted) {
      if (a.length < 2 || a !== a.toLowerCase() || !/^[\x20-\x7e]+$/.test(a)) throw new Error(`bad anchor ${JSON.stringify(a)}`);
      if (a.length === 2) {
        this.pairs.set((a.charCodeAt(0) << 7) | a.charCodeAt(1), a);
        this.pairFlags[(a.charCodeAt(0) << 7) | a.charCodeAt(1)] |= PAIR_ANCHOR;
      } else {
        this.pairFlags[(a.charCodeAt(0) << 7) | a.charCodeAt(1)] |= PAIR_PREFIX;
        const t = (a.charCodeAt(0) << 14) | (a.charCodeAt(1) << 7) | a.charCodeAt(2);
        this.trigrams[t >> 3] |= 1 << (t & 7);
        this.byTrigram.set(t, [...(this.byTrigram.get(t) ?? []), a]);
      }
      // The first offset where the rest of `a` and another anchor could overlap. Not `a` itself: a token rule
      // that failed at `a` fails again one character on, where its anchor is glued to the previous letter.
      let j = 1;
      while (j < a.length && !sorted.some((b) => b !== a && (b.startsWith(a.slice(j)) || a.startsWith(b, j)))) j++;
      this.resume.set(a, j);
    }
  }

  private hit(index: number, anchor: string): AnchorHit {
    return { index, anchor, resume: this.resume.get(anchor) ?? anchor.length };
  }

  /** The first anchor at or after `from`, or undefined. */
  next(text: string, from: number): AnchorHit | undefined {
    const trigrams = this.trigrams;
    const pairFlags = this.pairFlags;
    const n = text.length;
    let c1 = from < n ? fold(text.charCodeAt(from)) : 128;
    let c2 = from + 1 < n ? fold(text.charCodeAt(from + 1)) : 128;
    for (let i = from; i < n - 1; i++) {
      const c0 = c1;
      c1 = c2;
      c2 = i + 2 < n ? fold(text.charCodeAt(i + 2)) : 128;
      if ((c0 | c1) >= 128) continue;
      const flags = pairFlags[(c0 << 7) | c1];
      if (flags === 0) continue;
      if ((flags & PAIR_PREFIX) !== 0 && c2 < 128) {
        const t = (c0 << 14) | (c1 << 7) | c2;
        if ((trigrams[t >> 3] & (1 << (t & 7))) !== 0) {
          for (const anchor of this.byTrigram.get(t) ?? []) {
            if (i + anchor.length > n) continue;
            let k = 3;
            while (k < anchor.length && fold(text.charCodeAt(i + k)) === anchor.charCodeAt(k)) k++;
            if (k === anchor.length) return this.hit(i, anchor);
          }
        }
      }
      if ((flags & PAIR_ANCHOR) !== 0) {
        const pair = this.pairs.get((c0 << 7) | c1);
        if (pair !== undefined) return this.hit(i, pair);
      }
    }
    return undefined;
  }
}
