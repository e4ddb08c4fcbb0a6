/**
 * Private Coder in the editor: the commands behind the slash commands (Edit Selection, Fix, Write Tests, Add Doc
 * Comment) and the light bulb that offers them on a selection and, as a quick fix, on a diagnostic ("Fix with
 * Private Coder"). Each command works on the selection or the block around the cursor, like its slash command.
 */
import * as vscode from "vscode";
import { CHAT_VIEW_ID, COMMANDS } from "../../core/commandIds.ts";
import { describeError } from "../userMessages.ts";
import type { ChatController } from "./chatController.ts";

/** Runs slash command `command` on the editor's selection: any answer running is stopped first. */
async function runSlash(chat: ChatController, command: "fix" | "tests" | "doc"): Promise<void> {
  await vscode.commands.executeCommand(`${CHAT_VIEW_ID}.focus`);
  chat.stop();
  await chat.idle();
  await chat.send(`/${command}`);
}

/** Where a code action's command puts the cursor first (the diagnostic's line) so the block around it is used. */
function focusRange(uri: unknown, range: unknown): void {
  const editor = vscode.window.activeTextEditor;
  if (!editor || !(uri instanceof vscode.Uri) || !(range instanceof vscode.Range) || editor.document.uri.toString() !== uri.toString()) return;
  if (editor.selection.isEmpty && !editor.selection.contains(range.start)) editor.selection = new vscode.Selection(range.start, range.start);
}

class ChatCodeActions implements vscode.CodeActionProvider {
  static readonly kinds = [vscode.CodeActionKind.QuickFix, vscode.CodeActionKind.RefactorRewrite];

  provideCodeActions(document: vscode.TextDocument, range: vscode.Range | vscode.Selection, context: vscode.CodeActionContext): vscode.CodeAction[] {
    const actions: vscode.CodeAction[] = [];
    const diagnostic = context.diagnostics[0];
    if (diagnostic) {
      const fix = new vscode.CodeAction(vscode.l10n.t("Fix with Private Coder"), vscode.CodeActionKind.QuickFix);
      fix.diagnostics = [diagnostic];
      fix.command = { command: COMMANDS.fixWithPrivateCoder, title: fix.title, arguments: [document.uri, diagnostic.range] };
      actions.push(fix);
    }
    if (!range.isEmpty) {
      const make = (title: string, command: string): vscode.CodeAction => {
        const action = new vscode.CodeAction(title, vscode.CodeActionKind.RefactorRewrite);
        action.command = { command, title };
        return action;
      };
      actions.push(
        make(vscode.l10n.t("Edit with Private Coder…"), COMMANDS.editSelection),
        make(vscode.l10n.t("Explain with Private Coder"), COMMANDS.explainSelection),
        make(vscode.l10n.t("Write tests with Private Coder"), COMMANDS.writeTests),
        make(vscode.l10n.t("Add a doc comment with Private Coder"), COMMANDS.writeDocComment),
      );
    }
    return actions;
  }
}

/** A command that reports its own failure to the user instead of failing silently. */
function command(id: string, run: (...args: unknown[]) => Promise<void>): vscode.Disposable {
  return vscode.commands.registerCommand(id, async (...args: unknown[]) => {
    try {
      await run(...args);
    } catch (error) {
      void vscode.window.showErrorMessage(vscode.l10n.t("Private Coder: {0}", describeError(error, vscode.l10n)));
    }
  });
}

export function registerChatActions(chat: ChatController): vscode.Disposable {
  return vscode.Disposable.from(
    vscode.languages.registerCodeActionsProvider([{ scheme: "file" }, { scheme: "untitled" }, { scheme: "vscode-remote" }], new ChatCodeActions(), {
      providedCodeActionKinds: ChatCodeActions.kinds,
    }),
    command(COMMANDS.editSelection, (instruction) => chat.editSelection(typeof instruction === "string" ? instruction : "")),
    command(COMMANDS.fixWithPrivateCoder, (uri, range) => {
      focusRange(uri, range);
      return runSlash(chat, "fix");
    }),
    command(COMMANDS.writeTests, () => runSlash(chat, "tests")),
    command(COMMANDS.writeDocComment, () => runSlash(chat, "doc")),
  );
}
