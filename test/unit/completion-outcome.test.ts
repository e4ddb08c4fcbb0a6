// Every pipeline request ends in exactly one CompletionOutcome (and an accepted suggestion in one more), and the
// statistics subscriber counts from those events alone. Also: the one safety gate forgets its path decisions when
// its policy reports changed rules.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { CompletionRequest, CompletionResult } from "../../src/core/backend/types.ts";
import {
  CompletionOutcomeCounter,
  CompletionPipeline,
  CompletionSafetyGate,
  FileSystemSafetyPolicy,
  type CompletionEngine,
  type CompletionOutcome,
  type CompletionSafetySettings,
  type PipelineDocument,
  type PipelineRequest,
} from "../../src/core/completion/index.ts";

const METRICS: CompletionResult["metrics"] = { promptTokens: 100, reusedTokens: 90, evaluatedTokens: 10, generatedTokens: 5, timeToFirstTokenMs: 50, totalMs: 120, tokensPerSecond: 30, stopReason: "eogToken" };

function gate(files: Record<string, string> = {}, settings: Partial<CompletionSafetySettings> = {}): { gate: CompletionSafetyGate; policy: FileSystemSafetyPolicy } {
  const fs = { realpath: (p: string) => Promise.resolve(p), readTextFile: (p: string) => Promise.resolve(files[p]) };
  const policy = new FileSystemSafetyPolicy(fs, () => ({ excludedPaths: [], sensitiveWords: [], sensitiveWordAction: "redact", workspaceFolders: ["/ws"], ...settings }));
  return { gate: new CompletionSafetyGate(policy), policy };
}

function doc(lines: string[], path = "/ws/count.ts"): PipelineDocument {
  return { id: `file://${path}`, location: { scheme: "file", path }, languageId: "typescript", relativePath: path.split("/").pop(), lineCount: lines.length, lineAt: (i) => lines[i] };
}

const LINES = ["function count(items: string[]): number {", "  return ", "}"];
const AT_RETURN = { line: 1, character: 9 };

interface Setup {
  readonly pipeline: CompletionPipeline;
  readonly outcomes: CompletionOutcome[];
  readonly stats: CompletionOutcomeCounter;
  readonly requests: CompletionRequest[];
}

function setup(options: { complete?: CompletionEngine["complete"]; modelReady?: boolean; safety?: CompletionSafetyGate } = {}): Setup {
  const requests: CompletionRequest[] = [];
  const engine: CompletionEngine = {
    complete: (request, callOptions) => {
      requests.push(request);
      return options.complete ? options.complete(request, callOptions) : Promise.resolve({ text: "items.length;", mode: "fim", metrics: METRICS });
    },
  };
  const pipeline = new CompletionPipeline({
    engine: () => Promise.resolve(engine),
    safety: options.safety ?? gate().gate,
    modelReady: () => options.modelReady ?? true,
    settings: () => ({ overrides: {}, salt: "m" }),
  });
  const outcomes: CompletionOutcome[] = [];
  pipeline.onOutcome((o) => outcomes.push(o));
  return { pipeline, outcomes, stats: new CompletionOutcomeCounter(pipeline.onOutcome), requests };
}

function request(overrides: Partial<PipelineRequest> = {}): PipelineRequest {
  return { doc: doc(LINES), cursor: AT_RETURN, explicit: false, enabled: true, ...overrides };
}

/** Runs one request and returns the one outcome it emitted. */
async function only(s: Setup, req: PipelineRequest): Promise<CompletionOutcome> {
  const before = s.outcomes.length;
  await s.pipeline.run(req);
  assert.equal(s.outcomes.length, before + 1, "exactly one outcome per request");
  return s.outcomes[s.outcomes.length - 1];
}

test("engine answer: one 'shown' outcome with the backend call's metrics; then the cache, then typing-through", async () => {
  const s = setup();
  const shown = await only(s, request());
  assert.equal(shown.kind, "shown");
  assert.equal(shown.source, "engine");
  assert.equal(shown.engineRequests, 1);
  assert.equal(shown.items, 1);
  assert.equal(shown.languageId, "typescript");
  assert.deepEqual(shown.metrics, METRICS);
  assert.equal(shown.prefetch, false);

  s.pipeline.cache.forgetDocument(doc(LINES).id);
  const cached = await only(s, request());
  assert.deepEqual([cached.kind, cached.source, cached.engineRequests], ["shown", "cache", 0]);

  const typed = ["function count(items: string[]): number {", "  return ite", "}"];
  const through = await only(s, request({ doc: doc(typed), cursor: { line: 1, character: 12 }, lastInserted: "e" }));
  assert.deepEqual([through.kind, through.source], ["typedThrough", "typeThrough"]);

  assert.equal(s.requests.length, 1);
  assert.deepEqual(
    { engineRequests: s.stats.engineRequests, shown: s.stats.shown, cacheHits: s.stats.cacheHits, typeThroughHits: s.stats.typeThroughHits, declined: s.stats.declined },
    { engineRequests: 1, shown: 3, cacheHits: 1, typeThroughHits: 1, declined: {} },
  );
  assert.equal(s.stats.lastLatencyMs, shown.totalMs);
});

