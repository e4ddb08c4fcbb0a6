// Budgets from measured speeds: a 2-core CPU (measured here: ~170 prompt tok/s, ~28-32 generated tok/s, 0.5B Q8_0)
// gets a finished line within ~1.5 s of a pause and a small cold prompt; a GPU gets long multi-line suggestions.
import { test } from "node:test";
import assert from "node:assert/strict";
import { deriveBudget, requestTimeBudgetMs, speedFromBenchmark, type SpeedSample } from "../../src/core/completion/budget.ts";
import { medianSpeed, SpeedTracker } from "../../src/core/completion/liveSpeed.ts";

const CPU_2_CORES: SpeedSample = { prefillTokensPerSecond: 170, decodeTokensPerSecond: 30 };
const GPU: SpeedSample = { prefillTokensPerSecond: 6000, decodeTokensPerSecond: 180 };

test("2-core CPU: a useful single line within ~1.5 s warm, a cold prompt that prefills in ~2 s", () => {
  const b = deriveBudget(CPU_2_CORES);
  assert.ok(b.expectedWarmMs <= 1500, `warm ${b.expectedWarmMs} ms`);
  // A line of code needs ~12+ tokens: not a cut-off fragment.
  assert.ok(b.singleLine.maxTokens >= 16 && b.singleLine.maxTokens <= 32, `single ${b.singleLine.maxTokens}`);
  assert.ok(b.debounceMs >= 150 && b.debounceMs <= 300, `debounce ${b.debounceMs}`);
  // Multi-line: a few lines, not a page at 33 ms a token.
  assert.ok(b.multiLine.maxTokens >= 24 && b.multiLine.maxTokens <= 80, `multi ${b.multiLine.maxTokens}`);
  assert.ok(b.multiLine.maxLines >= 2 && b.multiLine.maxLines <= 8);
  // Cold: prefill of the whole prompt must fit the 3 s cold target with the generation.
  const coldMs = b.debounceMs + (b.coldPromptTokens * 1000) / 170 + (b.singleLine.maxTokens * 1000) / 30;
  assert.ok(coldMs <= 3200, `cold ${coldMs} ms for ${b.coldPromptTokens} tokens`);
  assert.ok(b.coldPromptTokens >= 128 && b.coldPromptTokens < b.maxPromptTokens);
  // The full prompt (for prefetch and once warm): ~6 s of background prefill, a multiple of 128.
  assert.ok(b.maxPromptTokens >= 768 && b.maxPromptTokens <= 1024, `prompt ${b.maxPromptTokens}`);
  assert.equal(b.maxPromptTokens % 128, 0);
  // The naive llama-server client (1,200 + 440 prompt tokens cold, 32 generated) takes ~3.3-3.6 s per keystroke
  // here; the warm path must be well under 0.35× of that plus the debounce.
  assert.ok(b.expectedWarmMs - b.debounceMs < 0.35 * 3400 + 100);
});

test("CPU at the slow end of the measurements (28 tok/s) still gets a ≥12-token line", () => {
  const b = deriveBudget({ prefillTokensPerSecond: 170, decodeTokensPerSecond: 28 });
  assert.ok(b.singleLine.maxTokens >= 12);
  assert.ok(b.expectedWarmMs <= 1600);
});

test("fast GPU: short debounce, long multi-line, full prompt", () => {
  const b = deriveBudget(GPU);
  assert.ok(b.debounceMs <= 60, `debounce ${b.debounceMs}`);
  assert.equal(b.singleLine.maxTokens, 48);
  assert.ok(b.multiLine.maxTokens >= 200);
  assert.equal(b.multiLine.maxLines, 16);
  assert.equal(b.maxPromptTokens, 2048);
  assert.equal(b.coldPromptTokens, 2048);
  assert.ok(b.expectedWarmMs < 500);
});

test("the prompt fits the context with the generation", () => {
  const b = deriveBudget(GPU, { contextSize: 1024 });
  assert.ok(b.maxPromptTokens + b.multiLine.maxTokens <= 1024, `${b.maxPromptTokens} + ${b.multiLine.maxTokens}`);
});

test("user overrides win", () => {
  const b = deriveBudget(CPU_2_CORES, { overrides: { debounceMs: 500, maxPromptTokens: 3000, maxTokens: 100, maxLines: 3 } });
  assert.equal(b.debounceMs, 500);
  assert.equal(b.maxPromptTokens, 3000);
  assert.equal(b.multiLine.maxTokens, 100);
  assert.equal(b.multiLine.maxLines, 3);
  // The chosen prompt size holds for cold requests too (otherwise a slow CPU never sends it).
  assert.equal(b.coldPromptTokens, 3000);
  // maxTokens also caps single-line when lower.
  assert.equal(deriveBudget(GPU, { overrides: { maxTokens: 20 } }).singleLine.maxTokens, 20);
  // 0 means "derive".
  assert.equal(deriveBudget(CPU_2_CORES, { overrides: { debounceMs: 0 } }).debounceMs, deriveBudget(CPU_2_CORES).debounceMs);
});

test("prompt sizes keep their previous value unless the speed moves > 25% (a new size is a cold prompt)", () => {
  const first = deriveBudget(CPU_2_CORES);
  const slightly = deriveBudget({ prefillTokensPerSecond: 190, decodeTokensPerSecond: 31 }, { previous: first });
  assert.equal(slightly.maxPromptTokens, first.maxPromptTokens);
  assert.equal(slightly.coldPromptTokens, first.coldPromptTokens);
  const muchFaster = deriveBudget({ prefillTokensPerSecond: 400, decodeTokensPerSecond: 60 }, { previous: first });
  assert.ok(muchFaster.maxPromptTokens > first.maxPromptTokens);
});

