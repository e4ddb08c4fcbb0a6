// Prewarm and warm files on the host side, with a fake engine: a prewarm sends the full window through the safety
// gate, and the request that follows at that place (or after a switch back from another file) is warm: it gets the
// full window, not the small cold one.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { CompletionRequest, CompletionResult, PrewarmOutcome } from "../../src/core/backend/types.ts";
import { CompletionPipeline, CompletionSafetyGate, FileSystemSafetyPolicy, WarmStates, type CompletionEngine, type PipelineDocument } from "../../src/core/completion/index.ts";

const FAKE_TOKEN = "ghp_Zq8Lw2Rt6Yx4Vb9Nm3Kp7Hs5Dj1Fg0Ac2Ee4";

function safety(): CompletionSafetyGate {
  const fs = { realpath: (p: string) => Promise.resolve(p), readTextFile: () => Promise.resolve(undefined) };
  return new CompletionSafetyGate(
    new FileSystemSafetyPolicy(fs, () => ({ excludedPaths: ["**/secret.ts"], sensitiveWords: [], sensitiveWordAction: "redact", workspaceFolders: ["/ws"] })),
  );
}

function doc(name: string, lines: number): PipelineDocument {
  const text = Array.from({ length: lines }, (_, i) => (i === 5 ? `const token = "${FAKE_TOKEN}";` : `const ${name}${i} = compute(${i}, "${name}");`));
  const path = `/ws/${name}.ts`;
  return { id: `file://${path}`, location: { scheme: "file", path }, languageId: "typescript", relativePath: `${name}.ts`, lineCount: text.length, lineAt: (i) => text[i] };
}

class FakeEngine implements CompletionEngine {
  completes: CompletionRequest[] = [];
  prewarms: CompletionRequest[] = [];
  complete(request: CompletionRequest): Promise<CompletionResult> {
    this.completes.push(request);
    return Promise.resolve({
      text: "next();",
      mode: "fim",
      metrics: { promptTokens: 100, reusedTokens: 90, evaluatedTokens: 10, generatedTokens: 5, timeToFirstTokenMs: 50, totalMs: 120, tokensPerSecond: 30, stopReason: "eogToken" },
    });
  }
  prewarm(request: CompletionRequest): Promise<PrewarmOutcome> {
    this.prewarms.push(request);
    return Promise.resolve({ promptTokens: 1000, reusedTokens: 0, evaluatedTokens: 999, completed: true, yieldedTo: null });
  }
}

function pipeline(engine: FakeEngine): CompletionPipeline {
  const p = new CompletionPipeline({ engine: () => Promise.resolve(engine), safety: safety(), modelReady: () => true, settings: () => ({ overrides: {}, salt: "m" }) });
  // A slow CPU: the cold window is much smaller than the full one.
  p.resetModel({ prefillTokensPerSecond: 200, decodeTokensPerSecond: 6 });
  assert.ok(p.budget.coldPromptTokens < p.budget.maxPromptTokens / 2, `${p.budget.coldPromptTokens} vs ${p.budget.maxPromptTokens}`);
  return p;
}

const at = { line: 300, character: 0 };

test("a prewarm sends the full window, filtered; the first request there is warm with that window", async () => {
  const engine = new FakeEngine();
  const p = pipeline(engine);
  const a = doc("alpha", 400);
  const report = await p.prewarm(a, at);
  assert.equal(report.result, "prewarmed");
  assert.equal(engine.prewarms.length, 1);
  assert.equal(engine.prewarms[0].priority, "background");
  assert.ok(!JSON.stringify(engine.prewarms[0]).includes(FAKE_TOKEN), "the safety gate ran");
  assert.equal(p.canGrow(a.id), true, "warm, but no suggestion yet: a pause may still prefetch one");
  await p.run({ doc: a, cursor: at, explicit: true, enabled: true });
  assert.equal(p.canGrow(a.id), false);
  assert.equal(engine.completes.length, 1);
  assert.equal(engine.completes[0].prefix, engine.prewarms[0].prefix, "the same (full) window as the prewarm");
  assert.equal((await p.prewarm(a, at)).result, "alreadyWarm");
});

