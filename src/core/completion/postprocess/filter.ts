/**
 * What every post-processing filter shares: the caller's context, the shape of a filter, and the few line patterns
 * more than one filter needs. Not a filter itself (the filters are the other files of this folder, `index.ts` aside).
 */
import { DEFAULT_TAB_SIZE, indentWidth, isBlank, leadingWhitespace } from "../indent.ts";
import { completionMode, type CompletionMode } from "../trigger.ts";

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

/** The context as filters see it: the defaults every filter would otherwise work out again are settled once. */
export interface FilterContext extends PostprocessContext {
  readonly tabSize: number;
  readonly mode: CompletionMode;
}

/**
 * One step of post-processing: the suggestion so far in, the suggestion out, or undefined to show nothing. Lines are
 * joined with `\n` (the first filter normalizes line ends), so a filter that works per line splits and joins losslessly.
 */
export type PostprocessFilter = (text: string, ctx: FilterContext) => string | undefined;

export function resolveFilterContext(ctx: PostprocessContext): FilterContext {
  return { ...ctx, tabSize: ctx.tabSize ?? DEFAULT_TAB_SIZE, mode: ctx.mode ?? completionMode(ctx.linePrefix, ctx.lineSuffix, ctx.languageId) };
}

/** Most filters reason about lines; this keeps the split and the join out of each of them. */
export function byLines(filter: (lines: string[], ctx: FilterContext) => string[]): PostprocessFilter {
  return (text, ctx) => filter(text.split("\n"), ctx).join("\n");
}

/** A line that only closes something (`}`, `});`, `end`): legitimately repeated and legitimately at the block's width. */
export const CLOSER_LINE = /^\s*(?:[)\]}][)\]};,]*|end\b|fi\b|done\b|esac\b)/;

/**
 * Width of the line the suggestion starts on. On a blank cursor line the suggestion's own leading whitespace is part
 * of that line's indentation: the model may write indentation the cursor has not reached yet. (What it repeats of
 * the indentation the cursor already has is gone by then: `reindent` runs first.)
 */
export function startLineWidth(firstSuggestionLine: string, ctx: FilterContext): number {
  const line = isBlank(ctx.linePrefix) ? ctx.linePrefix + leadingWhitespace(firstSuggestionLine) : ctx.linePrefix;
  return indentWidth(line, ctx.tabSize);
}

/** Blank lines at the end of a cut suggestion would only be trimmed later; one line always stays. */
export function trimBlankTail(lines: string[]): string[] {
  let end = lines.length;
  while (end > 1 && isBlank(lines[end - 1])) end--;
  return lines.slice(0, end);
}
