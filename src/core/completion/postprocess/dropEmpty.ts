import type { PostprocessFilter } from "./filter.ts";

/** An empty or whitespace-only suggestion shows nothing useful but would still take the Tab key. */
export const dropEmpty: PostprocessFilter = (text) => (text.trim().length === 0 ? undefined : text);
