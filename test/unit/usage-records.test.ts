// Completion outcomes and chat answers become usage records with the request's fate, and a record never holds
// content: the real pipeline runs on a document full of distinctive strings and none of them reaches a record.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { CompletionResult } from "../../src/core/backend/types.ts";
import { CompletionPipeline, CompletionSafetyGate, FileSystemSafetyPolicy, acceptedOutcome, type CompletionOutcome, type PipelineDocument } from "../../src/core/completion/index.ts";
import { ACCEPT_GRACE_MS, chatRecord, CompletionRecorder, hashLanguage, parseUsageRecord, questionRedactions, safeLabel, safeToken, serializeUsageRecord, type UsageRecord } from "../../src/core/usage/index.ts";

const METRICS: CompletionResult["metrics"] = { promptTokens: 120, reusedTokens: 100, evaluatedTokens: 20, generatedTokens: 6, timeToFirstTokenMs: 40.4, totalMs: 90, tokensPerSecond: 33.333, stopReason: "eogToken" };

function outcome(kind: CompletionOutcome["kind"], extra: Partial<CompletionOutcome> = {}): CompletionOutcome {
  return { kind, source: "engine", prefetch: false, grow: false, explicit: false, languageId: "typescript", items: 1, totalMs: 95, engineMs: 90, debounceMs: 0, engineRequests: 1, metrics: METRICS, ...extra };
}

function recorder(): { rec: CompletionRecorder; out: UsageRecord[]; clock: { now: number } } {
  const out: UsageRecord[] = [];
  const clock = { now: 1_000_000 };
  const rec = new CompletionRecorder((r) => out.push(r), () => ({ backend: "local", model: "coder.gguf" }), () => clock.now);
  return { rec, out, clock };
}

test("a shown suggestion is held until its fate: accepted in full is written at once with the request's metrics", () => {
  const { rec, out } = recorder();
  rec.observe(outcome("shown"));
  assert.equal(out.length, 0, "fate unknown: held");
  rec.observe(acceptedOutcome(outcome("shown"), "full", 14));
  assert.equal(out.length, 1);
  const r = out[0];
  assert.deepEqual(
    { feature: r.feature, outcome: r.outcome, acceptedBy: r.acceptedBy, acceptedChars: r.acceptedChars, source: r.source, cacheHit: r.cacheHit },
    { feature: "completion", outcome: "accepted", acceptedBy: "full", acceptedChars: 14, source: "engine", cacheHit: false },
  );
  assert.deepEqual(
    { promptTokens: r.promptTokens, reusedTokens: r.reusedTokens, generatedTokens: r.generatedTokens, ttftMs: r.ttftMs, tokensPerSecond: r.tokensPerSecond, totalMs: r.totalMs, stopReason: r.stopReason },
    { promptTokens: 120, reusedTokens: 100, generatedTokens: 6, ttftMs: 40, tokensPerSecond: 33.3, totalMs: 95, stopReason: "eogToken" },
  );
  assert.equal(r.model, "coder.gguf");
  assert.equal(r.lang, hashLanguage("typescript"));
  assert.notEqual(r.lang, "typescript");
  assert.deepEqual(parseUsageRecord(serializeUsageRecord(r)), r, "what is written reads back");
});

test("typing through: the suggestion is typedThrough, and the type-through request is a cache hit with its own fate", () => {
  const { rec, out } = recorder();
  rec.observe(outcome("shown"));
  rec.observe(outcome("typedThrough", { source: "typeThrough", metrics: undefined, engineRequests: 0, totalMs: 1 }));
  assert.deepEqual(
    out.map((r) => r.outcome),
    ["typedThrough"],
  );
  rec.observe(acceptedOutcome(undefined));
  assert.deepEqual(
    out.map((r) => [r.outcome, r.source, r.cacheHit]),
    [
      ["typedThrough", "engine", false],
      ["accepted", "typeThrough", true],
    ],
  );
});

