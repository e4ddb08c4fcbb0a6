/**
 * What `/explain`, `/fix`, `/tests` and `/doc` send: the selection (or the block around the cursor) of the editor,
 * through the safety filter, with the command's request; `/fix` adds the problems on that code, `/tests` names the
 * test framework found in the workspace. `/edit` and `/clear` are actions, not questions (see `chatSend.ts`).
 */
import * as vscode from "vscode";
import type { StoredAttachment } from "../../core/chat/conversation.ts";
import { detectTestFramework, slashQuestion, type SlashCommand } from "../../core/chat/slashCommands.ts";
import { rangeLabel, selectionOrBlock } from "./codeTarget.ts";
import type { ContextItems } from "./contextItems.ts";
import type { ModelInput } from "./modelInput.ts";

const MANIFESTS = ["package.json", "pyproject.toml", "pom.xml", "build.gradle", "Cargo.toml", "go.mod"] as const;

/** The question of a slash command, or the sentence saying why it cannot be asked. */
export async function slashCommandQuestion(
  command: Exclude<SlashCommand, "clear" | "edit">,
  rest: string,
  editor: vscode.TextEditor | undefined,
  deps: { readonly input: ModelInput; readonly items: ContextItems; readonly budgetChars: number },
): Promise<{ text: string; attachments: StoredAttachment[] } | string> {
  if (!editor) return vscode.l10n.t("/{0}: open a file and select the code first.", command);
  const doc = editor.document;
  const range = selectionOrBlock(editor);
  if (!range) return vscode.l10n.t("/{0}: select the code first (the cursor is on an empty line).", command);
  const label = rangeLabel(doc, range);
  const piece = await deps.input.contextText(doc.getText(range), "chat", deps.budgetChars, doc.uri, doc.languageId);
  if (piece.refused) return vscode.l10n.t("/{0}: nothing was sent from {1}: {2}.", command, label, piece.refused);
  const attachments: StoredAttachment[] = [{ kind: "selection", label, language: doc.languageId, text: piece.result.text, redactions: piece.result.redactions.length }];
  if (command === "fix") {
    const problems = await deps.items.problems(doc, deps.budgetChars, range);
    if (typeof problems === "string") return problems;
    attachments.push(problems.attachment);
  }
  const testFramework = command === "tests" ? await workspaceTestFramework(doc) : undefined;
  return { text: slashQuestion({ command, rest, languageId: doc.languageId, ...(testFramework ? { testFramework } : {}) }), attachments };
}

/** The test framework of the workspace folder holding `doc`, from its manifests (read, never executed). */
export async function workspaceTestFramework(doc: vscode.TextDocument): Promise<string> {
  const folder = vscode.workspace.getWorkspaceFolder(doc.uri) ?? vscode.workspace.workspaceFolders?.[0];
  const files: Record<string, string> = {};
  if (folder) {
    for (const name of MANIFESTS) {
      try {
        const bytes = await vscode.workspace.fs.readFile(vscode.Uri.joinPath(folder.uri, name));
        if (bytes.length < 1_000_000) files[name] = new TextDecoder().decode(bytes);
      } catch {
        // Not there.
      }
    }
  }
  return detectTestFramework(doc.languageId, files);
}
