/**
 * What a code block's buttons do on the host: Copy (the system clipboard), Insert at cursor, and Apply, which
 * opens a diff of the active editor against the edited version and lets the user accept or reject it.
 */
import * as vscode from "vscode";
import path from "node:path";
import type { CodeAction } from "../../core/chatProtocol.ts";
import { blockInsertion, proposeEdit } from "../../core/chat/applyEdit.ts";
import type { VirtualDocuments } from "./editorContext.ts";

export async function runCodeAction(action: CodeAction, code: string, editor: vscode.TextEditor | undefined, documents: VirtualDocuments): Promise<boolean> {
  switch (action) {
    case "copy":
      await vscode.env.clipboard.writeText(code);
      vscode.window.setStatusBarMessage(vscode.l10n.t("Private Coder: code copied"), 2000);
      return true;
    case "insert": {
      if (!editor) {
        void vscode.window.showInformationMessage(vscode.l10n.t("Private Coder: open an editor to insert the code into."));
        return false;
      }
      const document = editor.document;
      const ok = await editor.edit((edit) => {
        for (const selection of editor.selections) {
          // A selection is replaced as it is; at a bare cursor a code block goes on lines of its own.
          const line = document.lineAt(selection.start.line).text;
          const text = selection.isEmpty ? blockInsertion(line.slice(0, selection.start.character), line.slice(selection.start.character), code) : code;
          edit.replace(selection, text);
        }
      });
      if (ok) await vscode.window.showTextDocument(editor.document, { viewColumn: editor.viewColumn, preserveFocus: false });
      return ok;
    }
    case "apply":
      return apply(code, editor, documents);
  }
}

async function apply(code: string, editor: vscode.TextEditor | undefined, documents: VirtualDocuments): Promise<boolean> {
  if (!editor) {
    void vscode.window.showInformationMessage(vscode.l10n.t("Private Coder: open the file to apply the code to."));
    return false;
  }
  const document = editor.document;
  const version = document.version;
  const original = document.getText();
  const sel = editor.selection;
  const proposal = proposeEdit(original, { start: document.offsetAt(sel.start), end: document.offsetAt(sel.end) }, code);
  const name = path.basename(document.uri.path);
  const proposed = documents.put(name, proposal.text);
  const [diffTitle, question] =
    proposal.replaced === "selection"
      ? [vscode.l10n.t("{0} ↔ Private Coder suggestion (replaces the selection)", name), vscode.l10n.t("Apply the suggested change to {0}? It replaces the selection.", name)]
      : proposal.replaced === "file"
        ? [vscode.l10n.t("{0} ↔ Private Coder suggestion (replaces the file)", name), vscode.l10n.t("Apply the suggested change to {0}? It replaces the file.", name)]
        : [vscode.l10n.t("{0} ↔ Private Coder suggestion (inserts at the cursor)", name), vscode.l10n.t("Apply the suggested change to {0}? It inserts at the cursor.", name)];
  await vscode.commands.executeCommand("vscode.diff", document.uri, proposed, diffTitle, { preview: true });
  const accept = vscode.l10n.t("Accept");
  const choice = await vscode.window.showInformationMessage(question, accept, vscode.l10n.t("Reject"));
  let applied = false;
  if (choice === accept) {
    if (document.version !== version) {
      void vscode.window.showWarningMessage(vscode.l10n.t("Private Coder: {0} changed while the diff was open; nothing was applied.", name));
    } else {
      const edit = new vscode.WorkspaceEdit();
      edit.replace(document.uri, new vscode.Range(document.positionAt(0), document.positionAt(original.length)), proposal.text);
      applied = await vscode.workspace.applyEdit(edit);
    }
  }
  // Close the diff editor (it is the active one unless the user moved on).
  const tab = vscode.window.tabGroups.activeTabGroup.activeTab;
  if (tab?.input instanceof vscode.TabInputTextDiff && tab.input.modified.toString() === proposed.toString()) await vscode.window.tabGroups.close(tab);
  if (applied) await vscode.window.showTextDocument(document, { viewColumn: editor.viewColumn });
  return applied;
}
