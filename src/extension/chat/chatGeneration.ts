/**
 * The generation of one chat answer: plan what of the conversation fits the model's context window, record the exact
 * request for "Show What the Model Sees", stream the answer through the output sanitizer, and log how it went
 * (counts and times, never text). The conversation, the view and the budget meter stay with `ChatController`,
 * which hears about the answer through an `AnswerListener` and its `AnswerResult`.
 */
import type { ChatFeature, StoredTurn } from "../../core/chat/conversation.ts";
import { estimateTokens } from "../../core/chat/history.ts";
import { CHAT_SYSTEM_PROMPT } from "../../core/chat/prompt.ts";
import { answerRequestShape } from "../../core/chat/slashCommands.ts";
import { earlyStopReason, modelText, planChatRequest, requestTranscript, type ContextUsage } from "../../core/chat/request.ts";
import { errorCode, type InferenceBackend } from "../../core/backend/index.ts";
import type { BackendRegistry } from "../backendRegistry.ts";
import { HostErrorCode } from "../userMessages.ts";
import { untilAborted } from "../../core/abort.ts";
import { EventEmitter } from "../../core/events.ts";
import { questionRedactions, type ChatAnswerFacts } from "../../core/usage/chatRecords.ts";
import type { ModelInput } from "./modelInput.ts";
import { withScriptedAnswer } from "./scriptedAnswer.ts";

/** What an answer needs of the backend. */
export type ChatBackend = Pick<InferenceBackend, "chat" | "countTokens">;

/** What an answer needs of the safety seam: the record for "Show What the Model Sees" and the output sanitizer. */
export type AnswerSafety = Pick<ModelInput, "recordSent" | "outputSanitizer">;

/** The chat model, loaded. */
export interface ChatModel {
  readonly backend: ChatBackend;
  /** Its context window; 0 when it did not say. */
  readonly contextTokens: number;
}

/** The chat role's model and backend, loaded when first needed. */
export function chatModelLoader(backends: Pick<BackendRegistry, "ensureModel" | "backendFor">): () => Promise<ChatModel> {
  return async () => {
    const info = await backends.ensureModel("chat");
    return { backend: withScriptedAnswer(await backends.backendFor("chat")), contextTokens: info.contextSize };
  };
}

/** Where the generation logs: metadata only. */
export interface GenerationLog {
  info(message: string): void;
  warn(message: string): void;
}

export interface AnswerRequest {
  /** The feature asking: its section of "Show What the Model Sees" and its output sanitizer. */
  readonly feature: ChatFeature;
  /** The conversation's title, naming the request in "Show What the Model Sees". */
  readonly title: string;
  /** The conversation so far (already filtered), oldest first, ending with the user turn to answer. */
  readonly history: readonly StoredTurn[];
  /** The id the answer's turn has: its token count is cached under it for the next request. */
  readonly answerTurnId: string;
  /** Aborting it ends the answer at once (Stop); what was written is kept. */
  readonly signal: AbortSignal;
}

export interface AnswerListener {
  /** Known before the answer streams. */
  planned(usage: ContextUsage): void;
  /** A piece of the answer, already sanitized. */
  chunk(text: string): void;
}

/** How the answer ended. `text` is everything `chunk` delivered. */
export type AnswerResult =
  | {
      readonly outcome: "answered";
      readonly text: string;
      /** Set when the answer ended early (a limit, or a Stop the model saw before the host did). */
      readonly stopReason: string | undefined;
      /** The model itself dropped the oldest part of the conversation to fit it. */
      readonly contextShifted: boolean;
      readonly answerTokens: number;
    }
  | { readonly outcome: "stopped"; readonly text: string }
  /** `error` is what was thrown (a backend error with its `code`, or `MessageTooLongError`): the caller words it for the user. */
  | { readonly outcome: "failed"; readonly text: string; readonly error: unknown };

/** The question and its attachments do not fit the model's context window even without older turns: nothing is sent. */
export class MessageTooLongError extends Error {
  override readonly name = "MessageTooLongError";
  readonly code = HostErrorCode.MessageTooLong;
  readonly details: { readonly contextTokens: number };
  constructor(contextTokens: number) {
    super(`The message and its attachments are too long for the model's context window (${contextTokens} tokens).`);
    this.details = { contextTokens };
  }
}

/** Token counts are cached at most this many at a time (a long session would otherwise grow without end). */
const TOKEN_CACHE_LIMIT = 2000;

