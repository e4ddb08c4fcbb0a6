// The downloader against a real HTTP server on 127.0.0.1: completes and verifies; resumes a dropped connection with
// Range (counting what was re-sent); rejects a wrong SHA-256, an HTML page, a lying Content-Length and a full disk;
// a cancel leaves nothing that looks like a model and the next try resumes; a server that ignores Range restarts.
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { decideReply, hfHeadFacts, parseContentRange, parseModelUri, ProgressMeter } from "../../src/core/models/downloadPlan.ts";
import { downloadModel, DownloadError, partialPaths } from "../../src/extension/models/downloader.ts";
import { ensureSyntheticModel } from "../fixtures/models.ts";
import { startModelServer, type ModelServer } from "../fixtures/modelServer.ts";

const dir = mkdtempSync(path.join(os.tmpdir(), "model-download-"));
let server: ModelServer;
let body: Buffer;
let sha: string;
before(async () => {
  // The tiny model plus random padding: large enough (≥ 2 MB) that a drop half-way is mid-stream.
  body = Buffer.concat([readFileSync(await ensureSyntheticModel("tiny")), randomBytes(2 * 1024 * 1024)]);
  sha = createHash("sha256").update(body).digest("hex");
  server = await startModelServer();
});
after(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Every file under `d` that a model list or a file picker would take for a model. */
function modelLookalikes(d: string): string[] {
  return readdirSync(d, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".gguf") && !f.split(path.sep).some((p) => p.startsWith(".")));
}

test("plan: replies to Range requests, Content-Range parsing, HF head facts, URIs", () => {
  assert.deepEqual(decideReply(100, 1000, { status: 206, contentRange: "bytes 100-999/1000" }), { action: "append", from: 100, total: 1000 });
  assert.deepEqual(decideReply(100, 1000, { status: 200, contentLength: 1000 }), { action: "restart", total: 1000 });
  assert.equal(decideReply(100, 1000, { status: 206, contentRange: "bytes 0-999/1000" }).action, "restart");
  assert.equal(decideReply(1000, 1000, { status: 416 }).action, "complete");
  assert.equal(decideReply(0, 1000, { status: 200, contentLength: 5 }).action, "fail");
  assert.deepEqual(decideReply(0, 1000, { status: 503 }), { action: "fail", reason: "HTTP 503", retry: true });
  assert.deepEqual(decideReply(0, 1000, { status: 404 }), { action: "fail", reason: "HTTP 404", retry: false });
  assert.equal(parseContentRange("bytes 1-2/*")?.total, undefined);
  assert.deepEqual(hfHeadFacts({ "x-linked-size": "42", "x-linked-etag": `"${"a".repeat(64)}"`, etag: '"abc"' }), { sizeBytes: 42, sha256: "a".repeat(64) });
  assert.deepEqual(hfHeadFacts({ etag: '"0123"' }), {});
  assert.deepEqual(parseModelUri("hf:ggml-org/X-GGUF/sub/x.gguf#v1", "http://127.0.0.1:1/"), { url: "http://127.0.0.1:1/ggml-org/X-GGUF/resolve/v1/sub/x.gguf", fileName: "x.gguf", repo: "ggml-org/X-GGUF" });
  assert.ok("error" in parseModelUri("hf:a/b/../x.gguf", "https://h"));
  assert.ok("error" in parseModelUri("ftp://x/y.gguf", "https://h"));
  assert.ok("error" in parseModelUri("https://x/y.txt", "https://h"));
  assert.equal((parseModelUri("https://x.org/a/m.gguf?download=1", "https://h") as { fileName: string }).fileName, "m.gguf");
  const meter = new ProgressMeter();
  meter.sample(0, 0);
  assert.equal(meter.sample(1000, 1000), 1000);
  assert.equal(meter.eta(5000), 5);
});

test("a download with progress completes, verifies size and SHA-256 and lands under its name", async () => {
  server.serve("/ok/m.gguf", { body });
  const progress: number[] = [];
  const out = path.join(dir, "ok");
  const result = await downloadModel({ url: `${server.url}/ok/m.gguf`, fileName: "m.gguf", dir: out, sizeBytes: body.length, sha256: sha, onProgress: (p) => progress.push(p.receivedBytes) });
  assert.equal(result.sha256, sha);
  assert.equal(result.hashVerified, true);
  assert.deepEqual(result.resumedFrom, []);
  assert.equal(statSync(result.path).size, body.length);
  assert.equal(progress.at(-1), body.length);
  assert.deepEqual(modelLookalikes(out), ["m.gguf"]);
  assert.equal(existsSync(partialPaths(out, "m.gguf").part), false);
});

