/**
 * The one entry point every model call goes through (inline completion, chat messages and attachments, Explain
 * Selection): path exclusion, then secret redaction, sensitive words, hidden characters, and the budget.
 *
 * Order matters: everything is detected on the original text (so reported lines and columns are the ones the user
 * sees in the editor) and applied in one pass; truncation comes last, on the filtered text, so a cut can never
 * reveal half a secret. For speed on huge inputs the raw text is first cut to the budget plus a wide margin; the
 * margin is far longer than any token-shaped secret, and PEM blocks cut there are handled like any cut block.
 */
import { composeFiltered, type OffsetMap } from "./compose.ts";
import { findHiddenCharacters, codePointLabel, HIDDEN_KINDS, type HiddenCharacterAction, type HiddenRuns } from "./hiddenCharacters.ts";
import type { PathDecision, PathExclusion } from "./pathExclusion.ts";
import { findSecrets } from "./findSecrets.ts";
import { findSensitiveWords, type SensitiveWordAction } from "./sensitiveWords.ts";
import { LineIndex, mergeOverlaps } from "./text.ts";
import { truncateToBudget, type Budget, type TruncationReport } from "./truncate.ts";
import type { Edit, Feature, HiddenCharacterReport, Marker, RedactionReport, Span } from "./types.ts";

export interface FilterInput {
  readonly text: string;
  readonly feature: Feature;
  /** File-system path (scheme `file`) or URI path of the document; absent for text typed into chat. */
  readonly path?: string;
  /** URI scheme of the document; default `file` when `path` is given. `untitled` is never excluded by path. */
  readonly scheme?: string;
  /** VS Code language id: in source languages only quoted values are judged by the generic rule. */
  readonly languageId?: string;
  /** Completion: the cursor offset in `text`. The result maps it into the filtered text, and truncation keeps the text around it. */
  readonly cursorOffset?: number;
}

/** Characters kept when no budget is given (about 32K tokens, four times the default 8192-token context); callers pass the model's real budget. */
export const DEFAULT_MAX_CHARS = 128 * 1024;
/** Margin kept beyond the budget before redaction, so a secret cut by the pre-cut lies entirely outside the kept text. */
const PRECUT_MARGIN = 20 * 1024;
/** No token-shaped secret is longer than this; the final cut stays this far inside the pre-cut. */
const MAX_TOKEN_SECRET = 1024;

export interface SafetyPolicy {
  /** Path exclusion (defaults, setting, `.privatecoderignore`). Absent: nothing is excluded by path. */
  readonly exclusion?: PathExclusion;
  /** Redact secrets. Default true. */
  readonly redactSecrets?: boolean;
  /** `privateCoder.safety.sensitiveWords`. Default none. */
  readonly sensitiveWords?: readonly string[];
  /** `privateCoder.safety.sensitiveWordAction`. Default `redact`. */
  readonly sensitiveWordAction?: SensitiveWordAction;
  /** What to do with bidi controls, zero-width and tag characters. Default `escape` (`<U+202E>`). */
  readonly hiddenCharacters?: HiddenCharacterAction;
  /** Budget for the filtered text. Default `{ maxChars: DEFAULT_MAX_CHARS }`; `null` means no limit (the scan CLI). */
  readonly budget?: Budget | null;
  /** Write a notice into truncated text. Default true, except for completion, where it would be completed as code. */
  readonly truncationNotice?: boolean;
  /** Share of the budget kept before the cursor when truncating completion context. Default 0.75. */
  readonly beforeCursorShare?: number;
}

export interface FilteredContext {
  readonly feature: Feature;
  /** The path is excluded: `text` is empty and nothing from this document may be sent. */
  readonly excluded: boolean;
  /** Why it was excluded (or why not, for untitled buffers), e.g. `excluded by default pattern ".env"`. */
  readonly reason?: string;
  /** Which pattern excluded the path, for a message in the user's language. */
  readonly exclusion?: Pick<PathDecision, "pattern" | "source" | "ignoreFile">;
  /** A sensitive word with action `block` was found: `text` is empty and the request must not be sent. */
  readonly blocked: boolean;
  /** Exactly what the model may receive. */
  readonly text: string;
  /** What was redacted, in order of position; never the values. */
  readonly redactions: readonly RedactionReport[];
  /** Runs of hidden characters, in order; at most 1000 are listed (a flood is hostile; all are still handled). */
  readonly hiddenCharacters: readonly HiddenCharacterReport[];
  /** Runs that were escaped/removed but not listed in `hiddenCharacters` because there were too many. */
  readonly hiddenCharacterRunsNotListed: number;
  readonly truncated: boolean;
  readonly truncation?: TruncationReport;
  /** Spans of `text` the filter wrote (placeholders, escapes, notice), for highlighting. */
  readonly markers: readonly Marker[];
  /** `input.cursorOffset` mapped into `text`. */
  readonly cursorOffset?: number;
}

