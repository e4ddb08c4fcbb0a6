/**
 * Turns raw model output into the text inserted at the cursor, or undefined when nothing useful is left.
 *
 * The model sees the code around the cursor but not where its answer will be cut, so it happily writes the rest of
 * the file: the closing `)` the editor already auto-closed, the next line again, a second function. These rules
 * (issue 4, item 5) keep what belongs at the cursor, in this order:
 *
 * 1. Strip control characters and escape sequences (the safety module's sanitizer), and stop at leaked FIM markers.
 * 2. Mid-line (single-line mode): keep the first line only.
 * 3. A generation cut by the token or time budget loses its unfinished last line (multi-line).
 * 4. Re-indent lines 2.. to the cursor's indentation and the file's indent unit.
 * 5. Stop a multi-line suggestion where it dedents below the starting block (or closes the block it opened).
 * 6. Trim what repeats the text right of the cursor or the next lines; cut self-repeating lines.
 * 7. Balance brackets and quotes against the suffix: never insert a closer the suffix already has; close what the
 *    suggestion itself opened when the suffix closes an outer bracket right after.
 * 8. Drop empty, whitespace-only and repeated suggestions.
 */
import { sanitizeModelOutput } from "../safety/index.ts";
import { closersFor, isCloser, scan } from "./brackets.ts";
import { DEFAULT_TAB_SIZE, indentWidth, isBlank, leadingWhitespace, unitWidth } from "./indent.ts";
import { usesIndentBlocks } from "./languages.ts";
import { completionMode, type CompletionMode } from "./trigger.ts";

export interface PostprocessContext {
  /** Cursor line left of the cursor. */
  readonly linePrefix: string;
  /** Cursor line right of the cursor. */
  readonly lineSuffix: string;
  /** Lines after the cursor line (a few; `CompletionContext.nextLines`). */
  readonly nextLines: readonly string[];
  /** Lines right above the cursor line, nearest last (`CompletionContext.previousLines`). Default none. */
  readonly previousLines?: readonly string[];
  /** The file's indent unit (`"\t"` or spaces). */
  readonly indentUnit: string;
  readonly languageId: string;
  /** Default 4. */
  readonly tabSize?: number;
  /** Default: {@link completionMode} of the line, the same decision the trigger made. */
  readonly mode?: CompletionMode;
  /** Most lines a multi-line suggestion keeps. Default 10. */
  readonly maxLines?: number;
  /** The engine stopped on `maxTokens` or `timeBudget`: the last line may be unfinished. Default false. */
  readonly truncated?: boolean;
  /** Suggestions shown recently and not accepted: the same text again is dropped. Default none. */
  readonly recentSuggestions?: readonly string[];
}

export const POSTPROCESS_DEFAULTS = { maxLines: 10 } as const;

