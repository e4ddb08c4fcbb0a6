import { isBlank } from "../indent.ts";
import { CLOSER_LINE, type PostprocessFilter } from "./filter.ts";

/** Small models often just re-type the line above. Short lines such as `}` may legitimately repeat. */
export const dropEchoOfLineAbove: PostprocessFilter = (text, ctx) => {
  if (text.includes("\n")) return text;
  const above = ctx.previousLines?.findLast((l) => !isBlank(l));
  if (above === undefined) return text;
  const full = (ctx.linePrefix + text + ctx.lineSuffix).trim();
  return full.length >= 6 && !CLOSER_LINE.test(full) && full === above.trim() ? undefined : text;
};
