// Token counts and speeds from the streams of real server dialects (llama-server's /infill and OpenAI-compatible
// chat with and without usage), and the estimate where a server reports nothing. Event shapes follow what the
// servers send: llama-server's last native event carries `timings` plus `tokens_evaluated`/`tokens_cached`/
// `tokens_predicted`; vLLM and Ollama send `usage` in a last chunk with `stream_options.include_usage`.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { CHARS_PER_TOKEN, chatRequestBody, completionRequest, promptCharsOf, StreamAccumulator } from "../../src/inference/remote/requests.ts";
import { metricsFields, parseUsageRecord, prefillSpeed, serializeUsageRecord, summarize, type UsageRecord } from "../../src/core/usage/index.ts";

function run(events: unknown[], promptChars = 0) {
  const acc = new StreamAccumulator(Date.now() - 50, promptChars);
  for (const event of events) acc.add(event);
  return { acc, metrics: acc.metrics() };
}

describe("remote stream metrics", () => {
  test("llama-server /infill: the last event's counts (whole prompt, cached part, predicted) and its decode speed", () => {
    const { acc, metrics } = run([
      { content: "let ", stop: false },
      { content: "x", stop: false },
      {
        content: "",
        stop: true,
        stop_type: "limit",
        tokens_evaluated: 1636,
        tokens_cached: 1630,
        tokens_predicted: 12,
        timings: { prompt_n: 6, prompt_ms: 40.5, cache_n: 1630, predicted_n: 12, predicted_ms: 400, predicted_per_second: 30 },
      },
    ]);
    assert.equal(acc.text, "let x");
    assert.equal(metrics.promptTokens, 1636);
    assert.equal(metrics.reusedTokens, 1630);
    assert.equal(metrics.evaluatedTokens, 6);
    assert.equal(metrics.generatedTokens, 12);
    assert.equal(metrics.tokensPerSecond, 30);
    assert.equal(metrics.stopReason, "maxTokens");
    assert.equal(metrics.tokensEstimated, undefined, "server counts are not estimates");
  });

  test("timings without predicted_per_second: the speed comes from predicted_n and predicted_ms", () => {
    const { metrics } = run([{ content: "a" }, { content: "", stop: true, stop_type: "eos", timings: { prompt_n: 20, cache_n: 0, predicted_n: 10, predicted_ms: 500 } }]);
    assert.equal(metrics.promptTokens, 20);
    assert.equal(metrics.tokensPerSecond, 20);
    assert.equal(metrics.stopReason, "eogToken");
  });

  test("OpenAI-compatible usage (vLLM, Ollama): prompt and completion tokens, cached tokens from prompt_tokens_details", () => {
    const { metrics } = run([
      { choices: [{ delta: { content: "Hel" } }] },
      { choices: [{ delta: { content: "lo" }, finish_reason: "stop" }] },
      { choices: [], usage: { prompt_tokens: 300, completion_tokens: 2, prompt_tokens_details: { cached_tokens: 256 } } },
    ]);
    assert.equal(metrics.promptTokens, 300);
    assert.equal(metrics.reusedTokens, 256);
    assert.equal(metrics.evaluatedTokens, 44);
    assert.equal(metrics.generatedTokens, 2);
    assert.equal(metrics.tokensEstimated, undefined);
  });

  test("a server that reports no counts: the prompt from its characters, the answer from the pieces, marked estimated", () => {
    const { metrics } = run([{ choices: [{ delta: { content: "a" } }] }, { choices: [{ delta: { content: "b" } }] }, { choices: [{ delta: { content: "c" }, finish_reason: "length" }] }], 320);
    assert.equal(metrics.promptTokens, Math.ceil(320 / CHARS_PER_TOKEN));
    assert.equal(metrics.reusedTokens, 0);
    assert.equal(metrics.generatedTokens, 3);
    assert.equal(metrics.stopReason, "maxTokens");
    assert.equal(metrics.tokensEstimated, true);
  });

  test("malformed counts (negative, strings, NaN) are ignored, not trusted", () => {
    const { metrics } = run([{ content: "x" }, { stop: true, tokens_evaluated: -5, tokens_predicted: "7", timings: { prompt_n: Number.NaN } }], 64);
    assert.equal(metrics.promptTokens, Math.ceil(64 / CHARS_PER_TOKEN));
    assert.equal(metrics.generatedTokens, 1);
    assert.equal(metrics.tokensEstimated, true);
  });

  test("promptCharsOf counts the prompt text of /infill, /v1/completions and chat bodies", () => {
    const request = { prefix: "a".repeat(100), suffix: "b".repeat(50), currentLinePrefix: "cc", extraContext: [{ path: "x.ts", text: "d".repeat(30) }] };
    assert.equal(promptCharsOf(completionRequest("llama-server", "m", request, "auto").body), 182);
    assert.equal(promptCharsOf(completionRequest("ollama", "m", request, "auto").body), 152);
    const chat = chatRequestBody("openai", "m", { systemPrompt: "sys", messages: [{ role: "user", text: "hello" }] });
    assert.equal(promptCharsOf(chat), 8);
  });

  test("the usage log keeps the estimate flag; statistics take neither prefill speed nor KV reuse from estimates", () => {
    const { metrics } = run([{ choices: [{ delta: { content: "a" }, finish_reason: "stop" }] }], 3200);
    const base = { v: 1, t: Date.now(), feature: "chat", backend: "remote", outcome: "answered", totalMs: 900, redactions: 0 } as const;
    const estimated = { ...base, ...metricsFields(metrics), ttftMs: 500 } as UsageRecord;
    assert.equal(estimated.tokensEstimated, true);
    assert.deepEqual(parseUsageRecord(serializeUsageRecord(estimated)), estimated);
    assert.equal(parseUsageRecord(serializeUsageRecord({ ...estimated, tokensEstimated: "yes" } as unknown as UsageRecord)), undefined);
    assert.equal(prefillSpeed(estimated), undefined);
    const counted = { ...base, promptTokens: 1000, reusedTokens: 900, generatedTokens: 5, ttftMs: 500 } as UsageRecord;
    const summary = summarize([estimated, counted], "all", Date.now());
    assert.equal(summary.kv.promptTokens, 1000);
    assert.equal(summary.kv.reuseRate, 0.9);
  });
});
