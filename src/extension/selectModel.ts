import * as vscode from "vscode";
import path from "node:path";
import type { ModelManager } from "./models/modelManager.ts";
import { checkGgufHeader } from "./models/ggufHeader.ts";

/**
 * Browse… in Select Model: VS Code's file dialog for a `.gguf` anywhere. The file's magic is checked here so a wrong
 * pick is reported at once; the engine does the full check on load. Returns the path, or undefined.
 */
export async function browseForModel(manager: ModelManager): Promise<string | undefined> {
  const current = manager.currentModelPath();
  const picked = await vscode.window.showOpenDialog({
    title: vscode.l10n.t("Private Coder: Select a GGUF model"),
    canSelectMany: false,
    canSelectFolders: false,
    openLabel: vscode.l10n.t("Use This Model"),
    filters: { [vscode.l10n.t("GGUF models")]: ["gguf"] },
    ...(current ? { defaultUri: vscode.Uri.file(path.dirname(current)) } : {}),
  });
  const uri = picked?.[0];
  if (!uri) return undefined;
  if (uri.scheme !== "file") {
    void vscode.window.showErrorMessage(vscode.l10n.t("Private Coder: the model must be a file on this machine."));
    return undefined;
  }
  const problem = await checkGgufMagic(uri.fsPath);
  if (problem) {
    void vscode.window.showErrorMessage(vscode.l10n.t("Private Coder: {0}", problem));
    return undefined;
  }
  return uri.fsPath;
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
