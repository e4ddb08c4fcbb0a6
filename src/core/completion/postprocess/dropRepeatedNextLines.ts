import { isBlank } from "../indent.ts";
import { byLines, trimBlankTail } from "./filter.ts";

/**
 * The model sees the lines after the cursor and happily writes them again. The suggestion is cut at its first line
 * (the whole cursor line for line 0) equal, trailing blanks aside and indentation included, to the first non-blank
 * next line. Indentation counts so that a nested block's `}` is not mistaken for the outer one below.
 */
export const dropRepeatedNextLines = byLines((lines, ctx) => {
  const next = ctx.nextLines.find((l) => !isBlank(l));
  if (next === undefined) return lines;
  const target = next.trimEnd();
  for (let i = 0; i < lines.length; i++) {
    const candidate = (i === 0 ? ctx.linePrefix + lines[0] + ctx.lineSuffix : lines[i]).trimEnd();
    if (i === 0 && !isBlank(ctx.linePrefix)) continue;
    if (candidate === target && candidate.trim().length > 0) return i === 0 ? [""] : trimBlankTail(lines.slice(0, i));
  }
  return lines;
});
