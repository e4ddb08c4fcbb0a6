// The pure part of Quantize Model…: output names next to the source, size estimates, fit, progress lines.
import { test } from "node:test";
import assert from "node:assert/strict";
import { estimateQuantizedBytes, fitOf, isQuantType, parseQuantizeProgress, quantizedOutputPath, shrinks, typeFromFileName } from "../../src/core/quantize.ts";

test("the new file goes next to the old one, its type tag replaced or appended", () => {
  assert.equal(quantizedOutputPath("/m/coder-F16.gguf", "Q4_K_M"), "/m/coder-Q4_K_M.gguf");
  assert.equal(quantizedOutputPath("/m/qwen2.5-coder-0.5b-instruct-q8_0.gguf", "Q4_K_M"), "/m/qwen2.5-coder-0.5b-instruct-Q4_K_M.gguf");
  assert.equal(quantizedOutputPath("/m/model.gguf", "Q6_K"), "/m/model-Q6_K.gguf");
  assert.equal(quantizedOutputPath("C:\\m\\model.F32.gguf", "Q8_0"), "C:\\m\\model-Q8_0.gguf");
});

test("type from the name, sizes by bits per weight, only smaller types offered", () => {
  assert.equal(typeFromFileName("/m/x-q8_0.gguf"), "Q8_0");
  assert.equal(typeFromFileName("/m/x.gguf"), undefined);
  assert.equal(estimateQuantizedBytes(1000, "F16", "Q8_0"), 531);
  assert.ok(Math.abs(estimateQuantizedBytes(531_000_000, "Q8_0", "Q4_K_M") - 305_000_000) < 2_000_000);
  assert.equal(shrinks("Q8_0", "Q8_0"), false);
  assert.equal(shrinks("Q8_0", "Q4_K_M"), true);
  assert.equal(shrinks(undefined, "Q8_0"), true);
  assert.ok(isQuantType("Q5_K_M") && !isQuantType("Q3_K"));
});

test("fit against free memory, and llama-quantize's progress lines", () => {
  assert.equal(fitOf(100, 10, 1000), "fits");
  assert.equal(fitOf(800, 10, 1000), "tight");
  assert.equal(fitOf(1000, 10, 1000), "tooBig");
  assert.deepEqual(parseQuantizeProgress("[  12/ 291]                   blk.0.attn_k.weight - [  896,   128,     1,     1], type =    f16, converting to q4_K"), { done: 12, total: 291 });
  assert.equal(parseQuantizeProgress("llama_model_quantize_impl: model size = 942.43 MB"), undefined);
});
