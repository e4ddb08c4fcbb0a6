import { test } from "node:test";
import assert from "node:assert/strict";
import { parseHostToWebview, parseWebviewToHost } from "../../src/core/chatProtocol.ts";

test("known webview messages are accepted", () => {
  for (const type of ["ready", "selectModel", "restartEngine", "showLogs"] as const) {
    assert.deepEqual(parseWebviewToHost({ type }), { type });
  }
});

test("malformed webview messages are rejected, never thrown", () => {
  const bad: unknown[] = [null, undefined, 42, "ready", [], {}, { type: 1 }, { type: "deleteAll" }, { type: "ready", extra: "x" }, { type: "__proto__" }];
  for (const value of bad) assert.equal(parseWebviewToHost(value), undefined, JSON.stringify(value));
});

test("host messages are validated by the webview", () => {
  assert.deepEqual(parseHostToWebview({ type: "engineState", state: { kind: "noModel" } }), { type: "engineState", state: { kind: "noModel" } });
  assert.ok(parseHostToWebview({ type: "engineState", state: { kind: "loading", modelName: "m.gguf", progress: 0.5 } }));
  assert.equal(parseHostToWebview({ type: "engineState", state: { kind: "loading", modelName: "m.gguf", progress: 7 } }), undefined);
  assert.equal(parseHostToWebview({ type: "engineState", state: { kind: "crashed" } }), undefined);
  assert.equal(parseHostToWebview({ type: "engineState", state: { kind: "bogus" } }), undefined);
  assert.equal(parseHostToWebview({ type: "other" }), undefined);
});
