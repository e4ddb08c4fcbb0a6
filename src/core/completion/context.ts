/**
 * Builds the parts of a fill-in-the-middle prompt from a document snapshot, in the layout the engine's `complete`
 * request keeps warm (shared/fim-latency.md, layout D):
 *
 *   PRE [extra chunks] header + prefix lines   SUF suffix (short)   MID currentLinePrefix
 *
 * - `prefix` holds whole lines *above* the cursor line and starts on a line that stays put while the user types:
 *   the engine reuses its KV cache up to the first changed token, so a moving start would re-evaluate everything.
 *   The start is snapped to a multiple of `stride` lines ({@link prefixWindowStart}); it moves only in stride jumps.
 * - `currentLinePrefix` (the cursor line left of the cursor) goes after MID, so a keystroke re-evaluates only the
 *   typed tokens.
 * - `suffix` is short (≤ 64 tokens by default) because Enter re-evaluates all of it.
 *
 * Cost: O(window). Lines are read from the cursor outwards through `lineAt`, never the whole document, so a
 * 16,000-line file costs what a 200-line one does.
 */
import { hashParts } from "./hash.ts";
import { detectIndentUnit } from "./indent.ts";
import { commentLine } from "./languages.ts";
import { estimateTokens, type TokenCounter } from "./tokens.ts";

/** The little the context builder needs from a document (the host wraps `vscode.TextDocument`). */
export interface DocumentSnapshot {
  readonly lineCount: number;
  /** Text of the 0-based `line`, without its end-of-line characters. */
  lineAt(line: number): string;
  /** VS Code language id, e.g. `typescript`. */
  readonly languageId: string;
  /** Workspace-relative path (with the folder name in a multi-root workspace); undefined for untitled documents. */
  readonly relativePath?: string | undefined;
}

/** A 0-based position; `character` counts UTF-16 code units like VS Code's `Position`. */
export interface CursorPosition {
  readonly line: number;
  readonly character: number;
}

/** A piece of extra context, shaped like the engine's `ContextChunk` (the host maps it field for field). */
export interface PromptChunk {
  readonly path?: string;
  readonly text: string;
}

export interface ContextOptions {
  /** Tokens for the whole prompt (extra context, header, prefix, current line, suffix). Default 1024. */
  readonly maxPromptTokens?: number;
  /** Share of `maxPromptTokens` for the suffix, capped by `maxSuffixTokens`. Default 0.15. */
  readonly suffixShare?: number;
  /** Upper bound on suffix tokens: Enter re-evaluates the whole suffix (shared/fim-latency.md). Default 64. */
  readonly maxSuffixTokens?: number;
  /**
   * Share of `maxPromptTokens` reserved for extra context chunks, whatever is found: a reservation that followed the
   * chunks' actual size would move the prefix start. Default 0 (set e.g. 0.2 when the host adds extra context).
   */
  readonly extraContextShare?: number;
  /** Lines the prefix start snaps to. Default: from `maxPromptTokens` ({@link defaultStride}): 4-64, a power of 2. */
  readonly stride?: number;
  /** Token estimator, used for every part. Default {@link estimateTokens} (chars / 3.2). */
  readonly countTokens?: TokenCounter;
  /** Put a `// Path: …` (or `Language: …`) comment line at the start of the prefix. Default true. */
  readonly header?: boolean;
  /** Indent unit when the editor knows it (`"\t"` or spaces). Default: detected from the window, else 4 spaces. */
  readonly indentUnit?: string;
  /** Longest current-line prefix sent; a longer (minified) line keeps its last characters. Default 1000. */
  readonly maxLinePrefixChars?: number;
  /** Lines above the cursor returned as `nearCursor`, the query for extra-context ranking. Default 20. */
  readonly nearCursorLines?: number;
  /** Lines below the cursor line returned as `nextLines` for post-processing. Default 8. */
  readonly nextLinesCount?: number;
}

