/**
 * Budgets that fit the hardware: the debounce, the prompt size and how much to generate, derived from the loaded
 * model's measured prefill and decode speeds, so a 2-core CPU (~170 prompt tok/s, ~30 generated tok/s for a 0.5B
 * Q8_0 model) still shows a finished line within ~1.5 s of a pause, and a GPU gets long multi-line suggestions.
 *
 * Where the time goes on a warm keystroke (shared/fim-latency.md): the prompt is reused except the typed tokens, or
 * the suffix after Enter (≤ 64 tokens), so latency ≈ debounce + suffix prefill + generated tokens / decode speed.
 * Generated tokens dominate, so `maxTokens` is what the latency target buys. The prompt size matters when the cache
 * is cold (a cursor jump, a stride jump): `coldPromptTokens` is what prefill affords within the cold target,
 * `maxPromptTokens` what a background prefetch affords.
 */

/** Tokens per second of the loaded completion model. */
export interface SpeedSample {
  readonly prefillTokensPerSecond: number;
  readonly decodeTokensPerSecond: number;
}

/** The fields of the engine's `RequestMetrics` this module reads (kept local: src/core does not import the engine). */
export interface MetricsSample {
  readonly evaluatedTokens: number;
  readonly generatedTokens: number;
  readonly timeToFirstTokenMs: number | null;
  readonly tokensPerSecond: number | null;
}

/** Used until a measurement arrives: a slow CPU, so the first suggestions err towards short and fast. */
export const FALLBACK_SPEED: SpeedSample = { prefillTokensPerSecond: 100, decodeTokensPerSecond: 20 };

/** From the engine's `benchDecode` (or the load-time measurement): prompt tokens over prefill time, and so on. */
export function speedFromBenchmark(promptTokens: number, prefillMs: number, generateTokens: number, decodeMs: number): SpeedSample {
  return {
    prefillTokensPerSecond: prefillMs > 0 && promptTokens > 0 ? (promptTokens * 1000) / prefillMs : FALLBACK_SPEED.prefillTokensPerSecond,
    decodeTokensPerSecond: decodeMs > 0 && generateTokens > 0 ? (generateTokens * 1000) / decodeMs : FALLBACK_SPEED.decodeTokensPerSecond,
  };
}

/** User settings that win over the derived values (undefined or 0: derive). */
export interface BudgetOverrides {
  readonly debounceMs?: number;
  readonly maxPromptTokens?: number;
  readonly maxTokens?: number;
  readonly maxLines?: number;
}

export interface BudgetOptions {
  /** Pause → suggestion for a warm single-line request. Default 1500 ms. */
  readonly targetLatencyMs?: number;
  /** The same for multi-line suggestions (more text is worth a little more wait). Default 2500 ms. */
  readonly multiLineLatencyMs?: number;
  /** Pause → suggestion when the prompt must be evaluated from scratch (cursor jump, new file). Default 3000 ms. */
  readonly coldLatencyMs?: number;
  /** Prefill time a background prefetch of the full prompt may take. Default 6000 ms. */
  readonly backgroundPrefillMs?: number;
  /** Suffix tokens re-evaluated after Enter (the context's `maxSuffixTokens`). Default 64. */
  readonly suffixTokens?: number;
  /** Host, IPC and post-processing time per request. Default 60 ms. */
  readonly overheadMs?: number;
  /** The completion context's size in tokens; the prompt and generation must fit in it. Default 8192. */
  readonly contextSize?: number;
  /** Upper bound of the prompt (quality stops improving, tokenizing costs grow). Default 2048. */
  readonly maxPromptTokensCap?: number;
  readonly overrides?: BudgetOverrides;
  /**
   * The budget in use. The prompt sizes decide where the prefix window starts, so they change only when the new
   * value differs by more than 25%: every change is a cold prompt.
   */
  readonly previous?: CompletionBudget;
}

export const BUDGET_DEFAULTS = {
  targetLatencyMs: 1500,
  multiLineLatencyMs: 2500,
  coldLatencyMs: 3000,
  backgroundPrefillMs: 6000,
  suffixTokens: 64,
  overheadMs: 60,
  contextSize: 8192,
  maxPromptTokensCap: 2048,
} as const;

/** Generation limits for one mode. */
export interface GenerationBudget {
  readonly maxTokens: number;
  /** Most lines kept by post-processing (1 for single-line). */
  readonly maxLines: number;
  /** Time the generation itself is expected to take at `maxTokens`. */
  readonly generateMs: number;
}

export interface CompletionBudget {
  readonly debounceMs: number;
  /** Prompt tokens once the cache is warm (and for a background prefetch): the context's `maxPromptTokens`. */
  readonly maxPromptTokens: number;
  /** Prompt tokens for a request that will evaluate its prompt from scratch. */
  readonly coldPromptTokens: number;
  readonly singleLine: GenerationBudget;
  readonly multiLine: GenerationBudget;
  /** Expected pause → suggestion for a warm single-line request at these settings. */
  readonly expectedWarmMs: number;
  /** The speeds this was derived from. */
  readonly speed: SpeedSample;
  /** Overhead assumed per request. */
  readonly overheadMs: number;
}