export class ChatGeneration {
  /** Token counts by turn, so a long conversation is not tokenized again for every answer. */
  private readonly tokenCache = new Map<string, number>();
  private readonly answers = new EventEmitter<ChatAnswerFacts>();
  /** One event per answer when it ends: counts and times, never text (the usage log subscribes). */
  readonly onDidAnswer = this.answers.event;
  /** Answers asked of the engine so far (an answer from the cache never comes here). */
  requests = 0;

  constructor(
    /** Loads the chat model when needed. A Stop does not cancel the load: the next message needs it. */
    private readonly loadModel: () => Promise<ChatModel>,
    private readonly safety: AnswerSafety,
    private readonly log: GenerationLog,
  ) {}

  /** Generates one answer. Never rejects: a failure is an `AnswerResult` too. */
  async answer(request: AnswerRequest, listener: AnswerListener): Promise<AnswerResult> {
    const { feature, history, signal } = request;
    const started = Date.now();
    let text = "";
    const deliver = (safe: string): void => {
      if (safe === "") return;
      text += safe;
      listener.chunk(safe);
    };
    try {
      // Stop during a model load ends this answer at once; the load itself goes on.
      const { backend, contextTokens } = await untilAborted(this.loadModel(), signal);
      const turnTokens = await Promise.all(history.map((t) => this.countText(backend, turnKey(t.id, t.text), modelText(t))));
      const systemTokens = await this.countText(backend, "system", CHAT_SYSTEM_PROMPT);
      const plan = planChatRequest(history, turnTokens, { contextTokens, systemTokens });
      if (!plan.history.fits) {
        throw new MessageTooLongError(plan.contextTokens);
      }
      listener.planned({ usedTokens: plan.history.usedTokens, contextTokens: plan.contextTokens, dropped: plan.history.dropped, unsummarised: plan.unsummarised });
      const sanitizer = this.safety.outputSanitizer(feature);
      this.safety.recordSent(feature, `${feature}: ${request.title}`, requestTranscript(plan.systemPrompt, plan.messages), []);
      this.requests++;
      const asked = history.at(-1);
      const shape = asked !== undefined && asked.role === "user" ? answerRequestShape(asked) : { purpose: "chat" as const };
      const result = await backend.chat(
        { messages: [...plan.messages], systemPrompt: plan.systemPrompt, maxTokens: plan.reserveTokens, ...shape },
        { signal, onChunk: (chunk) => deliver(sanitizer.push(chunk)) },
      );
      deliver(sanitizer.end());
      const reason = result.metrics.stopReason;
      const answerTokens = await this.countText(backend, turnKey(request.answerTurnId, text), text);
      this.answers.fire({ feature, outcome: reason === "abort" ? "stopped" : "answered", metrics: result.metrics, totalMs: Date.now() - started, redactions: questionRedactions(history) });
      this.log.info(
        `Chat: answered in ${Date.now() - started} ms (${result.metrics.promptTokens} prompt tokens, ${result.metrics.generatedTokens} generated, stop: ${reason}, ${plan.history.dropped.length} turn(s) left out, ${plan.summaryTurnId ? "a summary sent for them" : "no summary"})`,
      );
      return { outcome: "answered", text, stopReason: earlyStopReason(reason), contextShifted: result.contextShifted, answerTokens };
    } catch (error) {
      const facts = { feature, totalMs: Date.now() - started, redactions: questionRedactions(history) };
      if (signal.aborted) {
        this.answers.fire({ ...facts, outcome: "stopped" });
        return { outcome: "stopped", text };
      }
      this.answers.fire({ ...facts, outcome: "failed", errorCode: errorCode(error) });
      const message = error instanceof Error ? error.message : String(error);
      this.log.warn(`Chat: generation failed (${errorCode(error)}): ${message}`);
      return { outcome: "failed", text, error };
    }
  }

  /** The model's count of `text`'s tokens, or an estimate when it cannot count. Never rejects. */
  private async countText(backend: ChatBackend, key: string, text: string): Promise<number> {
    const cached = this.tokenCache.get(key);
    if (cached !== undefined) return cached;
    let count: number;
    try {
      count = await backend.countTokens(text, { role: "chat" });
    } catch {
      count = estimateTokens(text);
    }
    if (this.tokenCache.size > TOKEN_CACHE_LIMIT) this.tokenCache.clear();
    this.tokenCache.set(key, count);
    return count;
  }
}

/** A turn's text only grows (streaming) or stays: its id and length identify what was counted. */
function turnKey(id: string, text: string): string {
  return `${id}:${text.length}`;
}
