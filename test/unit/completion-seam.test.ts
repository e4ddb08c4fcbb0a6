// The completion side of the safety seam (src/core/completion/safetyGate.ts) and the pipeline around it,
// with a fake engine: what reaches the engine is filtered, excluded files (per workspace folder, multi-root) get no
// request, and a keystroke aborts the pending request so only the last one reaches the engine.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { CompletionRequest, CompletionResult } from "../../src/core/backend/types.ts";
import {
  CompletionOutcomeCounter,
  CompletionPipeline,
  CompletionSafetyGate,
  FileSystemSafetyPolicy,
  type CompletionEngine,
  type PipelineDocument,
} from "../../src/core/completion/index.ts";
import { withInsertion } from "../../src/extension/completion/insertedDocument.ts";

const FAKE_TOKEN = "ghp_Zq8Lw2Rt6Yx4Vb9Nm3Kp7Hs5Dj1Fg0Ac2Ee4";

function fsWith(files: Record<string, string>) {
  return { realpath: (p: string) => Promise.resolve(p), readTextFile: (p: string) => Promise.resolve(files[p]) };
}

function safety(folders: string[], files: Record<string, string> = {}): CompletionSafetyGate {
  return new CompletionSafetyGate(new FileSystemSafetyPolicy(fsWith(files), () => ({ excludedPaths: [], sensitiveWords: [], sensitiveWordAction: "redact", workspaceFolders: folders })));
}

function doc(lines: string[], path: string): PipelineDocument {
  return { id: `file://${path}`, location: { scheme: "file", path }, languageId: "typescript", relativePath: path.split("/").pop(), lineCount: lines.length, lineAt: (i) => lines[i] };
}

class FakeEngine implements CompletionEngine {
  requests: CompletionRequest[] = [];
  complete(request: CompletionRequest, options: { signal?: AbortSignal }): Promise<CompletionResult> {
    this.requests.push(request);
    if (options.signal?.aborted) return Promise.reject(Object.assign(new Error("cancelled"), { code: "cancelled" }));
    return Promise.resolve({
      text: "items.length;",
      mode: "fim",
      metrics: { promptTokens: 100, reusedTokens: 90, evaluatedTokens: 10, generatedTokens: 5, timeToFirstTokenMs: 50, totalMs: 120, tokensPerSecond: 30, stopReason: "eogToken" },
    });
  }
}

function pipeline(engine: FakeEngine, s: CompletionSafetyGate): CompletionPipeline {
  return new CompletionPipeline({ engine: () => Promise.resolve(engine), safety: s, modelReady: () => true, settings: () => ({ overrides: {}, salt: "m" }) });
}

test("a secret split by the cursor is redacted whole before the engine sees any part of it", async () => {
  const s = safety(["/ws"]);
  const token = FAKE_TOKEN;
  const out = await s.filterRequest(
    { scheme: "file", path: "/ws/a.ts" },
    { prefix: "function f() {\n", currentLinePrefix: `  const t = "${token.slice(0, 20)}`, suffix: `${token.slice(20)}";\n}\n`, extraContext: [{ text: `// other\nconst k = "${token}";\n` }] },
  );
  assert.ok(out.ok);
  const all = JSON.stringify(out.prompt);
  assert.ok(!all.includes(token.slice(0, 20)) && !all.includes(token.slice(20)), all);
  assert.equal(out.prompt.prefix, "function f() {\n");
  assert.ok(out.prompt.currentLinePrefix.startsWith("  const t = "));
  assert.ok(out.redactions >= 2);
});

