// Small text helpers behind context and post-processing: indentation, the bracket/quote scanner, comment syntax.
import { test } from "node:test";
import assert from "node:assert/strict";
import { detectIndentUnit, indentWidth, leadingWhitespace } from "../../src/core/completion/indent.ts";
import { closersFor, scan } from "../../src/core/completion/brackets.ts";
import { commentLine, opensBlock, usesIndentBlocks } from "../../src/core/completion/languages.ts";

test("indent width counts tabs to the next stop; leading whitespace", () => {
  assert.equal(indentWidth("    x"), 4);
  assert.equal(indentWidth("\tx"), 4);
  assert.equal(indentWidth("  \tx"), 4);
  assert.equal(indentWidth("\t\tx", 2), 4);
  assert.equal(leadingWhitespace(" \t x"), " \t ");
});

test("indent unit: tabs, 2 or 4 spaces, undefined without indentation", () => {
  assert.equal(detectIndentUnit(["a {", "\tb", "\t\tc", "\t}"]), "\t");
  assert.equal(detectIndentUnit(["a {", "  b {", "    c", "  }", "}"]), "  ");
  assert.equal(detectIndentUnit(["def f():", "    if x:", "        y", "    return z"]), "    ");
  assert.equal(detectIndentUnit(["a", "b", ""]), undefined);
  // Continuation lines aligned at odd columns do not outvote the block steps.
  assert.equal(detectIndentUnit(["f(a,", "  b)", "g {", "  x", "}", "h {", "  y", "}"]), "  ");
});

test("scanner: brackets, strings, escapes, line comments", () => {
  assert.deepEqual(scan("foo(bar[1], {", "typescript").state.stack, ["(", "{"]);
  assert.deepEqual(scan('log("(", \'[\')', "typescript").state.stack, []);
  assert.deepEqual(scan('x = "a\\"(b"', "typescript").state, { stack: [], quote: null, comment: false });
  assert.deepEqual(scan("f( // (((", "typescript").state.stack, ["("]);
  assert.deepEqual(scan("f( # (((", "python").state.stack, ["("]);
  assert.equal(scan('print("abc', "python").state.quote, '"');
  // Rust lifetimes are not quotes.
  assert.deepEqual(scan("fn f<'a>(x: &'a str) {", "rust").state.stack, ["{"]);
  // The first closer of something opened before the stretch.
  const before = scan("foo(", "typescript").state;
  assert.deepEqual(scan("a, (b))", "typescript", before).outerClose, { index: 6, char: ")" });
  assert.equal(scan("a, (b)", "typescript", before).outerClose, undefined);
  assert.deepEqual(scan('lo" + x', "typescript", scan('"hel', "typescript").state).outerClose, { index: 2, char: '"' });
  assert.equal(closersFor(["(", "[", "{"], 1), "}]");
});

test("comment syntax per language", () => {
  assert.equal(commentLine("rust", "x"), "// x");
  assert.equal(commentLine("python", "x"), "# x");
  assert.equal(commentLine("lua", "x"), "-- x");
  assert.equal(commentLine("css", "x"), "/* x */");
  assert.equal(commentLine("plaintext", "x"), undefined);
  assert.equal(usesIndentBlocks("python"), true);
  assert.equal(usesIndentBlocks("typescript"), false);
});

test("block openers per language: brackets everywhere, a trailing colon only where it opens a block", () => {
  assert.equal(opensBlock("  if (x) {", "typescript"), true);
  assert.equal(opensBlock("  items.map((x) =>", "markdown"), true);
  assert.equal(opensBlock("def f(x):", "python"), true);
  assert.equal(opensBlock("  services:", "yaml"), true);
  assert.equal(opensBlock("class Point:", "nim"), true);
  assert.equal(opensBlock("    default:", "java"), true);
  assert.equal(opensBlock("    case Color.Red:", "csharp"), true);
  assert.equal(opensBlock("Steps:", "markdown"), false);
  assert.equal(opensBlock("Dear team:", "plaintext"), false);
  assert.equal(opensBlock("  key:", "typescript"), false);
  assert.equal(opensBlock("in this case:", "markdown"), false);
});
