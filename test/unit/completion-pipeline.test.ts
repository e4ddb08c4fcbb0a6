// The pure pipeline as the provider drives it, keystroke by keystroke, with a fake engine: trigger → typing-through
// → context → extra chunks → cache key → cache → (engine) → post-processing → remember. Also properties of
// post-processing over random model output (fast-check).
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  buildCompletionContext,
  completionRequestFields,
  CompletionCache,
  deriveBudget,
  indexSnippets,
  postprocess,
  selectExtraContext,
  shouldRequest,
  type CursorPosition,
  type DocumentSnapshot,
} from "../../src/core/completion/index.ts";

class Doc implements DocumentSnapshot {
  constructor(
    public lines: string[],
    readonly languageId = "typescript",
    readonly relativePath = "src/cart.ts",
  ) {}
  get lineCount(): number {
    return this.lines.length;
  }
  lineAt(i: number): string {
    return this.lines[i];
  }
}

test("a typing session: one engine call, then typing-through and the prompt cache serve the rest", () => {
  const doc = new Doc([
    "export class Cart {",
    "  private items: Item[] = [];",
    "",
    "  total(): number {",
    "    return ",
    "  }",
    "}",
  ]);
  const other = indexSnippets({ path: "src/item.ts", languageId: "typescript", lines: ["export interface Item {", "  price: number;", "  quantity: number;", "}"] });
  const budget = deriveBudget({ prefillTokensPerSecond: 170, decodeTokensPerSecond: 30 });
  const cache = new CompletionCache();
  const engineCalls: string[] = [];
  const engine = (prefix: string, line: string): string => {
    engineCalls.push(line);
    assert.ok(prefix.endsWith("  total(): number {\n"));
    return "this.items.reduce((sum, item) => sum + item.price * item.quantity, 0);\n  }\n}";
  };

  const request = (cursor: CursorPosition, lastInserted: string): string | undefined => {
    const line = doc.lineAt(cursor.line);
    const decision = shouldRequest({
      linePrefix: line.slice(0, cursor.character),
      lineSuffix: line.slice(cursor.character),
      languageId: doc.languageId,
      explicit: false,
      excluded: false,
      modelReady: true,
      lastInserted,
    });
    if (!decision.request) return undefined;
    const through = cache.typeThrough("file:///cart.ts", doc, cursor);
    if (through) return through.text;
    const ctx = buildCompletionContext(doc, cursor, { maxPromptTokens: budget.coldPromptTokens, extraContextShare: 0.2 });
    const extra = selectExtraContext(ctx.nearCursor, other, {
      languageId: ctx.languageId,
      maxTokens: ctx.budget.extra,
      current: { path: doc.relativePath, startLine: ctx.prefixStartLine, endLine: ctx.suffixEndLine, prefix: ctx.prefix },
    });
    const fields = completionRequestFields(ctx, extra, decision.mode, budget, { warm: engineCalls.length > 0, salt: "model.gguf" });
    assert.equal(fields.stopAtLineEnd, decision.mode === "singleLine");
    assert.ok(fields.timeBudgetMs > 0 && fields.maxTokens > 0);
    let raw = cache.get(fields.cacheKey)?.texts[0];
    if (raw === undefined) {
      raw = engine(fields.prefix, fields.currentLinePrefix);
      cache.set(fields.cacheKey, { texts: [raw] });
    }
    const text = postprocess(raw, { ...ctx, mode: decision.mode, maxLines: fields.maxLines });
    if (text !== undefined) cache.remember({ documentId: "file:///cart.ts", line: cursor.line, character: cursor.character, linePrefix: ctx.linePrefix }, text);
    return text;
  };

  const shown = request({ line: 4, character: 11 }, " ");
  assert.equal(shown, "this.items.reduce((sum, item) => sum + item.price * item.quantity, 0);");
  assert.equal(engineCalls.length, 1);
  // The user types "this.it" through the ghost text: no engine call, the rest is served.
  let line = doc.lines[4];
  for (const ch of "this.it") {
    line += ch;
    doc.lines[4] = line;
    const rest = request({ line: 4, character: line.length }, ch);
    assert.equal(rest, shown.slice(line.length - 11));
  }
  assert.equal(engineCalls.length, 1);
  // Deleting back to the original position: the prompt cache answers.
  doc.lines[4] = "    return ";
  assert.equal(request({ line: 4, character: 11 }, ""), shown);
  assert.equal(engineCalls.length, 1);
});

