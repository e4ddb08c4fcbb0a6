// Long conversations: the planner sends a summary in place of the turns it stands for, and the summariser writes
// one in the background from the left-out turns (a fake backend here; the real model in integration 03).
import { test } from "node:test";
import assert from "node:assert/strict";
import { newConversation, type StoredTurn } from "../../src/core/chat/conversation.ts";
import { CHAT_SYSTEM_PROMPT } from "../../src/core/chat/prompt.ts";
import { estimateConversationTokens, planChatRequest } from "../../src/core/chat/request.ts";
import { cleanSummary, planSummaryRequest, SUMMARY_SYSTEM_PROMPT, summaryMaxTokens, systemPromptWithSummary } from "../../src/core/chat/summary.ts";
import { OutputSanitizer } from "../../src/core/safety/index.ts";
import type { ChatRequest } from "../../src/core/backend/index.ts";
import type { ChatBackend } from "../../src/extension/chat/chatGeneration.ts";
import { HistorySummarizer } from "../../src/extension/chat/historySummarizer.ts";
import { withScriptedAnswer } from "../../src/extension/chat/scriptedAnswer.ts";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const user = (id: string, text: string, extra: Partial<StoredTurn> = {}): StoredTurn => ({ id, role: "user", text, attachments: [], createdAt: 1, ...extra });
const assistant = (id: string, text: string, extra: Partial<StoredTurn> = {}): StoredTurn => ({ id, role: "assistant", text, attachments: [], createdAt: 1, ...extra });
const summaryTurn = (id: string, text: string, summaryOf: number) => assistant(id, text, { summaryOf });

/** Six turns of 300 tokens and a question: with a 1,000-token window only the question fits. */
const long = [user("u1", "q1"), assistant("a1", "r1"), user("u2", "q2"), assistant("a2", "r2"), user("u3", "q3"), assistant("a3", "r3"), user("u4", "q4")];

test("no summary: left-out turns are all unsummarised; the system prompt is the chat's own", () => {
  const plan = planChatRequest(long, long.map(() => 300), { contextTokens: 1000, systemTokens: 50 });
  assert.deepEqual(plan.history.dropped, ["u1", "a1", "u2", "a2", "u3", "a3"]);
  assert.deepEqual(plan.unsummarised, plan.history.dropped);
  assert.equal(plan.systemPrompt, CHAT_SYSTEM_PROMPT);
  assert.equal(plan.summaryTurnId, undefined);
});

test("a summary of left-out turns goes into the system prompt; the turns after it that do not fit stay unsummarised", () => {
  const turns = [...long.slice(0, 4), summaryTurn("s1", "They discussed q1 and q2.", 4), ...long.slice(4)];
  const plan = planChatRequest(turns, turns.map((t) => (t.summaryOf ? 20 : 300)), { contextTokens: 1000, systemTokens: 50 });
  assert.equal(plan.summaryTurnId, "s1");
  assert.equal(plan.systemPrompt, systemPromptWithSummary(CHAT_SYSTEM_PROMPT, "They discussed q1 and q2."));
  assert.deepEqual(plan.history.dropped, ["u1", "a1", "u2", "a2", "u3", "a3"], "the summary is never counted as a turn");
  assert.deepEqual(plan.unsummarised, ["u3", "a3"]);
  assert.deepEqual(plan.messages, [{ role: "user", text: "q4" }], "summary turns are never sent as messages");
  assert.ok(plan.history.usedTokens >= 50 + 20 + 300, "the summary's tokens count against the window");
});

test("a summary is not used while its turns still fit, nor when it would push the question out", () => {
  const turns = [user("u1", "q1"), assistant("a1", "r1"), summaryTurn("s1", "short", 2), user("u2", "q2")];
  const roomy = planChatRequest(turns, [10, 10, 5, 10], { contextTokens: 4096, systemTokens: 50 });
  assert.equal(roomy.summaryTurnId, undefined);
  assert.deepEqual(roomy.messages.map((m) => m.text), ["q1", "r1", "q2"]);
  // 1000 - 256 - 50 - 8 = 686 of room: the question (600) fits alone, but not with a 200-token summary.
  const crowded = planChatRequest(turns, [600, 600, 200, 600], { contextTokens: 1000, systemTokens: 50 });
  assert.equal(crowded.summaryTurnId, undefined);
  assert.equal(crowded.history.fits, true);
  assert.deepEqual(crowded.unsummarised, ["u1", "a1"]);
});

