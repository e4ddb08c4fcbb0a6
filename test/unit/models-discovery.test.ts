// Discovery on fixture trees laid out like Ollama, LM Studio, the HF hub cache and llama.cpp's cache, each holding
// the tiny synthetic GGUF; bad blobs are skipped with a reason, never listed.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { discoverModels, modelLayerDigest } from "../../src/core/models/discovery.ts";
import { hfHubRoots, llamaCacheRoots, lmStudioRoots, ollamaRoots, otherToolRoots, type StoreRoot } from "../../src/core/models/storeLocations.ts";
import { nodeDiscoveryFs, readGgufFileSummary } from "../../src/extension/models/nodeDiscoveryFs.ts";
import { ensureSyntheticModel } from "../fixtures/models.ts";
import { writeHfHubModel, writeLmStudioModel, writeOllamaManifest, writeOllamaModel } from "../fixtures/modelStores/layout.ts";

const dir = mkdtempSync(path.join(os.tmpdir(), "model-stores-"));
after(() => rmSync(dir, { recursive: true, force: true }));
let tiny = "";
let nofim = "";
let truncated = "";
before(async () => {
  tiny = await ensureSyntheticModel("tiny");
  nofim = await ensureSyntheticModel("tiny-nofim");
  truncated = await ensureSyntheticModel("broken-truncated");
});

function collect(): { skipped: Map<string, string>; onSkip: (p: string, r: string) => void } {
  const skipped = new Map<string, string>();
  return { skipped, onSkip: (p, r) => skipped.set(p, r) };
}

test("store locations follow each OS's rules and the tools' environment variables", () => {
  const linux = { platform: "linux", home: "/home/u", env: {} };
  assert.deepEqual(ollamaRoots(linux).map((r) => r.path), ["/home/u/.ollama/models", "/usr/share/ollama/.ollama/models"]);
  assert.deepEqual(ollamaRoots({ ...linux, env: { OLLAMA_MODELS: "/data/ollama" } }).map((r) => [r.path, r.reason]), [["/data/ollama", "OLLAMA_MODELS"]]);
  assert.deepEqual(lmStudioRoots(linux).map((r) => r.path), ["/home/u/.lmstudio/models", "/home/u/.cache/lm-studio/models"]);
  assert.equal(hfHubRoots(linux)[0]?.path, "/home/u/.cache/huggingface/hub");
  assert.equal(hfHubRoots({ ...linux, env: { XDG_CACHE_HOME: "/x" } })[0]?.path, "/x/huggingface/hub");
  assert.equal(hfHubRoots({ ...linux, env: { HF_HOME: "/hf" } })[0]?.path, "/hf/hub");
  assert.equal(hfHubRoots({ ...linux, env: { HF_HOME: "/hf", HF_HUB_CACHE: "/hub" } })[0]?.path, "/hub");
  assert.equal(llamaCacheRoots(linux)[0]?.path, "/home/u/.cache/llama.cpp");
  assert.equal(llamaCacheRoots({ ...linux, env: { LLAMA_CACHE: "/lc" } })[0]?.path, "/lc");
  const mac = { platform: "darwin", home: "/Users/u", env: {} };
  assert.equal(llamaCacheRoots(mac)[0]?.path, "/Users/u/Library/Caches/llama.cpp");
  assert.equal(ollamaRoots(mac).length, 1);
  const win = { platform: "win32", home: "C:\\Users\\u", env: { LOCALAPPDATA: "C:\\Users\\u\\AppData\\Local" } };
  assert.equal(ollamaRoots(win)[0]?.path, "C:\\Users\\u\\.ollama\\models");
  assert.equal(llamaCacheRoots(win)[0]?.path, "C:\\Users\\u\\AppData\\Local\\llama.cpp");
  assert.equal(hfHubRoots(win)[0]?.path, "C:\\Users\\u\\.cache\\huggingface\\hub");
  assert.deepEqual([...new Set(otherToolRoots(linux).map((r) => r.kind))], ["ollama", "lmstudio", "hf-cache", "llama-cache"]);
});