test("typing something else dismisses it after a grace; an accept inside the grace still counts", () => {
  const { rec, out, clock } = recorder();
  rec.observe(outcome("shown"));
  rec.observe(outcome("cancelled", { source: "none", reason: "cancelled", metrics: undefined }));
  assert.equal(out.length, 0, "a keystroke before the model is not a request; the dismissal waits");
  rec.observe(acceptedOutcome(undefined, "full", 3));
  assert.deepEqual(
    out.map((r) => r.outcome),
    ["accepted"],
  );

  rec.observe(outcome("shown"));
  rec.observe(outcome("declined", { reason: "midWord", source: "none", metrics: undefined }));
  assert.ok(rec.settlingSoon);
  clock.now += ACCEPT_GRACE_MS;
  rec.tick();
  assert.deepEqual(
    out.map((r) => r.outcome),
    ["accepted", "dismissed"],
  );
});

test("accepted by word then line: one record, partial (by its first way), characters summed; a later full accept makes it full", () => {
  const { rec, out } = recorder();
  rec.observe(outcome("shown"));
  rec.observe(acceptedOutcome(undefined, "word", 4));
  rec.observe(acceptedOutcome(undefined, "line", 10));
  assert.equal(out.length, 0, "the rest may still be taken");
  rec.observe(outcome("shown"));
  assert.deepEqual(
    out.map((r) => [r.outcome, r.acceptedBy, r.acceptedChars]),
    [["accepted", "word", 14]],
  );
  rec.observe(acceptedOutcome(undefined, "word", 2));
  rec.observe(acceptedOutcome(undefined, "full", 8));
  assert.deepEqual(out[1] && [out[1].outcome, out[1].acceptedBy, out[1].acceptedChars], ["accepted", "full", 10]);
});

test("prefetches are written at once; requests that asked nothing are not logged; drain writes what is held", () => {
  const { rec, out } = recorder();
  rec.observe(outcome("shown", { prefetch: true }));
  rec.observe(outcome("declined", { prefetch: true, reason: "busy", source: "none" }));
  rec.observe(outcome("cancelled", { prefetch: true, source: "engine", reason: "cancelled", metrics: undefined }));
  rec.observe(outcome("error", { reason: "ENGINE_CRASHED", metrics: undefined }));
  rec.observe(outcome("refused", { reason: "blocked", metrics: undefined, source: "none", redactions: 0 }));
  rec.observe(outcome("shown", { redactions: 2 }));
  rec.drain();
  assert.deepEqual(
    out.map((r) => [r.feature, r.outcome, r.reason ?? "", r.redactions]),
    [
      ["prefetch", "ready", "", 0],
      ["prefetch", "cancelled", "cancelled", 0],
      ["completion", "error", "ENGINE_CRASHED", 0],
      ["completion", "refused", "blocked", 0],
      ["completion", "shown", "", 2],
    ],
  );
});

test("free text is kept out: reasons are codes, model labels lose their folders", () => {
  assert.equal(safeToken("ENGINE_CRASHED"), "ENGINE_CRASHED");
  assert.equal(safeToken("const apiKey = 'x'"), undefined);
  assert.equal(safeLabel("/home/ann/secret-project/models/coder.gguf"), "coder.gguf");
  assert.equal(safeLabel("C:\\Users\\ann\\m.gguf"), "m.gguf");
  assert.equal(hashLanguage(undefined), undefined);
  assert.match(hashLanguage("python") ?? "", /^[0-9a-f]{8}$/);
});

