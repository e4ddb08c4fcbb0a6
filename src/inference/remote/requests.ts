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

/** Collects the text and facts of a stream's events, whatever the endpoint's dialect. */
export class StreamAccumulator {
  text = "";
  finish: string | undefined;
  private promptTokens: number | undefined;
  private cachedTokens = 0;
  private generated: number | undefined;
  private chunks = 0;
  private decodePerSecond: number | undefined;
  private firstTokenAt: number | undefined;

  constructor(private readonly started: number) {}

  /** The event's new text ('' if none). */
  add(event: unknown): string {
    const e = event as {
      content?: unknown;
      stop?: unknown;
      stop_type?: unknown;
      choices?: { delta?: { content?: unknown }; text?: unknown; message?: { content?: unknown }; finish_reason?: unknown }[];
      timings?: { prompt_n?: unknown; cache_n?: unknown; predicted_n?: unknown; predicted_per_second?: unknown };
      usage?: { prompt_tokens?: unknown; completion_tokens?: unknown };
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
    if (e.timings) {
      if (typeof e.timings.prompt_n === "number") this.promptTokens = e.timings.prompt_n;
      if (typeof e.timings.cache_n === "number") this.cachedTokens = e.timings.cache_n;
      if (typeof e.timings.predicted_n === "number") this.generated = e.timings.predicted_n;
      if (typeof e.timings.predicted_per_second === "number") this.decodePerSecond = e.timings.predicted_per_second;
    }
    if (e.usage) {
      if (typeof e.usage.prompt_tokens === "number") this.promptTokens = e.usage.prompt_tokens - this.cachedTokens;
      if (typeof e.usage.completion_tokens === "number") this.generated = e.usage.completion_tokens;
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
    const generatedTokens = this.generated ?? this.chunks;
    const evaluated = this.promptTokens ?? 0;
    const ttft = this.firstTokenAt !== undefined ? this.firstTokenAt - this.started : null;
    const decodeMs = this.firstTokenAt !== undefined ? Date.now() - this.firstTokenAt : 0;
    return {
      promptTokens: evaluated + this.cachedTokens,
      reusedTokens: this.cachedTokens,
      evaluatedTokens: evaluated,
      generatedTokens,
      timeToFirstTokenMs: ttft,
      totalMs,
      tokensPerSecond: this.decodePerSecond ?? (generatedTokens > 1 && decodeMs > 0 ? ((generatedTokens - 1) * 1000) / decodeMs : null),
      stopReason: override ?? stopReasonOf(this.finish),
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