test("the newest usable summary wins; one that stands for a turn still sent is skipped", () => {
  const turns = [user("u1", "q1"), assistant("a1", "r1"), summaryTurn("s1", "first", 2), user("u2", "q2"), assistant("a2", "r2"), summaryTurn("s2", "second", 4), user("u3", "q3"), assistant("a3", "r3"), user("u4", "q4")];
  const tokens = turns.map((t) => (t.summaryOf ? 10 : 300));
  // Room 686: without summaries u4 + a3 do not both fit (608 + 8 overhead each) → 6 turns dropped, s2 usable.
  const plan = planChatRequest(turns, tokens, { contextTokens: 1000, systemTokens: 50 });
  assert.equal(plan.summaryTurnId, "s2");
  assert.deepEqual(plan.unsummarised, ["u3", "a3"]);
  // A bigger window (room 1,592: five turns) sends u2..u4: s2 stands for u2 and a2, which are sent, so only s1 is usable.
  const wider = planChatRequest(turns, tokens, { contextTokens: 2200, systemTokens: 50 });
  assert.equal(wider.history.included[0], "u2");
  assert.equal(wider.summaryTurnId, "s1");
  assert.deepEqual(wider.unsummarised, []);
});

test("the budget meter's estimate counts no summary turn", () => {
  const turns = [user("u1", "abcd"), summaryTurn("s1", "x".repeat(3500), 1)];
  assert.equal(estimateConversationTokens(turns, ""), estimateConversationTokens([turns[0]], ""));
});

test("planSummaryRequest: previous summary first, turns oldest first, as many as fit; a long turn is cut in the middle", () => {
  const plan = planSummaryRequest(
    [
      { role: "assistant", text: "Earlier: set up the parser.", isSummary: true },
      { role: "user", text: "Why does parse() fail on tabs?" },
      { role: "assistant", text: "Because the lexer treats \\t as a letter." },
    ],
    2048,
  );
  assert.ok(plan);
  assert.equal(plan.taken, 3);
  assert.equal(plan.maxTokens, summaryMaxTokens(2048));
  assert.match(plan.message, /Summary of what came before:\nEarlier: set up the parser\.[\s\S]*Developer:\nWhy does parse\(\) fail on tabs\?[\s\S]*Assistant:\nBecause/);
  const big = planSummaryRequest([{ role: "user", text: `HEAD${"x".repeat(50_000)}TAIL` }, { role: "assistant", text: "y".repeat(50_000) }], 2048);
  assert.ok(big && big.taken >= 1);
  assert.match(big.message, /HEAD[\s\S]*\[… cut …\][\s\S]*TAIL/);
  assert.ok(big.message.length < 2048 * 3.5, "the request fits the window");
  assert.equal(planSummaryRequest([{ role: "assistant", text: "old", isSummary: true }], 2048), undefined, "a summary alone is nothing new");
  assert.equal(planSummaryRequest([{ role: "user", text: "q" }], 300), undefined, "a window too small to summarise in");
});

test("cleanSummary drops a 'Here is a summary:' lead-in and blank answers", () => {
  assert.equal(cleanSummary("Here is a summary of the conversation:\n- parser fixed"), "- parser fixed");
  assert.equal(cleanSummary("Summary: done"), "done");
  assert.equal(cleanSummary("  \n "), "");
});

function backendAnswering(text: string, options: { hold?: Promise<void> } = {}): ChatBackend & { requests: ChatRequest[] } {
  const requests: ChatRequest[] = [];
  return {
    requests,
    countTokens: (t) => Promise.resolve(Math.ceil(t.length / 4)),
    chat: async (request, stream) => {
      requests.push(request);
      await options.hold;
      const aborted = stream?.signal?.aborted ?? false;
      if (!aborted) stream?.onChunk?.(text);
      const metrics = { promptTokens: 100, reusedTokens: 0, evaluatedTokens: 100, generatedTokens: 5, timeToFirstTokenMs: 1, totalMs: 2, tokensPerSecond: null, stopReason: aborted ? ("abort" as const) : ("eogToken" as const) };
      return { text: aborted ? "" : text, contextShifted: false, metrics };
    },
  };
}

