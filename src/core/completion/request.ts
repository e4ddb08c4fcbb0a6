/**
 * The last step before the engine: the fields of its `complete` request (everything but `requestId`, `stream` and
 * `temperature`), and the cache key of exactly that prompt. The host maps them onto `CompleteParams` one to one,
 * after the safety filter has seen the text parts.
 */
import type { CompletionBudget } from "./budget.ts";
import { requestTimeBudgetMs } from "./budget.ts";
import { promptCacheKey, type CompletionContext, type PromptChunk } from "./context.ts";
import { estimateTokens } from "./tokens.ts";
import type { CompletionMode } from "./trigger.ts";

export interface CompletionRequestFields {
  readonly prefix: string;
  readonly currentLinePrefix: string;
  readonly suffix: string;
  readonly extraContext: readonly PromptChunk[];
  readonly maxTokens: number;
  readonly stop: readonly string[];
  /** Single-line mode: the engine stops at the first newline (generate only what will be shown). */
  readonly stopAtLineEnd: boolean;
  readonly timeBudgetMs: number;
  /** `promptCacheKey` of the prompt parts, salted with `salt` and the mode. */
  readonly cacheKey: string;
  /** Most lines post-processing keeps (`PostprocessContext.maxLines`). */
  readonly maxLines: number;
}

/**
 * Two blank lines in a row: the model has left the code around the cursor. (One blank line is common inside a
 * block, so it is not a stop.)
 */
export const MULTI_LINE_STOPS: readonly string[] = ["\n\n\n"];

export interface RequestFieldOptions {
  /**
   * Whether the engine's cache likely holds this prompt's start (same document and prefix start as the last
   * request): then only the typed tokens, or the suffix after Enter, are evaluated. Decides the time budget.
   */
  readonly warm: boolean;
  /** Share (0-1) of a cold prompt the engine holds already (a prewarm stopped part-way). Default 0. */
  readonly heldShare?: number;
  /** What else changes the answer, e.g. the model path. Default "". */
  readonly salt?: string;
}

/**
 * Prompt tokens the engine has to evaluate for a prompt it does not hold the start of, where a prewarm stopped
 * part-way left `heldShare` (0-1) of it evaluated already (`extra`: their `tokens`, else the default estimator).
 */
export function coldTokensToEvaluate(ctx: CompletionContext, extra: readonly (PromptChunk & { readonly tokens?: number })[], heldShare = 0): number {
  const extraTokens = extra.reduce((n, c) => n + (c.tokens ?? estimateTokens(c.text)), 0);
  return (ctx.tokens.total + extraTokens) * (1 - heldShare);
}

/**
 * Builds the engine request fields for `ctx` + `extra` (`selectExtraContext`'s chunks; their `tokens` are used for
 * the time budget, else the default estimator) in `mode` under `budget`.
 */
export function completionRequestFields(
  ctx: CompletionContext,
  extra: readonly (PromptChunk & { readonly tokens?: number })[],
  mode: CompletionMode,
  budget: CompletionBudget,
  options: RequestFieldOptions,
): CompletionRequestFields {
  const gen = mode === "singleLine" ? budget.singleLine : budget.multiLine;
  const toEvaluate = options.warm ? ctx.budget.suffix + 8 : coldTokensToEvaluate(ctx, extra, options.heldShare);
  return {
    prefix: ctx.prefix,
    currentLinePrefix: ctx.currentLinePrefix,
    suffix: ctx.suffix,
    extraContext: extra.map((c) => (c.path === undefined ? { text: c.text } : { path: c.path, text: c.text })),
    maxTokens: gen.maxTokens,
    stop: mode === "singleLine" ? [] : MULTI_LINE_STOPS,
    stopAtLineEnd: mode === "singleLine",
    timeBudgetMs: requestTimeBudgetMs(budget, mode, toEvaluate),
    cacheKey: promptCacheKey({ ...ctx, extraContext: extra }, `${options.salt ?? ""}|${mode}`),
    maxLines: gen.maxLines,
  };
}