const PRIORITY_SENSITIVE = 1000;

interface PlannedEdit {
  readonly start: number;
  readonly end: number;
  readonly priority: number;
  readonly source: "secret" | "word";
  readonly ruleId: string;
  /** Index of the sensitive word, for its placeholder. */
  readonly word?: number;
}

/** Passes of detection over the filtered text; see the loop in {@link filterText}. */
const MAX_PASSES = 3;
/** Hidden-character runs glued to words beyond this many do not start another pass (see filterText). */
const MAX_GLUED_HIDDEN_RESCANS = 256;

const NO_RUNS: HiddenRuns = { length: 0, starts: new Int32Array(0), ends: new Int32Array(0), codePoints: new Int32Array(0), counts: new Int32Array(0), kinds: new Uint8Array(0) };

/** Characters secrets are made of (base64, base64url, hex, `.` of a JWT); NaN (out of range) is not one. */
function isTokenChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 45 || c === 46 || c === 43 || c === 47 || c === 61;
}

/** Whether `[start, end)` overlaps any of the sorted `spans`. */
function overlapsAny(spans: readonly Marker[], start: number, end: number): boolean {
  let lo = 0;
  let hi = spans.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (spans[mid].end <= start) lo = mid + 1;
    else hi = mid;
  }
  return lo < spans.length && spans[lo].start < end;
}

/**
 * The whole lines within MAX_TOKEN_SECRET characters of each span, merged: where a secret touching an edit can be.
 * Whole lines, because the rules read an assignment's name and a PEM marker's line from the line start.
 */
function rescanWindows(text: string, spans: readonly Span[]): Span[] {
  // Merge the character ranges first, then widen each merged range to whole lines (one search each, so a flood of
  // thousands of glued hidden characters costs one window, not a search back to the line start per character).
  const ranges: Span[] = [];
  for (const span of [...spans].sort((x, y) => x.start - y.start)) {
    const start = Math.max(0, span.start - MAX_TOKEN_SECRET);
    const end = Math.min(text.length, span.end + MAX_TOKEN_SECRET);
    const last = ranges.at(-1);
    if (last && start <= last.end) ranges[ranges.length - 1] = { start: last.start, end: Math.max(last.end, end) };
    else ranges.push({ start, end });
  }
  const windows: Span[] = [];
  for (const range of ranges) {
    const start = text.lastIndexOf("\n", range.start - 1) + 1;
    const newline = text.indexOf("\n", range.end);
    const end = newline === -1 ? text.length : newline;
    const last = windows.at(-1);
    if (last && start <= last.end) windows[windows.length - 1] = { start: last.start, end: Math.max(last.end, end) };
    else windows.push({ start, end });
  }
  return windows;
}

function empty(feature: Feature, extra: Partial<FilteredContext>): FilteredContext {
  return { feature, excluded: false, blocked: false, text: "", redactions: [], hiddenCharacters: [], hiddenCharacterRunsNotListed: 0, truncated: false, markers: [], ...extra };
}

function precutWindow(text: string, budget: Budget | null, anchor: number | undefined): { start: number; end: number } {
  if (budget === null) return { start: 0, end: text.length };
  const chars = "maxChars" in budget ? budget.maxChars : budget.maxTokens * 16;
  const window = chars + PRECUT_MARGIN;
  if (text.length <= window + PRECUT_MARGIN) return { start: 0, end: text.length };
  if (anchor === undefined) return { start: 0, end: window };
  return { start: Math.max(0, anchor - window), end: Math.min(text.length, anchor + window) };
}

/**
 * Filters the text part of a request; synchronous, no path check (use {@link filterContext} for documents). Safe
 * to call from the webview.
 */
