/**
 * Turns raw model output into the text inserted at the cursor, or undefined when nothing useful is left.
 *
 * The model sees the code around the cursor but not where its answer will be cut, so it happily writes the rest of
 * the file: the closing `)` the editor already auto-closed, the next line again, a second function. Each file of
 * this folder (this one and `filter.ts` aside) is one filter that fixes one such habit, exported under the file's
 * name, with its own goldens in `golden/<filter>.json` (format and runner: test/unit/completion-postprocess-filters.test.ts).
 * {@link POSTPROCESS_FILTERS} runs them in order, and the first that returns undefined drops the suggestion.
 */
import { balanceAgainstSuffix } from "./balanceAgainstSuffix.ts";
import { cutAtLeakedMarker } from "./cutAtLeakedMarker.ts";
import { cutLoopingFragment } from "./cutLoopingFragment.ts";
import { dropEchoOfLineAbove } from "./dropEchoOfLineAbove.ts";
import { dropEmpty } from "./dropEmpty.ts";
import { dropRecentlyShown } from "./dropRecentlyShown.ts";
import { dropRepeatedNextLines } from "./dropRepeatedNextLines.ts";
import { dropSelfRepeats } from "./dropSelfRepeats.ts";
import { dropUnfinishedLine } from "./dropUnfinishedLine.ts";
import { resolveFilterContext, type PostprocessContext, type PostprocessFilter } from "./filter.ts";
import { keepFirstLineMidLine } from "./keepFirstLineMidLine.ts";
import { limitLines } from "./limitLines.ts";
import { reindent } from "./reindent.ts";
import { skipTypedSpace } from "./skipTypedSpace.ts";
import { stopAtBlockEnd } from "./stopAtBlockEnd.ts";
import { stripControlCharacters } from "./stripControlCharacters.ts";
import { trimLineSuffixOverlap } from "./trimLineSuffixOverlap.ts";
import { trimTrailingWhitespace } from "./trimTrailingWhitespace.ts";

export { POSTPROCESS_DEFAULTS, type PostprocessContext } from "./filter.ts";

/**
 * The order matters: the text is made safe and cut to what the model meant to write first, indentation is fixed
 * before anything compares it with the document's, the block stop comes before the line cap so the cap counts kept
 * lines, repeats are cut before brackets are balanced against the suffix, and the drop checks see the final text.
 */
export const POSTPROCESS_FILTERS: readonly PostprocessFilter[] = [
  stripControlCharacters,
  cutAtLeakedMarker,
  keepFirstLineMidLine,
  dropUnfinishedLine,
  skipTypedSpace,
  reindent,
  stopAtBlockEnd,
  limitLines,
  dropRepeatedNextLines,
  dropSelfRepeats,
  cutLoopingFragment,
  trimLineSuffixOverlap,
  balanceAgainstSuffix,
  trimTrailingWhitespace,
  dropEmpty,
  dropRecentlyShown,
  dropEchoOfLineAbove,
];

/**
 * The filters that cut the text at a place (a leaked marker, the first line mid-line, the block's end, the line cap):
 * what the model writes after that place is never kept, whatever it is.
 */
const CUTTING_FILTERS: readonly PostprocessFilter[] = POSTPROCESS_FILTERS.slice(0, POSTPROCESS_FILTERS.indexOf(limitLines) + 1);

/**
 * Whether the text generated so far already holds the whole suggestion: a cut falls among its finished lines (the
 * block has ended, the line cap is reached), so generating on only costs time. Blank lines are not counted: a cut
 * that only drops trailing blank lines proves nothing. The generation can stop there; `postprocess` of the text so
 * far gives the same suggestion as of the full text.
 */
export function suggestionComplete(raw: string, ctx: PostprocessContext): boolean {
  const end = raw.lastIndexOf("\n");
  if (end < 0) return false;
  const finished = raw.slice(0, end);
  const filterCtx = resolveFilterContext({ ...ctx, truncated: false });
  let text: string | undefined = finished;
  for (const filter of CUTTING_FILTERS) {
    text = filter(text, filterCtx);
    if (text === undefined) return false;
  }
  return nonBlankLines(text) < nonBlankLines(finished);
}

function nonBlankLines(text: string): number {
  return text.split("\n").filter((line) => line.trim().length > 0).length;
}

/** Applies every filter; returns the text to insert at the cursor, or undefined to show nothing. */
export function postprocess(raw: string, ctx: PostprocessContext): string | undefined {
  const filterCtx = resolveFilterContext(ctx);
  let text: string | undefined = raw;
  for (const filter of POSTPROCESS_FILTERS) {
    text = filter(text, filterCtx);
    if (text === undefined) return undefined;
  }
  return text;
}
