// Fit estimates through the real child and node-llama-cpp's GgufInsights, on shaped synthetic headers (0.1B–14B
// Qwen2 layouts with sparse data) against given memory: GPU layers, the largest context, settings, bad files.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { closeSync, constants, copyFileSync, openSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { describe as describeModel, loaderFailureReasons, withLoaderFits } from "../../src/extension/models/modelLister.ts";
import type { FitEstimate, FitMemory } from "../../src/inference/protocol.ts";
import { ensureSyntheticModel } from "../fixtures/models.ts";
import { SHAPES, writeShapedModel, type ShapedModel } from "../fixtures/modelStores/shapedModels.ts";
import { createClient, tempDir, type TestClient } from "./helpers.ts";

const GB = 1e9;
const cpu = (ramFree: number): FitMemory => ({ ramFree, ramTotal: 2 * ramFree, vramFree: 0, vramTotal: 0, gpu: false });
const gpu = (vramFree: number, ramFree = 16 * GB): FitMemory => ({ ramFree, ramTotal: 32 * GB, vramFree, vramTotal: vramFree, gpu: true });

function shaped(label: string, quantization: ShapedModel["quantization"] = "Q8_0"): ShapedModel {
  const s = SHAPES.find((x) => x.label === label);
  assert.ok(s);
  return { name: `${label}-${quantization}`, shape: s.shape, quantization, vocabulary: "qwen", fim: true };
}

function ok(result: unknown): FitEstimate {
  const r = result as FitEstimate | { ok: false; error: string };
  assert.ok(r.ok, `estimate failed: ${"error" in r ? r.error : ""}`);
  return r;
}

