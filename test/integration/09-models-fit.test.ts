// Select Model's fit estimates in the real extension host: the models found in a configured folder get node-llama-
// cpp's loader estimate from the real engine child (no model loaded); a file whose header is corrupt keeps the
// rule of thumb (file size × 1.2) and says why; the Estimate Memory report names each row's source.
import * as assert from "node:assert/strict";
import { copyFileSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { PrivateCoderApi } from "../../src/extension/extension.ts";
import { estimateMemoryMarkdown } from "../../src/extension/models/reports.ts";
import { activateExtension, testModel, waitFor } from "./helpers.ts";

/** "GGUF", version 3, then a key whose length claims a terabyte: the magic check passes, every header read fails. */
function corruptHeader(): Buffer {
  const b = Buffer.alloc(40);
  b.write("GGUF", 0, "latin1");
  b.writeUInt32LE(3, 4);
  b.writeBigUInt64LE(1n, 8); // tensors
  b.writeBigUInt64LE(1n, 16); // key/value pairs
  b.writeBigUInt64LE(1n << 40n, 24); // the first key's length
  return b;
}

describe("Models: fit estimates from the loader", function () {
  this.timeout(120_000);
  let api: PrivateCoderApi;
  let dir: string;
  before(async () => {
    api = await activateExtension();
    dir = mkdtempSync(path.join(os.tmpdir(), "pc-models-fit-"));
    copyFileSync(testModel("tiny"), path.join(dir, "tiny.gguf"));
    writeFileSync(path.join(dir, "corrupt-header.gguf"), corruptHeader());
    await api.ctx.config.update("models.folders", [dir]);
    await waitFor("the folder setting to apply", () => api.ctx.config.get("models.folders").includes(dir));
  });
  after(async () => {
    await api.ctx.config.update("models.folders", []);
    rmSync(dir, { recursive: true, force: true });
  });

  it("each model in the folder gets node-llama-cpp's estimate, the corrupt one the rule of thumb, each naming its source", async () => {
    const listed = (await api.models.list()).filter((m) => m.path.startsWith(dir));
    assert.deepEqual(listed.map((m) => path.basename(m.path)).sort(), ["corrupt-header.gguf", "tiny.gguf"]);
    assert.deepEqual(listed.map((m) => m.estimate.basis).sort(), ["fileSize", "header"], "before the engine answers: the host's own estimates");
    const refined = await api.models.refine(listed);
    const tiny = refined.find((m) => m.path.endsWith("tiny.gguf"));
    const corrupt = refined.find((m) => m.path.endsWith("corrupt-header.gguf"));
    assert.equal(tiny?.estimate.basis, "loader");
    assert.ok((tiny?.estimate.largestContextSize ?? 0) > 0, "the largest context that fits");
    assert.ok((tiny?.estimate.weightsBytes ?? 0) > 0.5 * statSync(testModel("tiny")).size);
    assert.ok(tiny?.loaderMs !== undefined);
    assert.equal(corrupt?.estimate.basis, "fileSize");
    assert.ok(corrupt?.loaderError, "the loader's reason is kept");
    assert.ok(Math.abs((corrupt?.estimate.totalBytes ?? 0) - 1.2 * 40) < 1e-6);
  });

  it("Estimate Memory lists the folder's models with their source", async () => {
    const markdown = await estimateMemoryMarkdown(api.models);
    const rows = markdown.split("\n").filter((line) => line.startsWith("| tiny.gguf") || line.startsWith("| corrupt-header.gguf"));
    assert.equal(rows.length, 2, markdown);
    assert.ok(rows.find((r) => r.startsWith("| tiny.gguf"))?.includes("node-llama-cpp"), rows.join("\n"));
    assert.ok(rows.find((r) => r.startsWith("| corrupt-header.gguf"))?.includes("× 1.2"), rows.join("\n"));
  });
});
