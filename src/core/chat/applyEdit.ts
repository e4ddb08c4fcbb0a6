/** Apply for a chat code block: the edited version of a document, which the host shows as a diff before applying. */

/** The edited version of `document` for Apply: the selection replaced, or (for a block about as long as the file) the whole file. */
export function proposeEdit(documentText: string, selection: { start: number; end: number } | undefined, code: string): { text: string; replaced: "selection" | "file" | "cursor" } {
  const block = code.endsWith("\n") || code === "" ? code : `${code}\n`;
  if (selection && selection.end > selection.start) {
    const selected = documentText.slice(selection.start, selection.end);
    const replacement = selected.endsWith("\n") ? block : block.replace(/\n$/, "");
    return { text: documentText.slice(0, selection.start) + replacement + documentText.slice(selection.end), replaced: "selection" };
  }
  const docLines = documentText.split("\n").length;
  const codeLines = block.split("\n").length;
  if (documentText.trim() === "" || codeLines >= docLines * 0.6) return { text: block, replaced: "file" };
  const at = selection?.start ?? documentText.length;
  return { text: documentText.slice(0, at) + block + documentText.slice(at), replaced: "cursor" };
}

/**
 * The text Insert puts at an empty selection: a code block, even of one line, lands on lines of its own. Where the
 * cursor has text before it on its line, the block starts on the next line; where text follows, that text moves
 * below the block (never `const x = 42;export interface …`).
 */
export function blockInsertion(lineBefore: string, lineAfter: string, code: string): string {
  const block = code.replace(/\n+$/, "");
  const before = lineBefore.trim() === "" ? "" : "\n";
  const after = lineAfter.trim() === "" ? "" : "\n";
  return `${before}${block}${after}`;
}
