/**
 * The completion gate's rules in the editor: the host's `SafetyService` (the one door every feature goes through),
 * so completion follows the same settings and the same per-folder `.privatecoderignore` (one watcher: the
 * service's), logs like the other features, and "Show What the Model Sees" shows the last completion prompt.
 */
import * as vscode from "vscode";
import type { CompletionSafetyPolicy, DocumentLocation, SentCompletionPrompt } from "../../core/completion/index.ts";
import type { FilteredContext, SafetyPolicy } from "../../core/safety/index.ts";
import type { SafetyService } from "../safety.ts";

function uriOf(location: DocumentLocation): vscode.Uri | undefined {
  if (location.path === undefined) return undefined;
  return location.scheme === "file" ? vscode.Uri.file(location.path) : vscode.Uri.from({ scheme: location.scheme, path: location.path });
}

export class HostCompletionSafetyPolicy implements CompletionSafetyPolicy {
  readonly onDidChange: CompletionSafetyPolicy["onDidChange"];

  constructor(private readonly safety: SafetyService) {
    this.onDidChange = safety.onDidChangeExclusion;
  }

  async isExcluded(location: DocumentLocation): Promise<boolean> {
    const uri = uriOf(location);
    return uri !== undefined && (await this.safety.isExcluded(uri)).excluded;
  }

  policy(): SafetyPolicy {
    return this.safety.policyFor("completion");
  }

  reportFiltered(result: FilteredContext): void {
    this.safety.logFiltered("completion", result);
  }

  recordSent(prompt: SentCompletionPrompt): void {
    const uri = uriOf(prompt.location);
    const title = uri ? vscode.l10n.t("Inline completion in {0}", vscode.workspace.asRelativePath(uri)) : vscode.l10n.t("Inline completion in an untitled file");
    this.safety.recordSent("completion", title, prompt.text, prompt.pieces);
  }
}
