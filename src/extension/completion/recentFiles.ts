/**
 * Recently edited and recently viewed documents, as snippet sources for extra context. A document is indexed
 * (`indexSnippets`: one `getText()` and one split) once per version and only when asked for, so typing in one file
 * never re-reads another; the document being typed in is never a source. Excluded files never contribute: a
 * source is used only once the safety seam has said it is not excluded.
 */
import * as vscode from "vscode";
import { indexSnippets, type CompletionSafetyGate, type DocumentLocation, type Snippet } from "../../core/completion/index.ts";
import { documentLocation, relativePath } from "./documents.ts";

const MAX_SOURCES = 8;
/** Documents larger than this are indexed around the last known position only (indexSnippets' window). */
const MAX_INDEX_LINES = 2000;

interface Entry {
  readonly uri: string;
  version: number;
  focusLine: number;
  snippets?: Snippet[];
  indexedVersion?: number;
  location: DocumentLocation;
  path: string;
}

export class RecentFiles implements vscode.Disposable {
  /** Most recent last. */
  private readonly entries = new Map<string, Entry>();
  private readonly byPath = new Map<string, DocumentLocation>();
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(private readonly safety: CompletionSafetyGate) {
    const touch = (document: vscode.TextDocument, line: number) => this.touch(document, line);
    this.subscriptions.push(
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.contentChanges.length > 0) touch(e.document, e.contentChanges[0].range.start.line);
      }),
      vscode.window.onDidChangeActiveTextEditor((editor) => {
        if (editor) touch(editor.document, editor.selection.active.line);
      }),
      vscode.workspace.onDidCloseTextDocument((d) => this.entries.delete(d.uri.toString())),
    );
    for (const editor of vscode.window.visibleTextEditors) touch(editor.document, editor.selection.active.line);
  }

  private touch(document: vscode.TextDocument, line: number): void {
    if (document.uri.scheme !== "file" && document.uri.scheme !== "untitled") return;
    const uri = document.uri.toString();
    const existing = this.entries.get(uri);
    this.entries.delete(uri);
    const location = documentLocation(document.uri);
    const path = relativePath(document.uri);
    const entry: Entry = existing ?? { uri, version: document.version, focusLine: line, location, path };
    entry.version = document.version;
    entry.focusLine = line;
    this.entries.set(uri, entry);
    this.byPath.set(path, location);
    // Ask the safety seam now, so the decision is known (synchronously) by the time the source is needed.
    void this.safety.isExcluded(location);
    while (this.entries.size > MAX_SOURCES) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }

  /** Where the file of a snippet (by its relative path) lives. */
  locationOf(path: string): DocumentLocation | undefined {
    return this.byPath.get(path);
  }

  /** Snippets of recent documents of `languageId`, except `excludeUri`; indexes stale ones (per version). */
  snippets(languageId: string, excludeUri: string): Snippet[] {
    const out: Snippet[] = [];
    const open = new Map(vscode.workspace.textDocuments.map((d) => [d.uri.toString(), d]));
    for (const entry of this.entries.values()) {
      if (entry.uri === excludeUri) continue;
      const document = open.get(entry.uri);
      if (!document || document.languageId !== languageId) continue;
      if (this.safety.knownExcluded(entry.location) !== false) continue;
      if (entry.snippets === undefined || entry.indexedVersion !== document.version) {
        entry.snippets = indexSnippets(
          { path: entry.path, languageId, lines: document.getText().split(/\r?\n/), focusLine: entry.focusLine },
          { maxLines: MAX_INDEX_LINES },
        );
        entry.indexedVersion = document.version;
      }
      out.push(...entry.snippets);
    }
    return out;
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    this.entries.clear();
  }
}
