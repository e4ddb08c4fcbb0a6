// The host's quick model-file check never blocks: FIFOs, directories and devices named *.gguf are refused at once.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, test } from "node:test";
import { checkGgufHeader } from "../../src/extension/models/ggufHeader.ts";

const dir = mkdtempSync(path.join(os.tmpdir(), "gguf-header-"));
after(() => rmSync(dir, { recursive: true, force: true }));

test("a GGUF file is ok; empty, wrong magic and missing files say why", async () => {
  const good = path.join(dir, "good.gguf");
  writeFileSync(good, Buffer.concat([Buffer.from("GGUF"), Buffer.alloc(16)]));
  assert.equal(await checkGgufHeader(good), "ok");
  const empty = path.join(dir, "empty.gguf");
  writeFileSync(empty, "");
  assert.equal(await checkGgufHeader(empty), "empty");
  const text = path.join(dir, "readme.gguf");
  writeFileSync(text, "hello world");
  assert.equal(await checkGgufHeader(text), "notGguf");
  assert.equal(await checkGgufHeader(path.join(dir, "absent.gguf")), "missing");
});

test("a FIFO named .gguf is refused at once instead of blocking the host's file I/O", async () => {
  const fifo = path.join(dir, "pipe.gguf");
  execFileSync("mkfifo", [fifo]);
  const started = performance.now();
  // Four tries, as a user clicking again would: none may wait for a writer.
  const results = await Promise.all([1, 2, 3, 4].map(() => checkGgufHeader(fifo, { timeoutMs: 2_000 })));
  assert.deepEqual(results, ["notRegularFile", "notRegularFile", "notRegularFile", "notRegularFile"]);
  assert.ok(performance.now() - started < 1_000, `took ${Math.round(performance.now() - started)} ms`);
});

test("a directory and a character device named .gguf are not regular files", async () => {
  const folder = path.join(dir, "folder.gguf");
  mkdirSync(folder);
  assert.equal(await checkGgufHeader(folder), "notRegularFile");
  assert.equal(await checkGgufHeader("/dev/zero"), "notRegularFile");
});
