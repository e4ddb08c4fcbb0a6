/**
 * Quantize benchmark (`npm run bench:quantize`): time and output size of Q8_0 → Q4_K_M for the qwen05b-shaped
 * synthetic model, with the cached llama-quantize (scripts/llama-tools.ts). One JSON line; noisy on a shared machine.
 */
import { copyFileSync, mkdtempSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { quantizedOutputPath } from "../src/core/quantize.ts";
import { findLlamaQuantize, quantizeModel } from "../src/inference/tools/quantize.ts";
import { ensureSyntheticModel } from "../test/fixtures/models.ts";

async function main(): Promise<void> {
  const tool = findLlamaQuantize(undefined, null);
  if (!tool) throw new Error("llama-quantize is not built here: npm run llama-tools");
  const source = await ensureSyntheticModel("qwen05b", { quantization: "Q8_0" });
  const dir = mkdtempSync(path.join(os.tmpdir(), "pc-bench-quantize-"));
  try {
    const input = path.join(dir, "qwen05b-Q8_0.gguf");
    copyFileSync(source, input);
    const result = await quantizeModel({ tool, input, output: quantizedOutputPath(input, "Q4_K_M"), type: "Q4_K_M" });
    const inputBytes = statSync(input).size;
    console.log(JSON.stringify({ bench: "quantize", from: "Q8_0", to: "Q4_K_M", ms: result.ms, inputMiB: Math.round(inputBytes / 2 ** 20), outputMiB: Math.round(result.bytes / 2 ** 20), sizeRatio: Math.round((result.bytes / inputBytes) * 1000) / 1000, threads: os.availableParallelism() }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
