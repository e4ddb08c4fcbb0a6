/**
 * Writes the summary of a conversation's left-out turns (see core/chat/summary.ts) with the chat model, in the
 * background: it starts only after an answer has ended and been saved, and any new request (a message, Regenerate,
 * Explain, an edit) or Stop cancels it at once, so a user never waits behind it; the next answer tries again.
 */
import { randomBytes } from "node:crypto";
import { newTurnId, type StoredConversation, type StoredTurn } from "../../core/chat/conversation.ts";
import { estimateTokens } from "../../core/chat/history.ts";
import { DEFAULT_CONTEXT_TOKENS, modelText } from "../../core/chat/request.ts";
import { cleanSummary, isSummaryTurn, planSummaryRequest, SUMMARY_SYSTEM_PROMPT, type SummarySource } from "../../core/chat/summary.ts";
import type { AnswerSafety, ChatModel, GenerationLog } from "./chatGeneration.ts";

export class HistorySummarizer {
  private running: { controller: AbortController; done: Promise<StoredTurn | undefined> } | undefined;
  /** Summaries written so far (tests and logs). */
  written = 0;

  constructor(
    private readonly loadModel: () => Promise<ChatModel>,
    private readonly safety: AnswerSafety,
    private readonly log: GenerationLog,
    /** `privateCoder.chat.summarizeHistory`. */
    private readonly enabled: () => boolean,
  ) {}

  /** The setting allows summaries. */
  get willSummarise(): boolean {
    return this.enabled();
  }

  get active(): boolean {
    return this.running !== undefined;
  }

  /** A user request comes first: the summary in progress (if any) is dropped; nothing half-written is kept. */
  cancel(): void {
    this.running?.controller.abort();
  }

  /** Resolves when the summary in progress (if any) has ended. */
  async idle(): Promise<void> {
    await this.running?.done;
  }

  /**
   * Summarises `unsummarised` (left-out turns of `conversation` no summary stands for, oldest first) together with
   * the summary before them, and inserts the new summary turn after the last turn it took in. Resolves with that turn,
   * or undefined when there was nothing to do, it was cancelled, or the model wrote nothing usable. Never rejects.
   */
  summarise(conversation: StoredConversation, unsummarised: readonly string[]): Promise<StoredTurn | undefined> {
    if (!this.enabled() || unsummarised.length === 0) return Promise.resolve(undefined);
    this.cancel();
    const controller = new AbortController();
    const done = this.run(conversation, unsummarised, controller.signal).catch((error: unknown) => {
      if (!controller.signal.aborted) this.log.warn(`Chat: the summary of earlier messages failed: ${error instanceof Error ? error.message : String(error)}`);
      return undefined;
    });
    const running = { controller, done };
    this.running = running;
    void done.finally(() => {
      if (this.running === running) this.running = undefined;
    });
    return done;
  }

  private async run(conversation: StoredConversation, unsummarised: readonly string[], signal: AbortSignal): Promise<StoredTurn | undefined> {
    const started = Date.now();
    const { backend, contextTokens } = await this.loadModel();
    if (signal.aborted) return undefined;
    const turns = conversation.turns;
    const first = turns.findIndex((t) => t.id === unsummarised[0]);
    if (first < 0) return undefined;
    const previous = turns.slice(0, first).reverse().find(isSummaryTurn);
    const wanted = new Set(unsummarised);
    const pending = turns.filter((t) => wanted.has(t.id) && !isSummaryTurn(t));
    const sources: SummarySource[] = [...(previous ? [{ role: "assistant" as const, text: previous.text, isSummary: true }] : []), ...pending.map((t) => ({ role: t.role, text: modelText(t) }))];
    // The plan counts by characters; one count by the model's tokenizer scales that to this model (code can run
    // well under 3.5 characters a token), with a margin, so the request always fits the window.
    const sample = sources.map((source) => source.text).join("\n").slice(0, 20_000);
    const counted = sample.length > 0 ? await backend.countTokens(sample, { role: "chat" }).catch(() => estimateTokens(sample)) : 0;
    const ratio = Math.max(1, counted / Math.max(1, estimateTokens(sample))) * 1.1;
    const plan = planSummaryRequest(sources, contextTokens || DEFAULT_CONTEXT_TOKENS, (text) => Math.ceil(estimateTokens(text) * ratio));
    if (!plan) return undefined;
    const takenTurns = pending.slice(0, plan.taken - (previous ? 1 : 0));
    const last = takenTurns[takenTurns.length - 1];
    if (!last) return undefined;
    this.safety.recordSent("chat", `chat: summary of earlier messages (${conversation.title})`, `[system]\n${SUMMARY_SYSTEM_PROMPT}\n\n[user]\n${plan.message}`, []);
    const sanitizer = this.safety.outputSanitizer("chat");
    let text = "";
    const result = await backend.chat(
      { messages: [{ role: "user", text: plan.message }], systemPrompt: SUMMARY_SYSTEM_PROMPT, maxTokens: plan.maxTokens, sampling: { temperature: 0.2 } },
      { signal, onChunk: (chunk) => (text += sanitizer.push(chunk)) },
    );
    text = cleanSummary(text + sanitizer.end());
    if (signal.aborted || result.metrics.stopReason === "abort" || text === "") return undefined;
    // The conversation may have changed meanwhile (Regenerate removes answers): place the summary only where it belongs.
    const at = turns.findIndex((t) => t.id === last.id);
    if (at < 0) return undefined;
    const standsFor = turns.slice(0, at + 1).filter((t) => !isSummaryTurn(t)).length;
    const now = Date.now();
    const summary: StoredTurn = { id: newTurnId(now, randomBytes(4).toString("hex")), role: "assistant", text, attachments: [], summaryOf: standsFor, createdAt: now };
    turns.splice(at + 1, 0, summary);
    this.written++;
    this.log.info(`Chat: summarised ${standsFor} earlier message(s) in ${Date.now() - started} ms (${result.metrics.promptTokens} prompt tokens, ${result.metrics.generatedTokens} generated)`);
    return summary;
  }
}
