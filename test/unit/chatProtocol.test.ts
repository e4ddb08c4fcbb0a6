import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { MAX_MESSAGE_CHARS, parseHostToWebview, parseWebviewToHost } from "../../src/core/chatProtocol.ts";
import { conversationView, MAX_VIEW_TURN_CHARS } from "../../src/core/chat/view.ts";
import { CONVERSATION_FORMAT } from "../../src/core/chat/conversation.ts";

test("known webview messages are accepted", () => {
  for (const type of ["ready", "selectModel", "restartEngine", "showLogs", "stop", "regenerate", "newChat", "showHistory", "renameConversation", "deleteConversation"] as const) {
    assert.deepEqual(parseWebviewToHost({ type }), { type });
  }
  assert.deepEqual(parseWebviewToHost({ type: "send", text: "hi" }), { type: "send", text: "hi" });
  assert.deepEqual(parseWebviewToHost({ type: "setChip", kind: "file", attached: true }), { type: "setChip", kind: "file", attached: true });
  assert.deepEqual(parseWebviewToHost({ type: "showChip", kind: "selection" }), { type: "showChip", kind: "selection" });
  assert.deepEqual(parseWebviewToHost({ type: "showAttachment", turnId: "t1", index: 0 }), { type: "showAttachment", turnId: "t1", index: 0 });
  assert.deepEqual(parseWebviewToHost({ type: "codeAction", action: "apply", code: "x", language: "ts" }), { type: "codeAction", action: "apply", code: "x", language: "ts" });
  assert.deepEqual(parseWebviewToHost({ type: "openLink", href: "https://example.com" }), { type: "openLink", href: "https://example.com" });
});

test("malformed webview messages are rejected, never thrown", () => {
  const bad: unknown[] = [
    null,
    undefined,
    42,
    "ready",
    [],
    {},
    { type: 1 },
    { type: "deleteAll" },
    { type: "ready", extra: "x" },
    { type: "__proto__" },
    { type: "send" },
    { type: "send", text: 5 },
    { type: "send", text: "x".repeat(MAX_MESSAGE_CHARS + 1) },
    { type: "send", text: "x", turnId: "y" },
    { type: "setChip", kind: "everything", attached: true },
    { type: "setChip", kind: "file", attached: "yes" },
    { type: "showAttachment", turnId: "../../etc", index: 0 },
    { type: "showAttachment", turnId: "t", index: -1 },
    { type: "showAttachment", turnId: "t", index: 1.5 },
    { type: "codeAction", action: "exec", code: "rm -rf /", language: "sh" },
    { type: "codeAction", action: "copy", code: "x" },
    { type: "openLink", href: 42 },
  ];
  for (const value of bad) assert.equal(parseWebviewToHost(value), undefined, JSON.stringify(value)?.slice(0, 80));
});

test("hostile objects (throwing getters, proxies) are dropped, not thrown", () => {
  const getter = Object.defineProperty({}, "type", {
    enumerable: true,
    get() {
      throw new Error("boom");
    },
  });
  const proxy = new Proxy({}, { ownKeys: () => { throw new Error("boom"); }, get: () => "send" });
  for (const value of [getter, proxy]) {
    assert.equal(parseWebviewToHost(value), undefined);
    assert.equal(parseHostToWebview(value), undefined);
  }
});

