/** Per-request timing and token accounting shared by completion and chat. */
import type { LlamaModel, Token } from "node-llama-cpp";
import type { RequestMetrics, StopReason } from "../protocol.ts";

export class RequestClock {
  private readonly started = performance.now();
  private firstTokenAt: number | null = null;
  generatedTokens = 0;

  onTokens(count: number): void {
    if (count > 0 && this.firstTokenAt == null) this.firstTokenAt = performance.now();
    this.generatedTokens += count;
  }

  finish(fields: { promptTokens: number; reusedTokens: number; stopReason: StopReason; threads: number; eogGenerated: boolean }): RequestMetrics {
    const now = performance.now();
    // The end-of-generation token is sampled (and costs a decode step) but never reaches onToken.
    const generated = this.generatedTokens + (fields.eogGenerated ? 1 : 0);
    const ttft = this.firstTokenAt == null ? null : this.firstTokenAt - this.started;
    const decodeMs = this.firstTokenAt == null ? 0 : now - this.firstTokenAt;
    const reused = Math.min(fields.reusedTokens, fields.promptTokens);
    return {
      promptTokens: fields.promptTokens,
      reusedTokens: reused,
      evaluatedTokens: fields.promptTokens - reused,
      generatedTokens: generated,
      timeToFirstTokenMs: ttft == null ? null : round(ttft),
      totalMs: round(now - this.started),
      tokensPerSecond: generated > 1 && decodeMs > 0 ? round(((generated - 1) / decodeMs) * 1000) : null,
      stopReason: fields.stopReason,
      threads: fields.threads,
    };
  }
}

/** The token llama.cpp puts before every prompt of this model (what `LlamaCompletion` prepends), if any. */
export function beginningToken(model: LlamaModel): Token | null {
  return model.tokens.shouldPrependBosToken ? model.tokens.bos : null;
}

/**
 * How many leading tokens of `prompt` the sequence already holds. The last prompt token is always evaluated again
 * (a decode step is needed to sample the first new token), so at most `prompt.length - 1`.
 */
export function reusablePrefix(contextTokens: readonly Token[], prompt: readonly Token[]): number {
  let i = 0;
  const max = Math.min(contextTokens.length, prompt.length - 1);
  while (i < max && contextTokens[i] === prompt[i]) i++;
  return Math.max(0, i);
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
