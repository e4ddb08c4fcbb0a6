// Verdicts from the engine's loader estimates (GgufInsights' RAM/VRAM split by layer) and how they replace the
// header estimates of listed models; an entry the loader could not read keeps its estimate and says why.
import assert from "node:assert/strict";
import { test } from "node:test";
import { estimateFromLoader, loaderVerdict, type LoaderFit, type MachineMemory } from "../../src/core/models/fit.ts";
import { refineWithLoader, withLoaderFits, type ListedModel } from "../../src/extension/models/modelLister.ts";
import type { EstimateFitResult } from "../../src/inference/protocol.ts";

const GB = 1e9;
const fit = (over: Partial<LoaderFit> = {}): LoaderFit => ({
  totalLayers: 29,
  gpuLayers: 0,
  contextSize: 8192,
  largestContextSize: 32_768,
  modelRamBytes: 1.4 * GB,
  modelVramBytes: 0,
  contextRamBytes: 0.9 * GB,
  contextVramBytes: 0,
  ...over,
});
const machine = (freeRamBytes: number, freeVramBytes?: number): MachineMemory => ({ totalRamBytes: 16 * GB, freeRamBytes, ...(freeVramBytes !== undefined ? { freeVramBytes } : {}) });

test("CPU only: fits in free RAM, tight when only total RAM would do, too big beyond", () => {
  assert.deepEqual(loaderVerdict(fit(), machine(8 * GB)), { kind: "ram", needBytes: 2.3 * GB });
  assert.deepEqual(loaderVerdict(fit({ largestContextSize: 0, modelRamBytes: 9 * GB }), machine(4 * GB)), { kind: "tight", needBytes: 9.9 * GB, freeBytes: 4 * GB });
  assert.equal(loaderVerdict(fit({ largestContextSize: 0, modelRamBytes: 20 * GB }), machine(4 * GB)).kind, "tooBig");
});

test("GPU: all layers → on GPU, some → partly on GPU (the rest in RAM), a RAM part that does not fit decides", () => {
  const full = loaderVerdict(fit({ gpuLayers: 29, modelRamBytes: 0.01 * GB, modelVramBytes: 1.4 * GB, contextRamBytes: 0.01 * GB, contextVramBytes: 0.9 * GB }), machine(8 * GB, 6 * GB));
  assert.deepEqual(full, { kind: "gpu", needBytes: 2.32 * GB, layers: 29, totalLayers: 29 });
  const partial = loaderVerdict(fit({ gpuLayers: 19, totalLayers: 49, modelRamBytes: 8.8 * GB, modelVramBytes: 5.3 * GB }), machine(12 * GB, 6 * GB));
  assert.equal(partial.kind, "partialGpu");
  assert.ok(partial.kind === "partialGpu" && partial.layers === 19 && partial.totalLayers === 49);
  assert.equal(loaderVerdict(fit({ gpuLayers: 19, totalLayers: 49, modelRamBytes: 20 * GB, modelVramBytes: 5.3 * GB }), machine(4 * GB, 6 * GB)).kind, "tooBig");
});

test("the loader estimate keeps the split: weights and cache from RAM and VRAM, the context, the largest that fits", () => {
  const e = estimateFromLoader(fit({ gpuLayers: 10, modelRamBytes: 1 * GB, modelVramBytes: 0.4 * GB, contextRamBytes: 0.6 * GB, contextVramBytes: 0.3 * GB }));
  assert.equal(e.basis, "loader");
  assert.ok(Math.abs(e.weightsBytes - 1.4 * GB) < 1 && Math.abs(e.kvCacheBytes - 0.9 * GB) < 1);
  assert.equal(e.contextSize, 8192);
  assert.equal(e.layers, 29);
  assert.equal(e.largestContextSize, 32_768);
});

const base = (p: string): ListedModel => ({
    path: p,
    label: p,
    source: "file",
    root: "/",
    sizeBytes: GB,
    estimate: { totalBytes: 1.2 * GB, weightsBytes: GB, kvCacheBytes: 0.2 * GB, contextSize: 8192, basis: "header" },
    verdict: { kind: "ram", needBytes: 1.2 * GB },
    estimateMs: 1,
});

