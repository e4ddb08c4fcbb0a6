// Early stop of a multi-line generation: once a cut of post-processing (the block's end, the line cap) falls among
// the finished lines, nothing generated after it would be shown, so the pipeline stops the request and keeps the text.
import { test } from "node:test";
import assert from "node:assert/strict";
import { postprocess, type PostprocessContext } from "../../src/core/completion/index.ts";
import { suggestionComplete } from "../../src/core/completion/postprocess/index.ts";

// function f() {
//   const a = 1;
//   █
// }
const inBody: PostprocessContext = { linePrefix: "  ", lineSuffix: "", nextLines: ["}", ""], previousLines: ["function f() {", "  const a = 1;"], indentUnit: "  ", languageId: "typescript", mode: "multiLine", maxLines: 10 };

test("complete once the block has ended among the finished lines; the same suggestion as from the whole text", () => {
  const full = "const b = 2;\n  return a + b;\n}\n\nfunction g() {\n  return 0;\n}\n";
  let stoppedAt = -1;
  for (let n = 1; n <= full.length && stoppedAt < 0; n++) if (suggestionComplete(full.slice(0, n), inBody)) stoppedAt = n;
  assert.equal(full.slice(0, stoppedAt), "const b = 2;\n  return a + b;\n}\n", "it stops when the line that leaves the block is finished");
  assert.equal(postprocess(full.slice(0, stoppedAt), inBody), postprocess(full, inBody));
});

test("not complete while the block goes on, nor before a line is finished, nor for blank lines", () => {
  assert.equal(suggestionComplete("const b = 2;", inBody), false);
  assert.equal(suggestionComplete("const b = 2;\n  return a", inBody), false);
  assert.equal(suggestionComplete("const b = 2;\n  return a + b;\n", inBody), false);
  assert.equal(suggestionComplete("const b = 2;\n\n\n", inBody), false);
});

test("complete at the line cap", () => {
  const capped = { ...inBody, maxLines: 2 };
  assert.equal(suggestionComplete("x();\n  y();\n", capped), false);
  assert.equal(suggestionComplete("x();\n  y();\n  z();\n", capped), true);
  assert.equal(postprocess("x();\n  y();\n  z();\n", capped), postprocess("x();\n  y();\n  z();\n  w();\n  v();", capped));
});

// ---- through the pipeline, with an engine that streams token by token ------------------------------------------------
import { CompletionPipeline, CompletionSafetyGate, FileSystemSafetyPolicy, type CompletionEngine, type PipelineDocument } from "../../src/core/completion/index.ts";
import type { CompleteOptions, CompletionRequest, CompletionResult } from "../../src/core/backend/types.ts";

/**
 * Streams `text` a few characters at a time. `finishes`: it ends early when `finishWhen` says so, with metrics (as the
 * local engine does); otherwise it goes on until its signal aborts (rejecting, as a backend does).
 */
class StreamingEngine implements CompletionEngine {
  streamedChars = 0;
  aborted = false;
  finishedEarly = false;
  constructor(
    private readonly text: string,
    private readonly options: { finishes: boolean; msPerChunk: number } = { finishes: true, msPerChunk: 1 },
  ) {}
  async complete(_request: CompletionRequest, options: CompleteOptions): Promise<CompletionResult> {
    const metrics = (generated: number, stopReason: "maxTokens" | "stopString") => ({ promptTokens: 100, reusedTokens: 90, evaluatedTokens: 10, generatedTokens: generated, timeToFirstTokenMs: 20, totalMs: 200, tokensPerSecond: 40, stopReason });
    let sent = "";
    for (let at = 0; at < this.text.length; at += 3) {
      if (options.signal?.aborted) {
        this.aborted = true;
        throw Object.assign(new Error("cancelled"), { code: "cancelled" });
      }
      const piece = this.text.slice(at, at + 3);
      sent += piece;
      this.streamedChars += piece.length;
      options.onChunk?.(piece);
      if (this.options.finishes && options.finishWhen?.(sent)) {
        this.finishedEarly = true;
        return { text: sent, mode: "fim", metrics: metrics(sent.length, "stopString") };
      }
      await new Promise((resolve) => setTimeout(resolve, this.options.msPerChunk));
    }
    return { text: this.text, mode: "fim", metrics: metrics(this.text.length, "maxTokens") };
  }
}