test("multi-root: each folder's .privatecoderignore applies to its own files only", async () => {
  const s = safety(["/one", "/two"], { "/one/.privatecoderignore": "generated/**\n", "/two/.privatecoderignore": "private.ts\n" });
  assert.equal(await s.isExcluded({ scheme: "file", path: "/one/generated/x.ts" }), true);
  assert.equal(await s.isExcluded({ scheme: "file", path: "/two/generated/x.ts" }), false);
  assert.equal(await s.isExcluded({ scheme: "file", path: "/two/private.ts" }), true);
  assert.equal(await s.isExcluded({ scheme: "file", path: "/one/private.ts" }), false);
  assert.equal(await s.isExcluded({ scheme: "file", path: "/two/.env" }), true);
  assert.equal(await s.isExcluded({ scheme: "untitled", path: undefined }), false);
});

test("an excluded file gets no completion and no engine request, even when asked explicitly", async () => {
  const engine = new FakeEngine();
  const p = pipeline(engine, safety(["/ws"]));
  const result = await p.run({ doc: doc(["API_KEY=", ""], "/ws/.env"), cursor: { line: 0, character: 8 }, explicit: true, enabled: true });
  assert.equal(result.reason, "excluded");
  assert.equal(engine.requests.length, 0);
});

test("what reaches the engine is the filtered text; the result is post-processed, cached and typed through", async () => {
  const engine = new FakeEngine();
  const p = pipeline(engine, safety(["/ws"]));
  const lines = [`const token = "${FAKE_TOKEN}";`, "function count(items: string[]): number {", "  return ", "}"];
  const d = doc(lines, "/ws/count.ts");
  const first = await p.run({ doc: d, cursor: { line: 2, character: 9 }, explicit: false, enabled: true });
  assert.equal(first.source, "engine");
  assert.deepEqual(first.items, ["items.length;"]);
  assert.equal(engine.requests.length, 1);
  assert.ok(!JSON.stringify(engine.requests[0]).includes(FAKE_TOKEN));
  // The same prompt again (anchors forgotten, so typing-through does not answer first): from the cache.
  p.cache.forgetDocument(d.id);
  const again = await p.run({ doc: d, cursor: { line: 2, character: 9 }, explicit: false, enabled: true });
  assert.equal(again.source, "cache");
  assert.deepEqual(again.items, ["items.length;"]);
  // Typing the first characters of the suggestion: the rest from memory.
  lines[2] = "  return ite";
  const through = await p.run({ doc: doc(lines, "/ws/count.ts"), cursor: { line: 2, character: 12 }, explicit: false, enabled: true, lastInserted: "e" });
  assert.equal(through.source, "typeThrough");
  assert.deepEqual(through.items, ["ms.length;"]);
  assert.equal(engine.requests.length, 1);
});

test("a keystroke during the debounce cancels the pending request: only the last of a burst reaches the engine", async () => {
  const engine = new FakeEngine();
  const p = pipeline(engine, safety(["/ws"]));
  const lines = ["function f() {", "  ", "}"];
  let previous: AbortController | undefined;
  const runs = [];
  for (const ch of "return") {
    lines[1] += ch;
    previous?.abort();
    const controller = new AbortController();
    previous = controller;
    runs.push(
      p.run({
        doc: doc([...lines], "/ws/f.ts"),
        cursor: { line: 1, character: lines[1].length },
        explicit: false,
        enabled: true,
        lastInserted: ch,
        signal: controller.signal,
        beforeEngine: () => new Promise((resolve) => setTimeout(() => resolve(!controller.signal.aborted), 20)),
      }),
    );
    await new Promise((r) => setTimeout(r, 5));
  }
  const results = await Promise.all(runs);
  assert.deepEqual(results.slice(0, -1).map((r) => r.source), Array(5).fill("cancelled"));
  assert.equal(engine.requests.length, 1);
});

test("withInsertion shows the document as it reads once a multi-line suggestion is inserted", () => {
  const base = doc(["a", "  foo(|)", "z"].map((l) => l.replace("|", "")), "/ws/x.ts");
  const { doc: next, cursor } = withInsertion(base, { line: 1, character: 6 }, "x,\n  y");
  assert.equal(next.lineCount, 4);
  assert.deepEqual([0, 1, 2, 3].map((i) => next.lineAt(i)), ["a", "  foo(x,", "  y)", "z"]);
  assert.deepEqual(cursor, { line: 2, character: 3 });
});

