/**
 * The chat's answer cache on the host: the pure `AnswerCache` keyed by a SHA-256 of everything else the model sees
 * with the question (the model, the earlier turns, the attachments), on or off with `chat.answerCache`, cleared
 * when the exclusion rules change (an answer may have been given on a file that is excluded now) and when
 * conversations are deleted. Memory only: nothing of it is written to disk.
 */
import type * as vscode from "vscode";
import { createHash } from "node:crypto";
import { AnswerCache, type CachedAnswer } from "../../core/chat/answerCache.ts";
import type { ChatQuestion, StoredTurn } from "../../core/chat/conversation.ts";
import { modelText } from "../../core/chat/request.ts";
import { userTurnText } from "../../core/chat/prompt.ts";
import type { Config } from "../config.ts";
import type { ModelInput } from "./modelInput.ts";

export class AnswerCacheService implements vscode.Disposable {
  private readonly cache = new AnswerCache();
  private readonly subscriptions: vscode.Disposable[] = [];
  /** Answers served from the cache (tests and the log read it). */
  hits = 0;

  constructor(
    private readonly config: Config,
    input: ModelInput,
  ) {
    this.subscriptions.push(
      input.onDidChangeExclusion(() => this.cache.clear()),
      config.onDidChange((keys) => {
        if (keys.has("chat.answerCache") && !this.enabled) this.cache.clear();
      }),
    );
  }

  get enabled(): boolean {
    return this.config.get("chat.answerCache");
  }

  get size(): number {
    return this.cache.size;
  }

  /** What the answer depends on besides the question's words: the model, the conversation so far, the attachments. */
  contextKey(history: readonly StoredTurn[], question: ChatQuestion): string {
    const hash = createHash("sha256");
    hash.update(`${this.config.chatModelPath}\u0000${question.feature}\u0000`);
    for (const turn of history) hash.update(`${turn.role}\u0000${modelText(turn)}\u0000`);
    // The attachments as the model reads them, without the question (its words are compared by similarity).
    hash.update(userTurnText("", question.attachments));
    return hash.digest("hex");
  }

  lookup(question: ChatQuestion, history: readonly StoredTurn[]): CachedAnswer | undefined {
    if (!this.enabled) return undefined;
    const hit = this.cache.lookup(question.text, this.contextKey(history, question));
    if (hit) this.hits++;
    return hit;
  }

  /**
   * Keeps an answer that ended by itself or at its length limit (the same question would end there again); not one
   * the user stopped, one that failed or ran out of context, nor one itself from the cache.
   */
  remember(question: ChatQuestion, history: readonly StoredTurn[], answer: StoredTurn | undefined, conversationId: string): void {
    if (!this.enabled || !answer || answer.role !== "assistant" || answer.error || answer.fromCache || answer.text.trim() === "") return;
    if (answer.stopReason !== undefined && answer.stopReason !== "maxTokens") return;
    this.cache.store(question.text, this.contextKey(history, question), answer.text, conversationId);
  }

  deleteConversation(id: string): void {
    this.cache.deleteConversation(id);
  }

  clear(): void {
    this.cache.clear();
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    this.cache.clear();
  }
}