test("Ollama: manifests resolve to GGUF blobs; a missing blob, a non-GGUF blob and a broken manifest are skipped", async () => {
  const root = path.join(dir, "ollama");
  const blob = writeOllamaModel(root, tiny, "qwen2.5-coder", "1.5b");
  writeOllamaModel(root, nofim, "coder", "latest", "someone");
  writeOllamaManifest(root, "ghost", "latest", `sha256:${"e".repeat(64)}`);
  const html = path.join(root, "blobs", `sha256-${"f".repeat(64)}`);
  writeFileSync(html, "<!DOCTYPE html><html>502 Bad Gateway</html>");
  writeOllamaManifest(root, "html", "latest", `sha256:${"f".repeat(64)}`);
  const broken = path.join(root, "manifests", "registry.ollama.ai", "library", "broken", "latest");
  mkdirSync(path.dirname(broken), { recursive: true });
  writeFileSync(broken, "{not json");
  const { skipped, onSkip } = collect();
  const found = await discoverModels(nodeDiscoveryFs(), [{ kind: "ollama", path: root, reason: "test" }], { onSkip });
  assert.deepEqual(found.map((m) => m.label).sort(), ["qwen2.5-coder:1.5b", "someone/coder:latest"]);
  const qwen = found.find((m) => m.label === "qwen2.5-coder:1.5b");
  assert.equal(qwen?.path, blob);
  assert.equal(qwen?.source, "ollama");
  assert.ok((qwen?.sizeBytes ?? 0) > 0);
  assert.equal(skipped.get(path.join(root, "blobs", `sha256-${"e".repeat(64)}`)), "missing");
  assert.equal(skipped.get(html), "notGguf");
  assert.match(skipped.get(broken) ?? "", /not an Ollama manifest/);
});

test("modelLayerDigest accepts only a well-formed weights layer", () => {
  assert.equal(modelLayerDigest(undefined), undefined);
  assert.equal(modelLayerDigest("[]"), undefined);
  assert.equal(modelLayerDigest(JSON.stringify({ layers: [{ mediaType: "application/vnd.ollama.image.model", digest: "sha256:../../etc" }] })), undefined);
});

test("LM Studio: publisher/model/file exactly two folders deep; projectors and later split parts are not models", async () => {
  const root = path.join(dir, "lmstudio");
  const good = writeLmStudioModel(root, tiny, "Qwen", "Qwen2.5-Coder-0.5B-GGUF", "qwen2.5-coder-0.5b-q8_0.gguf");
  writeLmStudioModel(root, tiny, "Qwen", "VL", "mmproj-f16.gguf");
  writeLmStudioModel(root, tiny, "big", "model", "big-00001-of-00002.gguf");
  const part2 = writeLmStudioModel(root, tiny, "big", "model", "big-00002-of-00002.gguf");
  writeLmStudioModel(root, truncated, "bad", "page", "error.gguf");
  writeFileSync(path.join(root, "bad", "page", "error.gguf"), "<html>404</html>");
  writeLmStudioModel(root, tiny, "too", "deep", path.join("extra", "x.gguf"));
  copyFileSync(tiny, path.join(root, "shallow.gguf"));
  const { skipped, onSkip } = collect();
  const found = await discoverModels(nodeDiscoveryFs(), [{ kind: "lmstudio", path: root, reason: "test" }], { onSkip });
  assert.deepEqual(found.map((m) => m.label).sort(), ["Qwen/Qwen2.5-Coder-0.5B-GGUF/qwen2.5-coder-0.5b-q8_0.gguf", "big/model/big-00001-of-00002.gguf"]);
  assert.ok(found.some((m) => m.path === good));
  assert.match(skipped.get(part2) ?? "", /split/);
  assert.equal(skipped.get(path.join(root, "bad", "page", "error.gguf")), "notGguf");
});