function functionDoc(): PipelineDocument {
  const lines = ["function f() {", "  const a = 1;", "  ", "}", ""];
  const path = "/ws/early.ts";
  return { id: `file://${path}`, location: { scheme: "file", path }, languageId: "typescript", relativePath: "early.ts", lineCount: lines.length, lineAt: (i) => lines[i] };
}

function pipelineWith(engine: CompletionEngine): CompletionPipeline {
  const fs = { realpath: (p: string) => Promise.resolve(p), readTextFile: () => Promise.resolve(undefined) };
  const safety = new CompletionSafetyGate(new FileSystemSafetyPolicy(fs, () => ({ excludedPaths: [], sensitiveWords: [], sensitiveWordAction: "redact", workspaceFolders: ["/ws"] })));
  const p = new CompletionPipeline({ engine: () => Promise.resolve(engine), safety, modelReady: () => true, settings: () => ({ overrides: {}, salt: "m" }) });
  p.resetModel({ prefillTokensPerSecond: 500, decodeTokensPerSecond: 40 });
  return p;
}

const FULL = "const b = 2;\n  return a + b;\n}\n\nfunction g() {\n  const unused = [1, 2, 3].map((x) => x * 2);\n  return unused.length;\n}\n";
const AT_BODY = { line: 2, character: 2 };

test("the pipeline ends a multi-line generation once its block has ended; the backend answers with that text and its metrics", async () => {
  const engine = new StreamingEngine(FULL);
  const p = pipelineWith(engine);
  const result = await p.run({ doc: functionDoc(), cursor: AT_BODY, explicit: true, enabled: true });
  assert.equal(result.source, "engine");
  assert.equal(result.items[0], "const b = 2;\n  return a + b;");
  assert.ok(engine.finishedEarly && !engine.aborted, "finished, not aborted");
  assert.ok(engine.streamedChars < FULL.length / 2, `generated ${engine.streamedChars} of ${FULL.length} characters`);
  assert.equal(result.metrics?.stopReason, "stopString", "the metrics came back (the live speeds keep the sample)");
  // A backend that does not stream runs to its end: the same suggestion.
  const whole: CompletionEngine = { complete: (request) => new StreamingEngine(FULL).complete(request, {}) };
  const unstopped = await pipelineWith(whole).run({ doc: functionDoc(), cursor: AT_BODY, explicit: true, enabled: true });
  assert.deepEqual(unstopped.items, result.items);
});

test("a streaming backend that cannot finish early is stopped after a short grace, and the streamed text kept", async () => {
  const engine = new StreamingEngine(FULL.repeat(4), { finishes: false, msPerChunk: 20 });
  const result = await pipelineWith(engine).run({ doc: functionDoc(), cursor: AT_BODY, explicit: true, enabled: true });
  assert.ok(engine.aborted, "aborted after the grace");
  assert.ok(engine.streamedChars < FULL.length, `generated ${engine.streamedChars} characters`);
  assert.equal(result.items[0], "const b = 2;\n  return a + b;");
  assert.equal(result.metrics, undefined);
});

test("a single-line request is never stopped by the pipeline (the engine stops at the line's end)", async () => {
  const engine = new StreamingEngine("1;\n}\nfunction g() {}\n");
  const lines = ["function f() {", "  const a = ", "}", ""];
  const doc: PipelineDocument = { ...functionDoc(), lineCount: lines.length, lineAt: (i) => lines[i] };
  await pipelineWith(engine).run({ doc, cursor: { line: 1, character: 12 }, explicit: true, enabled: true });
  assert.equal(engine.aborted, false);
});
