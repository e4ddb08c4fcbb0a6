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
