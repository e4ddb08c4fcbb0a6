/**
 * Edit Selection: an instruction, the chat model rewrites the selection (or the block around the cursor), and the
 * result is shown as a diff with Accept / Reject / Retry. The answer streams into the chat (where Stop is), and the
 * document is not touched until Accept, which applies one `WorkspaceEdit` (one undo step) — and only if the
 * document has not changed since the edit was asked for; otherwise nothing is applied and the user is told.
 */
import * as vscode from "vscode";
import path from "node:path";
import type { ChatQuestion, StoredConversation } from "../../core/chat/conversation.ts";
import { editRequestText, extractEdit, type EditExtraction, type EditNote, type EditTarget } from "../../core/chat/editExtraction.ts";
import { fenceFor } from "../../core/chat/prompt.ts";
import { CHAT_VIEW_ID } from "../../core/commandIds.ts";
import { rangeLabel, selectionOrBlock } from "./codeTarget.ts";
import { isTextSource, type EditorContext, type VirtualDocuments } from "./editorContext.ts";
import type { ModelInput } from "./modelInput.ts";

export type EditDecision = "accept" | "reject" | "retry";

/** What an edit needs of the chat. */
export interface EditHost {
  readonly input: ModelInput;
  readonly editorContext: EditorContext;
  readonly documents: VirtualDocuments;
  readonly current: StoredConversation;
  ask(question: ChatQuestion): Promise<void>;
}

interface Target extends EditTarget {
  readonly document: vscode.TextDocument;
  readonly version: number;
  readonly range: vscode.Range;
}

/** An edit shown as a diff, waiting for Accept / Reject / Retry. */
export interface PendingEdit {
  readonly uri: vscode.Uri;
  /** The document's text if accepted. */
  readonly proposed: string;
  readonly scope: "range" | "file";
}

export interface EditOptions {
  /**
   * Use this text as the model's answer instead of asking the model (tests: a known answer goes through the same
   * extraction, diff and apply as a real one).
   */
  readonly answerText?: string;
}

export class EditSession implements vscode.Disposable {
  private pendingEdit: PendingEdit | undefined;
  private decide: ((decision: EditDecision) => void) | undefined;
  /** How the last edit ended (tests read it). */
  lastOutcome: "applied" | "rejected" | "stopped" | "failed" | "noCode" | "unchanged" | "changed" | undefined;

  constructor(
    private readonly host: EditHost,
    private readonly log: { info(message: string): void },
  ) {}

  get pending(): PendingEdit | undefined {
    return this.pendingEdit;
  }

  /** Decides the pending edit as the buttons would (tests, and a second Edit Selection replacing the first). */
  resolve(decision: EditDecision): void {
    this.decide?.(decision);
  }

  async start(instruction: string, options: EditOptions = {}): Promise<void> {
    const active = vscode.window.activeTextEditor;
    const editor = active && isTextSource(active.document) ? active : this.host.editorContext.lastEditor;
    if (!editor) return void vscode.window.showInformationMessage(vscode.l10n.t("Private Coder: open a file and select the code to edit."));
    const range = selectionOrBlock(editor);
    if (!range) return void vscode.window.showInformationMessage(vscode.l10n.t("Private Coder: select the code to edit (the cursor is on an empty line)."));
    let text = instruction.trim();
    if (text === "") {
      const typed = await vscode.window.showInputBox({
        title: vscode.l10n.t("Private Coder: Edit Selection"),
        prompt: vscode.l10n.t("How should {0} change?", rangeLabel(editor.document, range)),
        placeHolder: vscode.l10n.t("e.g. add error handling, make it async, rename x to count"),
        ignoreFocusOut: true,
      });
      if (!typed?.trim()) return;
      text = typed.trim();
    }
    // An earlier edit still waiting is rejected: one diff at a time.
    this.resolve("reject");
    await this.run(editor, range, text, options);
  }

  /** One attempt; Retry (from the diff or from a warning) runs another on the same range. */
  private async run(editor: vscode.TextEditor, range: vscode.Range, instruction: string, options: EditOptions): Promise<void> {
    const doc = editor.document;
    if (doc.isClosed) return;
    const whole = doc.getText();
    const start = doc.offsetAt(range.start);
    const end = doc.offsetAt(range.end);
    const target: Target = { document: doc, version: doc.version, range, original: whole.slice(start, end), before: whole.slice(0, start), after: whole.slice(end) };
    const answer = options.answerText ?? (await this.askModel(target, instruction));
    if (answer === undefined) return;
    const retry = (): Promise<void> => this.run(editor, range, instruction, options);
    if ((await this.review(target, extractEdit(answer, target), retry)) === "retry") await retry();
  }

  /** Streams the rewrite into the chat; undefined when it was stopped, failed or refused (the user was told). */
  private async askModel(target: Target, instruction: string): Promise<string | undefined> {
    const doc = target.document;
    const label = rangeLabel(doc, target.range);
    const request = editRequestText({ fileName: vscode.workspace.asRelativePath(doc.uri, false), language: doc.languageId, instruction, code: target.original, fence: fenceFor(target.original) });
    const filtered = await this.host.input.documentText(doc, request, "chat");
    if (filtered.refused) {
      this.lastOutcome = "failed";
      void vscode.window.showWarningMessage(vscode.l10n.t("Private Coder: nothing was sent from {0}: {1}.", label, filtered.refused));
      return undefined;
    }
    const safeLabel = (await this.host.input.userMessage(label, "chat")).result.text;
    const safeInstruction = (await this.host.input.userMessage(instruction, "chat")).result.text;
    await vscode.commands.executeCommand(`${CHAT_VIEW_ID}.focus`);
    await this.host.ask({
      feature: "chat",
      text: vscode.l10n.t("Edit {0}: {1}", safeLabel, safeInstruction),
      attachments: [{ kind: "edit", label: safeLabel, language: doc.languageId, text: filtered.result.text, redactions: filtered.result.redactions.length }],
    });
    const turn = this.host.current.turns.at(-1);
    if (!turn || turn.role !== "assistant" || turn.stopReason === "abort") {
      this.lastOutcome = "stopped";
      vscode.window.setStatusBarMessage(vscode.l10n.t("Private Coder: the edit was stopped; the document was not changed."), 5000);
      return undefined;
    }
    if (turn.error) {
      this.lastOutcome = "failed";
      void vscode.window.showWarningMessage(vscode.l10n.t("Private Coder: the edit failed ({0}); the document was not changed.", turn.error));
      return undefined;
    }
    return turn.text;
  }

