/**
 * THE seam between the editor and the chat model: every text the chat feature sends to a model (typed messages,
 * attached files and selections, Explain Selection excerpts) is produced by a function in this file, and every one
 * of them goes through the safety filter first (the host's one door, `SafetyService`). Model output comes back through `outputSanitizer`.
 * Audit this file to know what the chat model can see.
 */
import * as vscode from "vscode";
import type { ChatFeature } from "../../core/chat/conversation.ts";
import type { FilteredContext, OutputSanitizer } from "../../core/safety/index.ts";
import type { SafetyService } from "../safety.ts";
import { describeExclusion } from "../userMessages.ts";

/** Largest attachment (characters after filtering); the history budget trims further by tokens. */
const MAX_ATTACHMENT_CHARS = 48_000;

export interface FilteredPiece {
  readonly result: FilteredContext;
  /**
   * Why nothing may be sent (excluded path, blocked by a sensitive word), localized; a phrase that reads after
   * "Cannot be attached:" or "Not sent:".
   */
  readonly refused?: string;
}

export class ModelInput implements vscode.Disposable {
  constructor(private readonly safety: SafetyService) {}

  /** Text the user wrote (a chat message) or that names a file, filtered for the feature that sends it. */
  async userMessage(text: string, feature: ChatFeature): Promise<FilteredPiece> {
    return this.piece(await this.safety.filter({ feature, text, budget: { maxChars: MAX_ATTACHMENT_CHARS * 2 } }));
  }

  /** Text taken from a document (an attached file or selection, an Explain Selection excerpt). */
  async documentText(document: vscode.TextDocument, text: string, feature: ChatFeature): Promise<FilteredPiece> {
    return this.piece(await this.safety.filter({ feature, text, uri: document.uri, languageId: document.languageId, budget: { maxChars: MAX_ATTACHMENT_CHARS } }));
  }

  /**
   * Text gathered for an @-item (a diff, terminal output, a list of problems), cut to `maxChars` by the filter with
   * a notice the model reads. `uri` names the file it comes from, so an excluded file's text never passes.
   */
  async contextText(text: string, feature: ChatFeature, maxChars: number, uri?: vscode.Uri, languageId?: string): Promise<FilteredPiece> {
    return this.piece(await this.safety.filter({ feature, text, ...(uri ? { uri } : {}), ...(languageId ? { languageId } : {}), budget: { maxChars } }));
  }

  /** Whether the safety settings keep `uri` from the model (such files are not even offered for `@file`). */
  async isExcluded(uri: vscode.Uri): Promise<boolean> {
    return (await this.safety.isExcluded(uri)).excluded;
  }

  /** Fires when the exclusion rules change (what was allowed may not be any more). */
  get onDidChangeExclusion(): vscode.Event<void> {
    return this.safety.onDidChangeExclusion;
  }

  /** Records the exact prompt sent, for "Show What the Model Sees". */
  recordSent(feature: ChatFeature, title: string, text: string, pieces: readonly FilteredContext[]): void {
    this.safety.recordSent(feature, title, text, pieces);
  }

  /** Cleans streamed model output (escape sequences, control characters, optional e-mail/phone redaction). */
  outputSanitizer(feature: ChatFeature): OutputSanitizer {
    return this.safety.outputSanitizer(feature);
  }

  private piece(result: FilteredContext): FilteredPiece {
    if (result.excluded) {
      const why = describeExclusion(result, vscode.l10n);
      return {
        result,
        refused: why ? vscode.l10n.t("excluded from the model by the safety settings ({0})", why) : vscode.l10n.t("excluded from the model by the safety settings"),
      };
    }
    if (result.blocked) return { result, refused: vscode.l10n.t("it contains a word from `privateCoder.safety.sensitiveWords` (action: block)") };
    return { result };
  }

  dispose(): void {
    // Nothing of its own: the SafetyService owns the exclusion rules and their watchers.
  }
}