/** Defaults of {@link ContextOptions}, exported so settings and tests quote the same numbers. */
export const CONTEXT_DEFAULTS = {
  maxPromptTokens: 1024,
  suffixShare: 0.15,
  maxSuffixTokens: 64,
  extraContextShare: 0,
  maxLinePrefixChars: 1000,
  nearCursorLines: 20,
  nextLinesCount: 8,
  indentUnit: "    ",
} as const;

/** FIM marker tokens and BOS the engine adds around our text. */
const SPECIAL_TOKENS = 4;
/** The current line's tokens are reserved in steps of this size, so typing on the line does not move the start. */
const LINE_RESERVE_STEP = 32;

/** Token accounting of a built context. */
export interface ContextTokens {
  readonly header: number;
  /** Prefix lines, including the header line. */
  readonly prefix: number;
  readonly currentLine: number;
  readonly suffix: number;
  /** All of the above plus the FIM markers (extra chunks excluded: they are chosen afterwards). */
  readonly total: number;
}

/** How `maxPromptTokens` was split. */
export interface ContextBudget {
  readonly maxPromptTokens: number;
  readonly prefix: number;
  readonly suffix: number;
  /** Tokens reserved for extra chunks: pass this as the cap to `selectExtraContext`. */
  readonly extra: number;
  /** Tokens reserved for the current line (its estimate rounded up to a step of 32). */
  readonly currentLine: number;
}

export interface CompletionContext {
  /** Header line (if any) and the whole lines `[prefixStartLine, cursor.line)`, each ending with `\n`. */
  readonly prefix: string;
  /** The cursor line left of the cursor (its tail if longer than `maxLinePrefixChars`). */
  readonly currentLinePrefix: string;
  /** The cursor line right of the cursor, then whole following lines while they fit the suffix budget. */
  readonly suffix: string;
  /** The header comment line without its newline, or undefined. */
  readonly header: string | undefined;
  /** First document line in `prefix`. */
  readonly prefixStartLine: number;
  /** Last document line (inclusive) that `suffix` reaches. */
  readonly suffixEndLine: number;
  /** The stride the start was snapped to. */
  readonly stride: number;
  readonly tokens: ContextTokens;
  readonly budget: ContextBudget;
  /** The whole cursor line left of the cursor (untruncated), for post-processing and triggers. */
  readonly linePrefix: string;
  /** The cursor line right of the cursor, for post-processing. */
  readonly lineSuffix: string;
  /** Up to `nextLinesCount` lines after the cursor line, for post-processing. */
  readonly nextLines: readonly string[];
  /** Up to 3 lines right above the cursor line (nearest last), for post-processing's repeat check. */
  readonly previousLines: readonly string[];
  /** The file's indent unit. */
  readonly indentUnit: string;
  /** The last `nearCursorLines` lines above the cursor line: the query for ranking extra context. */
  readonly nearCursor: string;
  readonly languageId: string;
  /** {@link promptCacheKey} of prefix, current line and suffix (no extra chunks, no salt). */
  readonly cacheKey: string;
  /** How many times `lineAt` was called (what this build cost). */
  readonly linesRead: number;
}

/**
 * The default stride for a prompt budget: about a quarter of the lines the prefix holds (at ~10 tokens a line),
 * as a power of two in [4, 64]. It depends on the setting only, not on the text, so it never flips while typing.
 * A larger stride means rarer cold re-evaluations but up to `stride - 1` fewer lines of prefix.
 */
export function defaultStride(maxPromptTokens: number): number {
  const target = Math.min(64, Math.max(4, maxPromptTokens / 40));
  return 2 ** Math.floor(Math.log2(target));
}

/**
 * The stable prefix start: `firstFit` (the earliest line whose lines up to the cursor fit the budget) rounded *up*
 * to a multiple of `stride`, so the window never exceeds the budget and the start changes only when `firstFit`
 * crosses a multiple of `stride`. Line 0 stays line 0 (the whole top of the file fits). When rounding up would
 * pass the cursor line (lines longer than the budget), `firstFit` is used as is.
 */
