// Context building: token budgets, the stable prefix start (stride jumps only), O(window) reads on a huge file,
// the layout the engine keeps warm (current line apart, short suffix), header and cache key.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  buildCompletionContext,
  defaultStride,
  documentHeader,
  prefixWindowStart,
  promptCacheKey,
  type CursorPosition,
  type DocumentSnapshot,
} from "../../src/core/completion/context.ts";
import { calibrateCharsPerToken, charRatioCounter, estimateTokens } from "../../src/core/completion/tokens.ts";
import { hashParts } from "../../src/core/completion/hash.ts";

/** A mutable document that counts `lineAt` calls. */
class FakeDoc implements DocumentSnapshot {
  reads = 0;
  constructor(
    public lines: string[],
    readonly languageId = "typescript",
    readonly relativePath: string | undefined = "src/app.ts",
  ) {}
  get lineCount(): number {
    return this.lines.length;
  }
  lineAt(i: number): string {
    this.reads++;
    const line = this.lines[i];
    if (line === undefined) throw new Error(`line ${i} out of range`);
    return line;
  }
  /** Types `text` at `pos` (newlines split the line) and returns the new cursor. */
  type(pos: CursorPosition, text: string): CursorPosition {
    const line = this.lines[pos.line];
    const parts = (line.slice(0, pos.character) + text + line.slice(pos.character)).split("\n");
    this.lines.splice(pos.line, 1, ...parts);
    const typedLines = text.split("\n");
    const lastLine = pos.line + typedLines.length - 1;
    const character = typedLines.length === 1 ? pos.character + text.length : typedLines[typedLines.length - 1].length;
    return { line: lastLine, character };
  }
}

function codeLines(n: number, seed = 0): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const k = (i * 7 + seed) % 5;
    out.push(
      k === 0
        ? `export function handler${i}(request: Request, response: Response): void {`
        : k === 1
          ? `  const value${i} = compute(request.body.items[${i}], options.threshold);`
          : k === 2
            ? `  if (value${i - 1} > limit) response.status(400).send("too large");`
            : k === 3
              ? `  // step ${i}: keep the running total`
              : "}",
    );
  }
  return out;
}

test("the estimator charges ceil(chars / 3.2) and calibration clamps", () => {
  assert.equal(estimateTokens(""), 0);
  assert.equal(estimateTokens("abc"), 1);
  assert.equal(estimateTokens("a".repeat(32)), 10);
  assert.equal(charRatioCounter(2.6)("a".repeat(26)), 10);
  assert.equal(calibrateCharsPerToken(2600, 1000), 2.6);
  assert.equal(calibrateCharsPerToken(100, 1000), 1.5);
  assert.equal(calibrateCharsPerToken(0, 0), 3.2);
});

test("layout: prefix is whole lines above the cursor line, current line apart, suffix starts right of the cursor", () => {
  const doc = new FakeDoc(["import x from 'x';", "", "function f() {", "  return x(1, 2);", "}", ""]);
  const ctx = buildCompletionContext(doc, { line: 3, character: 11 });
  assert.equal(ctx.prefix, "// Path: src/app.ts\nimport x from 'x';\n\nfunction f() {\n");
  assert.equal(ctx.currentLinePrefix, "  return x(");
  assert.equal(ctx.suffix, "1, 2);\n}\n");
  assert.equal(ctx.prefixStartLine, 0);
  assert.equal(ctx.suffixEndLine, 5);
  assert.equal(ctx.linePrefix, "  return x(");
  assert.equal(ctx.lineSuffix, "1, 2);");
  assert.deepEqual(ctx.nextLines, ["}", ""]);
  assert.deepEqual(ctx.previousLines, ["import x from 'x';", "", "function f() {"]);
  assert.equal(ctx.indentUnit, "  ");
  assert.equal(ctx.header, "// Path: src/app.ts");
});

test("header: path as a comment in the file's language, language for untitled, none without comment syntax", () => {
  assert.equal(documentHeader("python", "pkg/mod.py"), "# Path: pkg/mod.py");
  assert.equal(documentHeader("html", "index.html"), "<!-- Path: index.html -->");
  assert.equal(documentHeader("sql", undefined), "-- Language: sql");
  assert.equal(documentHeader("json", "package.json"), undefined);
  const ctx = buildCompletionContext(new FakeDoc(["a", "b"], "typescript"), { line: 1, character: 0 }, { header: false });
  assert.equal(ctx.prefix, "a\n");
});

