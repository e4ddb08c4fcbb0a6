import assert from "node:assert/strict";
import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { ensureSyntheticModel } from "../fixtures/models.ts";
import { EngineError } from "../../src/inference/errors.ts";
import { createClient, tempDir, type TestClient } from "./helpers.ts";

describe("engine: broken model files give typed errors and the child stays usable", () => {
  let t: TestClient;
  let tmp: ReturnType<typeof tempDir>;
  let pid: number | undefined;
  before(async () => {
    tmp = tempDir();
    t = await createClient();
    await t.client.loadModel({ path: await ensureSyntheticModel("tiny"), role: "completion" });
    pid = t.client.pid;
    assert.ok(pid != null);
  });
  after(async () => {
    await t.client.dispose();
    tmp.dispose();
  });

  /** After every error: same child process, and it still completes. */
  async function assertStillUsable(): Promise<void> {
    assert.equal(t.client.pid, pid, "the child was not restarted");
    const result = await t.client.complete({ prefix: "let a = ", suffix: "", maxTokens: 2 });
    assert.ok(result.metrics.generatedTokens >= 1);
  }

  async function assertLoadFails(file: string, code: string): Promise<void> {
    await assert.rejects(
      t.client.loadModel({ path: file, role: "completion" }),
      (e: unknown) => {
        assert.ok(e instanceof EngineError, `EngineError, got ${String(e)}`);
        assert.equal(e.code, code, e.message);
        return true;
      },
    );
    await assertStillUsable();
  }

  const presets = [
    ["broken-truncated", "modelTruncated"],
    ["broken-magic", "modelBadMagic"],
    ["broken-version", "modelUnsupportedVersion"],
    ["broken-empty", "modelEmpty"],
  ] as const;
  for (const [preset, code] of presets) {
    it(`${preset} → ${code}`, async () => {
      await assertLoadFails(await ensureSyntheticModel(preset), code);
    });
  }

  it("missing file → modelMissing", async () => {
    await assertLoadFails(path.join(tmp.dir, "does-not-exist.gguf"), "modelMissing");
  });

  it("unknown architecture → modelUnsupportedArchitecture", async () => {
    // The tiny model with its architecture name (and the keys named after it) renamed to one llama.cpp lacks.
    const bytes = Buffer.from(readFileSync(await ensureSyntheticModel("tiny")));
    let at = bytes.indexOf("qwen2");
    assert.ok(at >= 0);
    while (at >= 0) {
      bytes.write("qwenX", at, "latin1");
      at = bytes.indexOf("qwen2", at + 5);
    }
    const file = path.join(tmp.dir, "unknown-arch.gguf");
    writeFileSync(file, bytes);
    await assertLoadFails(file, "modelUnsupportedArchitecture");
  });

  it("a context that cannot fit in memory → insufficientMemory", async () => {
    // A copy: the loaded tiny model would be shared (its context already exists) instead of loaded again.
    const copy = path.join(tmp.dir, "tiny-copy.gguf");
    copyFileSync(await ensureSyntheticModel("tiny"), copy);
    await assert.rejects(
      t.client.loadModel({ path: copy, role: "chat", contextSize: 200_000_000 }),
      (e: unknown) => e instanceof EngineError && e.code === "insufficientMemory",
    );
    await assertStillUsable();
  });

  it("a request for a role with no model → notLoaded", async () => {
    await assert.rejects(
      t.client.chat({ messages: [{ role: "user", text: "hi" }], maxTokens: 4 }),
      (e: unknown) => e instanceof EngineError && e.code === "notLoaded",
    );
    await assertStillUsable();
  });
});
