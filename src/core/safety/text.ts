/**
 * Small text helpers the filter stages share: offset → line/column, overlap resolution, a lower-casing that keeps
 * offsets, and entropy.
 */

/**
 * Maps UTF-16 offsets to 1-based line and column. Line starts are found lazily and only as far as asked: a 10 MB
 * document whose first 150 KB are filtered is not scanned to its end.
 */
export class LineIndex {
  private readonly starts: number[] = [0];
  /** The first newline not yet in `starts` (-1: none left), so each character is searched once in all. */
  private nextNewline: number;
  constructor(private readonly text: string) {
    this.nextNewline = text.indexOf("\n");
  }

  position(offset: number): { line: number; column: number } {
    while (this.nextNewline !== -1 && this.nextNewline < offset) {
      this.starts.push(this.nextNewline + 1);
      this.nextNewline = this.text.indexOf("\n", this.nextNewline + 1);
    }
    const starts = this.starts;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - starts[lo] + 1 };
  }
}

/**
 * Lower-cases ASCII letters and keeps every offset: `String.prototype.toLowerCase` turns U+0130 into two code
 * units, which would shift every keyword hit after it. Keywords are ASCII, so nothing else needs folding.
 */
export function lowerKeepingOffsets(text: string): string {
  const lower = text.toLowerCase();
  if (lower.length === text.length) return lower;
  return text.replace(/\u0130/g, "I").toLowerCase();
}

const asciiCounts = new Int32Array(128);

/** Shannon entropy in bits per character, the measure gitleaks thresholds its rules on. Called on short values only. */
export function shannonEntropy(value: string): number {
  const n = value.length;
  if (n === 0) return 0;
  let other: Map<number, number> | undefined;
  for (let i = 0; i < n; i++) {
    const c = value.charCodeAt(i);
    if (c < 128) asciiCounts[c]++;
    else (other ??= new Map()).set(c, (other.get(c) ?? 0) + 1);
  }
  let entropy = 0;
  for (let i = 0; i < n; i++) {
    const c = value.charCodeAt(i);
    if (c < 128 && asciiCounts[c] > 0) {
      const p = asciiCounts[c] / n;
      entropy -= p * Math.log2(p);
      asciiCounts[c] = 0;
    }
  }
  if (other) {
    for (const count of other.values()) {
      const p = count / n;
      entropy -= p * Math.log2(p);
    }
  }
  return entropy;
}

/**
 * Merges overlapping spans into their union, so no part of any secret survives (a key glued to a PEM block, a
 * sensitive word straddling a token). The union takes the identity of its member with the lowest `priority`.
 * Returns spans sorted by start. O(n log n).
 */
export function mergeOverlaps<T extends { start: number; end: number; priority: number }>(spans: readonly T[]): T[] {
  const sorted = [...spans].sort((a, b) => a.start - b.start || b.end - a.end);
  const out: T[] = [];
  for (const s of sorted) {
    const top = out[out.length - 1];
    if (!top || top.end <= s.start) {
      out.push(s);
      continue;
    }
    const lead = s.priority < top.priority ? s : top;
    out[out.length - 1] = { ...lead, start: top.start, end: Math.max(top.end, s.end) };
  }
  return out;
}
