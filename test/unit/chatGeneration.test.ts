import { test } from "node:test";
import assert from "node:assert/strict";
import type { ChatFeature, StoredTurn } from "../../src/core/chat/conversation.ts";
import { CHAT_SYSTEM_PROMPT } from "../../src/core/chat/prompt.ts";
import { OutputSanitizer, type FilteredContext } from "../../src/core/safety/index.ts";
import { ChatGeneration, MessageTooLongError, type AnswerSafety, type ChatBackend, type AnswerListener } from "../../src/extension/chat/chatGeneration.ts";
import type { ChatRequest as ChatRequestParams, StopReason } from "../../src/core/backend/index.ts";

const question: StoredTurn = { id: "t1", role: "user", text: "What is 1 + 1?", attachments: [], createdAt: 1 };

/** A backend that streams `chunks` (or throws `failure`), counting a token per 4 characters. */
function fakeBackend(chunks: readonly string[], options: { stopReason?: StopReason; failure?: Error } = {}): ChatBackend & { requests: ChatRequestParams[] } {
  const requests: ChatRequestParams[] = [];
  return {
    requests,
    countTokens: (text) => Promise.resolve(Math.ceil(text.length / 4)),
    chat: (request, streamOptions) => {
      requests.push(request);
      if (options.failure) return Promise.reject(options.failure);
      for (const chunk of chunks) streamOptions?.onChunk?.(chunk);
      const metrics = { promptTokens: 20, reusedTokens: 0, evaluatedTokens: 20, generatedTokens: chunks.length, timeToFirstTokenMs: 1, totalMs: 2, tokensPerSecond: null, stopReason: options.stopReason ?? "eogToken", threads: 1 };
      return Promise.resolve({ text: chunks.join(""), contextShifted: false, metrics });
    },
  };
}

function recordingSafety(): AnswerSafety & { sent: { feature: ChatFeature; title: string; text: string }[] } {
  const sent: { feature: ChatFeature; title: string; text: string }[] = [];
  return {
    sent,
    recordSent: (feature: ChatFeature, title: string, text: string, _pieces: readonly FilteredContext[]) => sent.push({ feature, title, text }),
    outputSanitizer: () => new OutputSanitizer(),
  };
}

const silentLog = { info: () => undefined, warn: () => undefined };

function listener(): AnswerListener & { chunks: string[] } {
  const chunks: string[] = [];
  return { chunks, planned: () => undefined, chunk: (text) => chunks.push(text) };
}

test("an answer streams sanitized and is recorded under the feature it was asked for", async () => {
  const backend = fakeBackend(["It is ", "\x1b[31m2", "\x1b[0m."]);
  const safety = recordingSafety();
  const events = listener();
  const generation = new ChatGeneration(() => Promise.resolve({ backend, contextTokens: 2048 }), safety, silentLog);
  const result = await generation.answer({ feature: "explain", title: "Sums", history: [question], answerTurnId: "t2", signal: new AbortController().signal }, events);
  assert.equal(result.outcome, "answered");
  assert.equal(result.text, "It is 2.");
  assert.equal(events.chunks.join(""), "It is 2.");
  assert.equal(safety.sent.length, 1);
  assert.equal(safety.sent[0].feature, "explain");
  assert.equal(safety.sent[0].title, "explain: Sums");
  assert.match(safety.sent[0].text, /\[user\]\nWhat is 1 \+ 1\?$/);
  assert.equal(backend.requests[0].maxTokens, 512);
});

test("a Stop during the model load ends the answer at once", async () => {
  const abort = new AbortController();
  const generation = new ChatGeneration(() => new Promise(() => undefined), recordingSafety(), silentLog);
  const answering = generation.answer({ feature: "chat", title: "t", history: [question], answerTurnId: "t2", signal: abort.signal }, listener());
  abort.abort();
  assert.deepEqual(await answering, { outcome: "stopped", text: "" });
});

test("a failure is a result, not a rejection; a question too long for the window is not sent", async () => {
  const failing = new ChatGeneration(() => Promise.resolve({ backend: fakeBackend([], { failure: new Error("engine gone") }), contextTokens: 2048 }), recordingSafety(), silentLog);
  const failed = await failing.answer({ feature: "chat", title: "t", history: [question], answerTurnId: "t2", signal: new AbortController().signal }, listener());
  assert.equal(failed.outcome, "failed");
  assert.equal(failed.text, "");
  assert.equal(failed.outcome === "failed" && (failed.error as Error).message, "engine gone");
  const backend = fakeBackend(["never"]);
  const long: StoredTurn = { ...question, text: "x".repeat(20_000) };
  const tooLong = await new ChatGeneration(() => Promise.resolve({ backend, contextTokens: 1024 }), recordingSafety(), silentLog).answer(
    { feature: "chat", title: "t", history: [long], answerTurnId: "t2", signal: new AbortController().signal },
    listener(),
  );
  assert.equal(tooLong.outcome, "failed");
  assert.ok(tooLong.outcome === "failed" && tooLong.error instanceof MessageTooLongError);
  assert.deepEqual(tooLong.error.details, { contextTokens: 1024 });
  assert.equal(backend.requests.length, 0);
});

test("an answer cut by the token limit keeps its stop reason and counts its tokens", async () => {
  const generation = new ChatGeneration(() => Promise.resolve({ backend: fakeBackend(["abcd", "efgh"], { stopReason: "maxTokens" }), contextTokens: 0 }), recordingSafety(), silentLog);
  let usage: unknown;
  const result = await generation.answer(
    { feature: "chat", title: "t", history: [question], answerTurnId: "t2", signal: new AbortController().signal },
    { planned: (u) => (usage = u), chunk: () => undefined },
  );
  assert.deepEqual(result, { outcome: "answered", text: "abcdefgh", stopReason: "maxTokens", contextShifted: false, answerTokens: 2 });
  assert.deepEqual(usage, { usedTokens: 4 + 8 + Math.ceil(CHAT_SYSTEM_PROMPT.length / 4) + 8, contextTokens: 4096, dropped: [], unsummarised: [] });
});
