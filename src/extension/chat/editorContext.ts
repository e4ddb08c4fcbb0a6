/**
 * The editor context the chat can attach: the active file and the selection in it. Each is filtered through the
 * seam (`ModelInput`) as soon as it changes, so the chip can say "2 secrets redacted" before the user sends, and
 * "show" opens exactly that filtered text (a read-only virtual document) for the user to inspect.
 */
import * as vscode from "vscode";
import path from "node:path";
import { describeFilteredText } from "../../core/safety/index.ts";
import { localizedDescribeTexts } from "../safety.ts";
import { ReadOnlyDocuments } from "../readOnlyDocuments.ts";
import type { ChipKind, ChipView } from "../../core/chatProtocol.ts";
import type { StoredAttachment } from "../../core/chat/conversation.ts";
import type { FilteredPiece, ModelInput } from "./modelInput.ts";

export const FILTERED_SCHEME = "private-coder-filtered";

/** The chat's read-only documents: filtered texts ("what the model sees") and proposed edits for Apply. */
export class VirtualDocuments extends ReadOnlyDocuments {
  constructor() {
    super(FILTERED_SCHEME);
  }

  /** Exactly what the chat model received for an attachment of a sent message. */
  async showAttachment(attachment: StoredAttachment): Promise<void> {
    const header = `# ${vscode.l10n.t("Private Coder: exactly what the chat model received for {0} ({1} redaction(s))", attachment.label, attachment.redactions)}\n`;
    await this.show(`${attachment.kind}-${attachment.label.replace(/[^\w.-]+/g, "_")}.txt`, header + attachment.text);
  }
}

interface ChipState {
  label: string;
  language: string;
  piece: FilteredPiece;
}

export class EditorContext implements vscode.Disposable {
  private readonly attached: Record<ChipKind, boolean> = { file: false, selection: false };
  private readonly current: Partial<Record<ChipKind, ChipState>> = {};
  /** The last text editor the user worked in (focus moves to the chat view when they type there). */
  private editor: vscode.TextEditor | undefined = vscode.window.activeTextEditor;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private refreshing: Promise<void> = Promise.resolve();
  private readonly subscriptions: vscode.Disposable[] = [];
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChange = this.emitter.event;

  constructor(
    private readonly input: ModelInput,
    private readonly documents: VirtualDocuments,
  ) {
    this.subscriptions.push(
      this.emitter,
      vscode.window.onDidChangeActiveTextEditor((editor) => {
        if (editor && isTextSource(editor.document)) this.editor = editor;
        this.schedule();
      }),
      vscode.window.onDidChangeTextEditorSelection((e) => {
        if (e.textEditor === this.editor) this.schedule();
      }),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.document === this.editor?.document) this.schedule();
      }),
      vscode.workspace.onDidCloseTextDocument((doc) => {
        if (doc === this.editor?.document) {
          this.editor = undefined;
          this.schedule();
        }
      }),
    );
    this.schedule(0);
  }

  /** The editor code actions (Insert, Apply) and Explain Selection work on. */
  get lastEditor(): vscode.TextEditor | undefined {
    const active = vscode.window.activeTextEditor;
    if (active && isTextSource(active.document)) return active;
    return this.editor && vscode.window.visibleTextEditors.includes(this.editor) ? this.editor : undefined;
  }

  setAttached(kind: ChipKind, attached: boolean): void {
    this.attached[kind] = attached;
    this.emitter.fire();
  }

  chips(): ChipView[] {
    const chips: ChipView[] = [];
    for (const kind of ["file", "selection"] as const) {
      const state = this.current[kind];
      if (!state) continue;
      chips.push({
        kind,
        label: state.label,
        attached: this.attached[kind] && !state.piece.refused,
        redactions: state.piece.result.redactions.length,
        ...(state.piece.refused ? { unavailable: state.piece.refused } : {}),
      });
    }
    return chips;
  }

  /** The attachments for the next message (fresh: re-filtered now, so nothing stale is sent). */
  async takeAttachments(): Promise<StoredAttachment[]> {
    this.schedule(0);
    await this.refreshing;
    await new Promise((r) => setTimeout(r, 0));
    await this.refreshing;
    const out: StoredAttachment[] = [];
    for (const kind of ["file", "selection"] as const) {
      const state = this.current[kind];
      if (!state || !this.attached[kind] || state.piece.refused) continue;
      out.push({ kind, label: state.label, language: state.language, text: state.piece.result.text, redactions: state.piece.result.redactions.length });
    }
    return out;
  }

  async show(kind: ChipKind): Promise<void> {
    const state = this.current[kind];
    if (!state) return;
    const text = describeFilteredText(state.piece.result, {
      title: vscode.l10n.t("Private Coder: what the chat model sees for {0}", state.label),
      source: state.label,
      texts: localizedDescribeTexts(),
    });
    await this.documents.show(`${kind}-${path.basename(state.label.split(":")[0])}.txt`, text);
  }

  private schedule(delayMs = 250): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.refreshing = this.refresh().catch(() => undefined);
    }, delayMs);
  }

  private async refresh(): Promise<void> {
    const editor = this.lastEditor;
    if (!editor) {
      delete this.current.file;
      delete this.current.selection;
      this.emitter.fire();
      return;
    }
    const doc = editor.document;
    // File names reach the model in the attachment header: they go through the filter too.
    const name = (await this.input.userMessage(vscode.workspace.asRelativePath(doc.uri, false), "chat")).result.text;
    const file = await this.input.documentText(doc, doc.getText(), "chat");
    this.current.file = { label: name, language: doc.languageId, piece: file };
    const sel = editor.selection;
    if (sel.isEmpty) delete this.current.selection;
    else {
      const piece = await this.input.documentText(doc, doc.getText(sel), "chat");
      const lines = sel.start.line === sel.end.line ? `${sel.start.line + 1}` : `${sel.start.line + 1}-${sel.end.line + 1}`;
      this.current.selection = { label: `${name}:${lines}`, language: doc.languageId, piece };
    }
    this.emitter.fire();
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const s of this.subscriptions) s.dispose();
  }
}

/** Documents worth attaching: real files and untitled buffers, not output channels or our own virtual documents. */
export function isTextSource(document: vscode.TextDocument): boolean {
  return document.uri.scheme === "file" || document.uri.scheme === "untitled" || document.uri.scheme === "vscode-remote";
}