describe("engine: fit estimates (GgufInsights)", () => {
  let t: TestClient;
  const tmp = tempDir();
  const files: Record<string, string> = {};
  before(async () => {
    t = await createClient();
    for (const m of [shaped("0.5b"), shaped("1.5b"), shaped("7b"), shaped("14b")]) {
      files[m.name] = path.join(tmp.dir, `${m.name}.gguf`);
      await writeShapedModel(files[m.name], m);
    }
  });
  after(async () => {
    await t.client.dispose();
    tmp.dispose();
  });

  it("on a CPU: small models fit with the engine's context, a 7B does not fit in 4 GB; no GPU layers", async () => {
    const { results, memory } = await t.client.estimateFit({ paths: [files["0.5b-Q8_0"], files["7b-Q8_0"]], memory: cpu(4 * GB) });
    assert.equal(memory.gpu, false);
    const small = ok(results[0]);
    const big = ok(results[1]);
    assert.equal(small.architecture, "qwen2");
    assert.equal(small.supported, true);
    assert.equal(small.totalLayers, 25); // 24 blocks + output
    assert.equal(small.gpuLayers, 0);
    assert.equal(small.modelVramBytes, 0);
    assert.equal(small.contextSize, 8192, "automatic context: the largest up to 8192");
    assert.equal(small.trainContextSize, 32_768);
    assert.ok(small.largestContextSize >= 8192 && small.largestContextSize <= 32_768);
    // Q8_0 weights of a 0.5B model: ~0.5 GB, and the KV cache of 8192 tokens on top.
    assert.ok(small.modelRamBytes > 0.4 * GB && small.modelRamBytes < 0.7 * GB, String(small.modelRamBytes));
    assert.ok(small.contextRamBytes > 0);
    assert.ok(big.modelRamBytes > 7 * GB);
    assert.equal(big.largestContextSize, 0, "not even the minimum context fits");
    assert.equal(big.contextSize, 2048, "the engine's minimum context");
  });

  it("on a GPU: all layers when they fit, a part (CPU offload) when not, more VRAM gives more layers", async () => {
    const memories = [gpu(2 * GB), gpu(6 * GB), gpu(12 * GB), gpu(40 * GB)];
    const layers: number[] = [];
    for (const memory of memories) {
      const { results } = await t.client.estimateFit({ paths: [files["1.5b-Q8_0"], files["14b-Q8_0"]], memory });
      const small = ok(results[0]);
      const big = ok(results[1]);
      if (memory.vramFree >= 6 * GB) assert.equal(small.gpuLayers, small.totalLayers, "1.5B fully on a 6 GB GPU");
      assert.ok(big.modelVramBytes + big.contextVramBytes <= memory.vramFree, "never plans more than the free VRAM");
      layers.push(big.gpuLayers);
    }
    assert.ok(layers[0] < layers[1] && layers[1] < layers[2], `14B layers by VRAM: ${layers.join(", ")}`);
    assert.ok(layers[1] > 0 && layers[1] < 49, "partial offload on 6 GB");
    assert.equal(layers[3], 49, "all 49 layers on 40 GB");
  });

  it("follows engine.contextSize and a fixed engine.gpuLayers", async () => {
    const { results } = await t.client.estimateFit({ paths: [files["7b-Q8_0"]], contextSize: 4096, gpuLayers: 5, memory: gpu(24 * GB, 32 * GB) });
    const fit = ok(results[0]);
    assert.equal(fit.contextSize, 4096);
    assert.equal(fit.gpuLayers, 5);
    const more = ok((await t.client.estimateFit({ paths: [files["7b-Q8_0"]], contextSize: 16_384, gpuLayers: 5, memory: gpu(24 * GB, 32 * GB) })).results[0]);
    assert.ok(more.contextRamBytes + more.contextVramBytes > fit.contextRamBytes + fit.contextVramBytes, "a larger context needs a larger cache");
  });

  it("caps the estimates it tries: binary searches, a few dozen calls at most even for 49 layers and 131k context", async () => {
    const { results } = await t.client.estimateFit({ paths: Object.values(files), memory: gpu(6 * GB) });
    for (const r of results) {
      const fit = ok(r);
      const bound = 2 * Math.ceil(Math.log2(fit.totalLayers + 1)) + Math.ceil(Math.log2((fit.trainContextSize ?? 8192) / 256 + 1)) + 2;
      assert.ok(fit.attempts <= bound, `${path.basename(fit.path)}: ${fit.attempts} estimates (bound ${bound})`);
    }
  });

  it("a file that is not a readable GGUF gets its own failure; the others still answer", async () => {
    const html = path.join(tmp.dir, "error-page.gguf");
    writeFileSync(html, "<!DOCTYPE html><html><body>502 Bad Gateway</body></html>");
    const truncated = await ensureSyntheticModel("broken-truncated");
    const { results } = await t.client.estimateFit({ paths: [html, files["0.5b-Q8_0"], path.join(tmp.dir, "missing.gguf")], memory: cpu(8 * GB) });
    assert.equal(results.length, 3);
    assert.equal(results[0]?.ok, false);
    assert.ok(!results[0]?.ok && results[0].error.length > 0);
    assert.equal(results[1]?.ok, true);
    assert.equal(results[2]?.ok, false);
    // A file cut inside its data still has a complete header: the estimate is made (the loader refuses it later).
    assert.equal(ok((await t.client.estimateFit({ paths: [truncated], memory: cpu(8 * GB) })).results[0]).architecture, "qwen2");
  });

  it("a file replaced at the same path is read again (the insights cache keys on size and time)", async () => {
    const file = path.join(tmp.dir, "replaced.gguf");
    await writeShapedModel(file, shaped("0.5b"));
    const first = ok((await t.client.estimateFit({ paths: [file], memory: cpu(64 * GB) })).results[0]);
    await writeShapedModel(file, shaped("1.5b"));
    const second = ok((await t.client.estimateFit({ paths: [file], memory: cpu(64 * GB) })).results[0]);
    assert.equal(first.totalLayers, 25);
    assert.equal(second.totalLayers, 29);
  });

  it("without a memory override, estimates against what the engine measures", async () => {
    const { results, memory } = await t.client.estimateFit({ paths: [files["0.5b-Q8_0"]] });
    assert.ok(memory.ramTotal > 0 && memory.ramFree > 0 && memory.ramFree <= memory.ramTotal);
    assert.equal(memory.gpu, false, "the engine tests run on the CPU");
    assert.equal(ok(results[0]).gpuLayers, 0);
  });

  it("shape-faithful Qwen2.5-Coder 0.5B (real tensors): weights ≈ the file size, a cache on top, 25 layers", async () => {
    const file = await ensureSyntheticModel("qwen05b");
    const size = statSync(file).size;
    const fit = ok((await t.client.estimateFit({ paths: [file], memory: cpu(8 * GB) })).results[0]);
    assert.equal(fit.totalLayers, 25);
    assert.ok(fit.modelRamBytes > 0.85 * size && fit.modelRamBytes < 1.15 * size, `weights ${fit.modelRamBytes} vs file ${size}`);
    // 2 sequences × 8192 tokens × 12 KiB (24 blocks × 2 KV heads × 64 × (K + V) × f16) = 201 MB of KV cache, plus
    // node-llama-cpp's compute buffers (the output buffer alone is 151,936 logits per batch token): ~1 GB in all.
    assert.ok(fit.contextRamBytes > 201e6 && fit.contextRamBytes < 2.5 * size, `cache ${fit.contextRamBytes}`);
    assert.equal(fit.largestContextSize, 32_768, "8 GB free holds the trained context");
  });

  it("the largest context that fits shrinks with the RAM budget, to 0 when the weights alone do not fit", async () => {
    const file = await ensureSyntheticModel("qwen05b");
    const budgets = [8, 3, 2, 1.4, 0.5].map((g) => g * GB);
    const largest: number[] = [];
    for (const ramFree of budgets) largest.push(ok((await t.client.estimateFit({ paths: [file], memory: cpu(ramFree) })).results[0]).largestContextSize);
    assert.equal(largest[0], 32_768);
    assert.equal(largest.at(-1), 0);
    const between = largest.slice(1, -1);
    for (let i = 0; i < between.length; i++) {
      assert.ok(between[i] > 0 && between[i] < 32_768, `budget ${budgets[i + 1]}: ${largest.join(", ")}`);
      if (i > 0) assert.ok(between[i] < between[i - 1], `shrinks: ${largest.join(", ")}`);
    }
  });

  it("a corrupt header: the loader fails for that entry, the list keeps the rule of thumb and names it; no path in the reason", async () => {
    const corrupt = path.join(tmp.dir, "client-project-secret.gguf");
    copyFileSync(await ensureSyntheticModel("broken-magic"), corrupt);
    const good = await ensureSyntheticModel("qwen05b");
    const machine = { totalRamBytes: 16 * GB, freeRamBytes: 8 * GB };
    const listed = [corrupt, good].map((p) => ({ path: p, source: "file" as const, label: path.basename(p), sizeBytes: statSync(p).size, root: path.dirname(p) }));
    const described = await Promise.all(listed.map((m) => describeModel(m, { machine, contextSetting: 0 })));
    assert.equal(described[0]?.estimate.basis, "fileSize", "the host's header read fails too: file size × 1.2");
    assert.ok(described[0]?.summaryError);
    const fits = await t.client.estimateFit({ paths: listed.map((m) => m.path), memory: cpu(8 * GB) });
    const [bad, fine] = withLoaderFits(described, fits);
    assert.equal(bad?.estimate.basis, "fileSize");
    assert.ok(bad?.loaderError && bad.loaderError.length > 0);
    assert.ok(Math.abs((bad?.estimate.totalBytes ?? 0) - 1.2 * statSync(corrupt).size) < 1);
    assert.equal(fine?.estimate.basis, "loader");
    assert.ok(fine?.estimate.largestContextSize);
    const reasons = [...loaderFailureReasons(fits).keys()];
    assert.equal(reasons.length, 1);
    assert.ok(!reasons[0].includes("client-project-secret"), reasons[0]);
  });

  it("a FIFO named .gguf (opening it would block for ever) is refused at once, without opening it; the next file answers", { skip: process.platform === "win32" }, async () => {
    const fifo = path.join(tmp.dir, "stuck.gguf");
    execFileSync("mkfifo", [fifo]);
    try {
      const { results } = await t.client.estimateFit({ paths: [fifo, files["0.5b-Q8_0"]], memory: cpu(8 * GB), fileTimeoutMs: 300 });
      assert.equal(results[0]?.ok, false);
      assert.match(!results[0]?.ok ? results[0].error : "", /not a regular file/);
      assert.ok(results[0].ms < 300, String(results[0].ms));
      assert.equal(results[1]?.ok, true, "the next file still answers");
    } finally {
      // Release the child's blocked open (a writer arrives and leaves: end of file); non-blocking, so never hangs here.
      try {
        closeSync(openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK));
      } catch {
        // no reader left
      }
    }
  });

  it("rejects relative paths and a bad time box", async () => {
    await assert.rejects(t.client.estimateFit({ paths: [files["0.5b-Q8_0"]], fileTimeoutMs: -1 }), /fileTimeoutMs/);
    await assert.rejects(t.client.estimateFit({ paths: ["relative.gguf"] }), /absolute/);
  });
});
