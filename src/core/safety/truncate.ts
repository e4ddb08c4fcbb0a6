/**
 * Fits text into the model's budget. Over-long context is cut, never refused: chat and Explain keep the start and
 * say what was left out; completion keeps the text around the cursor (most of it before, where the model looks).
 * Cuts avoid splitting a surrogate pair or one of our own placeholders.
 */

/** A budget in characters, or in tokens with the model's own counter. */
export type Budget =
  | { readonly maxChars: number }
  | { readonly maxTokens: number; readonly countTokens: (text: string) => number };

export interface TruncationReport {
  /** Length of the text before the cut (after redaction), in UTF-16 code units. */
  readonly originalLength: number;
  /** Characters kept. */
  readonly keptLength: number;
  /** The notice appended to the text (empty for completion, where a notice would be completed as code). */
  readonly notice: string;
}

export interface TruncateOptions {
  /** Keep the text around this offset (completion); otherwise keep the start. */
  readonly anchor?: number;
  /** Share of the budget used before the anchor. Default 0.75. */
  readonly beforeShare?: number;
  /** Append a notice to the kept text. Default true. */
  readonly notice?: boolean;
}

/** How many characters fit: `fits(n)` must be monotonic in n. Binary search, O(log n) calls. */
function largestFitting(max: number, fits: (n: number) => boolean): number {
  let lo = 0;
  let hi = max;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (fits(mid)) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

const PLACEHOLDER_RE = /<(?:secret|redacted):[a-z0-9-]{1,40}#\d{1,7}>/g;

/** The placeholder that `offset` falls strictly inside, if any (placeholders are at most ~60 characters). */
function placeholderAround(text: string, offset: number): { start: number; end: number } | undefined {
  const from = Math.max(0, offset - 64);
  for (const m of text.slice(from, offset + 64).matchAll(PLACEHOLDER_RE)) {
    const start = from + m.index;
    const end = start + m[0].length;
    if (start < offset && offset < end) return { start, end };
  }
  return undefined;
}

/** Moves a cut at `end` (keeping `[0, end)`) back so it does not split a surrogate pair or a placeholder. */
function safeEnd(text: string, end: number): number {
  if (end <= 0 || end >= text.length) return Math.max(0, Math.min(end, text.length));
  let e = end;
  const c = text.charCodeAt(e - 1);
  if (c >= 0xd800 && c <= 0xdbff) e--;
  return placeholderAround(text, e)?.start ?? e;
}

/** Moves a cut at `start` (keeping `[start, …)`) forward for the same reasons. */
function safeStart(text: string, start: number): number {
  if (start <= 0) return 0;
  let s = start;
  const c = text.charCodeAt(s);
  if (c >= 0xdc00 && c <= 0xdfff) s++;
  return placeholderAround(text, s)?.end ?? s;
}

function noticeFor(omitted: number): string {
  return `\n[… ${omitted} characters omitted by Private Coder to fit the model's context …]\n`;
}

/**
 * Cuts `text` to `budget`. Returns the kept text (with the notice when asked), the offset in `text` where the kept
 * part starts (to shift markers and the cursor), and a report, or undefined when the text already fits.
 */
export function truncateToBudget(
  text: string,
  budget: Budget,
  options: TruncateOptions = {},
): { text: string; keptStart: number; keptEnd: number; report: TruncationReport } | undefined {
  const measure = "maxChars" in budget ? (s: string) => s.length : budget.countTokens;
  const limit = "maxChars" in budget ? budget.maxChars : budget.maxTokens;
  if (!(limit >= 0)) return undefined;
  // Counting a 10 MB string with a tokenizer is slow; a token is at least one character, so only a text longer
  // than the limit can be over it.
  if (text.length <= limit || measure(text) <= limit) return undefined;
  const withNotice = options.notice ?? true;
  // A token is rarely more than 16 characters, so no more than this many characters can fit.
  const maxChars = "maxChars" in budget ? budget.maxChars : Math.min(text.length, budget.maxTokens * 16);

  if (options.anchor === undefined) {
    const noticeCost = withNotice ? measure(noticeFor(text.length)) : 0;
    const room = Math.max(0, limit - noticeCost);
    const n = largestFitting(Math.min(maxChars, text.length), (k) => measure(text.slice(0, k)) <= room);
    let end = safeEnd(text, n);
    // Prefer to end at a line break if one is near, so the model does not see half a line.
    const nl = text.lastIndexOf("\n", end - 1);
    if (nl !== -1 && end - nl < 200 && nl > end * 0.8) end = nl + 1;
    const notice = withNotice ? noticeFor(text.length - end) : "";
    return {
      text: text.slice(0, end) + notice,
      keptStart: 0,
      keptEnd: end,
      report: { originalLength: text.length, keptLength: end, notice },
    };
  }

  const anchor = Math.max(0, Math.min(options.anchor, text.length));
  const share = options.beforeShare ?? 0.75;
  const before = text.slice(0, anchor);
  const after = text.slice(anchor);
  // Give each side its share; a side that needs less hands the rest to the other.
  const beforeNeed = measure(before);
  const afterNeed = measure(after);
  let beforeRoom = Math.floor(limit * share);
  let afterRoom = limit - beforeRoom;
  if (beforeNeed < beforeRoom) {
    afterRoom += beforeRoom - beforeNeed;
    beforeRoom = beforeNeed;
  } else if (afterNeed < afterRoom) {
    beforeRoom += afterRoom - afterNeed;
    afterRoom = afterNeed;
  }
  const keepBefore = largestFitting(Math.min(before.length, maxChars), (k) => measure(before.slice(before.length - k)) <= beforeRoom);
  const keepAfter = largestFitting(Math.min(after.length, maxChars), (k) => measure(after.slice(0, k)) <= afterRoom);
  const start = safeStart(text, anchor - keepBefore);
  const end = safeEnd(text, anchor + keepAfter) < anchor ? anchor : safeEnd(text, anchor + keepAfter);
  const omitted = text.length - (end - start);
  const notice = withNotice ? noticeFor(omitted) : "";
  return {
    text: text.slice(start, end) + notice,
    keptStart: start,
    keptEnd: end,
    report: { originalLength: text.length, keptLength: end - start, notice },
  };
}
