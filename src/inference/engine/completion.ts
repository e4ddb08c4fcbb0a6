/**
 * Fill-in-the-middle on the completion sequence.
 *
 * The prompt layout decides the per-keystroke cost (shared/fim-latency.md): the sequence reuses the KV cache only up
 * to the first token that differs from the previous request. With `currentLinePrefix` the prompt is
 * `[BOS] PRE extra+prefix SUF suffix MID currentLinePrefix`: typing on the cursor line changes only the tail, so a
 * keystroke re-evaluates just the typed tokens. Without it the classic layout is used. Models without FIM tokens get
 * a prefix-only prompt (capability flag `fimSupported: false`, result `mode: "prefixOnly"`).
 */
import type { LlamaCompletionResponse, LlamaModel, Token } from "node-llama-cpp";
import { EngineCancelledError } from "../errors.ts";
import { EngineErrorCode, type CompleteParams, type CompleteResult, type ContextChunk, type StopReason } from "../protocol.ts";
import type { LiveModel, LoadedModel } from "./loadedModel.ts";
import type { ChildLogger } from "./log.ts";
import { RequestClock, beginningToken, reusablePrefix } from "./metrics.ts";
import { draftingForRequest } from "./speculative.ts";

/** Why the request's internal AbortController fired (`finished`: the host has the whole suggestion). */
export type AbortCause = "cancelled" | "superseded" | "timeBudget" | "finished";

const DEFAULT_MAX_TOKENS = 64;
/** Completion outranks chat when both sequences have tokens queued in the same batch... */
const COMPLETION_PRIORITY = 5;
/** ...a background prefetch does not (chat's is 2). */
export const BACKGROUND_PRIORITY = 1;
/** When the prompt is too long for the context, the suffix is cut to this many tokens before the prefix is. */
const MIN_SUFFIX_TOKENS = 64;

export interface CompletionRun {
  model: LoadedModel;
  params: CompleteParams;
  signal: AbortSignal;
  /** Reads why `signal` fired. */
  cause: () => AbortCause | null;
  /** Fires `signal` with a cause (used for the time budget). */
  abort: (cause: AbortCause) => void;
  onChunk: ((text: string) => void) | null;
  log: ChildLogger;
}

export async function runCompletion({ model, params, signal, cause, abort, onChunk, log }: CompletionRun): Promise<CompleteResult> {
  const clock = new RequestClock();
  const live = await model.ensureLoaded(signal);
  throwIfCancelled(signal, cause);
  const maxTokens = Math.max(1, params.maxTokens ?? DEFAULT_MAX_TOKENS);
  const { fim, prompt, fullPrompt } = completionPrompt(live, params, log);
  // Switching files: the state of the file left is kept, a recent file's state comes back (warmFiles.ts).
  const { restoredTokens } = await live.warmFiles.prepare(live.completionSequence, fullPrompt);
  throwIfCancelled(signal, cause);
  const reused = reusablePrefix(live.completionSequence.contextTokens, fullPrompt);

  const stops = [...(params.stop ?? []).filter((s) => s.length > 0)];
  if (params.stopAtLineEnd) stops.push("\n");
  const budgetTimer =
    params.timeBudgetMs != null && params.timeBudgetMs > 0 ? setTimeout(() => abort("timeBudget"), params.timeBudgetMs) : null;

  // Drafting: on when the model has it on, or as the gate decides in `auto` (a background prefetch follows it too).
  const drafting = draftingForRequest(live.speculative, live.completionSequence, true);

  const generate = (): Promise<LlamaCompletionResponse> =>
    live.completion.generateCompletionWithMeta(prompt, {
      maxTokens,
      temperature: params.temperature ?? 0,
      ...(params.seed != null ? { seed: params.seed } : {}),
      // Code repeats itself legitimately (closing braces, identifiers); a repeat penalty makes FIM worse.
      repeatPenalty: false,
      signal,
      // Keeps the partial text for the time budget; cancellation is turned into an error below.
      stopOnAbortSignal: true,
      evaluationPriority: params.priority === "background" ? BACKGROUND_PRIORITY : COMPLETION_PRIORITY,
      ...(stops.length > 0 ? { customStopTriggers: stops } : {}),
      onToken: (tokens) => clock.onTokens(tokens.length),
      ...(onChunk ? { onTextChunk: onChunk } : {}),
    });
  let response: LlamaCompletionResponse;
  try {
    response = await generate();
  } catch (error) {
    // Aborted while waiting for the sequence (an older request still held it): no text, but not a failure.
    if (!signal.aborted) throw error;
    throwIfCancelled(signal, cause);
    response = { response: "", metadata: { stopReason: "abort" } };
  } finally {
    if (budgetTimer) clearTimeout(budgetTimer);
  }
  throwIfCancelled(signal, cause);

  const stopReason: StopReason = mapStopReason(response.metadata.stopReason, cause());
  const metrics = clock.finish({
    promptTokens: fullPrompt.length,
    reusedTokens: reused,
    stopReason,
    threads: live.context.currentThreads || model.describe().threads,
    eogGenerated: response.metadata.stopReason === "eogToken",
  });
  const drafts = drafting.report();
  return {
    text: response.response,
    mode: fim ? "fim" : "prefixOnly",
    metrics: { ...metrics, restoredTokens, ...(drafts ? { speculative: drafts } : {}) },
  };
}