test("withLoaderFits replaces estimates by path, keeps unreadable and unanswered entries as they were", () => {
  const models = [base("/a.gguf"), base("/b.gguf"), base("/c.gguf")];
  const fits: EstimateFitResult = {
    memory: { ramFree: 1 * GB, ramTotal: 16 * GB, vramFree: 0, vramTotal: 0, gpu: false },
    results: [
      { path: "/a.gguf", ok: true, architecture: "qwen2", supported: true, trainContextSize: 32_768, attempts: 9, ms: 12, ...fit() },
      { path: "/b.gguf", ok: false, error: "not a GGUF file", ms: 3 },
    ],
  };
  const [a, b, c] = withLoaderFits(models, fits);
  assert.equal(a?.estimate.basis, "loader");
  assert.equal(a?.verdict.kind, "tight", "against the memory the engine measured (1 GB free), not the host's");
  assert.equal(a?.loaderMs, 12);
  assert.equal(b?.estimate.basis, "header");
  assert.equal(b?.loaderError, "not a GGUF file");
  assert.deepEqual(c, models[2]);
});

function recorder() {
  const lines: string[] = [];
  return { lines, log: { info: (m: string) => lines.push(`info ${m}`), warn: (m: string) => lines.push(`warn ${m}`) } };
}

test("refineWithLoader: an engine that never answers (and ignores cancellation) is cut off by the time box", async () => {
  const models = [base("/models/a.gguf")];
  const { lines, log } = recorder();
  const refined = await refineWithLoader(models, () => new Promise(() => undefined), { params: {}, budgetMs: 50, log });
  assert.deepEqual(refined, models);
  assert.deepEqual(lines, ["warn Loader estimates unavailable, using the header or rule-of-thumb estimates: no answer within 50 ms"]);
});

test("refineWithLoader: a failing engine keeps the estimates and logs why; the caller's cancel logs nothing", async () => {
  const models = [base("/models/a.gguf")];
  const failing = recorder();
  assert.deepEqual(await refineWithLoader(models, () => Promise.reject(new Error("The inference engine crashed")), { params: {}, budgetMs: 5_000, log: failing.log }), models);
  assert.deepEqual(failing.lines, ["warn Loader estimates unavailable, using the header or rule-of-thumb estimates: The inference engine crashed"]);
  const cancelled = recorder();
  const controller = new AbortController();
  const pending = refineWithLoader(models, () => new Promise(() => undefined), { params: {}, budgetMs: 5_000, signal: controller.signal, log: cancelled.log });
  controller.abort();
  assert.deepEqual(await pending, models);
  assert.deepEqual(cancelled.lines, []);
});

test("refineWithLoader: per-file failures are logged as reasons with counts, never with the file's name", async () => {
  const models = [base("/work/acme-secret/a.gguf"), base("/work/acme-secret/b.gguf"), base("/work/ok.gguf")];
  const { lines, log } = recorder();
  let asked: unknown;
  const refined = await refineWithLoader(
    models,
    (params) => {
      asked = params;
      return Promise.resolve({
        memory: { ramFree: 8 * GB, ramTotal: 16 * GB, vramFree: 0, vramTotal: 0, gpu: false },
        results: [
          { path: "/work/acme-secret/a.gguf", ok: false, error: "reading the header took longer than 2000 ms", ms: 2000 },
          { path: "/work/acme-secret/b.gguf", ok: false, error: "Invalid GGUF magic in /work/acme-secret/b.gguf (b.gguf)", ms: 1 },
          { path: "/work/ok.gguf", ok: true, architecture: "qwen2", supported: true, trainContextSize: 32_768, attempts: 9, ms: 20, ...fit() },
        ],
      });
    },
    { params: { contextSize: 4096, gpuLayers: null }, budgetMs: 5_000, log },
  );
  assert.deepEqual(asked, { contextSize: 4096, gpuLayers: null, paths: models.map((m) => m.path) });
  assert.deepEqual(refined.map((m) => m.estimate.basis), ["header", "header", "loader"]);
  assert.equal(lines.length, 3);
  assert.match(lines[0], /^info Loader estimates for 3 model\(s\) in \d+ ms \(p95 2000 ms per model\)\.$/);
  assert.equal(lines[1], "warn No loader estimate for 1 model(s), using the header or rule-of-thumb estimate: reading the header took longer than 2000 ms");
  assert.equal(lines[2], "warn No loader estimate for 1 model(s), using the header or rule-of-thumb estimate: Invalid GGUF magic in <file> (<file>)");
  assert.ok(lines.every((l) => !l.includes("acme")));
});
