import { byLines } from "./filter.ts";

/**
 * A generation cut by the token or time budget ends mid-line, and half a line of code is worse than none: the
 * unfinished last line goes, as long as a finished line remains.
 */
export const dropUnfinishedLine = byLines((lines, ctx) => (ctx.truncated && lines.length > 1 ? lines.slice(0, -1) : lines));
