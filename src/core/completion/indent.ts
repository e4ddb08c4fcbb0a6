/**
 * Indentation helpers shared by the context builder (detecting the file's indent unit from the lines it already
 * read) and post-processing (re-indenting and the dedent stop). Widths count a tab as `tabSize` columns.
 */

/** Tab width assumed when the caller does not know the editor's (`editor.tabSize`). */
export const DEFAULT_TAB_SIZE = 4;

/** The leading spaces and tabs of `line`. */
export function leadingWhitespace(line: string): string {
  let i = 0;
  while (i < line.length && (line[i] === " " || line[i] === "\t")) i++;
  return line.slice(0, i);
}

/** Columns taken by the leading whitespace of `line`, tabs advancing to the next multiple of `tabSize`. */
export function indentWidth(line: string, tabSize: number = DEFAULT_TAB_SIZE): number {
  let width = 0;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === " ") width++;
    else if (c === "\t") width += tabSize - (width % tabSize);
    else break;
  }
  return width;
}

/** Whether `line` holds only spaces and tabs (or nothing). */
export function isBlank(line: string): boolean {
  return line.trim().length === 0;
}

/**
 * The indent unit used by `lines`: `"\t"` when most indented lines start with a tab, else the most common positive
 * difference in width between consecutive non-blank lines (2 or 4 spaces usually). Undefined when `lines` show no
 * indentation at all; the caller then falls back to the editor's setting. Reads only the lines given (the window the
 * context builder already holds), never the whole file.
 */
export function detectIndentUnit(lines: readonly string[], tabSize: number = DEFAULT_TAB_SIZE): string | undefined {
  let tabbed = 0;
  let spaced = 0;
  const deltas = new Map<number, number>();
  let previous: number | undefined;
  for (const line of lines) {
    if (isBlank(line)) continue;
    if (line.startsWith("\t")) tabbed++;
    else if (line.startsWith(" ")) spaced++;
    const width = indentWidth(line, tabSize);
    if (previous !== undefined && width > previous) {
      const d = width - previous;
      if (d <= 8) deltas.set(d, (deltas.get(d) ?? 0) + 1);
    }
    previous = width;
  }
  if (tabbed === 0 && spaced === 0) return undefined;
  if (tabbed > spaced) return "\t";
  let best = 0;
  let bestCount = 0;
  for (const [d, count] of deltas) {
    if (count > bestCount || (count === bestCount && d < best)) {
      best = d;
      bestCount = count;
    }
  }
  return best > 0 ? " ".repeat(best) : undefined;
}

/** Width in columns of one indent `unit`. */
export function unitWidth(unit: string, tabSize: number = DEFAULT_TAB_SIZE): number {
  return unit === "\t" ? tabSize : Math.max(1, unit.length);
}
