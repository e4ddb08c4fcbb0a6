import * as vscode from "vscode";
import path from "node:path";
import type { Ctx } from "./ctx.ts";
import { checkGgufHeader } from "./models/ggufHeader.ts";

type Role = "both" | "completion" | "chat";

/**
 * Until model management lands: browse for a `.gguf` on disk and store it as the model of one or both roles.
 * The file's magic is checked here so a wrong pick is reported at once; the engine does the full check on load.
 */
export async function selectModel(ctx: Ctx): Promise<void> {
  const current = ctx.config.chatModelPath || ctx.config.completionModelPath;
  const picked = await vscode.window.showOpenDialog({
    title: vscode.l10n.t("Private Coder: Select a GGUF model"),
    canSelectMany: false,
    canSelectFolders: false,
    openLabel: vscode.l10n.t("Use This Model"),
    filters: { [vscode.l10n.t("GGUF models")]: ["gguf"] },
    ...(current ? { defaultUri: vscode.Uri.file(path.dirname(current)) } : {}),
  });
  const uri = picked?.[0];
  if (!uri) return;
  if (uri.scheme !== "file") {
    void vscode.window.showErrorMessage(vscode.l10n.t("Private Coder: the model must be a file on this machine."));
    return;
  }
  const problem = await checkGgufMagic(uri.fsPath);
  if (problem) {
    void vscode.window.showErrorMessage(vscode.l10n.t("Private Coder: {0}", problem));
    return;
  }
  const role = await vscode.window.showQuickPick(
    [
      { label: vscode.l10n.t("Chat and completion"), role: "both" as Role, description: vscode.l10n.t("One model for everything") },
      { label: vscode.l10n.t("Inline completion only"), role: "completion" as Role, description: vscode.l10n.t("A small FIM coder model is fastest") },
      { label: vscode.l10n.t("Chat and Explain Selection only"), role: "chat" as Role },
    ],
    { title: vscode.l10n.t("Use {0} for…", path.basename(uri.fsPath)), ignoreFocusOut: true },
  );
  if (!role) return;
  if (role.role !== "chat") await ctx.config.update("completion.modelPath", uri.fsPath);
  if (role.role !== "completion") await ctx.config.update("chat.modelPath", uri.fsPath);
  ctx.log.info(`Model selected for ${role.role}: ${path.basename(uri.fsPath)}`);
}

/** Returns a human-readable problem (a sentence that names the file), or undefined when it starts like a GGUF file. */
export async function checkGgufMagic(filePath: string): Promise<string | undefined> {
  const name = path.basename(filePath);
  switch (await checkGgufHeader(filePath)) {
    case "ok":
      return undefined;
    case "missing":
      return vscode.l10n.t("{0} does not exist.", name);
    case "notRegularFile":
      return vscode.l10n.t("{0} is not a regular file (a folder, a pipe or a device).", name);
    case "empty":
      return vscode.l10n.t("{0} is empty.", name);
    case "notGguf":
      return vscode.l10n.t("{0} is not a GGUF model file.", name);
    case "timedOut":
      return vscode.l10n.t("{0} could not be read in time.", name);
    case "unreadable":
      return vscode.l10n.t("{0} cannot be read.", name);
  }
}