/** Special-token text a model may emit as plain text; everything from it on is not code. */
const LEAKED_MARKER = /<\|(?:fim_(?:prefix|suffix|middle|pad)|endoftext|file_sep|repo_name|im_end|im_start|eot_id)\|>|<(?:PRE|SUF|MID|EOT)>|<fim_(?:prefix|suffix|middle)>/;
/** A line that only closes something (`}`, `});`, `end`): legitimately repeated and legitimately at the block's width. */
const CLOSER_LINE = /^\s*(?:[)\]}][)\]};,]*|end\b|fi\b|done\b|esac\b)/;
/** The line opens a block or bracket: what follows belongs to it. */
const OPENS_BLOCK = /(?:[{([:]|=>|\bthen|\bdo|\bbegin)\s*$/;

/** Applies every rule; returns the text to insert at the cursor, or undefined to show nothing. */
export function postprocess(raw: string, ctx: PostprocessContext): string | undefined {
  const tabSize = ctx.tabSize ?? DEFAULT_TAB_SIZE;
  const mode = ctx.mode ?? completionMode(ctx.linePrefix, ctx.lineSuffix);

  // 1. Control characters, escapes, CRLF; leaked special tokens end the text.
  let text = sanitizeModelOutput(raw);
  const marker = LEAKED_MARKER.exec(text);
  if (marker) text = text.slice(0, marker.index);

  // 2. Mid-line: one line only (the engine's stopAtLineEnd should have done it; a prefetch may not have).
  if (mode === "singleLine") {
    const nl = text.indexOf("\n");
    if (nl >= 0) text = text.slice(0, nl);
  }

  let lines = text.split("\n");
  // 3. Cut by the budget: the unfinished last line goes, when a finished line remains.
  if (ctx.truncated && lines.length > 1) lines = lines.slice(0, -1);

  // A space the prefix already ends with is not typed twice (`return █` + ` x`).
  if (/\S[ \t]$/.test(ctx.linePrefix)) lines[0] = lines[0].replace(/^[ \t]+/, "");

  if (lines.length > 1) {
    // 4. Re-indent, 5. stop at the end of the block.
    lines = reindent(lines, ctx, tabSize);
    lines = stopAtBlockEnd(lines, ctx, tabSize);
    lines = lines.slice(0, Math.max(1, ctx.maxLines ?? POSTPROCESS_DEFAULTS.maxLines));
  }

  // 6. Repeats of the next lines, of itself.
  lines = trimRepeatedNextLines(lines, ctx);
  lines = trimSelfRepeats(lines);
  lines = trimLoopingFragment(lines);
  text = lines.join("\n");
  text = trimLineSuffixOverlap(text, ctx.lineSuffix);

  // 7. Brackets and quotes against the suffix.
  text = balanceAgainstSuffix(text, ctx, mode, tabSize);

  // Trailing blanks are never useful; a leading newline is (the cursor sits at the end of a line that opens a block).
  text = text.replace(/\s+$/, "");

  // 8. Empty, whitespace-only, repeated.
  if (text.trim().length === 0) return undefined;
  if (ctx.recentSuggestions?.includes(text)) return undefined;
  if (repeatsLineAbove(text, ctx)) return undefined;
  return text;
}

/**
 * Lines 2.. of the suggestion measured against the cursor line's indentation. Two model habits are fixed:
 * indentation relative to column 0 after a block opener (the next line is less indented than the opener), and
 * another indent unit than the file's (tabs for spaces, 2 spaces for 4).
 */
function reindent(lines: string[], ctx: PostprocessContext, tabSize: number): string[] {
  const base = leadingWhitespace(ctx.linePrefix);
  const firstLine = isBlank(ctx.linePrefix) ? ctx.linePrefix + leadingWhitespace(lines[0]) : ctx.linePrefix;
  const firstWidth = indentWidth(firstLine, tabSize);
  const opener = OPENS_BLOCK.test(ctx.linePrefix + lines[0]);
  const rest = lines.slice(1);
  const firstNonBlank = rest.find((l) => !isBlank(l));
  if (firstNonBlank === undefined) return lines;

  // Relative indentation: after an opener, the first body line must be deeper than the opener's line.
  const shift = opener && indentWidth(firstNonBlank, tabSize) <= firstWidth && firstWidth > 0 && !CLOSER_LINE.test(firstNonBlank) ? firstWidth : 0;
  const widths = rest.map((l) => (isBlank(l) ? -1 : indentWidth(l, tabSize) + shift));

  // The suggestion's own unit: the smallest positive step above the first line.
  const steps = widths.filter((w) => w > firstWidth).map((w) => w - firstWidth);
  const fileUnit = unitWidth(ctx.indentUnit, tabSize);
  const suggestionUnit = steps.length > 0 ? Math.min(...steps) : fileUnit;
  const convertUnit = suggestionUnit !== fileUnit && steps.every((s) => s % suggestionUnit === 0);
  const fileUsesTabs = ctx.indentUnit === "\t";

  const out = [lines[0]];
  rest.forEach((line, i) => {
    const w = widths[i];
    if (w < 0) {
      out.push("");
      return;
    }
    const ws = leadingWhitespace(line);
    const wrongKind = fileUsesTabs ? ws.includes(" ") && indentWidth(ws, tabSize) >= tabSize : ws.includes("\t");
    if (shift === 0 && !convertUnit && !wrongKind) {
      out.push(line);
      return;
    }
    const width = convertUnit && w > firstWidth ? firstWidth + ((w - firstWidth) / suggestionUnit) * fileUnit : w;
    const baseWidth = indentWidth(base, tabSize);
    const indent = width >= baseWidth ? base + render(width - baseWidth, fileUsesTabs, tabSize) : render(width, fileUsesTabs, tabSize);
    out.push(indent + line.slice(ws.length));
  });
  return out;
}

function render(width: number, tabs: boolean, tabSize: number): string {
  return tabs ? "\t".repeat(Math.floor(width / tabSize)) + " ".repeat(width % tabSize) : " ".repeat(width);
}

/**
 * The block the suggestion starts in ends at the first line indented less than the cursor line (that code belongs
 * to an outer block the suffix already has). When the cursor line has code and opens a block (`if (x) {█`), the
 * suggestion ends with the line that closes it at the opener's indentation (`}`), or before a line back at that
 * indentation in indentation-block languages (Python).
 */
function stopAtBlockEnd(lines: string[], ctx: PostprocessContext, tabSize: number): string[] {
  const firstLine = isBlank(ctx.linePrefix) ? ctx.linePrefix + leadingWhitespace(lines[0]) : ctx.linePrefix;
  const blockWidth = indentWidth(firstLine, tabSize);
  // Only a cursor line that has code of its own opens "the" block. On a blank line the suggestion is a statement
  // among siblings: after its own block closes, more siblings may follow (until the dedent).
  const opener = !isBlank(ctx.linePrefix) && OPENS_BLOCK.test(ctx.linePrefix + lines[0]);
  const indentBlocks = usesIndentBlocks(ctx.languageId);
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i];
    if (isBlank(line)) continue;
    const w = indentWidth(line, tabSize);
    if (w < blockWidth) return trimBlankTail(lines.slice(0, i));
    if (opener && w === blockWidth) {
      if (!indentBlocks && CLOSER_LINE.test(line)) return lines.slice(0, i + 1);
      return trimBlankTail(lines.slice(0, i));
    }
  }
  return lines;
}

function trimBlankTail(lines: string[]): string[] {
  let end = lines.length;
  while (end > 1 && isBlank(lines[end - 1])) end--;
  return lines.slice(0, end);
}

/**
 * Cuts the suggestion where it starts repeating the document's next lines: at the first line (the whole cursor
 * line for line 0) equal, trailing blanks aside and indentation included, to the first non-blank next line.
 * Indentation counts so that a nested block's `}` is not mistaken for the outer one below.
 */
function trimRepeatedNextLines(lines: string[], ctx: PostprocessContext): string[] {
  const next = ctx.nextLines.find((l) => !isBlank(l));
  if (next === undefined) return lines;
  const target = next.trimEnd();
  for (let i = 0; i < lines.length; i++) {
    const candidate = (i === 0 ? ctx.linePrefix + lines[0] + ctx.lineSuffix : lines[i]).trimEnd();
    if (i === 0 && !isBlank(ctx.linePrefix)) continue;
    if (candidate === target && candidate.trim().length > 0) return i === 0 ? [""] : trimBlankTail(lines.slice(0, i));
  }
  return lines;
}

/** A model stuck in a loop writes the same line again; keep the first one (closers like `}` may repeat). */
function trimSelfRepeats(lines: string[]): string[] {
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line.length > 0 && !CLOSER_LINE.test(line) && line === lines[i - 1].trim()) return lines.slice(0, i);
  }
  return lines;
}