/** The prompt tokens of a completion (without and with BOS); `prewarm` builds the very same ones. */
export function completionPrompt(
  live: Pick<LiveModel, "model" | "context">,
  params: Pick<CompleteParams, "prefix" | "suffix" | "currentLinePrefix" | "extraContext" | "maxTokens">,
  log: Pick<ChildLogger, "warn">,
): { fim: boolean; prompt: Token[]; fullPrompt: Token[] } {
  const llamaModel = live.model;
  const maxTokens = Math.max(1, params.maxTokens ?? DEFAULT_MAX_TOKENS);
  const fim = llamaModel.tokens.infill.prefix != null && llamaModel.tokens.infill.suffix != null;
  // Room for the prompt: the context minus what we generate and the BOS token.
  const budget = live.context.contextSize - maxTokens - 1;
  const prompt = fim ? buildFimPrompt(llamaModel, params, budget, log) : buildPrefixPrompt(llamaModel, params, budget);
  const bos = beginningToken(llamaModel);
  return { fim, prompt, fullPrompt: bos == null ? prompt : [bos, ...prompt] };
}

function throwIfCancelled(signal: AbortSignal, cause: () => AbortCause | null): void {
  if (!signal.aborted) return;
  const why = cause();
  if (why === "superseded") {
    throw new EngineCancelledError("Superseded by a newer completion request.", EngineErrorCode.Superseded);
  }
  // Out of time, or the host has what it needs: the text so far is the answer.
  if (why !== "timeBudget" && why !== "finished") throw new EngineCancelledError();
}

function mapStopReason(reason: LlamaCompletionResponse["metadata"]["stopReason"], cause: AbortCause | null): StopReason {
  switch (reason) {
    case "eogToken":
      return "eogToken";
    case "maxTokens":
      return "maxTokens";
    case "customStopTrigger":
    case "stopGenerationTrigger":
      return "stopString";
    case "abort":
      return cause === "timeBudget" ? "timeBudget" : cause === "finished" ? "stopString" : "abort";
  }
}

function tokenize(model: LlamaModel, text: string): Token[] {
  return text.length === 0 ? [] : model.tokenize(text, false, "trimLeadingSpace");
}

export function formatExtraContext(chunks: readonly ContextChunk[] | undefined): string {
  if (!chunks || chunks.length === 0) return "";
  return chunks
    .map((c) => {
      const body = c.text.endsWith("\n") ? c.text : `${c.text}\n`;
      return c.path ? `${c.path}\n${body}` : body;
    })
    .join("");
}

/**
 * The FIM prompt tokens (without BOS) for `params`, fitted into `budget` tokens. Exported for the benchmark's raw
 * baseline, so both sides evaluate the same tokens.
 */
export function buildFimPrompt(
  model: LlamaModel,
  params: Pick<CompleteParams, "prefix" | "suffix" | "currentLinePrefix" | "extraContext">,
  budget: number,
  log: Pick<ChildLogger, "warn">,
): Token[] {
  const { prefix: pre, suffix: suf, middle: mid } = model.tokens.infill;
  const specials = 2 + (mid != null ? 1 : 0);
  const lineTokens = tokenize(model, params.currentLinePrefix ?? "");
  let prefixTokens = tokenize(model, formatExtraContext(params.extraContext) + params.prefix);
  let suffixTokens = tokenize(model, params.suffix);

  const overflow = specials + lineTokens.length + prefixTokens.length + suffixTokens.length - budget;
  if (overflow > 0) {
    // The host's context builder should size the prompt; this is the safety net. Cut the suffix's end first (the
    // least useful part), then the prefix's start (this moves the prompt start, so the cache goes cold once).
    const suffixCut = Math.min(overflow, Math.max(0, suffixTokens.length - MIN_SUFFIX_TOKENS));
    suffixTokens = suffixTokens.slice(0, suffixTokens.length - suffixCut);
    const prefixCut = Math.min(prefixTokens.length, overflow - suffixCut);
    prefixTokens = prefixTokens.slice(prefixCut);
    log.warn(`completion prompt over budget by ${overflow} tokens: cut ${suffixCut} suffix and ${prefixCut} prefix tokens`);
  }
  if (mid == null) {
    // Models with PRE/SUF but no MID use suffix-first (SPM) order.
    return [suf!, ...suffixTokens, pre!, ...prefixTokens, ...lineTokens];
  }
  return [pre!, ...prefixTokens, suf!, ...suffixTokens, mid, ...lineTokens];
}

function buildPrefixPrompt(model: LlamaModel, params: Pick<CompleteParams, "prefix" | "currentLinePrefix" | "extraContext">, budget: number): Token[] {
  const tokens = tokenize(model, formatExtraContext(params.extraContext) + params.prefix + (params.currentLinePrefix ?? ""));
  return tokens.length > budget ? tokens.slice(tokens.length - budget) : tokens;
}
