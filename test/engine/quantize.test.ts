/**
 * Quantize with the cached llama-quantize (scripts/llama-tools.ts) on the tiny synthetic model: the output loads and
 * has the type asked for; a cancelled run leaves no file. Skipped with a note where the tool was not built here.
 */
import assert from "node:assert/strict";
import { existsSync, readdirSync, statSync } from "node:fs";
import { copyFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { readGgufFileInfo } from "node-llama-cpp";
import { ensureSyntheticModel } from "../fixtures/models.ts";
import { estimateQuantizedBytes, QUANT_TYPES, quantizedOutputPath } from "../../src/core/quantize.ts";
import { findLlamaQuantize, QuantizeError, quantizeModel } from "../../src/inference/tools/quantize.ts";
import { createClient, tempDir, type TestClient } from "./helpers.ts";

const tool = findLlamaQuantize(undefined, null);

describe("quantize (llama-quantize from the cached build)", { skip: tool ? false : "llama-quantize is not built here (npm run llama-tools)" }, () => {
  let t: TestClient;
  let dir: { dir: string; dispose: () => void };
  let source: string;
  before(async () => {
    t = await createClient();
    dir = tempDir();
    source = path.join(dir.dir, "tiny-F16.gguf");
    await copyFile(await ensureSyntheticModel("tiny"), source);
  });
  after(async () => {
    await t.client.dispose();
    dir.dispose();
  });

  for (const type of ["Q8_0", "Q4_K_M"] as const) {
    it(`F16 → ${type}: a GGUF next to the source that loads and whose type is ${type}`, async () => {
      const output = quantizedOutputPath(source, type);
      assert.equal(path.dirname(output), dir.dir);
      let progressed = 0;
      const result = await quantizeModel({ tool: tool!, input: source, output, type, threads: 1, onProgress: (done) => (progressed = done) });
      assert.ok(progressed > 0, "progress was reported");
      assert.ok(existsSync(output) && !existsSync(`${output}.partial`));
      const info = await readGgufFileInfo(output);
      assert.equal(info.metadata.general.file_type, QUANT_TYPES[type].fileType);
      const loaded = await t.client.loadModel({ path: output, role: "completion" });
      assert.equal(loaded.model.name, path.basename(output));
      const estimate = estimateQuantizedBytes(statSync(source).size, "F16", type);
      assert.ok(result.bytes > 0 && estimate > 0);
      await t.client.unloadModel({ path: output });
    });
  }

  it("a cancelled quantize leaves no file", async () => {
    const output = quantizedOutputPath(source, "Q6_K");
    const controller = new AbortController();
    const run = quantizeModel({ tool: tool!, input: source, output, type: "Q6_K", threads: 1, signal: controller.signal, onProgress: () => controller.abort() });
    await assert.rejects(run, (e: unknown) => e instanceof QuantizeError && e.code === "cancelled");
    assert.deepEqual(readdirSync(dir.dir).filter((f) => f.includes("Q6_K")), []);
  });

  it("a failing run (not a GGUF) reports the failure and leaves no file", async () => {
    const bogus = path.join(dir.dir, "bogus.gguf");
    await writeFile(bogus, "not a model");
    const output = quantizedOutputPath(bogus, "Q8_0");
    await assert.rejects(quantizeModel({ tool: tool!, input: bogus, output, type: "Q8_0" }), (e: unknown) => e instanceof QuantizeError && e.code === "failed");
    assert.equal(existsSync(output) || existsSync(`${output}.partial`), false);
  });
});