test("budgets: every part within its token budget, total within maxPromptTokens", () => {
  const doc = new FakeDoc(codeLines(400));
  for (const maxPromptTokens of [256, 512, 1024, 2048]) {
    for (const line of [0, 5, 100, 399]) {
      const ctx = buildCompletionContext(doc, { line, character: 10 }, { maxPromptTokens, extraContextShare: 0.2 });
      assert.ok(estimateTokens(ctx.prefix) <= ctx.budget.prefix + ctx.tokens.header + 1, `prefix ${maxPromptTokens}@${line}`);
      assert.ok(ctx.tokens.prefix <= ctx.budget.prefix + ctx.tokens.header);
      assert.ok(ctx.tokens.suffix <= ctx.budget.suffix && ctx.budget.suffix <= 64);
      assert.ok(ctx.tokens.total + ctx.budget.extra <= maxPromptTokens, `total ${ctx.tokens.total} + ${ctx.budget.extra} > ${maxPromptTokens}`);
      // The window is not starved either: at least the budget minus one stride of lines minus one line is used.
      if (ctx.prefixStartLine > 0) assert.ok(ctx.tokens.prefix >= ctx.budget.prefix * 0.5, `underused ${ctx.tokens.prefix}/${ctx.budget.prefix}`);
    }
  }
});

test("the suffix is capped at 64 tokens even with a large share, and a huge right-hand side is cut", () => {
  const doc = new FakeDoc(["x = " + "y + ".repeat(500), ...codeLines(50)]);
  const ctx = buildCompletionContext(doc, { line: 0, character: 4 }, { maxPromptTokens: 4096, suffixShare: 0.5 });
  assert.ok(ctx.tokens.suffix <= 64);
  assert.equal(ctx.suffixEndLine, 0);
  assert.ok(ctx.suffix.length > 150 && ctx.suffix.length <= 64 * 3.2);
});

test("a custom token counter is used for every part", () => {
  let calls = 0;
  const count = (t: string): number => {
    calls++;
    return t.length; // one token per character
  };
  const doc = new FakeDoc(codeLines(200));
  const ctx = buildCompletionContext(doc, { line: 150, character: 5 }, { maxPromptTokens: 1200, countTokens: count, suffixShare: 0.05 });
  assert.ok(calls > 0);
  assert.ok(ctx.prefix.length <= ctx.budget.prefix + ctx.tokens.header);
  assert.ok(ctx.suffix.length <= 60);
  assert.equal(ctx.tokens.currentLine, 5);
});

test("stride: a power of two from the budget; the start snaps up to a multiple", () => {
  assert.equal(defaultStride(256), 4);
  assert.equal(defaultStride(1024), 16);
  assert.equal(defaultStride(2048), 32);
  assert.equal(defaultStride(100000), 64);
  assert.equal(prefixWindowStart(0, 50, 16), 0);
  assert.equal(prefixWindowStart(1, 50, 16), 16);
  assert.equal(prefixWindowStart(16, 50, 16), 16);
  assert.equal(prefixWindowStart(17, 50, 16), 32);
  // Rounding up past the cursor (giant lines): the fitting start as is.
  assert.equal(prefixWindowStart(45, 47, 16), 45);
});

test("stable prefix start: typing 30 characters and 3 newlines in a 400-line file moves it only in stride jumps", () => {
  const doc = new FakeDoc(codeLines(400));
  let cursor: CursorPosition = { line: 300, character: 2 };
  doc.lines[300] = "  ";
  const options = { maxPromptTokens: 1024 };
  const first = buildCompletionContext(doc, cursor, options);
  const starts = [first.prefixStartLine];
  const prefixes = [first.prefix];
  const keystrokes = [..."const total = items.length * 2"].slice(0, 30);
  assert.equal(keystrokes.length, 30);
  const script = [...keystrokes.slice(0, 10), "\n", ...keystrokes.slice(10, 20), "\n", ...keystrokes.slice(20), "\n"];
  for (const key of script) {
    cursor = doc.type(cursor, key);
    const ctx = buildCompletionContext(doc, cursor, options);
    starts.push(ctx.prefixStartLine);
    prefixes.push(ctx.prefix);
    if (key !== "\n") {
      // A keystroke within the line: the prefix is byte-identical (only currentLinePrefix changed).
      assert.equal(ctx.prefix, prefixes[prefixes.length - 2], `prefix changed on typing ${JSON.stringify(key)}`);
      assert.ok(ctx.currentLinePrefix.endsWith(key));
    }
  }
  for (let i = 1; i < starts.length; i++) {
    const moved = starts[i] - starts[i - 1];
    assert.ok(moved === 0 || moved % first.stride === 0, `start moved by ${moved} (stride ${first.stride})`);
  }
  assert.ok(starts.every((s) => s % first.stride === 0));
  // Across the three Enters the window start moved at most once.
  assert.ok(new Set(starts).size <= 2, `starts ${[...new Set(starts)].join(",")}`);
});

