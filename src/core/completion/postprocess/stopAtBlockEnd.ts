import { indentWidth, isBlank } from "../indent.ts";
import { opensBlock, usesIndentBlocks } from "../languages.ts";
import { byLines, CLOSER_LINE, startLineWidth, trimBlankTail } from "./filter.ts";

/**
 * The model does not know where its answer will be cut, so it writes on past the block the cursor is in, into code
 * the document already has. The block ends at the first line indented less than the cursor line (that code belongs
 * to an outer block the suffix already has); `reindent` has already dropped indentation the model repeated, so the
 * first line's width is where it lands. When the cursor line has code and opens a block in its language
 * (`if (x) {█`, Python's `if x:█`), the suggestion ends with the line that closes it at the opener's indentation
 * (`}`), or before a line back at that indentation in indentation-block languages (Python).
 */
export const stopAtBlockEnd = byLines((lines, ctx) => {
  const blockWidth = startLineWidth(lines[0], ctx);
  // Only a cursor line that has code of its own opens "the" block. On a blank line the suggestion is a statement
  // among siblings: after its own block closes, more siblings may follow (until the dedent).
  const opener = !isBlank(ctx.linePrefix) && opensBlock(ctx.linePrefix + lines[0], ctx.languageId);
  const indentBlocks = usesIndentBlocks(ctx.languageId);
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i];
    if (isBlank(line)) continue;
    const w = indentWidth(line, ctx.tabSize);
    if (w < blockWidth) return trimBlankTail(lines.slice(0, i));
    if (opener && w === blockWidth) {
      if (!indentBlocks && CLOSER_LINE.test(line)) return lines.slice(0, i + 1);
      return trimBlankTail(lines.slice(0, i));
    }
  }
  return lines;
});
