/**
 * How much of the model's context window the conversation fills, and which of its oldest turns no longer reach the
 * model: the budget meter and the "not sent" mark on turns. Estimates until the model has counted a request.
 */
import type { BudgetView } from "../chatProtocol.ts";
import type { StoredTurn } from "./conversation.ts";
import { DEFAULT_CONTEXT_TOKENS, estimateConversationTokens, type ContextUsage } from "./request.ts";

export class ContextMeter {
  private view: BudgetView = { usedTokens: 0, contextTokens: DEFAULT_CONTEXT_TOKENS, droppedTurns: 0, estimated: true };
  private dropped: ReadonlySet<string> = new Set();

  get budget(): BudgetView {
    return this.view;
  }

  /** Ids of the turns left out of the last request. */
  get droppedTurns(): ReadonlySet<string> {
    return this.dropped;
  }

  /** A new, empty conversation. The context window stays the one last planned for. */
  reset(): void {
    this.dropped = new Set();
    this.view = { ...this.view, usedTokens: 0, droppedTurns: 0 };
  }

  /** A saved conversation was opened: its size is estimated until the next request is counted. */
  opened(turns: readonly StoredTurn[], systemPrompt: string): void {
    this.dropped = new Set();
    this.view = { ...this.view, usedTokens: estimateConversationTokens(turns, systemPrompt), droppedTurns: 0, estimated: true };
  }

  /** A request was planned with the model's counts. Returns the turns it leaves out that the last one still sent. */
  planned(usage: ContextUsage): string[] {
    const newlyDropped = usage.dropped.filter((id) => !this.dropped.has(id));
    this.dropped = new Set(usage.dropped);
    this.view = { usedTokens: usage.usedTokens, contextTokens: usage.contextTokens, droppedTurns: usage.dropped.length, estimated: false };
    return newlyDropped;
  }

  /** The answer adds its own tokens to what the conversation fills. */
  answered(answerTokens: number): void {
    this.view = { ...this.view, usedTokens: this.view.usedTokens + answerTokens };
  }
}
