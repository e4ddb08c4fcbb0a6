import { test } from "node:test";
import assert from "node:assert/strict";
import { extractEdit, fencedBlocks, type EditTarget } from "../../src/core/chat/editExtraction.ts";
import { AnswerCache, jaccard, normaliseQuestion } from "../../src/core/chat/answerCache.ts";

const target: EditTarget = {
  before: "import { x } from './x';\n\n",
  original: "function add(a, b) {\n  return a + b;\n}\n",
  after: "\nexport { add };\n",
};

test("edit: one fenced block", () => {
  const answer = "Here is the rewritten code:\n\n```javascript\nfunction add(a: number, b: number): number {\n  return a + b;\n}\n```\n";
  const r = extractEdit(answer, target);
  assert.ok(r.ok);
  assert.equal(r.code, "function add(a: number, b: number): number {\n  return a + b;\n}\n");
  assert.equal(r.scope, "range");
});

test("edit: unfenced code with sentences around it", () => {
  const answer = "Sure, here is the typed version of the function:\nfunction add(a: number, b: number) {\n  return a + b;\n}\nThis adds type annotations to both parameters.";
  const r = extractEdit(answer, target);
  assert.ok(r.ok);
  assert.deepEqual(r.notes, ["unfenced"]);
  assert.equal(r.code, "function add(a: number, b: number) {\n  return a + b;\n}\n");
});

test("edit: several blocks — the one most like the selection, not the usage example", () => {
  const answer =
    "```ts\nconsole.log(add(1, 2)); // usage\n```\n\nThe new version:\n\n```ts\nfunction add(a: number, b: number): number {\n  return a + b;\n}\n```\n\nAnd a test:\n```ts\nassert.equal(add(2, 2), 4);\n```";
  const r = extractEdit(answer, target);
  assert.ok(r.ok);
  assert.ok(r.notes.includes("severalBlocks"));
  assert.match(r.code, /^function add\(a: number/);
});

test("edit: the whole file replaces the document", () => {
  const answer = "```js\nimport { x } from './x';\n\nconst add = (a, b) => a + b;\n\nexport { add };\n```";
  const r = extractEdit(answer, target);
  assert.ok(r.ok);
  assert.equal(r.scope, "file");
  assert.equal(r.code, "import { x } from './x';\n\nconst add = (a, b) => a + b;\n\nexport { add };\n");
});

test("edit: no code, empty, unchanged, an unclosed fence of a cut answer, lost indentation", () => {
  assert.deepEqual(extractEdit("I can't do that without more context.", target), { ok: false, reason: "noCode" });
  assert.deepEqual(extractEdit("", target), { ok: false, reason: "noCode" });
  assert.deepEqual(extractEdit("```js\nfunction add(a, b) {\n  return a + b;\n}\n```", target), { ok: false, reason: "unchanged" });
  const cut = extractEdit("```ts\nfunction add(a: number, b: number) {\n  return a + b;", target);
  assert.ok(cut.ok);
  assert.ok(cut.notes.includes("unclosedFence"));
  const indented: EditTarget = { before: "class A {\n", original: "  run() {\n    go();\n  }", after: "\n}\n" };
  const re = extractEdit("```ts\nasync run() {\n  await go();\n}\n```", indented);
  assert.ok(re.ok);
  assert.equal(re.code, "  async run() {\n    await go();\n  }");
  assert.ok(re.notes.includes("reindented"));
});

test("fenced blocks: tildes, longer fences holding backticks", () => {
  const blocks = fencedBlocks("~~~py\nprint(1)\n~~~\n````md\n```\ninner\n```\n````");
  assert.deepEqual(
    blocks.map((b) => b.code),
    ["print(1)", "```\ninner\n```"],
  );
});

test("cache key: normalisation, Jaccard threshold, context, LRU cap, conversation deletion", () => {
  assert.equal(normaliseQuestion("  What does   THIS function do?? "), "what does this function do");
  assert.equal(jaccard(new Set(["a", "b"]), new Set(["a", "b"])), 1);
  assert.equal(jaccard(new Set(["a", "b"]), new Set(["b", "c"])), 1 / 3);
  const cache = new AnswerCache({ maxEntries: 3 });
  cache.store("What does this function do?", "ctx1", "It adds.", "c1");
  assert.equal(cache.lookup("what does this function do", "ctx1")?.answer, "It adds.");
  assert.equal(cache.lookup("What does this function do?", "ctx2"), undefined, "another context is another question");
  assert.equal(cache.lookup("What does that function do?", "ctx1"), undefined, "one word in six differs: below 0.95");
  // 20 words, one reordered and one duplicated: same word set → a near duplicate.
  const long = "please explain in detail how the parser handles nested blocks and what happens when a closing brace is missing at end";
  cache.store(long, "ctx1", "Long answer.", "c1");
  assert.equal(cache.lookup(`${long} end`, "ctx1")?.answer, "Long answer.");
  assert.equal(cache.lookup(long.replace("nested", "flat"), "ctx1"), undefined);
  cache.store("q3", "ctx1", "a3", "c2");
  cache.store("q4", "ctx1", "a4", "c2");
  assert.equal(cache.size, 3);
  assert.equal(cache.lookup("What does this function do?", "ctx1"), undefined, "the least recently used went first");
  cache.deleteConversation("c2");
  assert.equal(cache.size, 1);
  cache.clear();
  assert.equal(cache.size, 0);
  const small = new AnswerCache({ maxChars: 20 });
  small.store("q", "c", "x".repeat(100), "c1");
  assert.equal(small.size, 0, "an answer over the cap is not kept");
});
