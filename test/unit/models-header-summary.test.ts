// The host's header summary on a Qwen2.5-sized vocabulary (151,936 tokens and their merges: several MiB, so the
// string arrays cross the reader's 1 MiB chunks): FIM found by scanning the token texts alone (the fim_*_token_id
// keys removed), and a clear error for a vocabulary cut short.
import assert from "node:assert/strict";
import { test } from "node:test";
import { readGgufSummary, type ReadAt } from "../../src/core/models/ggufMetadata.ts";
import { buildVocabulary, tokenizerMetadata } from "../fixtures/gguf/vocab.ts";
import { encodeGgufHeader, gguf } from "../fixtures/gguf/writer.ts";

function header(fim: boolean): Buffer {
  const vocabulary = buildVocabulary({ tier: "extended", fim, normalTokenCount: 151_643, size: 151_936 });
  const tokenizer = tokenizerMetadata(vocabulary).filter(([key]) => !/^tokenizer\.ggml\.fim_/.test(key));
  const metadata = [
    ["general.architecture", gguf.string("qwen2")],
    ["general.file_type", gguf.uint32(7)],
    ["qwen2.block_count", gguf.uint32(24)],
    ["qwen2.context_length", gguf.uint32(32_768)],
    ["qwen2.embedding_length", gguf.uint32(896)],
    ["qwen2.attention.head_count", gguf.uint32(14)],
    ["qwen2.attention.head_count_kv", gguf.uint32(2)],
    ...tokenizer,
  ] as const;
  return encodeGgufHeader({ metadata, tensors: [] }).header;
}

/** Reads from `bytes` as a file would: short only at the end. */
function reader(bytes: Buffer): ReadAt {
  return (offset, length) => Promise.resolve(bytes.subarray(offset, offset + length));
}

test("a Qwen-sized vocabulary: FIM from the token texts across chunk boundaries, the shape from the keys", async () => {
  const withFim = header(true);
  assert.ok(withFim.length > 2 * (1 << 20), `the header spans several chunks (${withFim.length} bytes)`);
  const summary = await readGgufSummary(reader(withFim));
  assert.equal(summary.fim, true);
  assert.equal(summary.architecture, "qwen2");
  assert.equal(summary.quantization, "Q8_0");
  assert.equal(summary.blockCount, 24);
  assert.equal(summary.contextLength, 32_768);
  assert.equal(summary.headCountKv, 2);
  assert.equal((await readGgufSummary(reader(header(false)))).fim, false);
});

test("a vocabulary cut inside its strings is a clear error, not a hang", async () => {
  const bytes = header(true);
  await assert.rejects(readGgufSummary(reader(bytes.subarray(0, Math.floor(bytes.length / 2)))), /truncated/);
});
