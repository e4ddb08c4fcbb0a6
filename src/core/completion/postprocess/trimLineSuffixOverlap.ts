import type { PostprocessFilter } from "./filter.ts";

/**
 * The model writes on past the cursor into what is already right of it (`foo(█)` + `a, b)`): that end is cut, when
 * it is the whole right-hand side or only punctuation (a word overlap like `a` + `abc` is a coincidence).
 */
export const trimLineSuffixOverlap: PostprocessFilter = (text, ctx) => {
  const rhs = ctx.lineSuffix.trimEnd();
  if (rhs.trim().length === 0) return text;
  for (let k = Math.min(text.length, rhs.length); k > 0; k--) {
    const overlap = rhs.slice(0, k);
    if (!text.endsWith(overlap) || overlap.trim().length === 0) continue;
    if (k === rhs.length || /^[\s)\]}>"'`;,.:]+$/.test(overlap)) return text.slice(0, text.length - k);
  }
  return text;
};
