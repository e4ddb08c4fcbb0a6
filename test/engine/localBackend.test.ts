import assert from "node:assert/strict";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { hasLocalProcess, localModelRef, type InferenceBackend, type LoadProgress } from "../../src/core/backend/index.ts";
import { LocalBackend } from "../../src/inference/localBackend.ts";
import { ensureSyntheticModel } from "../fixtures/models.ts";
import { ensureChildBuilt } from "./childBuild.ts";
import { processExists } from "./helpers.ts";

/** The local backend through the neutral interface only, as every feature sees it. */
describe("engine: LocalBackend behind InferenceBackend", () => {
  let local: LocalBackend;
  let backend: InferenceBackend;
  let tiny: string;
  before(async () => {
    tiny = await ensureSyntheticModel("tiny");
    local = new LocalBackend({
      childPath: await ensureChildBuilt(),
      cacheDir: path.join(os.tmpdir(), `private-coder-engine-tests-${process.ppid}`),
      gpu: false,
      handshakeTimeoutMs: 60_000,
      loadSettings: () => ({ contextSize: 1024 }),
    });
    backend = local;
  });
  after(async () => {
    await local.dispose();
  });

  it("declares a local backend with FIM, an exact tokenizer, streaming and a speed probe", () => {
    assert.deepEqual(backend.capabilities, { fim: true, exactTokenizer: true, streaming: true, speedProbe: true, location: "local" });
    assert.ok(hasLocalProcess(backend), "the local process facts are on the side interface");
  });

  it("loads a ModelRef for a role with the load settings and reports progress by ref", async () => {
    const ref = localModelRef(tiny, "catalog", "Tiny test model");
    const progress: LoadProgress[] = [];
    const subscription = backend.onLoadProgress((p) => progress.push(p));
    const loaded = await backend.loadModel("completion", ref);
    subscription.dispose();
    assert.equal(loaded.ref, ref, "the loaded model carries the caller's ref");
    assert.deepEqual([...loaded.roles], ["completion"]);
    assert.equal(loaded.contextSize, 1024, "the load settings' context size applies");
    assert.equal(loaded.fimSupported, true);
    assert.ok(loaded.details.some((line) => /threads/.test(line)), loaded.details.join(" | "));
    assert.ok(progress.length > 0 && progress.every((p) => p.ref === ref), "progress names the ref");
  });

  it("completes, counts tokens and measures its speed through the neutral interface", async () => {
    const result = await backend.complete({ prefix: "function add(a, b) {\n", currentLinePrefix: "  return ", suffix: "\n}\n", maxTokens: 4, stop: ["\n\n"] });
    assert.equal(result.mode, "fim");
    assert.ok(result.metrics.promptTokens > 0);
    assert.ok((await backend.countTokens("const x = 1;", { role: "completion" })) > 0);
    assert.equal(typeof backend.measureSpeed, "function", "a local backend has a speed probe");
    const speed = await backend.measureSpeed!("completion");
    assert.ok(speed.prefillTokensPerSecond > 0 && speed.decodeTokensPerSecond > 0, JSON.stringify(speed));
  });

  it("reports status with the loaded ref, and the process facts on the side interface", async () => {
    const status = await backend.status();
    assert.equal(status.running, true);
    assert.equal(status.models[0]?.ref.source, "catalog");
    assert.ok(status.details.some((line) => line.startsWith("device ")), status.details.join(" | "));
    // The llama.cpp commit from node-llama-cpp's source bundle, not its binaries' release tag.
    assert.ok(status.details.some((line) => /^node-llama-cpp \d+\.\d+\.\d+, llama\.cpp commit [0-9a-f]{12}$/.test(line)), status.details.join(" | "));
    assert.ok(local.pid !== undefined && processExists(local.pid));
    assert.ok((await local.residentBytes()) > 0);
  });

  it("refuses a remote ref with a typed error", async () => {
    await assert.rejects(backend.loadModel("chat", { id: "remote:x#m", source: "remote", label: "m", endpoint: "http://127.0.0.1:1", remoteModel: "m" }), (error: unknown) => (error as { code?: unknown }).code === "invalidParams");
  });

  it("unloads a role", async () => {
    await backend.unloadModel("completion");
    assert.equal((await backend.status()).models.length, 0);
  });
});
