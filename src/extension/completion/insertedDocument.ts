/**
 * A document as it will read once a suggestion is inserted at a position, without copying it: the lines before
 * and after are read through the original's `lineAt`. Speculative prefetch builds the next prompt on it.
 */
import type { CursorPosition, DocumentSnapshot } from "../../core/completion/index.ts";

export function withInsertion(doc: DocumentSnapshot, at: CursorPosition, text: string): { doc: DocumentSnapshot; cursor: CursorPosition } {
  const inserted = text.split("\n");
  const line = doc.lineAt(at.line);
  const left = line.slice(0, at.character);
  const right = line.slice(at.character);
  const added = inserted.length - 1;
  const newLines: string[] = inserted.map((part, i) => (i === 0 ? left : "") + part + (i === added ? right : ""));
  const snapshot: DocumentSnapshot = {
    languageId: doc.languageId,
    relativePath: doc.relativePath,
    lineCount: doc.lineCount + added,
    lineAt(i: number): string {
      if (i < at.line) return doc.lineAt(i);
      if (i <= at.line + added) return newLines[i - at.line];
      return doc.lineAt(i - added);
    },
  };
  const lastPart = inserted[added];
  return { doc: snapshot, cursor: { line: at.line + added, character: (added === 0 ? left.length : 0) + lastPart.length } };
}