export function prefixWindowStart(firstFit: number, cursorLine: number, stride: number): number {
  if (firstFit <= 0) return 0;
  const snapped = Math.ceil(firstFit / stride) * stride;
  return snapped <= cursorLine ? snapped : firstFit;
}

/** The parts that make up a prompt, as the engine receives them. */
export interface PromptParts {
  readonly prefix: string;
  readonly currentLinePrefix: string;
  readonly suffix: string;
  readonly extraContext?: readonly PromptChunk[] | undefined;
}

/**
 * A hash of the exact prompt parts, for the completion cache. `salt` carries what else changes the answer (model
 * path, maxTokens, single- or multi-line mode). Compute it on the text as sent: the safety filter is deterministic,
 * so hashing before it gives the same equality.
 */
export function promptCacheKey(parts: PromptParts, salt = ""): string {
  const list = [salt, parts.prefix, parts.currentLinePrefix, parts.suffix];
  for (const chunk of parts.extraContext ?? []) list.push(chunk.path ?? "", chunk.text);
  return hashParts(list);
}

/** The header comment for a document: its path where known, else its language. Undefined if no comment syntax. */
export function documentHeader(languageId: string, relativePath: string | undefined): string | undefined {
  const text = relativePath ? `Path: ${relativePath}` : `Language: ${languageId}`;
  return commentLine(languageId, text);
}

/**
 * Builds the prompt parts for a completion at `cursor`. Reads the cursor line, the prefix window (walking up from
 * the cursor until the budget is spent) and a few lines below; never the whole document.
 */