test("speeds: from the benchmark, then a median of live metrics that ignores tiny samples and outliers", () => {
  const s = speedFromBenchmark(512, 3000, 32, 1066);
  assert.ok(Math.abs(s.prefillTokensPerSecond - 170.7) < 0.1);
  assert.ok(Math.abs(s.decodeTokensPerSecond - 30.0) < 0.1);
  const tracker = new SpeedTracker(s);
  // A warm keystroke: 2 evaluated tokens (overhead-dominated: prefill untouched); one slow decode moves nothing.
  tracker.observe({ evaluatedTokens: 2, generatedTokens: 20, timeToFirstTokenMs: 60, tokensPerSecond: 5 });
  assert.ok(Math.abs(tracker.current.decodeTokensPerSecond - 30) < 0.1);
  assert.ok(Math.abs(tracker.current.prefillTokensPerSecond - 170.7) < 0.1);
  // The suffix after Enter, deep in the context: small batches are slow per token there; they size no prompt.
  for (let i = 0; i < 5; i++) tracker.observe({ evaluatedTokens: 52, generatedTokens: 20, timeToFirstTokenMs: 290, tokensPerSecond: 30 });
  assert.ok(Math.abs(tracker.current.prefillTokensPerSecond - 170.7) < 0.1, `Enter's suffix moved the prefill estimate: ${tracker.current.prefillTokensPerSecond}`);
  // A cold request: 400 tokens in 2 s + one decode step.
  tracker.observe({ evaluatedTokens: 400, generatedTokens: 1, timeToFirstTokenMs: 2040, tokensPerSecond: null });
  assert.ok(Math.abs(tracker.current.prefillTokensPerSecond - 170.7) < 0.1, "one sample against the seed's two");
  tracker.observe({ evaluatedTokens: 400, generatedTokens: 1, timeToFirstTokenMs: 2040, tokensPerSecond: null });
  assert.ok(tracker.current.prefillTokensPerSecond > 180, `${tracker.current.prefillTokensPerSecond}`);
  // Garbage never poisons it; decodes of under 4 tokens are skipped.
  tracker.observe({ evaluatedTokens: 400, generatedTokens: 10, timeToFirstTokenMs: 0, tokensPerSecond: -1 });
  tracker.observe({ evaluatedTokens: 0, generatedTokens: 3, timeToFirstTokenMs: 10, tokensPerSecond: 1 });
  assert.ok(tracker.current.decodeTokensPerSecond > 0 && tracker.current.prefillTokensPerSecond > 0);
  assert.deepEqual(deriveBudget({ prefillTokensPerSecond: NaN, decodeTokensPerSecond: 0 }).speed, { prefillTokensPerSecond: 100, decodeTokensPerSecond: 20 });
});

test("live budgets: a busy moment at load is forgotten after a few quiet requests, and the budgets grow", () => {
  const busyAtLoad = medianSpeed([
    { prefillTokensPerSecond: 40, decodeTokensPerSecond: 5.5 },
    { prefillTokensPerSecond: 170, decodeTokensPerSecond: 30 },
    { prefillTokensPerSecond: 160, decodeTokensPerSecond: 28 },
  ]);
  assert.deepEqual(busyAtLoad, { prefillTokensPerSecond: 160, decodeTokensPerSecond: 28 }, "the median of the probes");
  const tracker = new SpeedTracker({ prefillTokensPerSecond: 40, decodeTokensPerSecond: 5.5 });
  const before = deriveBudget(tracker.current);
  for (let i = 0; i < 4; i++) tracker.observe({ evaluatedTokens: 600, generatedTokens: 16, timeToFirstTokenMs: 3_030, tokensPerSecond: 33 });
  assert.ok(Math.abs(tracker.current.decodeTokensPerSecond - 33) < 0.1, `${tracker.current.decodeTokensPerSecond}`);
  assert.ok(tracker.current.prefillTokensPerSecond > 190, `${tracker.current.prefillTokensPerSecond}`);
  const after = deriveBudget(tracker.current, { previous: before });
  assert.ok(after.singleLine.maxTokens > before.singleLine.maxTokens, `${before.singleLine.maxTokens} -> ${after.singleLine.maxTokens}`);
  assert.ok(after.maxPromptTokens > before.maxPromptTokens && after.coldPromptTokens > before.coldPromptTokens);
  // The window forgets: a machine that became slow is followed too.
  for (let i = 0; i < 7; i++) tracker.observe({ evaluatedTokens: 0, generatedTokens: 16, timeToFirstTokenMs: 100, tokensPerSecond: 8 });
  assert.equal(tracker.current.decodeTokensPerSecond, 8);
});

test("the engine time budget covers prefill of what must be evaluated plus the generation", () => {
  const b = deriveBudget(CPU_2_CORES);
  const warm = requestTimeBudgetMs(b, "singleLine", 2);
  const cold = requestTimeBudgetMs(b, "singleLine", b.coldPromptTokens);
  assert.ok(warm >= b.singleLine.generateMs && warm < 1500, `warm ${warm}`);
  assert.ok(cold >= warm + ((b.coldPromptTokens - 2) * 1000) / 170 - 2, `cold ${cold}`);
  assert.ok(requestTimeBudgetMs(b, "multiLine", 2) > warm);
});
