import type { PostprocessFilter } from "./filter.ts";

/** A suggestion the user was just shown and did not accept is not wanted again. */
export const dropRecentlyShown: PostprocessFilter = (text, ctx) => (ctx.recentSuggestions?.includes(text) ? undefined : text);