export function buildCompletionContext(doc: DocumentSnapshot, cursor: CursorPosition, options: ContextOptions = {}): CompletionContext {
  const count = options.countTokens ?? estimateTokens;
  const maxPromptTokens = Math.max(16, Math.floor(options.maxPromptTokens ?? CONTEXT_DEFAULTS.maxPromptTokens));
  const suffixShare = clamp01(options.suffixShare ?? CONTEXT_DEFAULTS.suffixShare);
  const extraShare = clamp01(options.extraContextShare ?? CONTEXT_DEFAULTS.extraContextShare);
  const maxSuffixTokens = Math.max(0, options.maxSuffixTokens ?? CONTEXT_DEFAULTS.maxSuffixTokens);
  const stride = Math.max(1, Math.floor(options.stride ?? defaultStride(maxPromptTokens)));
  const maxLinePrefixChars = Math.max(1, options.maxLinePrefixChars ?? CONTEXT_DEFAULTS.maxLinePrefixChars);

  // A line cache for this call only: each line is read at most once.
  const read = new Map<number, string>();
  const lineAt = (i: number): string => {
    let text = read.get(i);
    if (text === undefined) {
      text = doc.lineAt(i);
      read.set(i, text);
    }
    return text;
  };

  const cursorLine = Math.min(Math.max(0, cursor.line), Math.max(0, doc.lineCount - 1));
  const lineText = doc.lineCount > 0 ? lineAt(cursorLine) : "";
  const character = Math.min(Math.max(0, cursor.character), lineText.length);
  const linePrefix = lineText.slice(0, character);
  const lineSuffix = lineText.slice(character);
  const currentLinePrefix = linePrefix.length > maxLinePrefixChars ? linePrefix.slice(-maxLinePrefixChars) : linePrefix;

  const header = options.header === false ? undefined : documentHeader(doc.languageId, doc.relativePath);
  const headerTokens = header ? count(`${header}\n`) : 0;
  const currentLineTokens = count(currentLinePrefix);
  const lineReserve = Math.max(1, Math.ceil(currentLineTokens / LINE_RESERVE_STEP)) * LINE_RESERVE_STEP;
  const suffixBudget = Math.min(maxSuffixTokens, Math.floor(maxPromptTokens * suffixShare));
  const extraBudget = Math.floor(maxPromptTokens * extraShare);
  const prefixBudget = Math.max(0, maxPromptTokens - SPECIAL_TOKENS - headerTokens - lineReserve - suffixBudget - extraBudget);

  // Walk up from the line above the cursor while whole lines fit; then snap the start to the stride.
  let used = 0;
  let firstFit = cursorLine;
  const lineTokens: number[] = [];
  for (let i = cursorLine - 1; i >= 0; i--) {
    const cost = count(`${lineAt(i)}\n`);
    if (used + cost > prefixBudget) break;
    used += cost;
    lineTokens.push(cost);
    firstFit = i;
  }
  const prefixStartLine = prefixWindowStart(firstFit, cursorLine, stride);
  let prefixLineTokens = 0;
  const prefixLines: string[] = [];
  for (let i = prefixStartLine; i < cursorLine; i++) {
    prefixLines.push(lineAt(i));
    prefixLineTokens += lineTokens[cursorLine - 1 - i] ?? 0;
  }
  const prefix = (header ? `${header}\n` : "") + prefixLines.map((l) => `${l}\n`).join("");

  // Suffix: the rest of the cursor line (cut to the budget if it alone is too long), then whole lines.
  let suffix = fitStart(lineSuffix, suffixBudget, count);
  let suffixTokens = count(suffix);
  let suffixEndLine = cursorLine;
  if (suffix.length === lineSuffix.length) {
    for (let i = cursorLine + 1; i < doc.lineCount; i++) {
      const piece = `\n${lineAt(i)}`;
      const cost = count(piece);
      if (suffixTokens + cost > suffixBudget) break;
      suffix += piece;
      suffixTokens += cost;
      suffixEndLine = i;
    }
  }

  const nextCount = Math.max(0, options.nextLinesCount ?? CONTEXT_DEFAULTS.nextLinesCount);
  const nextLines: string[] = [];
  for (let i = cursorLine + 1; i < doc.lineCount && nextLines.length < nextCount; i++) nextLines.push(lineAt(i));
  const previousLines: string[] = [];
  for (let i = Math.max(0, cursorLine - 3); i < cursorLine; i++) previousLines.push(lineAt(i));

  const nearCount = Math.max(0, options.nearCursorLines ?? CONTEXT_DEFAULTS.nearCursorLines);
  const near: string[] = [];
  for (let i = Math.max(0, cursorLine - nearCount); i < cursorLine; i++) near.push(lineAt(i));

  // Detected from lines already read: the window, the cursor line and the few below it.
  const indentUnit = options.indentUnit ?? detectIndentUnit([...prefixLines, lineText, ...nextLines]) ?? CONTEXT_DEFAULTS.indentUnit;
  const prefixTokens = headerTokens + prefixLineTokens;

  return {
    prefix,
    currentLinePrefix,
    suffix,
    header,
    prefixStartLine,
    suffixEndLine,
    stride,
    tokens: {
      header: headerTokens,
      prefix: prefixTokens,
      currentLine: currentLineTokens,
      suffix: suffixTokens,
      total: SPECIAL_TOKENS + prefixTokens + currentLineTokens + suffixTokens,
    },
    budget: { maxPromptTokens, prefix: prefixBudget, suffix: suffixBudget, extra: extraBudget, currentLine: lineReserve },
    linePrefix,
    lineSuffix,
    nextLines,
    previousLines,
    indentUnit,
    nearCursor: near.join("\n"),
    languageId: doc.languageId,
    cacheKey: promptCacheKey({ prefix, currentLinePrefix, suffix }),
    linesRead: read.size,
  };
}

/** The longest start of `text` within `budget` tokens (whole `text` when it fits). */
function fitStart(text: string, budget: number, count: TokenCounter): string {
  if (count(text) <= budget) return text;
  // Binary search on the length: O(log n) estimator calls, each O(1) for the default estimator.
  let lo = 0;
  let hi = text.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (count(text.slice(0, mid)) <= budget) lo = mid;
    else hi = mid - 1;
  }
  return text.slice(0, lo);
}

function clamp01(x: number): number {
  return Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : 0;
}
