/**
 * The `InlineCompletionItemProvider`: adapts VS Code's request (document, position, trigger kind, cancellation
 * token) to the pipeline. The token becomes an `AbortController` whose signal reaches the engine, so a keystroke
 * aborts the request in flight; automatic requests wait out the debounce first. Never shows UI: it logs (metadata
 * only) and returns nothing.
 */
import * as vscode from "vscode";
import type { CompletionPipeline, PipelineResult } from "../../core/completion/index.ts";
import { pipelineDocument } from "./documents.ts";

export const ACCEPTED_COMMAND = "privateCoder.inlineCompletionAccepted";

export interface ProviderHooks {
  /** Global toggle and per-language setting. */
  enabledFor(languageId: string): boolean;
  /** User override of the debounce (ms), or undefined to use the measured budget's. */
  debounceOverrideMs(): number | undefined;
  /** `completion.alternatives`: suggestions per explicit request, 0 = let the pipeline decide (Alt+] / Alt+[). */
  alternatives(): number;
  /** Called when the completion model is not ready: start loading it (once). */
  modelNotReady(): void;
  /**
   * An explicit request found the model not loaded: start the load and wait for it (true once ready; false when it
   * failed or `signal` aborted).
   */
  whenModelReady(signal: AbortSignal): Promise<boolean>;
  /** Whether the completion model can take a request now. */
  modelReady(): boolean;
  /** Text inserted by the last change of this document version, if known. */
  lastInserted(document: vscode.TextDocument): string | undefined;
  thinking(on: boolean): void;
  shown(result: PipelineResult, document: vscode.TextDocument, position: vscode.Position): void;
  /** An explicit request (`Alt+\`) ended with nothing to show. */
  nothingShown(result: PipelineResult): void;
  log(message: string): void;
}

export class InlineCompletionProvider implements vscode.InlineCompletionItemProvider {
  constructor(
    private readonly pipeline: CompletionPipeline,
    private readonly hooks: ProviderHooks,
  ) {}

  async provideInlineCompletionItems(
    document: vscode.TextDocument,
    position: vscode.Position,
    context: vscode.InlineCompletionContext,
    token: vscode.CancellationToken,
  ): Promise<vscode.InlineCompletionItem[] | undefined> {
    const explicit = context.triggerKind === vscode.InlineCompletionTriggerKind.Invoke;
    const result = await this.complete(document, position, explicit, token, context.selectedCompletionInfo !== undefined);
    if (token.isCancellationRequested || result.items.length === 0) return undefined;
    const range = new vscode.Range(position, position);
    return result.items.map((text) => new vscode.InlineCompletionItem(text, range, { title: vscode.l10n.t("Accepted"), command: ACCEPTED_COMMAND, arguments: [document.uri.toString()] }));
  }

  /** The pipeline call behind `provideInlineCompletionItems` (tests call it directly for determinism). */
  async complete(document: vscode.TextDocument, position: vscode.Position, explicit: boolean, token: vscode.CancellationToken, suggestWidget = false): Promise<PipelineResult> {
    const controller = new AbortController();
    const subscription = token.onCancellationRequested(() => controller.abort());
    if (token.isCancellationRequested) controller.abort();
    const editor = vscode.window.activeTextEditor;
    const hasSelection = editor?.document === document && !editor.selection.isEmpty;
    let thinking = false;
    try {
      // Alt+\ while the model loads waits for it (typing or moving on cancels): VS Code would not ask again for the
      // same place, so declining would leave the user's explicit request unanswered.
      if (explicit && !this.hooks.modelReady()) await this.hooks.whenModelReady(controller.signal);
      const result = await this.pipeline.run({
        doc: pipelineDocument(document),
        cursor: { line: position.line, character: position.character },
        explicit,
        enabled: this.hooks.enabledFor(document.languageId),
        lastInserted: this.hooks.lastInserted(document),
        hasSelection: hasSelection || suggestWidget,
        signal: controller.signal,
        alternatives: explicit ? this.pipeline.alternativesFor(document.uri.toString(), position, this.hooks.alternatives()) : 1,
        beforeEngine: async () => {
          const wait = explicit ? 0 : (this.hooks.debounceOverrideMs() ?? this.pipeline.budget.debounceMs);
          if (wait > 0) await sleep(wait, token);
          if (token.isCancellationRequested) return false;
          thinking = true;
          this.hooks.thinking(true);
          return true;
        },
      });
      if (result.reason === "modelNotReady") this.hooks.modelNotReady();
      if (result.source === "error" || result.source === "refused") this.hooks.log(`completion: nothing shown (${result.source}: ${result.reason ?? "?"})`);
      if (result.items.length > 0) this.hooks.shown(result, document, position);
      else if (explicit && !token.isCancellationRequested) this.hooks.nothingShown(result);
      return result;
    } finally {
      if (thinking) this.hooks.thinking(false);
      subscription.dispose();
    }
  }
}

function sleep(ms: number, token: vscode.CancellationToken): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    const sub = token.onCancellationRequested(done);
    function done(): void {
      clearTimeout(timer);
      sub.dispose();
      resolve();
    }
  });
}
