import { test } from "node:test";
import assert from "node:assert/strict";
import { enclosingBlock } from "../../src/core/chat/enclosingBlock.ts";
import { explainRequestText, fenceFor, titleFrom, userTurnText } from "../../src/core/chat/prompt.ts";
import { blockInsertion, proposeEdit } from "../../src/core/chat/applyEdit.ts";

const TS = ["import x from 'y';", "", "function add(a, b) {", "  const s = a + b;", "  return s;", "}", "", "const z = 1;"];

test("enclosingBlock: the function around the cursor, a header line, a top-level line, a blank line", () => {
  assert.deepEqual(enclosingBlock(TS, 3), { start: 2, end: 5 });
  assert.deepEqual(enclosingBlock(TS, 2), { start: 2, end: 5 });
  assert.deepEqual(enclosingBlock(TS, 7), { start: 7, end: 7 });
  assert.equal(enclosingBlock(TS, 1), undefined);
  const py = ["def f(x):", "    if x:", "        return 1", "    return 2", "", "print(f(1))"];
  assert.deepEqual(enclosingBlock(py, 2), { start: 1, end: 2 });
  assert.deepEqual(enclosingBlock(py, 0), { start: 0, end: 3 });
});

test("attachments are fenced with a fence longer than any inside them", () => {
  assert.equal(fenceFor("a ``` b"), "````");
  const text = userTurnText("What does it do?", [{ kind: "selection", label: "a.ts:1-2", language: "typescript", text: "x ``` y" }]);
  assert.match(text, /^Selected code from a.ts:1-2:\n````typescript\nx ``` y\n````\n\nWhat does it do\?$/);
  const explain = explainRequestText({ fileName: "a.ts", language: "typescript", startLine: 3, endLine: 6, before: "b", code: "c", after: "" });
  assert.match(explain, /lines 3-6/);
  assert.doesNotMatch(explain, /just after/);
  assert.equal(titleFrom("  hello\nworld"), "hello");
  assert.equal(titleFrom("x".repeat(100)).length, 60);
});

test("proposeEdit: replaces the selection, a whole-file block, or inserts at the cursor", () => {
  const doc = "a\nb\nc\nd\ne\n";
  assert.deepEqual(proposeEdit(doc, { start: 2, end: 4 }, "B\n"), { text: "a\nB\nc\nd\ne\n", replaced: "selection" });
  assert.deepEqual(proposeEdit(doc, { start: 0, end: 0 }, "1\n2\n3\n4\n5"), { text: "1\n2\n3\n4\n5\n", replaced: "file" });
  assert.deepEqual(proposeEdit(doc, { start: 4, end: 4 }, "x"), { text: "a\nb\nx\nc\nd\ne\n", replaced: "cursor" });
});

test("Insert puts a code block, even of one line, on lines of its own", () => {
  const block = "export interface Item {\n  sku: string;\n}\n";
  // At the end of a line with code: the block starts on the next line (not `const x = 42;export interface …`).
  assert.equal(blockInsertion("const x = 42;", "", block), "\nexport interface Item {\n  sku: string;\n}");
  // In the middle of a line: what follows the cursor moves below the block.
  assert.equal(blockInsertion("foo(", ");", block), "\nexport interface Item {\n  sku: string;\n}\n");
  // On an empty (or indented) line: the block as it is.
  assert.equal(blockInsertion("  ", "", block), "export interface Item {\n  sku: string;\n}");
  // One line at the start of a line with code: the code moves below it.
  assert.equal(blockInsertion("", "export interface Item {", "const answerFromChat = 42;"), "const answerFromChat = 42;\n");
  // At the end of an empty line: as it is.
  assert.equal(blockInsertion("", "", "const answerFromChat = 42;\n"), "const answerFromChat = 42;");
});
