import { test } from "node:test";
import assert from "node:assert/strict";
import { answerRequestShape, answerRewritesCode, completeSlash, detectTestFramework, docStyle, parseSlashCommand, slashQuestion } from "../../src/core/chat/slashCommands.ts";
import { formatDiagnostics, mentionBudgetChars, fuzzyScore, mentionText, parseMentions, tokenAt, type DiagnosticLine } from "../../src/core/chat/mentions.ts";

test("slash commands: known, with their rest, case-insensitive; unknown reported; paths and bare slashes are text", () => {
  assert.deepEqual(parseSlashCommand("/fix"), { kind: "command", command: "fix", rest: "" });
  assert.deepEqual(parseSlashCommand("  /Edit make it async\nand typed "), { kind: "command", command: "edit", rest: "make it async\nand typed" });
  assert.deepEqual(parseSlashCommand("/frobnicate now"), { kind: "unknown", name: "frobnicate" });
  assert.equal(parseSlashCommand("/usr/bin/env is missing"), undefined);
  assert.equal(parseSlashCommand("/ hello"), undefined);
  assert.equal(parseSlashCommand("what does /fix do?"), undefined);
  assert.deepEqual(parseSlashCommand("/fixed"), { kind: "unknown", name: "fixed" });
  assert.deepEqual(completeSlash("e"), ["explain", "edit"]);
  assert.deepEqual(completeSlash(""), ["explain", "fix", "tests", "doc", "edit", "clear"]);
});