test("alternatives: the first is greedy, the others sampled with a fixed seed; asking again generates only the missing ones", async () => {
  const engine = new FakeEngine();
  const answers: Record<string, string> = { greedy: "items.length;", "1": "items.length + 1;", "2": "0;" };
  engine.complete = (request, options) => {
    engine.requests.push(request);
    if (options.signal?.aborted) return Promise.reject(Object.assign(new Error("cancelled"), { code: "cancelled" }));
    const text = request.temperature ? answers[String(request.seed)] : answers.greedy;
    return Promise.resolve({ text, mode: "fim", metrics: { promptTokens: 100, reusedTokens: 90, evaluatedTokens: 10, generatedTokens: 5, timeToFirstTokenMs: 50, totalMs: 120, tokensPerSecond: 30, stopReason: "eogToken" } });
  };
  const p = pipeline(engine, safety(["/ws"]));
  const lines = ["function count(items: string[]): number {", "  return ", "}"];
  const d = doc(lines, "/ws/alt.ts");
  const cursor = { line: 1, character: 9 };
  // Typing: one suggestion.
  const typed = await p.run({ doc: d, cursor, explicit: false, enabled: true });
  assert.deepEqual(typed.items, ["items.length;"]);
  assert.equal(engine.requests.length, 1);
  assert.equal(engine.requests[0].temperature, 0);
  // Alt+] (VS Code asks again explicitly, at the same place): not typing-through, which remembers only one; the
  // greedy one comes from the cache, only the sampled ones are generated.
  const cycled = await p.run({ doc: d, cursor, explicit: true, enabled: true, alternatives: 3 });
  assert.deepEqual(cycled.items, ["items.length;", "items.length + 1;", "0;"]);
  assert.equal(engine.requests.length, 3);
  assert.deepEqual(engine.requests.slice(1).map((r) => [r.temperature, r.seed]), [[0.7, 1], [0.7, 2]]);
  // And again: everything from the cache.
  const again = await p.run({ doc: d, cursor, explicit: true, enabled: true, alternatives: 3 });
  assert.equal(again.source, "cache");
  assert.deepEqual(again.items, cycled.items);
  assert.equal(engine.requests.length, 3);
});

test("slow CPU: a pause grows the prompt to the full window in the background; the next keystroke is warm with it", async () => {
  const engine = new FakeEngine();
  const plain = engine.complete.bind(engine);
  // The grown prompt gives another answer than the small one on screen.
  engine.complete = async (request, options) => {
    const result = await plain(request, options);
    return request.priority === "background" ? { ...result, text: "otherValue;" } : result;
  };
  const p = pipeline(engine, safety(["/ws"]));
  const stats = new CompletionOutcomeCounter(p.onOutcome);
  // ~100 prompt tokens/s: a cold request affords ~128 tokens, the full window is ~512 (6 s in the background).
  p.resetModel({ prefillTokensPerSecond: 100, decodeTokensPerSecond: 20 });
  assert.ok(p.budget.coldPromptTokens < p.budget.maxPromptTokens, `${p.budget.coldPromptTokens} < ${p.budget.maxPromptTokens}`);
  const lines = [...Array.from({ length: 150 }, (_, i) => `export const value${i} = compute(${i}, "item ${i}");`), "export function total(): number {", "  return ", "}"];
  const cursor = { line: 151, character: 9 };
  const first = await p.run({ doc: doc(lines, "/ws/values.ts"), cursor, explicit: false, enabled: true });
  assert.equal(first.source, "engine");
  const small = engine.requests[0].prefix.length;
  // The usual prefetch will not evaluate the full window from scratch on this CPU (too slow to finish between keys)...
  assert.equal((await p.prefetch(doc(lines, "/ws/values.ts"), cursor)).reason, "prefetchTooSlow");
  assert.equal(p.canGrow("file:///ws/values.ts"), true);
  // ...but after a pause it does.
  const grown = await p.prefetch(doc(lines, "/ws/values.ts"), cursor, { grow: true });
  assert.equal(grown.source, "engine");
  assert.equal(stats.growRequests, 1);
  assert.equal(engine.requests[1].priority, "background", "a prefetch yields to a chat answer");
  assert.equal(engine.requests[0].priority, undefined);
  assert.ok(engine.requests[1].prefix.length > small * 2, `grown prefix ${engine.requests[1].prefix.length} chars vs ${small}`);
  assert.equal(p.canGrow("file:///ws/values.ts"), false);
  // Typing the suggestion on screen still goes through it from memory (the grown answer did not replace it).
  lines[151] = "  return i";
  const through = await p.run({ doc: doc(lines, "/ws/values.ts"), cursor: { line: 151, character: 10 }, explicit: false, enabled: true, lastInserted: "i" });
  assert.equal(through.source, "typeThrough");
  assert.deepEqual(through.items, ["tems.length;"]);
  // Another keystroke: the full window (warm), not the small cold one.
  lines[151] = "  return v";
  await p.run({ doc: doc(lines, "/ws/values.ts"), cursor: { line: 151, character: 10 }, explicit: false, enabled: true, lastInserted: "v" });
  assert.equal(engine.requests.length, 3);
  assert.equal(engine.requests[2].prefix, engine.requests[1].prefix);
});

