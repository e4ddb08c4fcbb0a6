import type { PostprocessFilter } from "./filter.ts";

/**
 * In single-line mode (mid-line, or a line that does not open a block) a second line would overwrite intent the
 * user has not typed yet. The engine's line-end stop usually did this already; a prefetched generation may not have.
 */
export const keepFirstLineMidLine: PostprocessFilter = (text, ctx) => {
  if (ctx.mode !== "singleLine") return text;
  const nl = text.indexOf("\n");
  return nl >= 0 ? text.slice(0, nl) : text;
};
