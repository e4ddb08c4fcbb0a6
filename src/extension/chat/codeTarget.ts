/**
 * The code a command works on: the selection, or, at a bare cursor, the block around it (the function or statement
 * the cursor is in). Explain Selection, the slash commands, the light bulb and Edit Selection all use it.
 */
import * as vscode from "vscode";
import { enclosingBlock } from "../../core/chat/enclosingBlock.ts";

/** The selection, or the enclosing block of the cursor; undefined on an empty line with no block around it. */
export function selectionOrBlock(editor: vscode.TextEditor): vscode.Range | undefined {
  const doc = editor.document;
  if (!editor.selection.isEmpty) return editor.selection;
  const lines = Array.from({ length: doc.lineCount }, (_, i) => doc.lineAt(i).text);
  const block = enclosingBlock(lines, editor.selection.active.line);
  if (!block) return undefined;
  return new vscode.Range(block.start, 0, block.end, doc.lineAt(block.end).text.length);
}

/** `app.ts:3-7` for a range (the last line not counted when the range ends at its start). */
export function rangeLabel(doc: vscode.TextDocument, range: vscode.Range): string {
  const name = vscode.workspace.asRelativePath(doc.uri, false);
  const start = range.start.line;
  const end = range.end.character === 0 && range.end.line > start ? range.end.line - 1 : range.end.line;
  return start === end ? `${name}:${start + 1}` : `${name}:${start + 1}-${end + 1}`;
}