test("slash questions name the framework and the doc style", () => {
  assert.match(slashQuestion({ command: "tests", rest: "", languageId: "typescript", testFramework: "Vitest" }), /using Vitest/);
  assert.match(slashQuestion({ command: "doc", rest: "short", languageId: "python" }), /docstring[\s\S]*short$/);
  assert.match(docStyle("rust"), /\/\/\//);
  assert.match(docStyle("cobol"), /usual/);
});

test("test framework detection from manifests", () => {
  assert.equal(detectTestFramework("typescript", { "package.json": JSON.stringify({ devDependencies: { vitest: "^1" } }) }), "Vitest");
  assert.equal(detectTestFramework("javascript", { "package.json": JSON.stringify({ devDependencies: { jest: "^29" } }) }), "Jest");
  assert.equal(detectTestFramework("typescript", { "package.json": JSON.stringify({ scripts: { test: "mocha 'test/**'" } }) }), "Mocha with node:assert");
  assert.equal(detectTestFramework("typescript", { "package.json": "{ not json" }), "node:test with node:assert");
  assert.equal(detectTestFramework("python", {}), "pytest");
  assert.match(detectTestFramework("go", {}), /testing/);
  assert.equal(detectTestFramework("java", { "pom.xml": "<artifactId>testng</artifactId>" }), "TestNG");
});

test("@-items: each kind, quoted paths, trailing punctuation, duplicates, unknown and missing arguments, fences and e-mails ignored", () => {
  const parsed = parseMentions('Compare @file:src/a.ts and @file:"my dir/b c.ts", see @problems, @selection. Also @symbol:parseConfig @changes @terminal @file:src/a.ts');
  assert.deepEqual(
    parsed.mentions.map((m) => [m.kind, m.arg]),
    [
      ["file", "src/a.ts"],
      ["file", "my dir/b c.ts"],
      ["problems", ""],
      ["selection", ""],
      ["symbol", "parseConfig"],
      ["changes", ""],
      ["terminal", ""],
    ],
  );
  assert.deepEqual(parsed.unknown, []);
  const bad = parseMentions("mail me@example.com about @fiel and @file with @Override\n```\n@problems\n```");
  assert.deepEqual(bad.mentions, []);
  assert.deepEqual(bad.unknown, ["@fiel", "@file"]);
  const m = parseMentions("@problems").mentions[0];
  assert.deepEqual([m.start, m.end], [0, 9]);
});

test("the token at the cursor: slash at the start, @ after a space, with a partial argument", () => {
  assert.deepEqual(tokenAt("/te", 3), { kind: "slash", start: 0, query: "te" });
  assert.deepEqual(tokenAt("look at @fi", 11), { kind: "mention", start: 8, query: "fi" });
  assert.deepEqual(tokenAt("look at @file:src/ap", 20), { kind: "mention", start: 8, query: "file:src/ap" });
  assert.equal(tokenAt("me@x", 4), undefined);
  assert.equal(tokenAt("hello /te", 9), undefined);
  assert.equal(mentionText("file", "a b.ts"), '@file:"a b.ts"');
  assert.equal(mentionText("problems"), "@problems");
});

test("budget per @-item: half the window shared, clamped", () => {
  assert.equal(mentionBudgetChars(4096, 1), 7168);
  assert.equal(mentionBudgetChars(4096, 2), 3584);
  assert.equal(mentionBudgetChars(4096, 20), 1000);
  assert.equal(mentionBudgetChars(131072, 1), 48000);
  assert.equal(mentionBudgetChars(0, 1), 7168);
});

test("diagnostics: errors first, with their lines; 5,000 entries become the worst 50 and a count", () => {
  const many: DiagnosticLine[] = Array.from({ length: 5000 }, (_, i) => ({ line: i, severity: i % 10 === 0 ? "error" : "warning", message: `problem ${i}` }));
  const text = formatDiagnostics(many);
  const lines = text.split("\n");
  assert.equal(lines.length, 51);
  assert.match(lines[0], /^- error at line 1: problem 0$/);
  assert.match(lines[49], /^- error at line 491:/);
  assert.match(lines[50], /4950 more problem/);
  assert.equal(formatDiagnostics([]), "No problems reported for this file.");
  assert.match(formatDiagnostics([{ line: 2, severity: "error", message: "x", source: "ts", code: "  let a = ;" }]), /line 3 \[ts\]: x\n {4}let a = ;/);
});

test("fuzzy file match prefers the file name", () => {
  const files = ["src/core/chat/answerCache.ts", "src/app.ts", "test/app.test.ts", "docs/apple.md"];
  const ranked = files.map((f) => [f, fuzzyScore("app", f)] as const).filter(([, s]) => s !== undefined).sort((a, b) => (a[1] ?? 0) - (b[1] ?? 0)).map(([f]) => f);
  assert.equal(ranked[0], "src/app.ts");
  assert.equal(fuzzyScore("zzz", "src/app.ts"), undefined);
});

test("answers that rewrite the attached code (edit, /fix, /doc) are told apart from other questions: the engine drafts those from the code", () => {
  const selection = [{ kind: "selection" }];
  assert.equal(answerRewritesCode({ text: "Edit a.ts:1-3: rename x", attachments: [{ kind: "edit" }] }), true);
  assert.equal(answerRewritesCode({ text: slashQuestion({ command: "fix", rest: "", languageId: "typescript" }), attachments: [...selection, { kind: "problems" }] }), true);
  assert.equal(answerRewritesCode({ text: slashQuestion({ command: "doc", rest: "", languageId: "typescript" }), attachments: selection }), true);
  assert.equal(answerRewritesCode({ text: slashQuestion({ command: "explain", rest: "", languageId: "typescript" }), attachments: selection }), false);
  assert.equal(answerRewritesCode({ text: slashQuestion({ command: "tests", rest: "", languageId: "typescript" }), attachments: selection }), false, "tests are new code");
  assert.equal(answerRewritesCode({ text: "how do I fix this? /fix: maybe", attachments: selection }), false, "only the command's own question");
  // A rewrite is sent as an edit, without the repeat penalty that would push it off the code it copies.
  assert.deepEqual(answerRequestShape({ text: "Edit a.ts:1-3: rename x", attachments: [{ kind: "edit" }] }), { purpose: "edit", sampling: { repeatPenalty: 1 } });
  assert.deepEqual(answerRequestShape({ text: "What does this do?", attachments: selection }), { purpose: "chat" }, "a question keeps the chat's sampling");
});
