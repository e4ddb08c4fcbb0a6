/**
 * PEM private-key blocks. A complete block is redacted from its BEGIN line to its END line. Completion context is
 * cut around the cursor, so a block may also be cut by the text boundary: BEGIN with no END before the end of the
 * text, or END with no BEGIN after the start. Those are redacted from the marker to the last (first) line that
 * still looks like key material, so no base64 key line survives on either side of the cut.
 * Certificates and public keys are not secrets and are left alone.
 */
import type { Span } from "./types.ts";

const BEGIN_RE = /-----BEGIN[ A-Z0-9]{0,40}PRIVATE KEY(?: BLOCK)?-----/y;
const END_RE = /-----END[ A-Z0-9]{0,40}PRIVATE KEY(?: BLOCK)?-----/y;
/** How far after BEGIN an END may be: an RSA-8192 key is about 6.5 KB of base64 even with escaped newlines. */
const MAX_BLOCK = 16 * 1024;
const KEY_MATERIAL = /[A-Za-z0-9+/]{32}/;
/** A line of key material has this many base64 characters, except the last one of a cut block. */
const MIN_LINE = 16;

/** Characters between base64 runs in a PEM embedded in code: whitespace, quotes, escaped newlines, `+`, `,`. */
function isDecoration(c: number): boolean {
  // \t \n \r space " ' ` \ + , ( )
  return c === 9 || c === 10 || c === 13 || c === 32 || c === 34 || c === 39 || c === 96 || c === 92 || c === 43 || c === 44;
}

function isBase64(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 43 || c === 47 || c === 61;
}

/** Walks forward from `pos` over key material; returns where it ends. Linear in what it consumes. */
function bodyEndForward(text: string, pos: number): number {
  let end = pos;
  let i = pos;
  const n = text.length;
  while (i < n) {
    while (i < n && isDecoration(text.charCodeAt(i))) i++;
    if (i >= n) return n; // only decoration up to the boundary: the cut block runs to the end
    // RFC 1421 headers of an encrypted key.
    if (text.startsWith("Proc-Type:", i) || text.startsWith("DEK-Info:", i)) {
      const nl = text.indexOf("\n", i);
      const lit = text.indexOf("\\n", i);
      const stop = [nl, lit].filter((x) => x !== -1);
      i = stop.length ? Math.min(...stop) + 1 : n;
      end = i;
      continue;
    }
    const start = i;
    while (i < n && isBase64(text.charCodeAt(i))) i++;
    const run = i - start;
    if (run === 0) return end;
    if (run < MIN_LINE && i < n) {
      // A short run is the last line of the key only when it ends in padding; otherwise it is code after the key.
      if (text.charCodeAt(i - 1) === 61) end = i;
      return end;
    }
    end = i;
  }
  return end;
}

/** Walks backward from `pos` (exclusive) over key material; returns where it starts. */
function bodyStartBackward(text: string, pos: number): number {
  let start = pos;
  let i = pos;
  while (i > 0) {
    while (i > 0 && isDecoration(text.charCodeAt(i - 1))) i--;
    if (i === 0) return 0;
    const end = i;
    while (i > 0 && isBase64(text.charCodeAt(i - 1))) i--;
    const run = end - i;
    if (run === 0) return start;
    if (run < MIN_LINE && i > 0) return start;
    start = i;
  }
  return start;
}

function firstAtOrAfter(sorted: readonly number[], value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Finds private-key blocks given the offsets of `-----begin` and `-----end` (from the shared keyword scan, each in
 * ascending order). Returns spans to redact, sorted. Linear in the text plus the number of markers.
 */
export function findPemBlocks(text: string, begins: readonly number[], ends: readonly number[]): Span[] {
  const spans: Span[] = [];
  let coveredUntil = -1;
  for (let bi = 0; bi < begins.length; bi++) {
    const b = begins[bi];
    if (b < coveredUntil) continue;
    BEGIN_RE.lastIndex = b;
    const head = BEGIN_RE.exec(text);
    if (!head) continue;
    const headerEnd = b + head[0].length;
    // A later BEGIN before the END means this block was cut and another one starts.
    let nextBegin = text.length;
    for (let j = bi + 1; j < begins.length; j++) {
      if (begins[j] >= headerEnd) {
        nextBegin = begins[j]!;
        break;
      }
    }
    let blockEnd = -1;
    for (let k = firstAtOrAfter(ends, headerEnd); k < ends.length; k++) {
      const e = ends[k];
      if (e - headerEnd > MAX_BLOCK || e > nextBegin) break;
      END_RE.lastIndex = e;
      const tail = END_RE.exec(text);
      if (tail) {
        // Code that mentions both markers (a parser, a test) is not a key: a key has lines of base64 between them.
        if (KEY_MATERIAL.test(text.slice(headerEnd, e))) blockEnd = e + tail[0].length;
        break;
      }
    }
    const end = blockEnd !== -1 ? blockEnd : Math.min(bodyEndForward(text, headerEnd), nextBegin);
    // A header with no key material after it is code that mentions the format (`startsWith("-----BEGIN …")`).
    if (end <= headerEnd) continue;
    spans.push({ start: b, end });
    coveredUntil = end;
  }
  // END markers not inside a block found above: the BEGIN was cut off by the start of the text (or is missing).
  const result: Span[] = [...spans];
  let si = 0;
  for (const e of ends) {
    while (si < spans.length && spans[si].end <= e) si++;
    if (si < spans.length && spans[si].start <= e) continue;
    END_RE.lastIndex = e;
    const tail = END_RE.exec(text);
    if (!tail) continue;
    const prevEnd = si > 0 ? spans[si - 1].end : 0;
    const start = Math.max(bodyStartBackward(text, e), prevEnd);
    if (start < e) result.push({ start, end: e + tail[0].length });
  }
  return result.sort((a, b) => a.start - b.start);
}
