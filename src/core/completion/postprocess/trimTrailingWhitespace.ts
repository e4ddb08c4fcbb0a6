import type { PostprocessFilter } from "./filter.ts";

/**
 * Trailing blanks are never useful and would leave whitespace in the document. A leading newline is kept: the cursor
 * may sit at the end of a line that opens a block, and the suggestion starts on the next line.
 */
export const trimTrailingWhitespace: PostprocessFilter = (text) => text.replace(/\s+$/, "");
