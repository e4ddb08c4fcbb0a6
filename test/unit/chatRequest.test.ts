import { test } from "node:test";
import assert from "node:assert/strict";
import { ContextMeter } from "../../src/core/chat/contextMeter.ts";
import { newConversation, newTurnId, parseStoredConversation, type StoredTurn } from "../../src/core/chat/conversation.ts";
import { answerReserve } from "../../src/core/chat/history.ts";
import { userTurnText } from "../../src/core/chat/prompt.ts";
import { DEFAULT_CONTEXT_TOKENS, earlyStopReason, estimateConversationTokens, modelText, planChatRequest, requestTranscript } from "../../src/core/chat/request.ts";
import { conversationView, turnView } from "../../src/core/chat/view.ts";

const user = (id: string, text: string, extra: Partial<StoredTurn> = {}): StoredTurn => ({ id, role: "user", text, attachments: [], createdAt: 1, ...extra });
const assistant = (id: string, text: string, extra: Partial<StoredTurn> = {}): StoredTurn => ({ id, role: "assistant", text, attachments: [], createdAt: 1, ...extra });

test("modelText: a user turn carries its attachments, an answer only its text", () => {
  const attachment = { kind: "selection", label: "a.ts:1", language: "ts", text: "x()", redactions: 0 } as const;
  assert.equal(modelText(user("u", "why?", { attachments: [attachment] })), userTurnText("why?", [attachment]));
  assert.equal(modelText(assistant("a", "because")), "because");
});

test("planChatRequest: the turns that fit become the messages, oldest dropped first", () => {
  const turns = [user("t0", "old question"), assistant("t1", "old answer"), user("t2", "new question")];
  const roomy = planChatRequest(turns, [10, 10, 10], { contextTokens: 4096, systemTokens: 50 });
  assert.equal(roomy.contextTokens, 4096);
  assert.equal(roomy.reserveTokens, answerReserve(4096));
  assert.deepEqual(roomy.history.dropped, []);
  assert.deepEqual(roomy.messages, [
    { role: "user", text: "old question" },
    { role: "assistant", text: "old answer" },
    { role: "user", text: "new question" },
  ]);
  // 1000 - 256 reserve - 50 system - 8 overhead leaves room for one 600-token turn.
  const tight = planChatRequest(turns, [600, 600, 600], { contextTokens: 1000, systemTokens: 50 });
  assert.deepEqual(tight.history.dropped, ["t0", "t1"]);
  assert.deepEqual(tight.messages, [{ role: "user", text: "new question" }]);
  assert.equal(tight.history.fits, true);
});

test("planChatRequest: an unknown context window is the default; a question too long does not fit", () => {
  const plan = planChatRequest([user("u", "hi")], [5000], { contextTokens: 0, systemTokens: 50 });
  assert.equal(plan.contextTokens, DEFAULT_CONTEXT_TOKENS);
  assert.equal(plan.history.fits, false);
  assert.deepEqual(plan.messages, []);
});

test("requestTranscript labels each message with its role, system prompt first", () => {
  assert.equal(
    requestTranscript("Be brief.", [
      { role: "user", text: "Q" },
      { role: "assistant", text: "A" },
    ]),
    "[system]\nBe brief.\n\n[user]\nQ\n\n[assistant]\nA",
  );
});

test("earlyStopReason keeps only the reasons an answer ended early", () => {
  for (const reason of ["abort", "maxTokens", "contextFull", "timeBudget"]) assert.equal(earlyStopReason(reason), reason);
  for (const reason of ["eogToken", "stopString", "functionCalls"]) assert.equal(earlyStopReason(reason), undefined);
});

test("ContextMeter: estimates an opened conversation, counts a planned request and its answer, resets", () => {
  const meter = new ContextMeter();
  assert.deepEqual(meter.budget, { usedTokens: 0, contextTokens: DEFAULT_CONTEXT_TOKENS, droppedTurns: 0, estimated: true });
  const turns = [user("t0", "a question"), assistant("t1", "an answer")];
  meter.opened(turns, "system");
  assert.deepEqual(meter.budget, { usedTokens: estimateConversationTokens(turns, "system"), contextTokens: DEFAULT_CONTEXT_TOKENS, droppedTurns: 0, estimated: true });
  assert.deepEqual(meter.planned({ usedTokens: 900, contextTokens: 2048, dropped: ["t0"] }), ["t0"]);
  // Dropped again by the next request: not news.
  assert.deepEqual(meter.planned({ usedTokens: 950, contextTokens: 2048, dropped: ["t0", "t1"] }), ["t1"]);
  assert.equal(meter.droppedTurns.has("t1"), true);
  meter.answered(50);
  assert.deepEqual(meter.budget, { usedTokens: 1000, contextTokens: 2048, droppedTurns: 2, estimated: false });
  meter.reset();
  assert.deepEqual(meter.budget, { usedTokens: 0, contextTokens: 2048, droppedTurns: 0, estimated: false });
  assert.equal(meter.droppedTurns.size, 0);
});

test("turnView and conversationView: attachments without text, errors capped, streaming and dropped marked", () => {
  const question = user("t0", "q", { attachments: [{ kind: "file", label: "a.ts", text: "secret-free text", redactions: 2 }] });
  const answer = assistant("t1", "partial", { stopReason: "abort", error: "x".repeat(5000) });
  const view = turnView(answer, { streaming: false, dropped: false });
  assert.equal(view.error?.length, 4000);
  assert.equal(view.stopReason, "abort");
  const conversation = { ...newConversation(1, "abc"), turns: [question, answer] };
  const shown = conversationView(conversation, "t1", new Set(["t0"]));
  assert.deepEqual(shown.turns[0], { id: "t0", role: "user", text: "q", attachments: [{ kind: "file", label: "a.ts", redactions: 2 }], streaming: false, dropped: true });
  assert.equal(shown.turns[1].streaming, true);
  assert.equal(shown.turns[1].dropped, false);
});

test("a question keeps the feature it was asked under through a save; an unknown feature is rejected", () => {
  const id = newTurnId(1_700_000_000_000, "deadbeefcafe");
  assert.match(id, /^t[a-z0-9]+deadbeef$/);
  const conversation = { ...newConversation(1, "abc"), turns: [user(id, "explain this", { feature: "explain" }), user("t1", "older, without one")] };
  const parsed = parseStoredConversation(JSON.parse(JSON.stringify(conversation)));
  assert.equal(parsed?.turns[0].feature, "explain");
  assert.equal(parsed?.turns[1].feature, undefined);
  const bad = { ...conversation, turns: [{ ...conversation.turns[0], feature: "completion" }] };
  assert.equal(parseStoredConversation(JSON.parse(JSON.stringify(bad))), undefined);
});