test("chat and Explain answers: metrics, stop reason and redactions of the question, never its text", () => {
  const r = chatRecord({ feature: "explain", outcome: "answered", metrics: METRICS, totalMs: 1234.6, redactions: 2 }, { backend: "local", model: "chat.gguf" }, 5);
  assert.deepEqual(
    { feature: r.feature, outcome: r.outcome, totalMs: r.totalMs, generatedTokens: r.generatedTokens, redactions: r.redactions, t: r.t },
    { feature: "explain", outcome: "answered", totalMs: 1235, generatedTokens: 6, redactions: 2, t: 5 },
  );
  // An edit that drafted: how many drafted tokens were confirmed, counts only; it reads back.
  const drafted = chatRecord({ feature: "chat", outcome: "answered", metrics: { ...METRICS, speculative: { drafting: true, accepted: 40, rejected: 9 } }, totalMs: 10, redactions: 0 }, { backend: "local" }, 7);
  assert.deepEqual([drafted.drafting, drafted.draftsAccepted, drafted.draftsRejected], [true, 40, 9]);
  assert.deepEqual(parseUsageRecord(serializeUsageRecord(drafted)), drafted);
  assert.equal(r.drafting, undefined, "nothing said when the engine did not report drafting");
  assert.equal(parseUsageRecord(JSON.stringify({ ...drafted, drafting: "yes" })), undefined, "a bad drafting field is rejected");
  assert.equal(parseUsageRecord(JSON.stringify({ ...drafted, draftsAccepted: -1 })), undefined);
  const failed = chatRecord({ feature: "chat", outcome: "failed", totalMs: 3, redactions: 0, errorCode: "MODEL_LOAD_FAILED" }, { backend: "remote" }, 6);
  assert.deepEqual([failed.outcome, failed.reason, failed.backend, failed.promptTokens], ["failed", "MODEL_LOAD_FAILED", "remote", undefined]);
  const history = [
    { role: "user" as const, text: "old <secret:aws#1>", attachments: [] },
    { role: "assistant" as const, text: "ok", attachments: [] },
    { role: "user" as const, text: "key <secret:github-pat#1> and <redacted:sensitive-word#2>", attachments: [{ kind: "selection" as const, label: "x", text: "", redactions: 3 }] },
  ];
  assert.equal(questionRedactions(history), 5);
});

test("the real pipeline on a document full of distinctive strings: no record holds any of them", async () => {
  const secretish = ["zebraFunctionName", "quokkaVariable", "/ws/private-area/payroll.ts", "payroll.ts", "wombat_suffix_marker", "generatedKangaroo"];
  const lines = ["// zebraFunctionName computes", "function zebraFunctionName(quokkaVariable: number) {", "  return ", "} // wombat_suffix_marker"];
  const path = "/ws/private-area/payroll.ts";
  const document: PipelineDocument = { id: `file://${path}`, location: { scheme: "file", path }, languageId: "typescript", relativePath: "private-area/payroll.ts", lineCount: lines.length, lineAt: (i) => lines[i] };
  const fs = { realpath: (p: string) => Promise.resolve(p), readTextFile: () => Promise.resolve(undefined) };
  const policy = new FileSystemSafetyPolicy(fs, () => ({ excludedPaths: [], sensitiveWords: [], sensitiveWordAction: "redact", workspaceFolders: ["/ws"] }));
  const pipeline = new CompletionPipeline({
    engine: () => Promise.resolve({ complete: () => Promise.resolve({ text: "generatedKangaroo + 1;", mode: "fim" as const, metrics: METRICS }) }),
    safety: new CompletionSafetyGate(policy),
    modelReady: () => true,
    settings: () => ({ overrides: {}, salt: "m" }),
  });
  const out: UsageRecord[] = [];
  const rec = new CompletionRecorder((r) => out.push(r), () => ({ backend: "local", model: "coder.gguf" }));
  pipeline.onOutcome((o) => rec.observe(o));
  await pipeline.run({ doc: document, cursor: { line: 2, character: 9 }, explicit: true, enabled: true });
  pipeline.noteAccepted("full", 22);
  await pipeline.prefetch(document, { line: 2, character: 9 });
  rec.drain();
  assert.ok(out.length >= 2, JSON.stringify(out));
  const text = out.map(serializeUsageRecord).join("\n");
  for (const s of secretish) assert.ok(!text.includes(s), `${s} leaked into ${text}`);
  assert.ok(!text.includes("typescript"), "the language id is hashed");
});
