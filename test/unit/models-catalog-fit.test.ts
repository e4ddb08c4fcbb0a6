// The shipped catalog's schema, the article's rule-of-thumb table, fit verdicts on synthetic headers and the
// recommended pair for machines of several sizes.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { CATALOG, downloadUrl, entryProblems, hfUri, validateCatalog } from "../../src/core/models/catalog.ts";
import { effectiveContext, estimateFromFileSize, estimateFromHeader, fitVerdict, kvBytesPerToken, largestContextThatFits, ruleOfThumbTable } from "../../src/core/models/fit.ts";
import type { GgufSummary } from "../../src/core/models/ggufMetadata.ts";
import { orderCatalog, recommendPair } from "../../src/core/models/recommend.ts";

const GB = 1e9;

test("every catalog entry has a URI, an exact size, a SHA-256, a role, a licence and a source", () => {
  const doc = JSON.parse(readFileSync(new URL("../../src/core/models/catalog.json", import.meta.url), "utf8")) as unknown;
  const models = validateCatalog(doc);
  assert.ok(models.length >= 8);
  for (const m of models) {
    assert.match(hfUri(m), /^hf:[^/]+\/[^/]+\/.+\.gguf$/);
    assert.match(m.sha256, /^[0-9a-f]{64}$/);
    assert.ok(Number.isSafeInteger(m.sizeBytes) && m.sizeBytes > 0);
    assert.ok(["completion", "chat", "both"].includes(m.role));
  }
  assert.ok(models.some((m) => m.role === "completion") && models.some((m) => m.role === "chat"));
  // The 3B Qwen models are qwen-research, everything else Apache-2.0 (models-facts.md).
  for (const m of models) assert.equal(m.license, m.parameters === "3B" ? "qwen-research" : "Apache-2.0", m.id);
  assert.equal(CATALOG.length, models.length);
});

test("the schema rejects missing hashes, bad roles, unpinned revisions without a mark and path escapes", () => {
  const good = { ...CATALOG[0] };
  assert.deepEqual(entryProblems(good), []);
  assert.ok(entryProblems({ ...good, sha256: "abc" }).some((p) => p.startsWith("sha256")));
  assert.ok(entryProblems({ ...good, role: "everything" }).some((p) => p.startsWith("role")));
  assert.ok(entryProblems({ ...good, revision: "main" }).some((p) => p.includes("unpinned")));
  assert.ok(entryProblems({ ...good, file: "../x.gguf" }).length > 0);
  assert.ok(entryProblems({ ...good, sizeBytes: -1 }).length > 0);
  assert.throws(() => validateCatalog({ models: [good, good] }), /duplicate id/);
});

test("download URLs use the configured endpoint and the pinned revision", () => {
  const m = { repo: "ggml-org/X-GGUF", revision: "a".repeat(40), file: "x q8.gguf" };
  assert.equal(downloadUrl(m), `https://huggingface.co/ggml-org/X-GGUF/resolve/${"a".repeat(40)}/x%20q8.gguf`);
  assert.equal(downloadUrl(m, "http://127.0.0.1:8080/"), `http://127.0.0.1:8080/ggml-org/X-GGUF/resolve/${"a".repeat(40)}/x%20q8.gguf`);
});

test("the article's rule of thumb: 7B/13B/70B × 16/8/4 bits", () => {
  const table = Object.fromEntries(ruleOfThumbTable().map((r) => [`${r.parametersBillion}B@${r.bits}`, Math.round(r.bytes / 1e8) / 10]));
  assert.deepEqual(table, { "7B@16": 16.8, "7B@8": 8.4, "7B@4": 4.2, "13B@16": 31.2, "13B@8": 15.6, "13B@4": 7.8, "70B@16": 168, "70B@8": 84, "70B@4": 42 });
});

/** A Qwen2.5-Coder-1.5B-shaped header: 28 blocks, 1536 wide, 12 heads, 2 KV heads. */
const qwen15: GgufSummary = { version: 3, architecture: "qwen2", blockCount: 28, embeddingLength: 1536, headCount: 12, headCountKv: 2, contextLength: 32768, fim: true };

test("header estimates: KV cache from the attention shape, verdicts for RAM, GPU, CPU offload and too big", () => {
  assert.equal(kvBytesPerToken(qwen15), 2 * 28 * 256 * 2);
  assert.equal(effectiveContext(0, 32768), 8192);
  assert.equal(effectiveContext(0, 2048), 2048);
  assert.equal(effectiveContext(4096, 32768), 4096);
  const e = estimateFromHeader(qwen15, 1.65 * GB, 8192);
  assert.equal(e.basis, "header");
  assert.equal(e.kvCacheBytes, 28672 * 8192);
  assert.equal(e.layers, 29);
  assert.deepEqual(fitVerdict(e, { totalRamBytes: 16 * GB, freeRamBytes: 8 * GB }), { kind: "ram", needBytes: e.totalBytes });
  assert.equal(fitVerdict(e, { totalRamBytes: 16 * GB, freeRamBytes: 8 * GB, freeVramBytes: 8 * GB }).kind, "gpu");
  const partial = fitVerdict(e, { totalRamBytes: 16 * GB, freeRamBytes: 8 * GB, freeVramBytes: 1 * GB });
  assert.equal(partial.kind, "partialGpu");
  assert.ok(partial.kind === "partialGpu" && partial.layers > 0 && partial.layers < 29);
  assert.equal(fitVerdict(e, { totalRamBytes: 4 * GB, freeRamBytes: 1 * GB }).kind, "tight");
  assert.deepEqual(fitVerdict(e, { totalRamBytes: 1.5 * GB, freeRamBytes: 1 * GB }), { kind: "tooBig", needBytes: e.totalBytes, freeBytes: 1 * GB });
  // Without an attention shape the file size rule applies.
  assert.equal(estimateFromHeader({ version: 3, fim: false }, GB, 4096).basis, "fileSize");
  assert.equal(largestContextThatFits(qwen15, 1.65 * GB, 2 * GB, 32768), 6912); // (2 GB − 1.65 GB − 150 MB) / 28,672 B per token, rounded down to 256
  assert.equal(largestContextThatFits(qwen15, 1.65 * GB, 1 * GB, 32768), 0);
  assert.equal(estimateFromFileSize(GB, 8192).totalBytes, 1.2 * GB);
});

test("the recommended pair: a small FIM model on a CPU, bigger ones on a GPU, nothing that does not fit", () => {
  const laptop = recommendPair(CATALOG, { totalRamBytes: 16 * GB, freeRamBytes: 10 * GB });
  assert.ok(laptop.completion && laptop.completion.sizeBytes <= 2e9 && laptop.completion.fim);
  assert.ok(laptop.chat && laptop.chat.role !== "completion");
  const gpu = recommendPair(CATALOG, { totalRamBytes: 64 * GB, freeRamBytes: 40 * GB, freeVramBytes: 24 * GB });
  assert.ok((gpu.completion?.sizeBytes ?? 0) > (laptop.completion?.sizeBytes ?? 0));
  const tiny = recommendPair(CATALOG, { totalRamBytes: 1 * GB, freeRamBytes: 0.3 * GB });
  assert.deepEqual(tiny, {});
  const ordered = orderCatalog(CATALOG, { totalRamBytes: 16 * GB, freeRamBytes: 10 * GB });
  assert.deepEqual(new Set(ordered.slice(0, 2)), new Set([laptop.completion, laptop.chat]));
});