/** Derives the budget from the measured speeds. Pure; call again after each `SpeedTracker.observe` (liveSpeed.ts). */
export function deriveBudget(speedIn: SpeedSample, options: BudgetOptions = {}): CompletionBudget {
  const speed = sane(speedIn);
  const prefill = speed.prefillTokensPerSecond;
  const decode = speed.decodeTokensPerSecond;
  const o = options.overrides ?? {};
  const target = options.targetLatencyMs ?? BUDGET_DEFAULTS.targetLatencyMs;
  const multiTarget = options.multiLineLatencyMs ?? BUDGET_DEFAULTS.multiLineLatencyMs;
  const coldTarget = options.coldLatencyMs ?? BUDGET_DEFAULTS.coldLatencyMs;
  const overheadMs = options.overheadMs ?? BUDGET_DEFAULTS.overheadMs;
  const suffixTokens = options.suffixTokens ?? BUDGET_DEFAULTS.suffixTokens;
  const contextSize = options.contextSize ?? BUDGET_DEFAULTS.contextSize;
  const cap = options.maxPromptTokensCap ?? BUDGET_DEFAULTS.maxPromptTokensCap;

  // Debounce: ~6 decode steps. On a CPU a request that a keystroke cancels wastes real time; on a GPU it is cheap,
  // and waiting is the latency.
  const debounceMs = positive(o.debounceMs) ?? clamp(Math.round(6000 / decode / 10) * 10, 50, 300);
  // After Enter the suffix (plus the new line) is re-evaluated before the first token.
  const enterEvalMs = ((suffixTokens + 8) * 1000) / prefill;

  const singleMs = Math.max(0, target - debounceMs - overheadMs - enterEvalMs);
  // A line needs ~12 tokens to be useful; below that the latency target gives way (a cut-off fragment helps nobody).
  let singleTokens = clamp(Math.floor((singleMs * decode) / 1000), 12, 48);
  const multiMs = Math.max(0, multiTarget - debounceMs - overheadMs - enterEvalMs);
  let multiTokens = clamp(Math.floor((multiMs * decode) / 1000), 24, 256);
  const maxTokensOverride = positive(o.maxTokens);
  if (maxTokensOverride !== undefined) {
    multiTokens = maxTokensOverride;
    singleTokens = Math.min(singleTokens, maxTokensOverride);
  }
  // ~10 tokens per line of code at 3-4 characters a token.
  const multiLines = positive(o.maxLines) ?? clamp(Math.floor(multiTokens / 10), 2, 16);

  const room = Math.max(256, Math.floor(contextSize * 0.75) - multiTokens);
  let maxPromptTokens =
    positive(o.maxPromptTokens) ??
    Math.max(256, floorTo(Math.min(cap, room, (prefill * (options.backgroundPrefillMs ?? BUDGET_DEFAULTS.backgroundPrefillMs)) / 1000), 128));
  const singleGenMs = (singleTokens * 1000) / decode;
  const coldPrefillMs = Math.max(0, coldTarget - debounceMs - overheadMs - singleGenMs);
  // A user who sets the prompt size gets it on every request, cold ones included: they chose the wait. Otherwise a
  // slow CPU would never send the full prompt (its prefetch is skipped as too slow) and the setting would do nothing.
  let coldPromptTokens = positive(o.maxPromptTokens) ?? Math.min(maxPromptTokens, Math.max(128, floorTo((prefill * coldPrefillMs) / 1000, 64)));

  const prev = options.previous;
  if (prev && o.maxPromptTokens === undefined && within(prev.maxPromptTokens, maxPromptTokens, 0.25)) {
    maxPromptTokens = prev.maxPromptTokens;
    if (within(prev.coldPromptTokens, coldPromptTokens, 0.25)) coldPromptTokens = Math.min(prev.coldPromptTokens, maxPromptTokens);
  }

  return {
    debounceMs,
    maxPromptTokens,
    coldPromptTokens,
    singleLine: { maxTokens: singleTokens, maxLines: 1, generateMs: Math.round(singleGenMs) },
    multiLine: { maxTokens: multiTokens, maxLines: multiLines, generateMs: Math.round((multiTokens * 1000) / decode) },
    expectedWarmMs: Math.round(debounceMs + overheadMs + enterEvalMs + singleGenMs),
    speed,
    overheadMs,
  };
}

/**
 * The engine's `timeBudgetMs` for a request that will evaluate `tokensToEvaluate` prompt tokens (a few when warm,
 * the whole prompt when cold): prefill plus generation with 25% slack. The engine returns what it has by then, and
 * post-processing drops an unfinished last line, so a slow moment shortens the suggestion instead of delaying it.
 */
export function requestTimeBudgetMs(budget: CompletionBudget, mode: "singleLine" | "multiLine", tokensToEvaluate: number): number {
  const gen = mode === "singleLine" ? budget.singleLine.generateMs : budget.multiLine.generateMs;
  const prefillMs = (Math.max(0, tokensToEvaluate) * 1000) / budget.speed.prefillTokensPerSecond;
  return Math.round(prefillMs + gen * 1.25 + budget.overheadMs);
}

export function sane(s: SpeedSample): SpeedSample {
  const ok = (x: number, fallback: number): number => (Number.isFinite(x) && x > 0 ? x : fallback);
  return {
    prefillTokensPerSecond: ok(s.prefillTokensPerSecond, FALLBACK_SPEED.prefillTokensPerSecond),
    decodeTokensPerSecond: ok(s.decodeTokensPerSecond, FALLBACK_SPEED.decodeTokensPerSecond),
  };
}

function clamp(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}

function floorTo(x: number, step: number): number {
  return Math.floor(x / step) * step;
}

function positive(x: number | undefined): number | undefined {
  return x !== undefined && Number.isFinite(x) && x > 0 ? Math.floor(x) : undefined;
}

function within(a: number, b: number, fraction: number): boolean {
  return Math.abs(a - b) <= fraction * Math.max(a, b);
}
