/**
 * "Private Coder: Explain Selection": the selection (or, without one, the block around the cursor) with its file
 * name, language and a few lines around it goes through the safety filter (`ModelInput`), the chat view opens, and
 * the explanation streams into a conversation of its own (or the open one, `chat.explainInCurrentConversation`).
 */
import * as vscode from "vscode";
import { explainRequestText } from "../../core/chat/prompt.ts";
import { CHAT_VIEW_ID } from "../../core/commandIds.ts";
import type { ChatController } from "./chatController.ts";
import type { Config } from "../config.ts";
import { selectionOrBlock } from "./codeTarget.ts";
import { isTextSource } from "./editorContext.ts";

/** Lines of context shown around the code to explain. */
const CONTEXT_LINES = 5;

export async function explainSelection(chat: ChatController, config: Config): Promise<void> {
  const editor = vscode.window.activeTextEditor ?? chat.editorContext.lastEditor;
  if (!editor || !isTextSource(editor.document)) {
    void vscode.window.showInformationMessage(vscode.l10n.t("Private Coder: open a file and select the code to explain."));
    return;
  }
  const doc = editor.document;
  const range = selectionOrBlock(editor);
  if (!range) {
    void vscode.window.showInformationMessage(vscode.l10n.t("Private Coder: select the code to explain (the cursor is on an empty line)."));
    return;
  }
  const startLine = range.start.line;
  const endLine = range.end.character === 0 && range.end.line > startLine ? range.end.line - 1 : range.end.line;
  const beforeStart = Math.max(0, startLine - CONTEXT_LINES);
  const afterEnd = Math.min(doc.lineCount - 1, endLine + CONTEXT_LINES);
  const name = vscode.workspace.asRelativePath(doc.uri, false);
  const text = explainRequestText({
    fileName: name,
    language: doc.languageId,
    startLine: startLine + 1,
    endLine: endLine + 1,
    before: startLine > beforeStart ? doc.getText(new vscode.Range(beforeStart, 0, startLine, 0)).replace(/\n$/, "") : "",
    code: doc.getText(range),
    after: afterEnd > endLine ? doc.getText(new vscode.Range(endLine + 1, 0, afterEnd, doc.lineAt(afterEnd).text.length)) : "",
  });
  const filtered = await chat.input.documentText(doc, text, "explain");
  if (filtered.refused) {
    void vscode.window.showWarningMessage(vscode.l10n.t("Private Coder: nothing was sent from {0}: {1}.", name, filtered.refused));
    return;
  }
  const lines = startLine === endLine ? `${startLine + 1}` : `${startLine + 1}-${endLine + 1}`;
  // The label reaches the model too (it names the file): it goes through the same filter.
  const label = (await chat.input.userMessage(`${name}:${lines}`, "explain")).result.text;
  await vscode.commands.executeCommand(`${CHAT_VIEW_ID}.focus`);
  const redactions = filtered.result.redactions.length;
  await chat.ask(
    {
      feature: "explain",
      text: vscode.l10n.t("Explain {0}", label),
      attachments: [{ kind: "explain", label, language: doc.languageId, text: filtered.result.text, redactions }],
    },
    { newConversation: !config.get("chat.explainInCurrentConversation") },
  );
}