function summarizerWith(backend: ChatBackend, enabled = true) {
  const sent: string[] = [];
  const summarizer = new HistorySummarizer(
    () => Promise.resolve({ backend, contextTokens: 2048 }),
    { recordSent: (_f, _t, text) => void sent.push(text), outputSanitizer: () => new OutputSanitizer() },
    { info: () => undefined, warn: () => undefined },
    () => enabled,
  );
  return { summarizer, sent };
}

test("the summariser writes a summary turn after the last turn it took in, standing for every turn before it", async () => {
  const backend = backendAnswering("Summary: the parser was fixed; \x1b[31mtabs are whitespace now.");
  const { summarizer, sent } = summarizerWith(backend);
  const conversation = { ...newConversation(1, "ab"), turns: long.map((t) => ({ ...t })) };
  const summary = await summarizer.summarise(conversation, ["u1", "a1", "u2", "a2"]);
  assert.ok(summary);
  assert.equal(summary.text, "the parser was fixed; tabs are whitespace now.", "sanitized, lead-in dropped");
  assert.equal(summary.summaryOf, 4);
  assert.deepEqual(conversation.turns.map((t) => t.id).slice(0, 5), ["u1", "a1", "u2", "a2", summary.id]);
  assert.equal(backend.requests[0]?.systemPrompt, SUMMARY_SYSTEM_PROMPT);
  assert.equal(sent.length, 1, "Show What the Model Sees records the summary request");
  // The next summary takes the previous one in, and stands for everything before it.
  const next = await summarizer.summarise(conversation, ["u3", "a3"]);
  assert.ok(next);
  assert.equal(next.summaryOf, 6);
  assert.match(backend.requests[1]?.messages[0]?.text ?? "", /Summary of what came before:\nthe parser was fixed/);
});

test("the summariser gives way: cancelled, off, nothing usable or a vanished turn → no summary turn", async () => {
  let release!: () => void;
  const held = backendAnswering("text", { hold: new Promise<void>((r) => (release = r)) });
  const { summarizer } = summarizerWith(held);
  const conversation = { ...newConversation(1, "cd"), turns: long.map((t) => ({ ...t })) };
  const pending = summarizer.summarise(conversation, ["u1", "a1"]);
  await new Promise((r) => setTimeout(r, 10));
  assert.equal(summarizer.active, true);
  summarizer.cancel();
  release();
  assert.equal(await pending, undefined);
  assert.equal(conversation.turns.length, long.length, "nothing half-written is kept");
  assert.equal(summarizer.active, false);

  const off = summarizerWith(backendAnswering("text"), false);
  assert.equal(await off.summarizer.summarise(conversation, ["u1"]), undefined);
  const blank = summarizerWith(backendAnswering("   "));
  assert.equal(await blank.summarizer.summarise(conversation, ["u1", "a1"]), undefined);
  assert.equal(await summarizerWith(backendAnswering("x")).summarizer.summarise(conversation, ["gone"]), undefined);
  assert.equal(conversation.turns.length, long.length);
});

test("test hook: a scripted chat answer replaces the streamed text after the real request; no file, the model's own", async () => {
  const dir = mkdtempSync(join(tmpdir(), "pc-scripted-"));
  try {
    const file = join(dir, "answer.json");
    const backend = backendAnswering("random words");
    const scripted = withScriptedAnswer(backend, file);
    const chunks: string[] = [];
    const own = await scripted.chat({ messages: [{ role: "user", text: "q" }] }, { onChunk: (c) => chunks.push(c) });
    assert.equal(own.text, "random words");
    assert.deepEqual(chunks, ["random words"]);
    writeFileSync(file, JSON.stringify("```ts\nconst x = 1;\n```"));
    chunks.length = 0;
    const replaced = await scripted.chat({ messages: [{ role: "user", text: "q" }] }, { onChunk: (c) => chunks.push(c) });
    assert.equal(replaced.text, "```ts\nconst x = 1;\n```");
    assert.deepEqual(chunks, ["```ts\nconst x = 1;\n```"], "the model's own chunks are not shown");
    assert.equal(replaced.metrics.stopReason, "eogToken", "a scripted answer is a whole answer");
    assert.equal(backend.requests.length, 2, "the real backend ran both requests");
    assert.equal(withScriptedAnswer(backend, undefined), backend, "without the variable the backend is untouched");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
