import { closersFor, isCloser, scan } from "../brackets.ts";
import { indentWidth, isBlank } from "../indent.ts";
import type { FilterContext, PostprocessFilter } from "./filter.ts";

/**
 * The editor auto-closes brackets and quotes, so the model's closer is often already right of the cursor, and a
 * suggestion that opens its own call may stop before closing it. Scans the line left of the cursor, then the
 * suggestion. If the suggestion closes a bracket or quote that was open before it and the suffix starts with that
 * same closer, the suggestion stops before it. If the suggestion leaves its own brackets or quote open while the
 * suffix closes an outer one right away, they are closed (single line, finished generations only: a cut-off
 * fragment is not completed by guessing).
 */
export const balanceAgainstSuffix: PostprocessFilter = (text, ctx) => {
  const before = scan(ctx.linePrefix, ctx.languageId);
  const closing = nextCloserSource(ctx);
  const result = scan(text, ctx.languageId, before.state);
  if (result.outerClose && closing.startsWith(result.outerClose.char)) {
    return text.slice(0, result.outerClose.index);
  }
  if (ctx.mode === "singleLine" && !ctx.truncated && !result.outerClose && isCloser(closing.charAt(0)) && !result.state.comment) {
    let tail = "";
    if (result.state.quote !== null && before.state.quote === null) tail += result.state.quote;
    if (result.state.stack.length > before.state.stack.length) tail += closersFor(result.state.stack, before.state.stack.length);
    return text + tail;
  }
  return text;
};

/** What would close the cursor's brackets after the suggestion: the right-hand side, or a block's closing line. */
function nextCloserSource(ctx: FilterContext): string {
  const rhs = ctx.lineSuffix.trimStart();
  if (rhs.length > 0 || ctx.mode === "singleLine") return rhs;
  const next = ctx.nextLines.find((l) => !isBlank(l));
  if (next === undefined) return "";
  // Only a closing line at the cursor line's indentation closes what the cursor line opened (a less indented one
  // closes an outer block).
  return indentWidth(next, ctx.tabSize) === indentWidth(ctx.linePrefix, ctx.tabSize) ? next.trimStart() : "";
}
