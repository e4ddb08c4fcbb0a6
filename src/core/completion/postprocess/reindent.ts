import { indentWidth, isBlank, leadingWhitespace, unitWidth } from "../indent.ts";
import { byLines, CLOSER_LINE, OPENS_BLOCK, startLineWidth } from "./filter.ts";

/**
 * Lines 2.. of the suggestion measured against the cursor line's indentation. Two model habits are fixed:
 * indentation relative to column 0 after a block opener (the next line is less indented than the opener), and
 * another indent unit than the file's (tabs for spaces, 2 spaces for 4). Later filters compare indentation with
 * the document's, so this runs before them.
 */
export const reindent = byLines((lines, ctx) => {
  const { tabSize } = ctx;
  const base = leadingWhitespace(ctx.linePrefix);
  const firstWidth = startLineWidth(lines[0], ctx);
  const opener = OPENS_BLOCK.test(ctx.linePrefix + lines[0]);
  const rest = lines.slice(1);
  const firstNonBlank = rest.find((l) => !isBlank(l));
  if (firstNonBlank === undefined) return lines;

  // Relative indentation: after an opener, the first body line must be deeper than the opener's line.
  const shift = opener && indentWidth(firstNonBlank, tabSize) <= firstWidth && firstWidth > 0 && !CLOSER_LINE.test(firstNonBlank) ? firstWidth : 0;
  const widths = rest.map((l) => (isBlank(l) ? -1 : indentWidth(l, tabSize) + shift));

  // The suggestion's own unit: the smallest positive step above the first line.
  const steps = widths.filter((w) => w > firstWidth).map((w) => w - firstWidth);
  const fileUnit = unitWidth(ctx.indentUnit, tabSize);
  const suggestionUnit = steps.length > 0 ? Math.min(...steps) : fileUnit;
  const convertUnit = suggestionUnit !== fileUnit && steps.every((s) => s % suggestionUnit === 0);
  const fileUsesTabs = ctx.indentUnit === "\t";

  const out = [lines[0]];
  rest.forEach((line, i) => {
    const w = widths[i];
    if (w < 0) {
      out.push("");
      return;
    }
    const ws = leadingWhitespace(line);
    const wrongKind = fileUsesTabs ? ws.includes(" ") && indentWidth(ws, tabSize) >= tabSize : ws.includes("\t");
    if (shift === 0 && !convertUnit && !wrongKind) {
      out.push(line);
      return;
    }
    const width = convertUnit && w > firstWidth ? firstWidth + ((w - firstWidth) / suggestionUnit) * fileUnit : w;
    const baseWidth = indentWidth(base, tabSize);
    const indent = width >= baseWidth ? base + render(width - baseWidth, fileUsesTabs, tabSize) : render(width, fileUsesTabs, tabSize);
    out.push(indent + line.slice(ws.length));
  });
  return out;
});

function render(width: number, tabs: boolean, tabSize: number): string {
  return tabs ? "\t".repeat(Math.floor(width / tabSize)) + " ".repeat(width % tabSize) : " ".repeat(width);
}
