/**
 * Request bodies for each server kind and the events they stream back, turned into neutral text + metrics. llama-server
 * gets `/infill` (it applies the model's own FIM tokens, reuses the cached prompt, honours a prompt-time budget);
 * Ollama gets `/v1/completions` with `suffix`; other servers get `/v1/completions` with the family's FIM template, or
 * the prefix alone when the family is unknown.
 */
import type { ChatRequest, CompletionRequest, RequestMetrics, StopReason } from "../../core/backend/index.ts";
import { buildFimPrompt, fimFamilyOf, type FimFamily } from "../../core/remote/index.ts";
import type { ServerKind } from "./server.ts";

export interface PreparedRequest {
  readonly path: string;
  readonly body: Record<string, unknown>;
  /** Streams of llama-server's native endpoints close after a `stop: true` event instead of `[DONE]`. */
  readonly endsWithoutDone: boolean;
  readonly mode: "fim" | "prefixOnly";
}

/** Test and benchmark option: generate exactly `maxTokens` (random weights would stop anywhere). */
export interface GenerationExtras {
  readonly ignoreEos?: boolean;
  /** At most this many tokens per answer, whatever the request asks. */
  readonly maxTokensCap?: number;
}

function capped(requested: number, extras: GenerationExtras): number {
  return extras.maxTokensCap !== undefined ? Math.min(requested, extras.maxTokensCap) : requested;
}

export function completionRequest(kind: ServerKind, model: string, request: CompletionRequest, familySetting: FimFamily | "auto" | "none", extras: GenerationExtras = {}): PreparedRequest {
  const stop = [...(request.stop ?? []), ...(request.stopAtLineEnd ? ["\n"] : [])];
  const common = {
    temperature: request.temperature ?? 0,
    ...(request.seed !== undefined ? { seed: request.seed } : {}),
    ...(extras.ignoreEos ? { ignore_eos: true } : {}),
  };
  const maxTokens = capped(request.maxTokens ?? 64, extras);
  if (kind === "llama-server") {
    return {
      path: "/infill",
      endsWithoutDone: true,
      mode: "fim",
      body: {
        input_prefix: request.prefix,
        input_suffix: request.suffix,
        prompt: request.currentLinePrefix ?? "",
        input_extra: (request.extraContext ?? []).map((c) => ({ filename: c.path ?? "", text: c.text })),
        n_predict: maxTokens,
        stop,
        cache_prompt: true,
        ...(request.timeBudgetMs !== undefined ? { t_max_prompt_ms: request.timeBudgetMs, t_max_predict_ms: request.timeBudgetMs } : {}),
        stream: true,
        ...common,
      },
    };
  }
  const prefix = request.prefix + (request.currentLinePrefix ?? "");
  const base = { model, max_tokens: maxTokens, stream: true, ...common };
  if (kind === "ollama" && familySetting === "auto") {
    return { path: "/v1/completions", endsWithoutDone: false, mode: "fim", body: { ...base, prompt: prefix, suffix: request.suffix, ...(stop.length ? { stop } : {}) } };
  }
  const family = familySetting === "auto" ? fimFamilyOf(model) : familySetting === "none" ? undefined : familySetting;
  if (!family) {
    const extra = (request.extraContext ?? []).map((c) => c.text).join("\n");
    return { path: "/v1/completions", endsWithoutDone: false, mode: "prefixOnly", body: { ...base, prompt: extra ? `${extra}\n${prefix}` : prefix, ...(stop.length ? { stop } : {}) } };
  }
  const fim = buildFimPrompt(family, { prefix, suffix: request.suffix, extraContext: request.extraContext });
  // OpenAI's API takes at most 4 stop strings; the template's own come first.
  return { path: "/v1/completions", endsWithoutDone: false, mode: "fim", body: { ...base, prompt: fim.prompt, stop: [...stop, ...fim.stop].slice(0, 4) } };
}