// eslint-disable-next-line no-control-regex -- the property is about control characters
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

test("property: output is never blank, has no control characters, and is one line when mid-line", () => {
  fc.assert(
    fc.property(
      fc.string({ unit: fc.constantFrom("a", "b", " ", "\t", "\n", "(", ")", "{", "}", '"', ";", "\u0007", "\u001b", "\r", "x") , maxLength: 60 }),
      fc.constantFrom("", ")", ");", " + 1", "}", '")'),
      fc.constantFrom("", "  ", "  foo(", "  if (x) {", '  log("'),
      (raw, lineSuffix, linePrefix) => {
        const out = postprocess(raw, { linePrefix, lineSuffix, nextLines: ["  }", "}"], indentUnit: "  ", languageId: "typescript" });
        if (out === undefined) return;
        assert.ok(out.trim().length > 0);
        assert.ok(!CONTROL.test(out), JSON.stringify(out));
        if (/[^\s)\]}>"'`;,]/.test(lineSuffix)) assert.ok(!out.includes("\n"), JSON.stringify(out));
      },
    ),
    { numRuns: 2000 },
  );
});

test("provider's own time on a 16,000-line file: ~1 ms per keystroke (everything but the model; goal p95 < 15 ms)", () => {
  const lines = Array.from({ length: 16_000 }, (_, i) =>
    i % 4 === 0 ? `export function handler${i}(request: Request): Response {` : `  const value${i} = compute(request.items[${i}], options.threshold); // note ${i}`,
  );
  const doc = new Doc(lines);
  const snippets = indexSnippets({ path: "src/other.ts", languageId: "typescript", lines: lines.slice(0, 2000) });
  const budget = deriveBudget({ prefillTokensPerSecond: 170, decodeTokensPerSecond: 30 });
  const cache = new CompletionCache();
  const times: number[] = [];
  for (let k = 0; k < 200; k++) {
    const cursor = { line: 9000 + Math.floor(k / 40), character: 2 + (k % 40) };
    const t0 = performance.now();
    const ctx = buildCompletionContext(doc, cursor, { maxPromptTokens: budget.maxPromptTokens, extraContextShare: 0.2 });
    const extra = selectExtraContext(ctx.nearCursor, snippets, { languageId: "typescript", maxTokens: ctx.budget.extra, previous: [] });
    const fields = completionRequestFields(ctx, extra, "singleLine", budget, { warm: true });
    cache.get(fields.cacheKey);
    postprocess("compute(request.items[1], options.threshold);\nmore", { ...ctx, maxLines: 1 });
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const p50 = times[Math.floor(times.length * 0.5)];
  const p95 = times[Math.floor(times.length * 0.95)];
  // Alone this measures p95 ≈ 1 ms on 2 cores; the unit suite runs files in parallel, so the hard bound is on the
  // median and p95 only guards against an O(file) regression (reading 16,000 lines costs far more).
  assert.ok(p50 < 5, `p50 ${p50.toFixed(2)} ms`);
  assert.ok(p95 < 60, `p95 ${p95.toFixed(2)} ms`);
});

test("request fields: single-line stops at the line end; the cold time budget covers the whole prompt", () => {
  const doc = new Doc(["function f() {", "  return ", "}"]);
  const budget = deriveBudget({ prefillTokensPerSecond: 170, decodeTokensPerSecond: 30 });
  const ctx = buildCompletionContext(doc, { line: 1, character: 9 });
  const warm = completionRequestFields(ctx, [], "singleLine", budget, { warm: true });
  const cold = completionRequestFields(ctx, [{ text: "x".repeat(640) }], "singleLine", budget, { warm: false });
  const multi = completionRequestFields(ctx, [], "multiLine", budget, { warm: true, salt: "m" });
  assert.equal(warm.stopAtLineEnd, true);
  assert.deepEqual(warm.stop, []);
  assert.equal(multi.stopAtLineEnd, false);
  assert.deepEqual(multi.stop, ["\n\n\n"]);
  assert.ok(cold.timeBudgetMs > warm.timeBudgetMs + 500, `${cold.timeBudgetMs} vs ${warm.timeBudgetMs}`);
  assert.notEqual(warm.cacheKey, multi.cacheKey);
  assert.notEqual(warm.cacheKey, cold.cacheKey);
  assert.deepEqual(cold.extraContext, [{ text: "x".repeat(640) }]);
});