/** A fragment of 3 to 40 characters written 4 or more times in a row (`.name.name.name.name`). */
const LOOPING_FRAGMENT = /(.{3,40}?)\1{3,}/g;
/** Longer lines are not searched (the regular expression backtracks per start position). */
const LOOP_SEARCH_MAX_CHARS = 2000;

/**
 * A model stuck in a loop within a line repeats a fragment (`item.name.name.name.name`): the line ends after the
 * first one, and the lines after it go. A fragment needs a letter: `[0, 0, 0, 0]` and `----` are code.
 */
function trimLoopingFragment(lines: string[]): string[] {
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].slice(0, LOOP_SEARCH_MAX_CHARS);
    for (const match of line.matchAll(LOOPING_FRAGMENT)) {
      if (!/[A-Za-z_]/.test(match[1])) continue;
      return [...lines.slice(0, i), line.slice(0, match.index + match[1].length)];
    }
  }
  return lines;
}

/**
 * The suggestion ends with the start of what is right of the cursor (`foo(█)` + `a, b)`): that end is cut, when it
 * is the whole right-hand side or only punctuation (a word overlap like `a` + `abc` is a coincidence).
 */
function trimLineSuffixOverlap(text: string, lineSuffix: string): string {
  const rhs = lineSuffix.trimEnd();
  if (rhs.trim().length === 0) return text;
  for (let k = Math.min(text.length, rhs.length); k > 0; k--) {
    const overlap = rhs.slice(0, k);
    if (!text.endsWith(overlap) || overlap.trim().length === 0) continue;
    if (k === rhs.length || /^[\s)\]}>"'`;,.:]+$/.test(overlap)) return text.slice(0, text.length - k);
  }
  return text;
}

