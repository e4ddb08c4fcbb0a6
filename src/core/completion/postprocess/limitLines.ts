import { byLines, POSTPROCESS_DEFAULTS } from "./filter.ts";

/** A long suggestion is slow to read and rarely accepted whole; the caller's cap (at least one line) holds. */
export const limitLines = byLines((lines, ctx) => lines.slice(0, Math.max(1, ctx.maxLines ?? POSTPROCESS_DEFAULTS.maxLines)));
