// The prewarm's chunk follows the measured time of the last one: a user request waits about 150 ms at most, and a
// fast device gets large batches.
import { test } from "node:test";
import assert from "node:assert/strict";
import { nextChunkTokens, PREWARM_CHUNK_TOKENS } from "../../src/inference/engine/prewarmChunk.ts";

test("a fast device doubles the chunk step by step up to 512 tokens", () => {
  let chunk = PREWARM_CHUNK_TOKENS;
  const sizes: number[] = [];
  for (let i = 0; i < 5; i++) sizes.push((chunk = nextChunkTokens(chunk, 5)));
  assert.deepEqual(sizes, [128, 256, 512, 512, 512]);
});

test("this project's 2-core CPU keeps 64 (128 ms); a slow one shrinks to stay near 150 ms, never under 16", () => {
  assert.equal(nextChunkTokens(64, 128), 64);
  assert.equal(nextChunkTokens(64, 270), 32);
  assert.equal(nextChunkTokens(32, 2_000), 16);
  assert.equal(nextChunkTokens(64, 100), 96, "room for half again, in steps of 16");
});

test("a time of zero or a non-number grows the chunk (never divides by it)", () => {
  assert.equal(nextChunkTokens(64, 0), 128);
  assert.equal(nextChunkTokens(512, Number.NaN), 512);
});