/**
 * Scans the line left of the cursor, then the suggestion. If the suggestion closes a bracket or quote that was open
 * before it and the suffix starts with that same closer, the suggestion stops before it. If the suggestion leaves
 * its own brackets or quote open while the suffix closes an outer one right away, they are closed (single line,
 * finished generations only: a cut-off fragment is not completed by guessing).
 */
function balanceAgainstSuffix(text: string, ctx: PostprocessContext, mode: CompletionMode, tabSize: number): string {
  const before = scan(ctx.linePrefix, ctx.languageId);
  const closing = nextCloserSource(ctx, mode, tabSize);
  const result = scan(text, ctx.languageId, before.state);
  if (result.outerClose && closing.startsWith(result.outerClose.char)) {
    return text.slice(0, result.outerClose.index);
  }
  if (mode === "singleLine" && !ctx.truncated && !result.outerClose && isCloser(closing.charAt(0)) && !result.state.comment) {
    let tail = "";
    if (result.state.quote !== null && before.state.quote === null) tail += result.state.quote;
    if (result.state.stack.length > before.state.stack.length) tail += closersFor(result.state.stack, before.state.stack.length);
    return text + tail;
  }
  return text;
}

/** What would close the cursor's brackets after the suggestion: the right-hand side, or a block's closing line. */
function nextCloserSource(ctx: PostprocessContext, mode: CompletionMode, tabSize: number): string {
  const rhs = ctx.lineSuffix.trimStart();
  if (rhs.length > 0 || mode === "singleLine") return rhs;
  const next = ctx.nextLines.find((l) => !isBlank(l));
  if (next === undefined) return "";
  // Only a closing line at the cursor line's indentation closes what the cursor line opened (a less indented one
  // closes an outer block).
  return indentWidth(next, tabSize) === indentWidth(ctx.linePrefix, tabSize) ? next.trimStart() : "";
}

/** The suggestion only re-types the line above (a common small-model echo). Short lines such as `}` may repeat. */
function repeatsLineAbove(text: string, ctx: PostprocessContext): boolean {
  if (text.includes("\n")) return false;
  const above = ctx.previousLines?.findLast((l) => !isBlank(l));
  if (above === undefined) return false;
  const full = (ctx.linePrefix + text + ctx.lineSuffix).trim();
  return full.length >= 6 && !CLOSER_LINE.test(full) && full === above.trim();
}

