import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ensureSyntheticModel } from "../fixtures/models.ts";
import { EngineCancelledError } from "../../src/inference/errors.ts";
import { codePrefix, createClient, type TestClient } from "./helpers.ts";

describe("engine: FIM completion", () => {
  let t: TestClient;
  before(async () => {
    t = await createClient();
  });
  after(async () => {
    await t.client.dispose();
  });

  it("returns text and metrics through infill tokens", async () => {
    const tiny = await ensureSyntheticModel("tiny");
    const loaded = await t.client.loadModel({ path: tiny, role: "completion" });
    assert.equal(loaded.model.fimSupported, true);
    const result = await t.client.complete({ prefix: "function add(a, b) {\n", currentLinePrefix: "  return ", suffix: "\n}\n", maxTokens: 12 });
    assert.equal(result.mode, "fim");
    assert.equal(typeof result.text, "string");
    assert.ok(result.text.length > 0, "generated some text");
    const m = result.metrics;
    assert.ok(m.promptTokens > 5, `prompt tokens ${m.promptTokens}`);
    assert.equal(m.evaluatedTokens + m.reusedTokens, m.promptTokens);
    assert.ok(m.generatedTokens >= 1 && m.generatedTokens <= 12, `generated ${m.generatedTokens}`);
    assert.ok(["maxTokens", "eogToken", "stopString"].includes(m.stopReason));
    assert.ok(m.timeToFirstTokenMs != null && m.timeToFirstTokenMs >= 0 && m.timeToFirstTokenMs <= m.totalMs);
    assert.ok(m.threads >= 1);
  });

  it("a second request after typing reuses the KV cache (current line after the middle marker)", async () => {
    const prefix = codePrefix();
    const suffix = "\n  return result;\n}\n".repeat(4);
    // A different first request, so the cache holds something unrelated.
    await t.client.complete({ prefix: "unrelated\n", suffix: "", maxTokens: 2 });
    const first = await t.client.complete({ prefix, currentLinePrefix: "  const result = ", suffix, maxTokens: 8 });
    const second = await t.client.complete({ prefix, currentLinePrefix: "  const result = hel", suffix, maxTokens: 8 });
    assert.ok(first.metrics.promptTokens > 400, `first prompt ${first.metrics.promptTokens} tokens`);
    assert.ok(first.metrics.evaluatedTokens > 400, `first evaluated ${first.metrics.evaluatedTokens}`);
    assert.ok(second.metrics.reusedTokens > 400, `second reused ${second.metrics.reusedTokens}`);
    assert.ok(
      second.metrics.evaluatedTokens < first.metrics.evaluatedTokens / 20,
      `second evaluated ${second.metrics.evaluatedTokens} vs first ${first.metrics.evaluatedTokens}`,
    );
  });

  it("streams completion text when asked and stops at the line end", async () => {
    const chunks: string[] = [];
    const result = await t.client.complete(
      { prefix: codePrefix(), currentLinePrefix: "  ", suffix: "", maxTokens: 200, stopAtLineEnd: true },
      { onChunk: (c) => chunks.push(c) },
    );
    assert.equal(chunks.join(""), result.text);
    assert.ok(!result.text.includes("\n"), "no newline in a stopAtLineEnd completion");
  });

  it("finishWhen ends the generation early: the text so far comes back with its metrics", async () => {
    const params = { prefix: codePrefix(), currentLinePrefix: "  ", suffix: "", maxTokens: 60 };
    const chunks: string[] = [];
    let asked = 0;
    const result = await t.client.complete(params, {
      onChunk: (c) => chunks.push(c),
      // The host has what it needs after the first piece.
      finishWhen: (text) => (asked++, text.length > 0),
    });
    assert.ok(asked >= 1);
    // "stopString" when the host ended it; random weights could in principle end on their own first (an end token).
    assert.ok(result.metrics.stopReason === "stopString" || result.metrics.stopReason === "eogToken", result.metrics.stopReason);
    assert.ok(result.metrics.generatedTokens < 10, `generated ${result.metrics.generatedTokens} of up to 60`);
    assert.ok(result.text.startsWith(chunks[0] ?? ""), "the text is what streamed");
    // The engine is free for the next request.
    const next = await t.client.complete({ ...params, maxTokens: 2 });
    assert.ok(next.metrics.generatedTokens >= 1);
  });

  it("a newer completion supersedes an older one still running", async () => {
    const older = assert.rejects(
      t.client.complete({ prefix: codePrefix(), suffix: "", maxTokens: 3000 }),
      (e: unknown) => e instanceof EngineCancelledError && e.code === "superseded",
    );
    await new Promise((r) => setTimeout(r, 30));
    const newer = await t.client.complete({ prefix: "let x = ", suffix: "", maxTokens: 4 });
    await older;
    assert.ok(newer.metrics.generatedTokens >= 1);
  });

  it("aborting the signal rejects with EngineCancelledError at once and the engine stays usable", async () => {
    const controller = new AbortController();
    const pending = t.client.complete({ prefix: codePrefix(), suffix: "", maxTokens: 100_000 }, { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    const started = performance.now();
    await assert.rejects(pending, (e: unknown) => e instanceof EngineCancelledError && e.code === "cancelled");
    assert.ok(performance.now() - started < 1000);
    const next = await t.client.complete({ prefix: "let y = ", suffix: "", maxTokens: 2 });
    assert.ok(next.metrics.generatedTokens >= 1);
  });

  it("the time budget returns partial text with stopReason timeBudget", async () => {
    const result = await t.client.complete({ prefix: "let x = ", suffix: "", maxTokens: 100000, timeBudgetMs: 150, stopAtLineEnd: false });
    assert.equal(result.metrics.stopReason, "timeBudget");
    assert.ok(result.metrics.totalMs < 2000, `took ${result.metrics.totalMs} ms`);
  });

  it("a model without FIM tokens reports it and falls back to a prefix-only prompt", async () => {
    const nofim = await ensureSyntheticModel("tiny-nofim");
    const loaded = await t.client.loadModel({ path: nofim, role: "completion" });
    assert.equal(loaded.model.fimSupported, false);
    const status = await t.client.status();
    assert.equal(status.models.find((m) => m.path === nofim)?.fimSupported, false);
    // It replaced the FIM model for the completion role, which served no other role and was freed.
    assert.deepEqual(status.models.map((m) => m.path), [nofim]);
    const result = await t.client.complete({ prefix: "function add(a, b) {\n", currentLinePrefix: "  return ", suffix: "\n}\n", maxTokens: 8 });
    assert.equal(result.mode, "prefixOnly");
    assert.ok(result.metrics.generatedTokens >= 1);
    // The prompt is the prefix and the current line only: fewer tokens than prefix + suffix + markers.
    const prefixOnlyTokens = await t.client.countTokens("function add(a, b) {\n  return ");
    assert.ok(result.metrics.promptTokens <= prefixOnlyTokens + 2, `${result.metrics.promptTokens} vs ${prefixOnlyTokens}`);
  });
});
