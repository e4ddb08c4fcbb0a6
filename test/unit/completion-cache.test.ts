// The completion cache: LRU by prompt hash (bounded, recency), and typing-through (the rest of the visible
// suggestion served without a model call while the user types its first characters).
import { test } from "node:test";
import assert from "node:assert/strict";
import { CompletionCache, LruCache, type LineReader, type SuggestionAnchor } from "../../src/core/completion/cache.ts";

function lines(...text: string[]): LineReader & { lines: string[] } {
  return { lines: text, get lineCount() { return this.lines.length; }, lineAt(i: number) { return this.lines[i]; } };
}

test("LRU: bounded, evicts the least recently used, get refreshes recency", () => {
  const lru = new LruCache<number>(3);
  lru.set("a", 1);
  lru.set("b", 2);
  lru.set("c", 3);
  assert.equal(lru.get("a"), 1); // a is now the most recent
  lru.set("d", 4); // evicts b
  assert.equal(lru.get("b"), undefined);
  assert.deepEqual([...lru.values()], [3, 1, 4]);
  lru.set("c", 30); // overwrite refreshes
  lru.set("e", 5); // evicts a
  assert.equal(lru.get("a"), undefined);
  assert.equal(lru.size, 3);
});

test("results by prompt key: hit, miss, bounded", () => {
  const cache = new CompletionCache({ maxEntries: 2 });
  cache.set("k1", { texts: ["foo()"] });
  cache.set("k2", { texts: ["bar()"] });
  assert.deepEqual(cache.get("k1"), { texts: ["foo()"] });
  cache.set("k3", { texts: ["baz()"] });
  assert.equal(cache.get("k2"), undefined);
  assert.equal(cache.size.results, 2);
});

const anchor: Omit<SuggestionAnchor, "linePrefix"> = { documentId: "file:///a.ts", line: 1, character: 10 };
const at = (a: Omit<SuggestionAnchor, "linePrefix">, prefix: string): SuggestionAnchor => ({ ...a, linePrefix: prefix });

test("typing-through on one line: each typed character that matches serves the rest", () => {
  const cache = new CompletionCache();
  const doc = lines("function f() {", "  return f", "}");
  cache.remember(at(anchor, "  return f"), "oo(bar, baz);");
  const typed = "oo(ba";
  for (let k = 0; k <= typed.length; k++) {
    doc.lines[1] = "  return f" + typed.slice(0, k);
    const hit = cache.typeThrough("file:///a.ts", doc, { line: 1, character: 10 + k });
    assert.ok(hit, `after ${k} characters`);
    assert.equal(hit.text, "oo(bar, baz);".slice(k));
    assert.equal(hit.typed, k);
  }
});

test("typing-through misses: a different character, another document, the text before the anchor changed, all typed", () => {
  const cache = new CompletionCache();
  const doc = lines("x", "  return fox");
  cache.remember(at(anchor, "  return f"), "oo(bar);");
  assert.equal(cache.typeThrough("file:///a.ts", doc, { line: 1, character: 12 }), undefined, "typed 'ox' but suggestion is 'oo'");
  doc.lines[1] = "  return foo";
  assert.equal(cache.typeThrough("file:///b.ts", doc, { line: 1, character: 12 }), undefined, "other document");
  doc.lines[1] = "  yield  foo";
  assert.equal(cache.typeThrough("file:///a.ts", doc, { line: 1, character: 12 }), undefined, "text before the anchor changed");
  doc.lines[1] = "  return foo(bar);";
  assert.equal(cache.typeThrough("file:///a.ts", doc, { line: 1, character: 18 }), undefined, "fully typed");
  doc.lines[1] = "  return f";
  assert.equal(cache.typeThrough("file:///a.ts", doc, { line: 1, character: 9 }), undefined, "cursor left of the anchor");
});

test("typing-through across lines of a multi-line suggestion", () => {
  const cache = new CompletionCache();
  const doc = lines("if (x) {", "");
  cache.remember({ documentId: "d", line: 0, character: 8, linePrefix: "if (x) {" }, "\n  run();\n}");
  doc.lines[0] = "if (x) {";
  doc.lines[1] = "  ru";
  const hit = cache.typeThrough("d", doc, { line: 1, character: 4 });
  assert.equal(hit?.text, "n();\n}");
  // Two lines below the anchor but the suggestion has only one newline before: no.
  const far = lines("if (x) {", "  run();", "}", "x");
  assert.equal(cache.typeThrough("d", far, { line: 3, character: 0 }), undefined);
});

test("the most recent matching anchor wins, anchors are bounded, forgetDocument drops them", () => {
  const cache = new CompletionCache({ maxAnchors: 2 });
  const doc = lines("", "  return f");
  cache.remember(at(anchor, "  return f"), "oo();");
  cache.remember(at(anchor, "  return f"), "ilter(x);"); // same place: replaces
  assert.equal(cache.size.anchors, 1);
  assert.equal(cache.typeThrough("file:///a.ts", doc, { line: 1, character: 10 })?.text, "ilter(x);");
  cache.remember({ documentId: "o1", line: 0, character: 0, linePrefix: "" }, "a");
  cache.remember({ documentId: "o2", line: 0, character: 0, linePrefix: "" }, "b");
  assert.equal(cache.size.anchors, 2);
  assert.equal(cache.typeThrough("file:///a.ts", doc, { line: 1, character: 10 }), undefined, "evicted");
  cache.forgetDocument("o1");
  assert.equal(cache.size.anchors, 1);
});

test("typing-through is fast: well under 5 ms with a full anchor table", () => {
  const cache = new CompletionCache();
  const doc = lines(...Array.from({ length: 100 }, (_, i) => `  const v${i} = compute(${i});`));
  for (let i = 0; i < 64; i++) cache.remember({ documentId: "d", line: i, character: 10, linePrefix: doc.lines[i].slice(0, 10) }, doc.lines[i].slice(10) + " // more");
  const t0 = performance.now();
  for (let i = 0; i < 1000; i++) cache.typeThrough("d", doc, { line: 63, character: 14 });
  const each = (performance.now() - t0) / 1000;
  assert.ok(each < 0.5, `${each} ms`);
  assert.ok(cache.typeThrough("d", doc, { line: 63, character: 14 }));
});