export function chatRequestBody(kind: ServerKind, model: string, request: ChatRequest, extras: GenerationExtras = {}): Record<string, unknown> {
  const s = request.sampling ?? {};
  const messages = [
    ...(request.systemPrompt ? [{ role: "system", content: request.systemPrompt }] : []),
    ...request.messages.map((m) => ({ role: m.role, content: m.text })),
  ];
  return {
    model,
    messages,
    stream: true,
    max_tokens: capped(request.maxTokens ?? 2048, extras),
    temperature: s.temperature ?? 0.7,
    top_p: s.topP ?? 0.9,
    ...(s.seed !== undefined ? { seed: s.seed } : {}),
    ...(request.stop?.length ? { stop: [...request.stop] } : {}),
    // Samplers outside OpenAI's API only where the server is known to take them.
    ...(kind === "llama-server" || kind === "ollama" ? { top_k: s.topK ?? 40, min_p: s.minP ?? 0.05, repeat_penalty: s.repeatPenalty ?? 1.1 } : {}),
    ...(kind === "llama-server" ? {} : { stream_options: { include_usage: true } }),
    ...(extras.ignoreEos ? { ignore_eos: true } : {}),
  };
}

/** Characters per token where a server reports no counts (code and English average 3–4; lower errs on the side of fitting). */
export const CHARS_PER_TOKEN = 3.2;

/** Characters of the prompt text a request body carries (what the estimate counts when the server reports nothing). */
export function promptCharsOf(body: Record<string, unknown>): number {
  const text = (value: unknown): number => (typeof value === "string" ? value.length : 0);
  let chars = text(body.prompt) + text(body.input_prefix) + text(body.input_suffix) + text(body.suffix);
  if (Array.isArray(body.input_extra)) for (const extra of body.input_extra as { text?: unknown }[]) chars += text(extra?.text);
  if (Array.isArray(body.messages)) for (const message of body.messages as { content?: unknown }[]) chars += text(message?.content);
  return chars;
}

/**
 * Collects the text and facts of a stream's events, whatever the endpoint's dialect:
 * - llama-server `timings` (`prompt_n` evaluated, `cache_n` reused, `predicted_n`, `predicted_per_second`,
 *   `predicted_ms`) and its native endpoints' last event (`tokens_evaluated`: the whole prompt, `tokens_cached`,
 *   `tokens_predicted`);
 * - OpenAI's `usage` (`prompt_tokens`, `completion_tokens`, `prompt_tokens_details.cached_tokens`), sent by vLLM,
 *   Ollama and others at the end of a stream with `stream_options.include_usage`.
 * Where a server reports no counts the prompt is estimated from its characters and the answer from the streamed
 * pieces, and the metrics say so (`tokensEstimated`), so statistics never mix guesses with counts unknowingly.
 */
export class StreamAccumulator {
  text = "";
  finish: string | undefined;
  /** The whole prompt, cached part included (server-reported). */
  private promptTotal: number | undefined;
  private cachedTokens: number | undefined;
  private generated: number | undefined;
  private chunks = 0;
  private decodePerSecond: number | undefined;
  private firstTokenAt: number | undefined;

  /**
   * @param started when the request started (`Date.now()`), for time to first token.
   * @param promptChars characters of the prompt (`promptCharsOf`), for the estimate when the server reports no counts. Default 0.
   */
  constructor(
    private readonly started: number,
    private readonly promptChars = 0,
  ) {}