export function filterText(input: FilterInput, policy: SafetyPolicy = {}): FilteredContext {
  const { feature } = input;
  const budget = policy.budget === undefined ? { maxChars: DEFAULT_MAX_CHARS } : policy.budget;
  const cursor = input.cursorOffset === undefined ? undefined : Math.max(0, Math.min(input.cursorOffset, input.text.length));
  const win = precutWindow(input.text, budget, feature === "completion" ? cursor : undefined);
  const precut = win.start > 0 || win.end < input.text.length;
  const raw = precut ? input.text.slice(win.start, win.end) : input.text;
  const lines = new LineIndex(input.text);
  const action = policy.hiddenCharacters ?? "escape";
  const words = policy.sensitiveWords ?? [];
  const block = (policy.sensitiveWordAction ?? "redact") === "block";

  // Placeholders are stable across passes: numbered per rule in order of position; same value, same placeholder.
  const byValue = new Map<string, string>();
  const counters = new Map<string, number>();
  const redactions: RedactionReport[] = [];
  const hiddenCharacters: HiddenCharacterReport[] = [];
  let hiddenCharacterRunsNotListed = 0;
  let text = raw;
  let markers: Marker[] = [];
  const maps: OffsetMap[] = [];
  const toRaw = (offset: number): number => maps.reduceRight((o, m) => m.toInput(o), offset);
  const fromRaw = (offset: number): number => maps.reduce((o, m) => m.toOutput(o), offset);

  // Detection runs to a fixpoint: a placeholder or a removed hidden character can put a secret at a word
  // boundary it did not have (`-----END …-----eyJ…`, `gh\u200Bp_…`), so the filtered text is scanned again until
  // nothing new is found. That is what makes filtering idempotent. Another pass only runs when an edit is glued
  // to token characters or hidden characters were removed, so ordinary text is scanned once.
  // Where a later pass looks: undefined = the whole text; else the lines around the glued edits of the last pass.
  let rescan: readonly Span[] | undefined;
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    const planned: PlannedEdit[] = [];
    if (policy.redactSecrets ?? true) {
      for (const window of rescan ?? [{ start: 0, end: text.length }]) {
        const part = window.start === 0 && window.end === text.length ? text : text.slice(window.start, window.end);
        for (const f of findSecrets(part, { path: input.path, languageId: input.languageId })) {
          planned.push({ start: window.start + f.start, end: window.start + f.end, priority: f.priority, source: "secret", ruleId: f.ruleId });
        }
      }
    }
    if (words.length > 0) {
      const hits = findSensitiveWords(text, words);
      if (hits.length > 0 && block) {
        return empty(feature, { blocked: true, reason: "blocked: the text contains a word from privateCoder.safety.sensitiveWords" });
      }
      for (const h of hits) planned.push({ start: h.start, end: h.end, priority: PRIORITY_SENSITIVE, source: "word", ruleId: "sensitive-word", word: h.wordIndex });
    }
    // Later passes leave what the filter wrote alone (a placeholder is not a secret).
    const fresh = pass === 0 ? planned : planned.filter((p) => !overlapsAny(markers, p.start, p.end));
    if (pass > 0 && fresh.length === 0) break;

    const edits: Edit[] = mergeOverlaps(fresh).map((e) => {
      // A merged span may have swallowed a sensitive word; its placeholder is keyed by its own text.
      const key = e.source === "word" && e.word !== undefined ? `word:${e.word}` : text.slice(e.start, e.end);
      let placeholder = byValue.get(key);
      if (placeholder === undefined) {
        const n = (counters.get(e.ruleId) ?? 0) + 1;
        counters.set(e.ruleId, n);
        placeholder = e.source === "word" ? `<redacted:sensitive-word#${n}>` : `<secret:${e.ruleId}#${n}>`;
        byValue.set(key, placeholder);
      }
      redactions.push({ ruleId: e.ruleId, placeholder, ...lines.position(win.start + toRaw(e.start)), length: toRaw(e.end) - toRaw(e.start) });
      return { start: e.start, end: e.end, replacement: placeholder, marker: { kind: "redaction", label: e.ruleId } };
    });

    // Hidden characters are all handled in the first pass; none are left for later ones.
    const runs = pass === 0 ? findHiddenCharacters(text) : NO_RUNS;
    if (pass === 0 && edits.length === 0 && runs.length === 0) break;
    const composed = composeFiltered(text, edits, runs, action);
    if (pass === 0) {
      for (const h of composed.hiddenApplied) {
        hiddenCharacters.push({
          kind: HIDDEN_KINDS[runs.kinds[h.index]],
          codePoint: codePointLabel(runs.codePoints[h.index]),
          count: h.count,
          ...lines.position(win.start + h.start),
          action: action === "escape" ? "escaped" : "removed",
        });
      }
      hiddenCharacterRunsNotListed = composed.hiddenTotal - composed.hiddenApplied.length;
    }
    markers = [
      ...markers.map((m) => {
        const start = composed.map.toOutput(m.start);
        return { ...m, start, end: start + (m.end - m.start) };
      }),
      ...composed.markers,
    ].sort((x, y) => x.start - y.start);
    maps.push(composed.map);
    const before = text;
    text = composed.text;
    // Another pass can only find something new where the text around an edit changed its word boundaries: a
    // placeholder glued to token characters, or hidden characters removed from inside a word.
    // An escaped hidden character is a new word boundary too (`value\u202EeyJ…` becomes `value<U+202E>eyJ…`).
    const changed: Span[] = [];
    for (const e of edits) {
      if (!isTokenChar(before.charCodeAt(e.start - 1)) && !isTokenChar(before.charCodeAt(e.end))) continue;
      const start = composed.map.toOutput(e.start);
      changed.push({ start, end: start + e.replacement.length });
    }
    // A flood of them (hostile text, not code) is left as the first pass found it: rescanning the escaped flood
    // would cost more than the whole budget of the filter.
    const gluedRuns: Span[] = [];
    for (let i = 0; i < runs.length && gluedRuns.length <= MAX_GLUED_HIDDEN_RESCANS; i++) {
      if (!isTokenChar(before.charCodeAt(runs.starts[i] - 1)) && !isTokenChar(before.charCodeAt(runs.ends[i]))) continue;
      gluedRuns.push({ start: composed.map.toOutput(runs.starts[i]), end: composed.map.toOutput(runs.ends[i]) });
    }
    if (gluedRuns.length <= MAX_GLUED_HIDDEN_RESCANS) changed.push(...gluedRuns);
    const removedHidden = action === "remove" && runs.length > 0;
    if (changed.length === 0 && !removedHidden) break;
    // Only the lines around such a change can hold something new, so the next pass scans those (the whole text when
    // hidden characters were removed, which can join words anywhere): a 2,000-line prompt is not scanned twice.
    rescan = removedHidden ? undefined : rescanWindows(text, changed);
  }
  redactions.sort((x, y) => x.line - y.line || x.column - y.column);

  // Offsets of the pre-cut edges (a token may have been split there) and of the cursor, in the filtered text.
  let cursorOffset = cursor === undefined ? undefined : fromRaw(Math.max(0, Math.min(cursor - win.start, raw.length)));
  const edgeStart = win.start > 0 ? fromRaw(Math.min(MAX_TOKEN_SECRET, raw.length)) : 0;
  const edgeEnd = win.end < input.text.length ? fromRaw(Math.max(0, raw.length - MAX_TOKEN_SECRET)) : text.length;

  let truncation: TruncationReport | undefined;
  if (budget !== null) {
    const notice = policy.truncationNotice ?? feature !== "completion";
    const cut = truncateToBudget(text, budget, {
      anchor: feature === "completion" ? cursorOffset : undefined,
      notice,
      beforeShare: policy.beforeCursorShare,
    });
    // After a pre-cut, the kept text must also stay clear of the pre-cut edges, where a token may have been split.
    let keptStart = cut ? cut.keptStart : 0;
    let keptEnd = cut ? cut.keptEnd : text.length;
    if (cut || precut) {
      keptStart = Math.max(keptStart, edgeStart);
      keptEnd = Math.max(keptStart, Math.min(keptEnd, edgeEnd));
      const omitted = input.text.length - raw.length + (text.length - (keptEnd - keptStart));
      const noticeText = notice ? `\n[… ${omitted} characters omitted by Private Coder to fit the model's context …]\n` : "";
      truncation = { originalLength: input.text.length, keptLength: keptEnd - keptStart, notice: noticeText };
      markers = markers
        .filter((m) => m.start >= keptStart && m.end <= keptEnd)
        .map((m) => ({ ...m, start: m.start - keptStart, end: m.end - keptStart }));
      const body = text.slice(keptStart, keptEnd);
      if (noticeText) markers.push({ start: body.length, end: body.length + noticeText.length, kind: "truncation", label: "truncated" });
      text = body + noticeText;
      if (cursorOffset !== undefined) cursorOffset = Math.max(0, Math.min(cursorOffset - keptStart, keptEnd - keptStart));
    }
  }
  return {
    feature,
    excluded: false,
    blocked: false,
    text,
    redactions,
    hiddenCharacters,
    hiddenCharacterRunsNotListed,
    truncated: truncation !== undefined,
    ...(truncation ? { truncation } : {}),
    markers,
    ...(cursorOffset !== undefined ? { cursorOffset } : {}),
  };
}

/**
 * The entry point for documents and attachments: checks the path first (an excluded file contributes nothing),
 * then filters the text. Never throws and never rejects for size.
 */
export async function filterContext(input: FilterInput, policy: SafetyPolicy = {}): Promise<FilteredContext> {
  if (input.path !== undefined && policy.exclusion) {
    const decision: PathDecision = await policy.exclusion.check({ path: input.path, scheme: input.scheme });
    if (decision.excluded) {
      const { pattern, source, ignoreFile } = decision;
      return empty(input.feature, { excluded: true, reason: decision.reason, exclusion: { pattern, source, ignoreFile } });
    }
    const result = filterText(input, policy);
    return (input.scheme ?? "file") === "untitled" ? { ...result, reason: decision.reason } : result;
  }
  return filterText(input, policy);
}
