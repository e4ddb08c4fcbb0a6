import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import type { CompletionRequest, CompletionResult } from "../../src/core/backend/types.ts";
import { withScriptedTexts } from "../../src/extension/completion/scriptedTexts.ts";

const metrics = { promptTokens: 3, reusedTokens: 0, evaluatedTokens: 3, generatedTokens: 2, timeToFirstTokenMs: 1, totalMs: 2, tokensPerSecond: null } as unknown as CompletionResult["metrics"];

function recordingEngine() {
  const requests: CompletionRequest[] = [];
  return {
    requests,
    complete: (request: CompletionRequest): Promise<CompletionResult> => {
      requests.push(request);
      return Promise.resolve({ text: "model text", mode: "fim", metrics });
    },
  };
}

test("scripted texts: without a file name the engine is handed back untouched", () => {
  const engine = recordingEngine();
  assert.equal(withScriptedTexts(engine, undefined), engine);
});

test("scripted texts: the real engine still answers each request; entry 0 replaces the greedy text, entry N seed N's", async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "pc-scripted-"));
  try {
    const file = path.join(dir, "texts.json");
    const engine = recordingEngine();
    const scripted = withScriptedTexts(engine, file);
    const request: CompletionRequest = { prefix: "a", suffix: "" };
    assert.equal((await scripted.complete(request, {})).text, "model text", "no file yet: the model's own text");
    writeFileSync(file, JSON.stringify(["first", "second"]));
    const greedy = await scripted.complete({ ...request, temperature: 0 }, {});
    assert.equal(greedy.text, "first");
    assert.equal(greedy.metrics, metrics, "the engine's metrics stay");
    assert.equal((await scripted.complete({ ...request, temperature: 0.7, seed: 1 }, {})).text, "second");
    assert.equal((await scripted.complete({ ...request, temperature: 0.7, seed: 2 }, {})).text, "model text", "no entry: the model's text");
    writeFileSync(file, "{not json");
    assert.equal((await scripted.complete(request, {})).text, "model text", "a broken file is ignored");
    assert.equal(engine.requests.length, 5, "every request reached the engine");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("scripted texts: the engine's prewarm stays available", () => {
  const engine = { ...recordingEngine(), prewarm: () => Promise.reject(new Error("not called")) };
  assert.equal(typeof withScriptedTexts(engine, "/nonexistent/texts.json").prewarm, "function");
});