  /** The event's new text ('' if none). */
  add(event: unknown): string {
    const e = event as {
      content?: unknown;
      stop?: unknown;
      stop_type?: unknown;
      tokens_evaluated?: unknown;
      tokens_cached?: unknown;
      tokens_predicted?: unknown;
      choices?: { delta?: { content?: unknown }; text?: unknown; message?: { content?: unknown }; finish_reason?: unknown }[];
      timings?: { prompt_n?: unknown; cache_n?: unknown; predicted_n?: unknown; predicted_per_second?: unknown; predicted_ms?: unknown };
      usage?: { prompt_tokens?: unknown; completion_tokens?: unknown; prompt_tokens_details?: { cached_tokens?: unknown } | null };
    };
    let piece = "";
    if (typeof e.content === "string") piece = e.content;
    const choice = Array.isArray(e.choices) ? e.choices[0] : undefined;
    if (choice) {
      const content = choice.delta?.content ?? choice.text ?? choice.message?.content;
      if (typeof content === "string") piece = content;
      if (typeof choice.finish_reason === "string") this.finish = choice.finish_reason;
    }
    if (e.stop === true && typeof e.stop_type === "string") this.finish = e.stop_type;
    const count = (value: unknown): number | undefined => (typeof value === "number" && Number.isFinite(value) && value >= 0 ? value : undefined);
    if (e.timings) {
      const evaluated = count(e.timings.prompt_n);
      const cached = count(e.timings.cache_n);
      if (cached !== undefined) this.cachedTokens = cached;
      if (evaluated !== undefined) this.promptTotal = evaluated + (cached ?? this.cachedTokens ?? 0);
      this.generated = count(e.timings.predicted_n) ?? this.generated;
      const perSecond = count(e.timings.predicted_per_second);
      const predictedMs = count(e.timings.predicted_ms);
      if (perSecond !== undefined && perSecond > 0) this.decodePerSecond = perSecond;
      else if (predictedMs !== undefined && predictedMs > 0 && this.generated !== undefined) this.decodePerSecond = (this.generated * 1000) / predictedMs;
    }
    // The native endpoints' last event: the whole prompt and what was cached.
    if (count(e.tokens_evaluated) !== undefined) this.promptTotal = count(e.tokens_evaluated);
    if (count(e.tokens_cached) !== undefined) this.cachedTokens = count(e.tokens_cached);
    if (count(e.tokens_predicted) !== undefined) this.generated = count(e.tokens_predicted);
    if (e.usage) {
      const prompt = count(e.usage.prompt_tokens);
      if (prompt !== undefined) this.promptTotal = prompt;
      const cached = count(e.usage.prompt_tokens_details?.cached_tokens);
      if (cached !== undefined) this.cachedTokens = cached;
      this.generated = count(e.usage.completion_tokens) ?? this.generated;
    }
    if (piece !== "") {
      this.firstTokenAt ??= Date.now();
      this.chunks++;
      this.text += piece;
    }
    return piece;
  }

  /** The stop reason in the backend's words; `override` for the client's own (abort, time budget). */
  metrics(override?: StopReason): RequestMetrics {
    const totalMs = Date.now() - this.started;
    const estimated = this.promptTotal === undefined || this.generated === undefined;
    const generatedTokens = this.generated ?? this.chunks;
    const promptTokens = this.promptTotal ?? Math.ceil(this.promptChars / CHARS_PER_TOKEN);
    const reused = Math.min(this.cachedTokens ?? 0, promptTokens);
    const ttft = this.firstTokenAt !== undefined ? this.firstTokenAt - this.started : null;
    const decodeMs = this.firstTokenAt !== undefined ? Date.now() - this.firstTokenAt : 0;
    return {
      promptTokens,
      reusedTokens: reused,
      evaluatedTokens: promptTokens - reused,
      generatedTokens,
      timeToFirstTokenMs: ttft,
      totalMs,
      tokensPerSecond: this.decodePerSecond ?? (generatedTokens > 1 && decodeMs > 0 ? ((generatedTokens - 1) * 1000) / decodeMs : null),
      stopReason: override ?? stopReasonOf(this.finish),
      ...(estimated ? { tokensEstimated: true } : {}),
    };
  }
}

function stopReasonOf(finish: string | undefined): StopReason {
  switch (finish) {
    case "length":
    case "limit":
      return "maxTokens";
    case "word":
      return "stopString";
    default:
      return "eogToken";
  }
}