test("a connection dropped half-way resumes with Range and re-sends nothing twice", async (t) => {
  const half = Math.floor(body.length / 2);
  server.serve("/drop/m.gguf", { body, dropAfterBytes: half });
  const before = server.bytesSent;
  server.requests.length = 0;
  const result = await downloadModel({ url: `${server.url}/drop/m.gguf`, fileName: "m.gguf", dir: path.join(dir, "drop"), sizeBytes: body.length, sha256: sha });
  assert.equal(result.sha256, sha);
  assert.equal(result.resumedFrom.length, 1);
  assert.ok(server.requests.some((r) => r.range === `bytes=${result.resumedFrom[0]}-`));
  const sent = server.bytesSent - before;
  t.diagnostic(`file ${body.length} bytes, server sent ${sent}, re-sent ${sent - body.length}, resumed from ${result.resumedFrom[0]}`);
  // Bytes the server wrote but the socket lost before the client saw them are the only ones re-sent (kernel buffers).
  assert.ok(sent - body.length < 512 * 1024, `re-sent ${sent - body.length} bytes`);
});

test("a wrong SHA-256 is rejected and leaves no file", async () => {
  server.serve("/bad/m.gguf", { body });
  const out = path.join(dir, "bad");
  await assert.rejects(downloadModel({ url: `${server.url}/bad/m.gguf`, fileName: "m.gguf", dir: out, sizeBytes: body.length, sha256: "0".repeat(64) }), (e: DownloadError) => e.code === "hashMismatch");
  assert.deepEqual(modelLookalikes(out), []);
  assert.equal(existsSync(partialPaths(out, "m.gguf").part), false);
});

test("an HTML error page, a lying Content-Length and a full disk each fail clearly with no model file", async () => {
  const html = Buffer.from("<!DOCTYPE html><html><body>Rate limited</body></html>");
  server.serve("/html/m.gguf", { body: html, contentType: "text/html" });
  const out = path.join(dir, "bad2");
  await assert.rejects(downloadModel({ url: `${server.url}/html/m.gguf`, fileName: "m.gguf", dir: out }), (e: DownloadError) => e.code === "notGguf");
  server.serve("/lie/m.gguf", { body, claimedLength: body.length + 10 });
  await assert.rejects(downloadModel({ url: `${server.url}/lie/m.gguf`, fileName: "n.gguf", dir: out, sizeBytes: body.length, sha256: sha, retries: 0 }), DownloadError);
  await assert.rejects(downloadModel({ url: `${server.url}/ok/m.gguf`, fileName: "o.gguf", dir: out, sizeBytes: body.length, sha256: sha, freeBytes: () => Promise.resolve(1000) }), (e: DownloadError) => e.code === "diskFull");
  assert.deepEqual(modelLookalikes(out), []);
});

test("cancel leaves nothing that looks like a model; the next try resumes from the part", async () => {
  server.serve("/slow/m.gguf", { body, slowMs: 5 });
  const out = path.join(dir, "cancel");
  const controller = new AbortController();
  const first = downloadModel({
    url: `${server.url}/slow/m.gguf`, fileName: "m.gguf", dir: out, sizeBytes: body.length, sha256: sha, signal: controller.signal,
    onProgress: (p) => p.receivedBytes > 300_000 && controller.abort(),
  });
  await assert.rejects(first, (e: DownloadError) => e.code === "cancelled");
  assert.deepEqual(modelLookalikes(out), []);
  const kept = statSync(partialPaths(out, "m.gguf").part).size;
  assert.ok(kept > 0);
  server.serve("/slow/m.gguf", { body });
  const result = await downloadModel({ url: `${server.url}/slow/m.gguf`, fileName: "m.gguf", dir: out, sizeBytes: body.length, sha256: sha });
  assert.equal(result.resumedFrom[0], kept);
  assert.equal(result.sha256, sha);
});

test("a server that ignores Range makes the download start over and still verify", async () => {
  server.serve("/norange/m.gguf", { body, ignoreRange: true, dropAfterBytes: 500_000 });
  const result = await downloadModel({ url: `${server.url}/norange/m.gguf`, fileName: "m.gguf", dir: path.join(dir, "norange"), sizeBytes: body.length, sha256: sha });
  assert.equal(result.sha256, sha);
});

test("size and SHA-256 come from the server's X-Linked headers when not given", async () => {
  server.serve("/hf/m.gguf", { body, headers: { "X-Linked-Size": String(body.length), "X-Linked-Etag": `"${sha}"` } });
  const result = await downloadModel({ url: `${server.url}/hf/m.gguf`, fileName: "m.gguf", dir: path.join(dir, "hf") });
  assert.equal(result.hashVerified, true);
  server.serve("/hf2/m.gguf", { body, headers: { "X-Linked-Size": String(body.length), "X-Linked-Etag": `"${"1".repeat(64)}"` } });
  await assert.rejects(downloadModel({ url: `${server.url}/hf2/m.gguf`, fileName: "m.gguf", dir: path.join(dir, "hf2") }), (e: DownloadError) => e.code === "hashMismatch");
});
