import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ensureSyntheticModel } from "../fixtures/models.ts";
import { codePrefix, createClient, type TestClient } from "./helpers.ts";

describe("engine: chat", () => {
  let t: TestClient;
  before(async () => {
    t = await createClient();
    const tiny = await ensureSyntheticModel("tiny");
    await t.client.loadModel({ path: tiny, role: "chat" });
    await t.client.loadModel({ path: tiny, role: "completion" });
  });
  after(async () => {
    await t.client.dispose();
  });

  const greedy = { temperature: 0, seed: 1, repeatPenalty: 1 };
  const question = [{ role: "user" as const, text: "Explain this function." }];

  it("streams chunks tagged to the request and honours stop strings", async () => {
    const chunks: string[] = [];
    const full = await t.client.chat({ messages: question, sampling: greedy, maxTokens: 48 }, { onChunk: (c) => chunks.push(c) });
    assert.ok(chunks.length > 1, `${chunks.length} chunks`);
    assert.equal(chunks.join(""), full.text);
    assert.equal(full.metrics.stopReason, "maxTokens");
    assert.ok(full.metrics.generatedTokens >= 40);
    assert.equal(full.contextShifted, false);

    // Stop on a piece of what the model says (greedy, same history: same tokens), away from the start.
    const cut = Math.floor(full.text.length / 2);
    const stop = full.text.slice(cut, cut + 3);
    assert.ok(stop.length === 3);
    const stopped = await t.client.chat({ messages: question, sampling: greedy, maxTokens: 48, stop: [stop] });
    assert.equal(stopped.metrics.stopReason, "stopString");
    assert.equal(stopped.text, full.text.slice(0, full.text.indexOf(stop)));
  });

  it("cancelling mid-stream returns the partial answer within 200 ms", async () => {
    const controller = new AbortController();
    let streamed = "";
    let abortedAt = 0;
    const pending = t.client.chat(
      { messages: question, sampling: { temperature: 0.8, seed: 3 }, maxTokens: 100_000 },
      {
        signal: controller.signal,
        onChunk: (c) => {
          streamed += c;
          if (streamed.length > 20 && abortedAt === 0) {
            abortedAt = performance.now();
            controller.abort();
          }
        },
      },
    );
    const result = await pending;
    const elapsed = performance.now() - abortedAt;
    assert.ok(abortedAt > 0, "the stream started");
    assert.ok(elapsed < 200, `settled ${elapsed.toFixed(0)} ms after abort`);
    assert.equal(result.metrics.stopReason, "abort");
    assert.ok(result.text.length >= 20 && streamed.startsWith(result.text.slice(0, 20)));
    assert.ok(result.metrics.generatedTokens < 4000, "generation stopped early");
  });

  it("a completion and a chat at the same time both finish (separate sequences)", async () => {
    const status: { completion: boolean; chat: boolean }[] = [];
    const chat = t.client.chat({ messages: question, sampling: greedy, maxTokens: 400 });
    const completion = t.client.complete({ prefix: codePrefix(), currentLinePrefix: "  ", suffix: "}\n", maxTokens: 64 });
    status.push((await t.client.status()).busy);
    const [c, f] = await Promise.all([chat, completion]);
    assert.ok(c.metrics.generatedTokens > 0 && c.text.length > 0);
    assert.ok(f.metrics.generatedTokens > 0);
    assert.deepEqual(status[0], { completion: true, chat: true }, "both sequences were busy at once");
  });

  it("history is handed in per request and the previous turn's cache is reused", async () => {
    const first = await t.client.chat({ messages: question, sampling: greedy, maxTokens: 16 });
    const second = await t.client.chat({
      messages: [...question, { role: "assistant", text: first.text }, { role: "user", text: "Shorter, please." }],
      sampling: greedy,
      maxTokens: 16,
    });
    assert.ok(second.metrics.promptTokens > first.metrics.promptTokens);
    assert.ok(second.metrics.reusedTokens > 0, `reused ${second.metrics.reusedTokens}`);
  });

  it("reports a context shift when the history does not fit", async () => {
    const long = "word ".repeat(1500);
    const messages = [
      { role: "user" as const, text: long },
      { role: "assistant" as const, text: long },
      { role: "user" as const, text: long },
      { role: "assistant" as const, text: long },
      { role: "user" as const, text: "and now?" },
    ];
    const result = await t.client.chat({ messages, sampling: greedy, maxTokens: 8 });
    assert.equal(result.contextShifted, true);
    assert.ok(result.metrics.generatedTokens > 0);
  });

  it("two chats sent at once are served one after the other, both complete", async () => {
    const a = t.client.chat({ messages: question, sampling: greedy, maxTokens: 12 });
    const b = t.client.chat({ messages: [{ role: "user", text: "Another question." }], sampling: greedy, maxTokens: 12 });
    const [ra, rb] = await Promise.all([a, b]);
    assert.ok(ra.metrics.generatedTokens > 0 && rb.metrics.generatedTokens > 0);
    // Same greedy question as the first test: the answer starts the same way, so the histories did not mix.
    const alone = await t.client.chat({ messages: question, sampling: greedy, maxTokens: 12 });
    assert.equal(ra.text, alone.text);
  });

  it("rejects a history that does not end with a user message", async () => {
    await assert.rejects(
      t.client.chat({ messages: [{ role: "assistant", text: "hi" }] }),
      (e: unknown) => (e as { code?: string }).code === "invalidParams",
    );
  });
});