test("HF hub cache: snapshot links into blobs are listed as org/repo/file; llama.cpp's flat cache too", async () => {
  const hub = path.join(dir, "hub");
  const link = writeHfHubModel(hub, tiny, "ggml-org/Qwen2.5-Coder-0.5B-Q8_0-GGUF", "qwen2.5-coder-0.5b-q8_0.gguf");
  // A dangling link (blob being downloaded) is not listed.
  mkdirSync(path.join(hub, "models--x--y", "snapshots", "b".repeat(40)), { recursive: true });
  execFileSync("ln", ["-s", "../../blobs/nothing", path.join(hub, "models--x--y", "snapshots", "b".repeat(40), "y.gguf")]);
  const cache = path.join(dir, "llama.cpp");
  mkdirSync(cache, { recursive: true });
  copyFileSync(tiny, path.join(cache, "ggml-org_Qwen2.5-Coder-1.5B-Q8_0-GGUF_qwen2.5-coder-1.5b-q8_0.gguf"));
  writeFileSync(path.join(cache, "ggml-org_Qwen2.5-Coder-1.5B-Q8_0-GGUF_qwen2.5-coder-1.5b-q8_0.gguf.etag"), "x");
  writeFileSync(path.join(cache, "partial.gguf.downloadInProgress"), "GGUF");
  writeHfHubModel(cache, nofim, "ggml-org/other", "other.gguf");
  const roots: StoreRoot[] = [
    { kind: "hf-cache", path: hub, reason: "test" },
    { kind: "llama-cache", path: cache, reason: "test" },
    { kind: "ollama", path: path.join(dir, "absent"), reason: "test" },
  ];
  const found = await discoverModels(nodeDiscoveryFs(), roots);
  assert.deepEqual(
    found.map((m) => [m.source, m.label]),
    [
      ["hf-cache", "ggml-org/Qwen2.5-Coder-0.5B-Q8_0-GGUF/qwen2.5-coder-0.5b-q8_0.gguf"],
      ["llama-cache", "ggml-org_Qwen2.5-Coder-1.5B-Q8_0-GGUF_qwen2.5-coder-1.5b-q8_0.gguf"],
      ["llama-cache", "ggml-org/other/other.gguf"],
    ],
  );
  assert.equal(found[0]?.path, link);
});

test("plain folders: nested .gguf files; a FIFO named .gguf is skipped at once", async () => {
  const root = path.join(dir, "folder");
  mkdirSync(path.join(root, "a", "b"), { recursive: true });
  copyFileSync(tiny, path.join(root, "a", "b", "mine.gguf"));
  execFileSync("mkfifo", [path.join(root, "pipe.gguf")]);
  const { skipped, onSkip } = collect();
  const started = performance.now();
  const found = await discoverModels(nodeDiscoveryFs(), [{ kind: "file", path: root, reason: "test" }], { onSkip });
  assert.ok(performance.now() - started < 2_000);
  assert.deepEqual(found.map((m) => m.label), ["mine.gguf"]);
  assert.equal(skipped.get(path.join(root, "pipe.gguf")), "notRegularFile");
});

test("header summary: architecture, quantization, context, layers and FIM tokens of the synthetic models", async () => {
  const a = await readGgufFileSummary(tiny);
  assert.equal(a.architecture, "qwen2");
  assert.equal(a.quantization, "F16");
  assert.equal(a.fim, true);
  assert.ok((a.contextLength ?? 0) > 0 && (a.blockCount ?? 0) > 0 && (a.embeddingLength ?? 0) > 0);
  assert.equal((await readGgufFileSummary(nofim)).fim, false);
  await assert.rejects(readGgufFileSummary(path.join(root(), "lmstudio", "bad", "page", "error.gguf")), /not a GGUF/);
});

function root(): string {
  return dir;
}
