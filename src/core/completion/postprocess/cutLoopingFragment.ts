import { byLines } from "./filter.ts";

/** A fragment of 3 to 40 characters written 4 or more times in a row (`.name.name.name.name`). */
const LOOPING_FRAGMENT = /(.{3,40}?)\1{3,}/g;
/** Longer lines are not searched (the regular expression backtracks per start position). */
const LOOP_SEARCH_MAX_CHARS = 2000;

/**
 * A model stuck in a loop within a line repeats a fragment (`item.name.name.name.name`): the line ends after the
 * first one, and the lines after it go. A fragment needs a letter: `[0, 0, 0, 0]` and `----` are code.
 */
export const cutLoopingFragment = byLines((lines) => {
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].slice(0, LOOP_SEARCH_MAX_CHARS);
    for (const match of line.matchAll(LOOPING_FRAGMENT)) {
      if (!/[A-Za-z_]/.test(match[1])) continue;
      return [...lines.slice(0, i), line.slice(0, match.index + match[1].length)];
    }
  }
  return lines;
});
