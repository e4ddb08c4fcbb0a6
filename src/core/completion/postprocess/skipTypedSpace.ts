import { byLines } from "./filter.ts";

/** After `return █` the model often starts with the space the user already typed; it must not be inserted twice. */
export const skipTypedSpace = byLines((lines, ctx) => {
  if (/\S[ \t]$/.test(ctx.linePrefix)) lines[0] = lines[0].replace(/^[ \t]+/, "");
  return lines;
});