test("alternatives by default: one on a slow CPU, two when Alt+] asks again where a suggestion is on screen", async () => {
  const engine = new FakeEngine();
  const p = pipeline(engine, safety(["/ws"]));
  p.resetModel({ prefillTokensPerSecond: 100, decodeTokensPerSecond: 20 });
  assert.ok(p.budget.expectedWarmMs >= 1000);
  const d = doc(["function count(items: string[]): number {", "  return ", "}"], "/ws/slow.ts");
  const cursor = { line: 1, character: 9 };
  assert.equal(p.alternativesFor(d.id, cursor, 0), 1, "Alt+\\ on a slow CPU: the first suggestion as fast as possible");
  await p.run({ doc: d, cursor, explicit: false, enabled: true });
  assert.equal(p.alternativesFor(d.id, cursor, 0), 2, "Alt+] on the suggestion shown here");
  assert.equal(p.alternativesFor(d.id, { line: 0, character: 0 }, 0), 1, "elsewhere");
  assert.equal(p.alternativesFor(d.id, { line: 0, character: 0 }, 3), 3, "the setting wins");
  p.resetModel({ prefillTokensPerSecond: 6000, decodeTokensPerSecond: 180 });
  assert.equal(p.alternativesFor(d.id, { line: 0, character: 0 }, 0), 2, "a fast GPU: always a second one");
});

test("a prefetch on its way to the engine never pre-empts a user request that started after it", async () => {
  const engine = new FakeEngine();
  const gate = safety(["/ws"]);
  // The prefetch's safety check is slow (a cold path decision), so the user's request overtakes it.
  const filter = gate.filterRequest.bind(gate);
  let slowNext = true;
  gate.filterRequest = async (...args) => {
    if (slowNext) {
      slowNext = false;
      await new Promise((r) => setTimeout(r, 50));
    }
    return filter(...args);
  };
  const p = pipeline(engine, gate);
  const d = doc(["function count(items: string[]): number {", "  return ", "}"], "/ws/race.ts");
  const prefetch = p.prefetch(d, { line: 1, character: 9 });
  await new Promise((r) => setTimeout(r, 5));
  const user = await p.run({ doc: d, cursor: { line: 1, character: 9 }, explicit: true, enabled: true });
  assert.equal(user.source, "engine", `the user's request was answered (${user.source}, ${String(user.reason)})`);
  assert.equal((await prefetch).reason, "busy", "the late prefetch gave way");
  assert.equal(engine.requests.length, 1);
});
