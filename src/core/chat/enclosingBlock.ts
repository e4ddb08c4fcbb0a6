/**
 * Explain Selection without a selection: the block around the cursor, found from indentation alone (so it works in
 * every language, with or without a symbol provider). A block is a header line and the lines indented deeper
 * below it, plus a closing line at the header's indentation (`}`, `end`, `)`).
 */

export interface LineRange {
  /** 0-based, inclusive. */
  readonly start: number;
  /** 0-based, inclusive. */
  readonly end: number;
}

const MAX_BLOCK_LINES = 200;

function indentOf(line: string): number {
  let n = 0;
  for (const ch of line) {
    if (ch === " ") n++;
    else if (ch === "\t") n += 4;
    else break;
  }
  return n;
}

const isBlank = (line: string): boolean => line.trim() === "";
const CLOSER = /^\s*(?:[}\])]|end\b|fi\b|done\b|esac\b|<\/)/;

/**
 * The block enclosing `cursorLine`, or undefined when the line is blank (the caller asks the user to select code).
 * A top-level line that opens nothing is its own block.
 */
export function enclosingBlock(lines: readonly string[], cursorLine: number): LineRange | undefined {
  if (cursorLine < 0 || cursorLine >= lines.length || isBlank(lines[cursorLine])) return undefined;
  const nextNonBlank = (from: number): number => {
    for (let i = from; i < lines.length; i++) if (!isBlank(lines[i])) return i;
    return -1;
  };
  // The header: the cursor line if it opens a block, else the nearest line above with less indentation.
  let header = cursorLine;
  const next = nextNonBlank(cursorLine + 1);
  const opens = next !== -1 && indentOf(lines[next]) > indentOf(lines[cursorLine]);
  if (!opens) {
    const indent = indentOf(lines[cursorLine]);
    header = -1;
    if (indent > 0) {
      for (let i = cursorLine - 1; i >= 0 && cursorLine - i <= MAX_BLOCK_LINES; i--) {
        if (!isBlank(lines[i]) && indentOf(lines[i]) < indent && !CLOSER.test(lines[i])) {
          header = i;
          break;
        }
      }
    }
    if (header === -1) return { start: cursorLine, end: cursorLine };
  }
  const headerIndent = indentOf(lines[header]);
  let end = header;
  for (let i = header + 1; i < lines.length && i - header < MAX_BLOCK_LINES; i++) {
    if (isBlank(lines[i])) continue;
    if (indentOf(lines[i]) > headerIndent) {
      end = i;
      continue;
    }
    if (indentOf(lines[i]) === headerIndent && CLOSER.test(lines[i])) end = i;
    break;
  }
  return { start: header, end: Math.max(end, cursorLine) };
}
