/**
 * Builds the filtered text in one pass from a text, its redactions (few, sorted, non-overlapping) and its
 * hidden-character runs (possibly hundreds of thousands, in typed arrays). A run inside a redacted span disappears
 * with it; a run partly inside is clipped, so no hidden character survives next to a placeholder. Returns the
 * markers of what the filter wrote and an {@link OffsetMap} between the two texts.
 */
import { hiddenReplacement, HIDDEN_KINDS, type HiddenCharacterAction, type HiddenRuns } from "./hiddenCharacters.ts";
import type { Edit, Marker } from "./types.ts";

/** Hidden runs beyond this many get no marker and no entry in `hiddenApplied` (only counted): a flood is hostile. */
export const MAX_HIDDEN_DETAILS = 1000;

/** Replaced spans of one composition, in typed arrays so a flood of them stays cheap. */
export class OffsetMap {
  private n = 0;
  private inStart = new Int32Array(64);
  private inEnd = new Int32Array(64);
  private outStart = new Int32Array(64);
  private outEnd = new Int32Array(64);

  add(inStart: number, inEnd: number, outStart: number, outEnd: number): void {
    if (this.n === this.inStart.length) {
      const grow = (a: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> => {
        const b = new Int32Array(a.length * 2);
        b.set(a);
        return b;
      };
      this.inStart = grow(this.inStart);
      this.inEnd = grow(this.inEnd);
      this.outStart = grow(this.outStart);
      this.outEnd = grow(this.outEnd);
    }
    this.inStart[this.n] = inStart;
    this.inEnd[this.n] = inEnd;
    this.outStart[this.n] = outStart;
    this.outEnd[this.n] = outEnd;
    this.n++;
  }

  private last(starts: Int32Array, offset: number): number {
    let lo = 0;
    let hi = this.n;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (starts[mid] <= offset) lo = mid + 1;
      else hi = mid;
    }
    return lo - 1;
  }

  /** Input offset → output offset; inside a replaced span, the end of its replacement. */
  toOutput(offset: number): number {
    const i = this.last(this.inStart, offset);
    if (i < 0) return offset;
    if (offset < this.inEnd[i]) return this.outEnd[i];
    return this.outEnd[i] + (offset - this.inEnd[i]);
  }

  /** Output offset → input offset; inside a replacement, the start of the span it replaced. */
  toInput(offset: number): number {
    const i = this.last(this.outStart, offset);
    if (i < 0) return offset;
    if (offset < this.outEnd[i]) return this.inStart[i];
    return this.inEnd[i] + (offset - this.outEnd[i]);
  }
}

export interface ComposedText {
  readonly text: string;
  readonly markers: Marker[];
  /** The first {@link MAX_HIDDEN_DETAILS} hidden runs replaced (after clipping): run index, clipped start, count. */
  readonly hiddenApplied: { index: number; start: number; count: number }[];
  /** How many hidden runs were replaced in all. */
  readonly hiddenTotal: number;
  readonly map: OffsetMap;
}

export function composeFiltered(text: string, edits: readonly Edit[], runs: HiddenRuns, action: HiddenCharacterAction): ComposedText {
  const parts: string[] = [];
  const markers: Marker[] = [];
  const hiddenApplied: { index: number; start: number; count: number }[] = [];
  const map = new OffsetMap();
  const { starts, ends, codePoints, kinds } = runs;
  let hiddenTotal = 0;
  let pos = 0;
  let out = 0;
  let ei = 0;
  let ri = 0;

  /** Replaces `[start, end)` (start ≥ pos) by `replacement`. */
  const emit = (start: number, end: number, replacement: string, marker: Omit<Marker, "start" | "end"> | undefined): void => {
    if (start > pos) {
      parts.push(text.slice(pos, start));
      out += start - pos;
    }
    map.add(start, end, out, out + replacement.length);
    if (marker && replacement.length > 0) markers.push({ start: out, end: out + replacement.length, ...marker });
    parts.push(replacement);
    out += replacement.length;
    pos = end;
  };

  while (ei < edits.length || ri < runs.length) {
    const e = edits[ei];
    if (hiddenTotal >= MAX_HIDDEN_DETAILS) {
      // Fast path for floods: whole runs before the next redaction, with no marker and no detail object.
      const limit = e ? e.start : Infinity;
      while (ri < runs.length && ends[ri] <= limit && starts[ri] >= pos) {
        const rs = starts[ri];
        if (rs > pos) parts.push(text.slice(pos, rs));
        out += rs - pos;
        const cp = codePoints[ri];
        const replacement = hiddenReplacement(action, cp, (ends[ri] - rs) / (cp > 0xffff ? 2 : 1));
        parts.push(replacement);
        map.add(rs, ends[ri], out, out + replacement.length);
        out += replacement.length;
        pos = ends[ri];
        hiddenTotal++;
        ri++;
      }
    }
    if (ri < runs.length) {
      let rs = Math.max(starts[ri], pos);
      const re = ends[ri];
      if (re <= pos) {
        ri++;
        continue;
      }
      if (!e || rs < e.start) {
        const clippedEnd = e ? Math.min(re, e.start) : re;
        const cp = codePoints[ri];
        const width = cp > 0xffff ? 2 : 1;
        // Align a clipped start to the run's character width.
        if (width === 2 && (rs - starts[ri]) % 2 === 1) rs++;
        const count = Math.max(0, Math.floor((clippedEnd - rs) / width));
        if (count > 0) {
          const detailed = hiddenTotal < MAX_HIDDEN_DETAILS;
          hiddenTotal++;
          if (detailed) hiddenApplied.push({ index: ri, start: rs, count });
          emit(rs, rs + count * width, hiddenReplacement(action, cp, count), detailed ? { kind: "hidden-character", label: HIDDEN_KINDS[kinds[ri]] } : undefined);
        }
        if (clippedEnd >= re) ri++;
        else if (e) {
          // The rest of the run lies inside (or after) the redaction: handle the redaction next.
          emit(e.start, e.end, e.replacement, e.marker);
          ei++;
        }
        continue;
      }
    }
    if (e) {
      emit(e.start, e.end, e.replacement, e.marker);
      ei++;
    }
  }
  if (pos < text.length) parts.push(text.slice(pos));
  return { text: parts.length === 1 ? parts[0] : parts.join(""), markers, hiddenApplied, hiddenTotal, map };
}