test("host messages are validated by the webview", () => {
  assert.deepEqual(parseHostToWebview({ type: "modelState", state: { kind: "noModel" } }), { type: "modelState", state: { kind: "noModel" } });
  assert.ok(parseHostToWebview({ type: "modelState", state: { kind: "loading", modelName: "m.gguf", progress: 0.5 } }));
  assert.equal(parseHostToWebview({ type: "modelState", state: { kind: "loading", modelName: "m.gguf", progress: 7 } }), undefined);
  assert.equal(parseHostToWebview({ type: "modelState", state: { kind: "crashed" } }), undefined);
  assert.equal(parseHostToWebview({ type: "modelState", state: { kind: "bogus" } }), undefined);
  assert.equal(parseHostToWebview({ type: "other" }), undefined);
  const turn = { id: "t1", role: "assistant", text: "hi", attachments: [{ kind: "explain", label: "a.ts:1", redactions: 2 }], streaming: false, dropped: false, stopReason: "abort" };
  assert.ok(parseHostToWebview({ type: "conversation", conversation: { id: "c1", title: "T", turns: [turn] }, generating: false }));
  assert.ok(parseHostToWebview({ type: "turnEnd", turn }));
  assert.equal(parseHostToWebview({ type: "turnEnd", turn: { ...turn, role: "system" } }), undefined);
  assert.equal(parseHostToWebview({ type: "turnEnd", turn: { ...turn, attachments: [{ kind: "file", label: "x", redactions: -1 }] } }), undefined);
  assert.ok(parseHostToWebview({ type: "chunk", turnId: "t1", text: "abc" }));
  assert.equal(parseHostToWebview({ type: "chunk", turnId: "t 1", text: "abc" }), undefined);
  assert.ok(parseHostToWebview({ type: "budget", budget: { usedTokens: 10, contextTokens: 4096, droppedTurns: 0, estimated: true } }));
  assert.equal(parseHostToWebview({ type: "budget", budget: { usedTokens: Number.NaN, contextTokens: 4096, droppedTurns: 0, estimated: true } }), undefined);
  assert.ok(parseHostToWebview({ type: "chips", chips: [{ kind: "file", label: "a.ts", attached: false, redactions: 1 }] }));
  assert.equal(parseHostToWebview({ type: "notice", level: "fatal", text: "x" }), undefined);
});

test("fuzz: 1,000 random and mutated messages in both directions, zero exceptions, only valid shapes accepted", () => {
  const valid = [
    { type: "send", text: "hello" },
    { type: "setChip", kind: "file", attached: true },
    { type: "codeAction", action: "copy", code: "x", language: "ts" },
    { type: "chunk", turnId: "t1", text: "a" },
    { type: "budget", budget: { usedTokens: 1, contextTokens: 2, droppedTurns: 0, estimated: false } },
    { type: "conversation", conversation: { id: "c", title: "t", turns: [] }, generating: true },
  ];
  const mutated = fc.tuple(fc.constantFrom(...valid), fc.string(), fc.anything()).map(([base, key, value]) => ({ ...base, [key]: value }));
  const arbitrary = fc.oneof(fc.anything(), fc.jsonValue(), mutated, fc.record({ type: fc.string(), text: fc.anything(), kind: fc.anything() }));
  let accepted = 0;
  fc.assert(
    fc.property(arbitrary, (value) => {
      const a = parseWebviewToHost(value);
      const b = parseHostToWebview(value);
      if (a) {
        accepted++;
        assert.equal(typeof a.type, "string");
      }
      if (b) accepted++;
    }),
    { numRuns: 1000 },
  );
  assert.ok(accepted >= 0);
});

test("a conversation with a turn over the view's limit is sent cut, with its length, and the view accepts it", () => {
  const long = "x".repeat(2_000_001);
  const stored = {
    format: CONVERSATION_FORMAT as typeof CONVERSATION_FORMAT,
    id: "c1",
    title: "Long",
    createdAt: 1,
    updatedAt: 1,
    turns: [
      { id: "t1", role: "user" as const, text: long, attachments: [], createdAt: 1 },
      { id: "t2", role: "assistant" as const, text: "short", attachments: [], createdAt: 2 },
    ],
  };
  const view = conversationView(stored, undefined, new Set());
  assert.equal(view.turns[0].text.length, MAX_VIEW_TURN_CHARS);
  assert.equal(view.turns[0].truncatedFrom, 2_000_001);
  assert.equal(view.turns[1].truncatedFrom, undefined);
  const parsed = parseHostToWebview({ type: "conversation", conversation: view, generating: false });
  assert.ok(parsed, "the view accepts the conversation: host and view agree on what is open");
  assert.deepEqual(parseWebviewToHost({ type: "showTurn", turnId: "t1" }), { type: "showTurn", turnId: "t1" });
  assert.deepEqual(parseWebviewToHost({ type: "conversationRejected" }), { type: "conversationRejected" });
});