test("an aborted request is one 'cancelled' outcome: before the engine (none) or at it (engine, counted as cancelled)", async () => {
  const early = setup();
  const controller = new AbortController();
  controller.abort();
  const before = await only(early, request({ signal: controller.signal }));
  assert.deepEqual([before.kind, before.source, before.reason], ["cancelled", "none", "cancelled"]);
  assert.equal(early.stats.cancelled, 0, "no backend request was cancelled");

  const late = new AbortController();
  const s = setup({
    complete: (_request, options) =>
      new Promise((_resolve, reject) => {
        options.signal?.addEventListener("abort", () => reject(Object.assign(new Error("cancelled"), { code: "cancelled" })));
        late.abort();
      }),
  });
  const during = await only(s, request({ signal: late.signal }));
  assert.deepEqual([during.kind, during.source, during.engineRequests], ["cancelled", "engine", 1]);
  assert.equal(s.stats.cancelled, 1);
  assert.equal(s.stats.declined.cancelled, 1);
});

test("declined (trigger rules), refused (safety gate) and error (backend) are one outcome each, with the reason", async () => {
  const notReady = setup({ modelReady: false });
  const declined = await only(notReady, request());
  assert.deepEqual([declined.kind, declined.source, declined.reason], ["declined", "none", "modelNotReady"]);
  assert.deepEqual(notReady.stats.declined, { modelNotReady: 1 });

  const blocking = gate({}, { sensitiveWords: ["Project Falcon"], sensitiveWordAction: "block" });
  const refusing = setup({ safety: blocking.gate });
  const refused = await only(refusing, request({ doc: doc(["// Project Falcon", ...LINES]), cursor: { line: 2, character: 9 } }));
  assert.deepEqual([refused.kind, refused.reason, refused.engineRequests], ["refused", "blocked", 0]);
  assert.equal(refusing.requests.length, 0);

  const failing = setup({ complete: () => Promise.reject(Object.assign(new Error("boom"), { code: "crashed" })) });
  const error = await only(failing, request());
  assert.deepEqual([error.kind, error.source, error.reason, error.engineRequests], ["error", "engine", "crashed", 1]);
  assert.equal(failing.stats.cancelled, 0);
});

test("an accepted suggestion arrives through the same event, after the outcome that showed it", async () => {
  const s = setup();
  await s.pipeline.run(request({ explicit: true }));
  s.pipeline.noteAccepted();
  assert.deepEqual(
    s.outcomes.map((o) => o.kind),
    ["shown", "accepted"],
  );
  const accepted = s.outcomes[1];
  assert.deepEqual([accepted.source, accepted.explicit, accepted.languageId, accepted.engineRequests], ["engine", true, "typescript", 0]);
  assert.equal(s.stats.accepted, 1);
  assert.equal(s.stats.engineRequests, 1, "accepting costs no backend request");
});

test("prefetches report their own outcomes and are counted apart from what the user saw", async () => {
  const s = setup();
  const result = await s.pipeline.prefetch(doc(LINES), AT_RETURN);
  assert.equal(result.source, "engine");
  assert.equal(s.outcomes.length, 1);
  assert.deepEqual([s.outcomes[0].kind, s.outcomes[0].prefetch], ["shown", true]);
  assert.deepEqual({ engineRequests: s.stats.engineRequests, prefetchRequests: s.stats.prefetchRequests, shown: s.stats.shown }, { engineRequests: 1, prefetchRequests: 1, shown: 0 });
});

test("the gate forgets its path decisions when its policy reports changed rules (one ignore-file watcher)", async () => {
  const files: Record<string, string> = {};
  const { gate: g, policy } = gate(files);
  const secret = { scheme: "file", path: "/ws/secret.ts" };
  assert.equal(await g.isExcluded(secret), false);
  files["/ws/.privatecoderignore"] = "secret.ts\n";
  assert.equal(await g.isExcluded(secret), false, "cached until the rules change");
  policy.rulesChanged();
  assert.equal(g.knownExcluded(secret), undefined);
  assert.equal(await g.isExcluded(secret), true);
  g.dispose();
});
