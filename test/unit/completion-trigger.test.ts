// Trigger decisions: no request mid-word with a long right-hand side, in excluded files, while the model is not
// ready, after a closed statement; explicit requests skip the typing heuristics; single- vs multi-line mode.
import { test } from "node:test";
import assert from "node:assert/strict";
import { completionMode, shouldRequest, type TriggerInput } from "../../src/core/completion/trigger.ts";

const base: TriggerInput = { linePrefix: "  const x = ", lineSuffix: "", languageId: "typescript", explicit: false, excluded: false, modelReady: true };

test("requests at the end of a line, with the mode", () => {
  assert.deepEqual(shouldRequest(base), { request: true, mode: "singleLine" });
  assert.deepEqual(shouldRequest({ ...base, linePrefix: "  " }), { request: true, mode: "multiLine" });
});

test("excluded files and a model that is not ready: never, even when asked explicitly", () => {
  assert.deepEqual(shouldRequest({ ...base, excluded: true, explicit: true }), { request: false, reason: "excluded" });
  assert.deepEqual(shouldRequest({ ...base, modelReady: false, explicit: true }), { request: false, reason: "modelNotReady" });
});

test("disabled (globally or for the language) and selections block automatic requests, not explicit ones", () => {
  assert.deepEqual(shouldRequest({ ...base, enabled: false }), { request: false, reason: "disabled" });
  assert.equal(shouldRequest({ ...base, enabled: false, explicit: true }).request, true);
  assert.deepEqual(shouldRequest({ ...base, hasSelection: true }), { request: false, reason: "selection" });
});

test("mid-word with a long right-hand side: no; a short one or a closer: yes", () => {
  assert.deepEqual(shouldRequest({ ...base, linePrefix: "  const tot", lineSuffix: "alPrice = a + b;" }), { request: false, reason: "midWord" });
  assert.deepEqual(shouldRequest({ ...base, linePrefix: "  foo(ba", lineSuffix: "r)" }), { request: true, mode: "singleLine" });
  assert.deepEqual(shouldRequest({ ...base, linePrefix: "  foo(", lineSuffix: ")" }), { request: true, mode: "singleLine" });
  assert.equal(shouldRequest({ ...base, linePrefix: "  const tot", lineSuffix: "alPrice = a + b;", explicit: true }).request, true);
  // Non-ASCII identifiers count as words too.
  assert.equal(shouldRequest({ ...base, linePrefix: "  const ü", lineSuffix: "bersicht = 1;" }).request, false);
});

test("just closed a statement, or typed a space after one: no", () => {
  assert.deepEqual(shouldRequest({ ...base, linePrefix: "  foo();", lastInserted: ";" }), { request: false, reason: "statementClosed" });
  assert.deepEqual(shouldRequest({ ...base, linePrefix: "  foo(); ", lastInserted: " " }), { request: false, reason: "whitespaceAfterStatement" });
  assert.deepEqual(shouldRequest({ ...base, linePrefix: "  } ", lastInserted: " " }), { request: false, reason: "whitespaceAfterStatement" });
  // A space after an operator or a keyword is where completions help.
  assert.equal(shouldRequest({ ...base, linePrefix: "  return ", lastInserted: " " }).request, true);
  assert.equal(shouldRequest({ ...base, linePrefix: "  if (x) ", lastInserted: " " }).request, true);
  // Enter after a statement (the new line is blank): yes, multi-line.
  assert.deepEqual(shouldRequest({ ...base, linePrefix: "  ", lastInserted: "\n  " }), { request: true, mode: "multiLine" });
});

test("minified lines: no automatic request", () => {
  assert.deepEqual(shouldRequest({ ...base, linePrefix: "x".repeat(2000) }), { request: false, reason: "lineTooLong" });
});

test("mode: multi-line on blank lines and after block openers, single-line elsewhere", () => {
  assert.equal(completionMode("", ""), "multiLine");
  assert.equal(completionMode("    ", ""), "multiLine");
  assert.equal(completionMode("function f() {", ""), "multiLine");
  assert.equal(completionMode("def f(x):", ""), "multiLine");
  assert.equal(completionMode("const f = () =>", ""), "multiLine");
  assert.equal(completionMode("const server = createServer({", "})"), "multiLine");
  assert.equal(completionMode("const xs = [", "];"), "multiLine");
  assert.equal(completionMode("  const x = ", ""), "singleLine");
  assert.equal(completionMode("  foo(", ")"), "singleLine");
  assert.equal(completionMode("  const x = ", " + 1;"), "singleLine");
  assert.equal(completionMode("  ", "return x;"), "singleLine");
});
