/**
 * Chat on the chat sequence through `LlamaChatSession` (wrapper resolved from the GGUF chat template). The host owns
 * the conversation and hands the whole history in with every request; the session's sequence keeps the KV cache of
 * the previous turn, so an unchanged history prefix is not evaluated again.
 */
import type { ChatHistoryItem, LlamaChatSession, Token } from "node-llama-cpp";
import { EngineError } from "../errors.ts";
import { EngineErrorCode, type ChatParams, type ChatResult, type StopReason } from "../protocol.ts";
import type { LoadedModel } from "./loadedModel.ts";
import { RequestClock, reusablePrefix } from "./metrics.ts";
import { draftingForRequest } from "./speculative.ts";

/** Below completion (5): a long answer must not delay a keystroke's completion in a shared batch. */
const CHAT_PRIORITY = 2;
const DEFAULT_MAX_TOKENS = 2048;

export interface ChatRun {
  model: LoadedModel;
  params: ChatParams;
  signal: AbortSignal;
  onChunk: (text: string) => void;
}

export async function runChat({ model, params, signal, onChunk }: ChatRun): Promise<ChatResult> {
  const clock = new RequestClock();
  const { history, prompt } = toHistory(params);
  const live = await model.ensureLoaded(signal);
  const session = live.chat;
  session.setChatHistory(history);

  const promptTokens = estimatePromptTokens(session, history, prompt);
  const reused = reusablePrefix(live.chatSequence.contextTokens, promptTokens);
  // Drafting only for an edit (its answer repeats the question's code); the gate decides in `auto`.
  const drafting = draftingForRequest(live.speculativeEdits, live.chatSequence, params.purpose === "edit");
  const sampling = params.sampling ?? {};
  const stops = (params.stop ?? []).filter((s) => s.length > 0);
  const generate = () =>
    session.promptWithMeta(prompt, {
      signal,
      // Stop keeps what was written so far: the user sees the partial answer.
      stopOnAbortSignal: true,
      temperature: sampling.temperature ?? 0.7,
      topP: sampling.topP ?? 0.9,
      topK: sampling.topK ?? 40,
      minP: sampling.minP ?? 0.05,
      ...(sampling.seed != null ? { seed: sampling.seed } : {}),
      repeatPenalty: sampling.repeatPenalty === 1 ? false : { penalty: sampling.repeatPenalty ?? 1.1, lastTokens: 64 },
      evaluationPriority: CHAT_PRIORITY,
      // A model that never emits end-of-generation would otherwise write (and context-shift) forever.
      maxTokens: params.maxTokens ?? DEFAULT_MAX_TOKENS,
      ...(stops.length > 0 ? { customStopTriggers: stops } : {}),
      onToken: (tokens) => clock.onTokens(tokens.length),
      onTextChunk: onChunk,
    });
  let result: Awaited<ReturnType<typeof generate>>;
  try {
    result = await generate();
  } catch (error) {
    // Stopped before the first token (e.g. while the prompt was queued): an empty answer, not a failure.
    if (!signal.aborted) throw error;
    result = { response: [], responseText: "", stopReason: "abort", remainingGenerationAfterStop: undefined };
  }

  const stopReason: StopReason =
    result.stopReason === "customStopTrigger" || result.stopReason === "stopGenerationTrigger"
      ? "stopString"
      : result.stopReason;
  const metrics = clock.finish({
    promptTokens: promptTokens.length,
    reusedTokens: reused,
    stopReason,
    threads: live.context.currentThreads || model.describe().threads,
    eogGenerated: result.stopReason === "eogToken",
  });
  const drafts = drafting.report();
  if (drafts) metrics.speculative = drafts;
  return { text: result.responseText, contextShifted: wasContextShifted(session), metrics };
}

/** Splits the request into the history before the question and the question itself. */
function toHistory(params: ChatParams): { history: ChatHistoryItem[]; prompt: string } {
  const messages = params.messages;
  const last = messages[messages.length - 1];
  if (last == null || last.role !== "user") {
    throw new EngineError(EngineErrorCode.InvalidParams, "chat: the last message must be the user's question.");
  }
  const history: ChatHistoryItem[] = [];
  if (params.systemPrompt != null && params.systemPrompt.length > 0) history.push({ type: "system", text: params.systemPrompt });
  for (const [i, m] of messages.slice(0, -1).entries()) {
    if (m.role === "system") {
      // `systemPrompt` wins over a leading system message; later system messages are kept.
      if (i === 0 && params.systemPrompt) continue;
      history.push({ type: "system", text: m.text });
    } else if (m.role === "user") history.push({ type: "user", text: m.text });
    else history.push({ type: "model", response: [m.text] });
  }
  return { history, prompt: last.text };
}

/** The prompt the wrapper renders for this turn, tokenized: what the sequence will hold before the answer. */
function estimatePromptTokens(session: LlamaChatSession, history: ChatHistoryItem[], prompt: string): Token[] {
  const { contextText } = session.chatWrapper.generateContextState({
    chatHistory: [...history, { type: "user", text: prompt }, { type: "model", response: [] }],
  });
  return contextText.tokenize(session.model.tokenizer);
}

/** The history the model actually saw differs from the full history when node-llama-cpp shifted the context. */
function wasContextShifted(session: LlamaChatSession): boolean {
  const window = session.getLastEvaluationContextWindow();
  if (window == null) return false;
  const full = session.getChatHistory();
  if (window.length !== full.length) return true;
  return window.some((item, i) => JSON.stringify(item) !== JSON.stringify(full[i]));
}
