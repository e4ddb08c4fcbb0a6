import * as vscode from "vscode";

/**
 * Read-only documents under one URI scheme, kept in memory: never dirty, never written to disk. The chat shows
 * filtered texts and proposed edits with them (chat/editorContext.ts), the models' reports their Markdown
 * (models/reports.ts).
 */
export class ReadOnlyDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly contents = new Map<string, string>();
  private readonly emitter = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.emitter.event;
  private counter = 0;
  private readonly registration: vscode.Disposable;

  constructor(private readonly scheme: string) {
    this.registration = vscode.workspace.registerTextDocumentContentProvider(scheme, this);
  }

  /** Stores `text` under a fresh URI whose file name is `name` (so the editor tab and language follow it). */
  put(name: string, text: string): vscode.Uri {
    const uri = vscode.Uri.from({ scheme: this.scheme, path: `/${++this.counter}/${name}` });
    this.contents.set(uri.toString(), text);
    // Bounded: old entries go (an open editor keeps its text).
    if (this.contents.size > 50) this.contents.delete(this.contents.keys().next().value as string);
    return uri;
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.contents.get(uri.toString()) ?? vscode.l10n.t("(no longer available)");
  }

  async show(name: string, text: string): Promise<void> {
    const doc = await vscode.workspace.openTextDocument(this.put(name, text));
    await vscode.window.showTextDocument(doc, { preview: true, preserveFocus: false, viewColumn: vscode.ViewColumn.Active });
  }

  dispose(): void {
    this.registration.dispose();
    this.emitter.dispose();
    this.contents.clear();
  }
}