  /** Shows the diff and applies the edit if accepted. A warning's Retry button calls `retry` (it does not block). */
  private async review(target: Target, extraction: EditExtraction, retry: () => Promise<void>): Promise<EditDecision | "done"> {
    const doc = target.document;
    const name = path.basename(doc.uri.path);
    if (!extraction.ok) {
      this.lastOutcome = extraction.reason;
      const message =
        extraction.reason === "noCode"
          ? vscode.l10n.t("Private Coder: the answer has no code to apply; {0} was not changed.", name)
          : vscode.l10n.t("Private Coder: the model's version is the same as the code; {0} was not changed.", name);
      return offerRetry(message, retry);
    }
    if (doc.version !== target.version) return this.changedMeanwhile(name, retry);
    const proposed = extraction.scope === "file" ? extraction.code : target.before + extraction.code + target.after;
    const proposedUri = this.host.documents.put(name, proposed);
    const title = extraction.scope === "file" ? vscode.l10n.t("{0} ↔ Private Coder edit (the whole file)", name) : vscode.l10n.t("{0} ↔ Private Coder edit", name);
    await vscode.commands.executeCommand("vscode.diff", doc.uri, proposedUri, title, { preview: true });
    this.pendingEdit = { uri: doc.uri, proposed, scope: extraction.scope };
    const decision = await this.ask(name, extraction.notes);
    this.pendingEdit = undefined;
    await closeDiff(proposedUri);
    if (decision !== "accept") {
      if (decision === "reject") this.lastOutcome = "rejected";
      return decision;
    }
    if (doc.version !== target.version) return this.changedMeanwhile(name, retry);
    const edit = new vscode.WorkspaceEdit();
    const range = extraction.scope === "file" ? new vscode.Range(doc.positionAt(0), doc.positionAt(doc.getText().length)) : target.range;
    edit.replace(doc.uri, range, extraction.code);
    const applied = await vscode.workspace.applyEdit(edit);
    this.lastOutcome = applied ? "applied" : "failed";
    this.log.info(`Edit Selection: ${applied ? "applied" : "could not be applied"} (${extraction.scope}, ${extraction.notes.length} note(s))`);
    if (!applied) void vscode.window.showWarningMessage(vscode.l10n.t("Private Coder: the edit could not be applied to {0}.", name));
    await vscode.window.showTextDocument(doc, { preserveFocus: false });
    return "done";
  }

  private changedMeanwhile(name: string, retry: () => Promise<void>): "done" {
    this.lastOutcome = "changed";
    return offerRetry(vscode.l10n.t("Private Coder: {0} changed while the edit was being written; nothing was applied.", name), retry);
  }

  /** Accept / Reject / Retry, from the notification's buttons or `resolve`. Dismissing it rejects. */
  private ask(name: string, notes: readonly EditNote[]): Promise<EditDecision> {
    const accept = vscode.l10n.t("Accept");
    const reject = vscode.l10n.t("Reject");
    const retry = vscode.l10n.t("Retry");
    const said = notes.map(noteText).filter((n) => n !== "");
    const question = [vscode.l10n.t("Apply the edit shown in the diff to {0}?", name), ...said].join(" ");
    return new Promise<EditDecision>((resolve) => {
      const decide = (decision: EditDecision): void => {
        if (this.decide === decide) this.decide = undefined;
        resolve(decision);
      };
      this.decide = decide;
      // Only this edit's own decision: a notification left from an earlier edit (decided by `resolve`) is ignored.
      void vscode.window.showInformationMessage(question, accept, reject, retry).then((choice) => decide(choice === accept ? "accept" : choice === retry ? "retry" : "reject"));
    });
  }

  dispose(): void {
    this.resolve("reject");
  }
}

/** A warning with a Retry button; the edit ends now, and Retry (if pressed later) starts another attempt. */
function offerRetry(message: string, retry: () => Promise<void>): "done" {
  const label = vscode.l10n.t("Retry");
  void vscode.window.showWarningMessage(message, label).then((choice) => (choice === label ? retry() : undefined));
  return "done";
}

function noteText(note: EditNote): string {
  switch (note) {
    case "severalBlocks":
      return vscode.l10n.t("The answer had several code blocks; the one most like the selection is used.");
    case "wholeFile":
      return vscode.l10n.t("The answer is the whole file: it replaces the file.");
    case "unclosedFence":
      return vscode.l10n.t("The answer was cut off: check the end of the code.");
    case "unfenced":
    case "reindented":
      return "";
  }
}

async function closeDiff(proposed: vscode.Uri): Promise<void> {
  for (const group of vscode.window.tabGroups.all) {
    for (const tab of group.tabs) {
      if (tab.input instanceof vscode.TabInputTextDiff && tab.input.modified.toString() === proposed.toString()) await vscode.window.tabGroups.close(tab);
    }
  }
}
