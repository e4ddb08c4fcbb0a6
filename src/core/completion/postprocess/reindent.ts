import { indentWidth, isBlank, leadingWhitespace, unitWidth } from "../indent.ts";
import { opensBlock } from "../languages.ts";
import { byLines, CLOSER_LINE, startLineWidth, type FilterContext } from "./filter.ts";

/**
 * Indentation measured against the cursor line's. Three model habits are fixed: on a blank cursor line, repeating
 * the indentation the line already has (the first line would land twice as deep); indentation relative to column 0
 * after a block opener (the next line is less indented than the opener); and another indent unit than the file's
 * (tabs for spaces, 2 spaces for 4). Later filters compare indentation with the document's, so this runs before them.
 */
export const reindent = byLines((lines, ctx) => {
  const { tabSize } = ctx;
  lines[0] = withoutRepeatedIndent(lines[0], ctx);
  const base = leadingWhitespace(ctx.linePrefix);
  const firstWidth = startLineWidth(lines[0], ctx);
  const opener = opensBlock(ctx.linePrefix + lines[0], ctx.languageId);
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

/**
 * On a blank cursor line some models write the first line from column 0, repeating the indentation the line already
 * has, and others start at the cursor. Their later lines are absolute either way (they follow a line break). A first
 * line indented at least as deep as the cursor was written from column 0: it keeps only the indentation the cursor
 * has not reached, so it lands where the model put it and the body keeps its place relative to it. A shallower
 * first line was written from the cursor and stays as it is.
 */
function withoutRepeatedIndent(first: string, ctx: FilterContext): string {
  if (!isBlank(ctx.linePrefix) || isBlank(first)) return first;
  const ws = leadingWhitespace(first);
  const cursor = indentWidth(ctx.linePrefix, ctx.tabSize);
  const width = indentWidth(ws, ctx.tabSize);
  if (ws.length === 0 || width < cursor) return first;
  // The whole indentation in the file's style, less the cursor's; a cursor line indented in another style than the
  // file's gets the missing columns as spaces (a tab after it could stop short).
  const full = render(width, ctx.indentUnit === "\t", ctx.tabSize);
  const missing = full.startsWith(ctx.linePrefix) ? full.slice(ctx.linePrefix.length) : " ".repeat(width - cursor);
  return missing + first.slice(ws.length);
}

function render(width: number, tabs: boolean, tabSize: number): string {
  return tabs ? "\t".repeat(Math.floor(width / tabSize)) + " ".repeat(width % tabSize) : " ".repeat(width);
}
