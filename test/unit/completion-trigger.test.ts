// Trigger decisions: no request mid-word with a long right-hand side, in excluded files, while the model is not
// ready, after a closed statement; explicit requests skip the typing heuristics; single- vs multi-line mode (which
// depends on the language where a trailing colon is concerned).
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
  assert.equal(completionMode("", "", "typescript"), "multiLine");
  assert.equal(completionMode("    ", "", "typescript"), "multiLine");
  assert.equal(completionMode("function f() {", "", "typescript"), "multiLine");
  assert.equal(completionMode("def f(x):", "", "python"), "multiLine");
  assert.equal(completionMode("const f = () =>", "", "typescript"), "multiLine");
  assert.equal(completionMode("const server = createServer({", "})", "typescript"), "multiLine");
  assert.equal(completionMode("const xs = [", "];", "typescript"), "multiLine");
  assert.equal(completionMode("  const x = ", "", "typescript"), "singleLine");
  assert.equal(completionMode("  foo(", ")", "typescript"), "singleLine");
  assert.equal(completionMode("  const x = ", " + 1;", "typescript"), "singleLine");
  assert.equal(completionMode("  ", "return x;", "typescript"), "singleLine");
});

test("mode: a trailing colon opens a block in Python, YAML and at a switch label, not in prose", () => {
  const cases: [string, string, string][] = [
    ["steps:", "yaml", "multiLine"],
    ["    case 1:", "typescript", "multiLine"],
    ["Install the tools:", "markdown", "singleLine"],
    ["Shopping list:", "plaintext", "singleLine"],
    ["  const x = ok ? a :", "typescript", "singleLine"],
  ];
  for (const [line, language, mode] of cases) assert.equal(completionMode(line, "", language), mode, `${language}: ${line}`);
});