test("stable prefix start: adding lines one by one moves the start only by whole strides", () => {
  const doc = new FakeDoc(codeLines(400));
  let cursor: CursorPosition = { line: 200, character: doc.lines[200].length };
  const options = { maxPromptTokens: 1024 };
  const starts: number[] = [];
  for (let i = 0; i < 80; i++) {
    cursor = doc.type(cursor, "\n  foo(bar);");
    starts.push(buildCompletionContext(doc, cursor, options).prefixStartLine);
  }
  const stride = defaultStride(1024);
  const jumps = starts.slice(1).map((s, i) => s - starts[i]).filter((d) => d !== 0);
  assert.ok(jumps.length > 0, "80 new lines must move a ~100-line window");
  for (const d of jumps) assert.equal(d % stride, 0, `jump ${d}`);
  // 80 lines at ~4 tokens vs the evicted ~18-token lines: far fewer jumps than lines typed.
  assert.ok(jumps.length <= 80 / stride + 2, `${jumps.length} jumps`);
});

test("O(window): a 16,000-line (~1.3 MB) document costs reads proportional to the window, not the file", () => {
  // ~82 characters a line, like real code with comments: ~1.3 MB.
  const lines = codeLines(16_000).map((l) => l.padEnd(81, " ").replace(/ +$/, (m) => ` //${"-".repeat(Math.max(0, m.length - 3))}`));
  const doc = new FakeDoc(lines);
  const size = lines.reduce((n, l) => n + l.length + 1, 0);
  assert.ok(size > 1_000_000, `document is ${size} bytes`);
  for (const line of [0, 8000, 15_999]) {
    doc.reads = 0;
    const ctx = buildCompletionContext(doc, { line, character: 3 }, { maxPromptTokens: 1024 });
    const windowLines = line - ctx.prefixStartLine + (ctx.suffixEndLine - line) + 1;
    assert.ok(doc.reads <= windowLines + ctx.stride + 30, `read ${doc.reads} lines for a window of ${windowLines}`);
    assert.ok(doc.reads < 200, `read ${doc.reads} lines`);
    assert.equal(ctx.linesRead, doc.reads);
  }
  // And it is fast: 200 builds (≈ 200 keystrokes) well under the 15 ms p95 budget per keystroke.
  const t0 = performance.now();
  for (let i = 0; i < 200; i++) buildCompletionContext(doc, { line: 8000 + (i % 3), character: 2 + (i % 20) });
  const perBuild = (performance.now() - t0) / 200;
  assert.ok(perBuild < 5, `${perBuild.toFixed(2)} ms per build`);
});

test("a blank-line-heavy file still reads a bounded number of lines", () => {
  const doc = new FakeDoc(Array.from({ length: 16_000 }, () => ""));
  const ctx = buildCompletionContext(doc, { line: 15_000, character: 0 }, { maxPromptTokens: 512 });
  assert.ok(doc.reads <= 600, `${doc.reads} reads`);
  assert.ok(ctx.tokens.total <= 512);
});

test("a minified line keeps only the tail of the cursor line", () => {
  const doc = new FakeDoc(["var a=" + "x".repeat(5000)]);
  const ctx = buildCompletionContext(doc, { line: 0, character: 3000 }, { maxLinePrefixChars: 1000 });
  assert.equal(ctx.currentLinePrefix.length, 1000);
  assert.equal(ctx.linePrefix.length, 3000);
});

test("edge positions: empty document, cursor past the end, first line", () => {
  const empty = buildCompletionContext(new FakeDoc([]), { line: 0, character: 0 });
  assert.equal(empty.currentLinePrefix, "");
  assert.equal(empty.suffix, "");
  const doc = new FakeDoc(["abc", "def"]);
  const past = buildCompletionContext(doc, { line: 9, character: 99 });
  assert.equal(past.currentLinePrefix, "def");
  assert.equal(past.prefix, "// Path: src/app.ts\nabc\n");
  const top = buildCompletionContext(doc, { line: 0, character: 1 });
  assert.equal(top.prefix, "// Path: src/app.ts\n");
  assert.equal(top.suffix, "bc\ndef");
});

test("cache key: equal parts give equal keys; any change, extra chunks or salt give a new one", () => {
  const doc = new FakeDoc(codeLines(100));
  const a = buildCompletionContext(doc, { line: 50, character: 5 });
  const b = buildCompletionContext(doc, { line: 50, character: 5 });
  const c = buildCompletionContext(doc, { line: 50, character: 6 });
  assert.equal(a.cacheKey, b.cacheKey);
  assert.notEqual(a.cacheKey, c.cacheKey);
  assert.equal(a.cacheKey, promptCacheKey(a));
  assert.notEqual(promptCacheKey(a, "model-b"), a.cacheKey);
  assert.notEqual(promptCacheKey({ ...a, extraContext: [{ text: "x" }] }), a.cacheKey);
  assert.match(a.cacheKey, /^[0-9a-f]{16}$/);
  // Part boundaries matter.
  assert.notEqual(hashParts(["ab", "c"]), hashParts(["a", "bc"]));
  assert.notEqual(hashParts(["ab"]), hashParts(["ba"]));
  // No collisions over many similar prompts.
  const keys = new Set<string>();
  for (let i = 0; i < 20_000; i++) keys.add(hashParts(["prefix\n", `line ${i}`, "suffix"]));
  assert.equal(keys.size, 20_000);
});