test("switching A → B → A: A's request after the switch is warm (full window), B's first is cold (small)", async () => {
  const engine = new FakeEngine();
  const p = pipeline(engine);
  const a = doc("alpha", 400);
  const b = doc("beta", 400);
  await p.prewarm(a, at);
  await p.run({ doc: a, cursor: at, explicit: true, enabled: true });
  await p.run({ doc: b, cursor: at, explicit: true, enabled: true });
  // The next line (a new request, not the cached one).
  await p.run({ doc: a, cursor: { line: 301, character: 0 }, explicit: true, enabled: true });
  const [fullA, coldB, backA] = engine.completes;
  assert.ok(coldB.prefix.length < fullA.prefix.length / 2, "B started cold with the small window");
  assert.ok(backA, "A again reached the engine");
  assert.ok(backA.prefix.startsWith(fullA.prefix) && backA.prefix.length > fullA.prefix.length, "A again: the full window, same start (the engine keeps it warm)");
});

test("no prewarm of an excluded file; none while not ready", async () => {
  const engine = new FakeEngine();
  const p = pipeline(engine);
  assert.equal((await p.prewarm(doc("secret", 50), at)).result, "excluded");
  const notReady = new CompletionPipeline({ engine: () => Promise.resolve(engine), safety: safety(), modelReady: () => false, settings: () => ({ overrides: {}, salt: "m" }) });
  assert.equal((await notReady.prewarm(doc("alpha", 50), at)).result, "notReady");
  assert.equal(engine.prewarms.length, 0);
});

test("warm states: most recent kept, one per document, forgotten on close", () => {
  const w = new WarmStates(2);
  const s = (docId: string, line: number) => ({ docId, prefixStartLine: line, extraIds: "", maxPromptTokens: 1024 });
  w.add(s("a", 1));
  w.add(s("b", 1));
  w.add(s("a", 2));
  assert.equal(w.of("a")?.prefixStartLine, 2);
  w.add(s("c", 1));
  assert.equal(w.of("b"), undefined, "the oldest went");
  w.forget("a");
  assert.equal(w.of("a"), undefined);
  assert.ok(w.of("c"));
});

/** A prewarm that runs until it is aborted, then reports `share` of the prompt evaluated (as the engine does). */
class StoppableEngine extends FakeEngine {
  constructor(private readonly share: number) {
    super();
  }
  override prewarm(request: CompletionRequest, options?: { signal?: AbortSignal }): Promise<PrewarmOutcome> {
    this.prewarms.push(request);
    return new Promise((resolve) => {
      const stop = () => resolve({ promptTokens: 1000, reusedTokens: 0, evaluatedTokens: Math.round(1000 * this.share), completed: false, yieldedTo: "cancelled" });
      if (options?.signal?.aborted) stop();
      options?.signal?.addEventListener("abort", stop);
    });
  }
}

for (const [share, full] of [
  [0.9, true],
  [0.05, false],
] as const) {
  test(`a prewarm stopped by the first keystroke at ${share * 100}% of the window: the first request gets the ${full ? "full window (the rest fits the cold budget)" : "cold window"}`, async () => {
    const engine = new StoppableEngine(share);
    const p = pipeline(engine);
    const a = doc("alpha", 400);
    const prewarm = p.prewarm(a, at);
    // Let the prewarm reach the engine; the keystroke's request then stops it, after the debounce.
    await new Promise((resolve) => setTimeout(resolve, 10));
    assert.equal(engine.prewarms.length, 1);
    await p.run({ doc: a, cursor: at, explicit: true, enabled: true });
    const report = await prewarm;
    assert.equal(report.result, "prewarmed");
    assert.equal(report.outcome?.yieldedTo, "completion", "stopped for the user's request, not cancelled");
    assert.equal(engine.completes.length, 1);
    const sent = engine.completes[0];
    if (full) {
      assert.equal(sent.prefix, engine.prewarms[0].prefix, "the prewarm's (full) window");
      assert.ok((sent.timeBudgetMs ?? 0) < (engine.prewarms[0].timeBudgetMs ?? Infinity), "the time budget counts only what is left to evaluate");
    } else {
      assert.ok(sent.prefix.length < engine.prewarms[0].prefix.length / 2, "too little was evaluated: the small cold window");
    }
  });
}

test("a keystroke in another file leaves the running prewarm alone", async () => {
  const engine = new StoppableEngine(0.9);
  const p = pipeline(engine);
  const controller = new AbortController();
  const prewarm = p.prewarm(doc("alpha", 400), at, controller.signal);
  await new Promise((resolve) => setTimeout(resolve, 10));
  await p.run({ doc: doc("beta", 400), cursor: at, explicit: true, enabled: true });
  let settled = false;
  void prewarm.then(() => (settled = true));
  await new Promise((resolve) => setTimeout(resolve, 10));
  assert.equal(settled, false, "still running: the engine decides between the two");
  controller.abort();
  assert.equal((await prewarm).result, "cancelled", "the host's abort (the user switched away) is a cancel");
});
