// Models on demand, in the real extension host: a server on 127.0.0.1 stands in for Hugging Face (Range, the LFS
// headers, counted bytes), a local npm registry for node-llama-cpp's GPU packages, and an `nvidia-smi` script put
// first on the host's PATH for a GPU. What runs is the product's own code: the model manager's download with its
// progress notification, the engine loading what it fetched, discovery of an Ollama store named by OLLAMA_MODELS,
// and the Enable GPU Acceleration / Remove Downloaded GPU Binaries commands as the palette runs them.
import * as assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import * as vscode from "vscode";
import { COMMANDS } from "../../src/core/commandIds.ts";
import { binaryPackagesFor, downloadableGpuPackages } from "../../src/core/gpu/binaryPackages.ts";
import { parseModelUri } from "../../src/core/models/downloadPlan.ts";
import type { PrivateCoderApi } from "../../src/extension/extension.ts";
import { bundledNodeLlamaCppVersion, downloadedGpuBytes, installedGpuPackages } from "../../src/extension/gpu/gpuPackages.ts";
import type { DownloadError } from "../../src/extension/models/downloader.ts";
import { startModelServer, type ModelServer } from "../fixtures/modelServer.ts";
import { writeOllamaModel } from "../fixtures/modelStores/layout.ts";
import { brokenBinaryPackage, packFolder, servePackage, wrongIntegrity } from "../fixtures/npmRegistry.ts";
import { activateExtension, allLogText, testModel, waitFor } from "./helpers.ts";

const sha256 = (bytes: Buffer): string => createHash("sha256").update(bytes).digest("hex");

/** node-llama-cpp's CUDA packages for this platform, and the folder of the CPU package the extension ships. */
const cudaPackages = downloadableGpuPackages(process.platform, process.arch, "cuda") ?? [];
const cpuPackage = binaryPackagesFor(process.platform, process.arch, "cpu")?.[0];
/** The stub nvidia-smi is a shell script; CUDA packages exist for Linux and Windows x64. */
const gpuSkip = process.platform !== "linux" || cudaPackages.length === 0 || !cpuPackage ? "the stub nvidia-smi and the CUDA package names are Linux x64's" : undefined;

/** Files in the models folder that look like a model (a `.gguf` name outside the hidden `.partial` folder). */
function modelFiles(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).filter((name) => name.endsWith(".gguf")) : [];
}

describe("Models: downloads, an Ollama store and GPU on demand (extension host, 127.0.0.1)", function () {
  this.timeout(240_000);
  let api: PrivateCoderApi;
  let server: ModelServer;
  let modelsDir: string;
  const tiny = readFileSync(testModel("tiny"));
  const scratch = mkdtempSync(path.join(os.tmpdir(), "pc-models-download-"));
  const downloaded: string[] = [];
  const savedEnv = { PATH: process.env.PATH, OLLAMA_MODELS: process.env.OLLAMA_MODELS };

  /** Serves the tiny model as Hugging Face serves an LFS file: its size and SHA-256 in the X-Linked-* headers. */
  function serveRepoFile(name: string, options: { sha?: string; dropAfterBytes?: number; slowMs?: number } = {}): { url: string; fileName: string } {
    const parsed = parseModelUri(`hf:test-org/Tiny-GGUF/${name}`, server.url);
    assert.ok(!("error" in parsed), "the URI parses");
    server.serve(new URL(parsed.url).pathname, {
      body: tiny,
      headers: { "X-Linked-Size": String(tiny.length), "X-Linked-Etag": `"${options.sha ?? sha256(tiny)}"` },
      ...(options.dropAfterBytes !== undefined ? { dropAfterBytes: options.dropAfterBytes } : {}),
      ...(options.slowMs !== undefined ? { slowMs: options.slowMs } : {}),
    });
    downloaded.push(path.join(modelsDir, parsed.fileName));
    return { url: parsed.url, fileName: parsed.fileName };
  }

  let savedEndpoint = "";
  let savedRegistry = "";
  before(async () => {
    api = await activateExtension();
    server = await startModelServer();
    modelsDir = api.models.modelsDir;
    savedEndpoint = api.ctx.config.get("models.downloadEndpoint");
    savedRegistry = api.ctx.config.get("engine.gpuPackageRegistry");
    await api.ctx.config.update("models.downloadEndpoint", server.url);
  });

  after(async () => {
    process.env.PATH = savedEnv.PATH;
    if (savedEnv.OLLAMA_MODELS === undefined) delete process.env.OLLAMA_MODELS;
    else process.env.OLLAMA_MODELS = savedEnv.OLLAMA_MODELS;
    await api.ctx.config.update("models.downloadEndpoint", savedEndpoint);
    await api.ctx.config.update("engine.gpuPackageRegistry", savedRegistry);
    await api.ctx.config.update("chat.modelPath", "");
    await api.ctx.config.update("completion.modelPath", "");
    for (const file of downloaded) rmSync(file, { force: true });
    rmSync(path.join(modelsDir, ".partial"), { recursive: true, force: true });
    await server.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  it("hf: URI: the download reports progress, is checked against the server's size and SHA-256, and the engine loads it", async () => {
    const { url, fileName } = serveRepoFile("tiny-downloaded.gguf");
    const sentBefore = server.bytesSent;
    const file = await api.models.downloadWithProgress({ url, fileName, label: fileName });
    assert.equal(file, path.join(modelsDir, fileName));
    assert.equal(sha256(readFileSync(file)), sha256(tiny), "the file is the served bytes");
    assert.equal(server.bytesSent - sentBefore, tiny.length, "sent once, in full");
    assert.ok(!existsSync(path.join(modelsDir, ".partial", `${fileName}.part`)), "no part file is left");
    await api.models.use(file, "completion");
    await api.backends.ensureModel("completion");
    await waitFor("the status bar to name the downloaded model", () => api.statusBar.text.includes(fileName));
  });

  it("a connection dropped half-way resumes with Range and sends only what was missing; progress is reported", async () => {
    const half = Math.floor(tiny.length / 2);
    const { url, fileName } = serveRepoFile("tiny-dropped.gguf", { dropAfterBytes: half });
    const sentBefore = server.bytesSent;
    const requestsBefore = server.requests.length;
    const progress: number[] = [];
    const file = await api.models.download({ url, fileName, label: fileName }, undefined, (p) => progress.push(p.receivedBytes));
    assert.equal(sha256(readFileSync(file)), sha256(tiny));
    const resent = server.bytesSent - sentBefore - tiny.length;
    assert.ok(resent < 0.1 * tiny.length, `the resume re-sent ${resent} of ${tiny.length} bytes`);
    assert.ok(server.requests.slice(requestsBefore).some((r) => r.range?.startsWith("bytes=") && r.range !== "bytes=0-"), "the second request asked for the rest");
    assert.ok(progress.length >= 2 && progress.at(-1) === tiny.length, "progress rose to the full size");
  });

  it("a wrong SHA-256 is rejected with a clear message, leaves no model file, and the model in use keeps working", async () => {
    const { url, fileName } = serveRepoFile("tiny-corrupt.gguf", { sha: "0".repeat(64) });
    const before = modelFiles(modelsDir);
    await assert.rejects(api.models.downloadWithProgress({ url, fileName, label: fileName }), (error: unknown) => {
      assert.match(String(error), /Downloading tiny-corrupt\.gguf failed: .*SHA-256.*The model you used before is unchanged/s);
      return true;
    });
    assert.deepEqual(modelFiles(modelsDir), before, "nothing that looks like a model was added");
    assert.ok(!existsSync(path.join(modelsDir, ".partial", `${fileName}.part`)), "the mismatching part is deleted");
    const result = await (await api.backends.backendFor("completion")).complete({ prefix: "function add(a, b) {\n  return ", suffix: "\n}\n", maxTokens: 4 });
    assert.ok(result.metrics.promptTokens > 0, "the model in use still answers");
  });

  it("cancel leaves nothing that looks like a model; the next try continues where it stopped", async () => {
    const { url, fileName } = serveRepoFile("tiny-cancelled.gguf", { slowMs: 20 });
    const controller = new AbortController();
    const progress: number[] = [];
    const before = modelFiles(modelsDir);
    await assert.rejects(
      api.models.download({ url, fileName, label: fileName }, controller.signal, (p) => {
        progress.push(p.receivedBytes);
        if (p.receivedBytes >= tiny.length / 4) controller.abort();
      }),
      // The extension's own DownloadError class (the test bundle has its own copy, so not `instanceof`).
      (error: unknown) => (error as Partial<DownloadError>).code === "cancelled" && /cancelled/.test(String(error)),
    );
    assert.deepEqual(modelFiles(modelsDir), before, "no .gguf appeared");
    const part = path.join(modelsDir, ".partial", `${fileName}.part`);
    const kept = existsSync(part) ? statSync(part).size : 0;
    assert.ok(kept > 0, "the part is kept for the next try");
    const sentBefore = server.bytesSent;
    const file = await api.models.download({ url, fileName, label: fileName });
    assert.equal(sha256(readFileSync(file)), sha256(tiny));
    assert.ok(server.bytesSent - sentBefore <= tiny.length - kept + 64 * 1024, "the second try sent only the rest");
  });

  it("a model in an Ollama store (OLLAMA_MODELS) is listed by its Ollama name; picked, the engine loads it and the status bar names it", async () => {
    const root = path.join(scratch, "ollama");
    writeOllamaModel(root, testModel("tiny"), "tiny-coder", "0.5b");
    process.env.OLLAMA_MODELS = root;
    const found = (await api.models.list()).find((m) => m.source === "ollama" && m.path.startsWith(root));
    assert.ok(found, "the Ollama model is listed");
    assert.equal(found.label, "tiny-coder:0.5b");
    assert.match(path.basename(found.path), /^sha256-[0-9a-f]{64}$/, "used in place: the blob itself, not a copy");
    await api.models.use(found.path, "both", found);
    assert.equal(api.backends.modelFor("chat")?.label, "tiny-coder:0.5b");
    assert.equal(api.backends.modelFor("chat")?.source, "ollama");
    await api.backends.ensureModel("chat");
    await waitFor("the status bar to name the Ollama model", () => api.statusBar.text.includes("tiny-coder:0.5b"));
    assert.ok(!api.statusBar.text.includes("sha256-"), "not the blob's hash");
  });

  describe("GPU on demand", function () {
    let savedGpu: ReturnType<typeof api.ctx.config.get<"engine.gpu">> | undefined;
    before(function () {
      if (gpuSkip) this.skip();
      savedGpu = api.ctx.config.get("engine.gpu");
      // A GPU as the product sees one: what nvidia-smi prints for
      // --query-gpu=name,memory.total,memory.free --format=csv,noheader,nounits, first on the host's PATH.
      const bin = path.join(scratch, "bin");
      mkdirSync(bin, { recursive: true });
      writeFileSync(path.join(bin, "nvidia-smi"), "#!/bin/sh\necho 'NVIDIA Test GPU, 8192, 8000'\n");
      chmodSync(path.join(bin, "nvidia-smi"), 0o755);
      process.env.PATH = `${bin}${path.delimiter}${savedEnv.PATH ?? ""}`;
    });
    after(async () => {
      process.env.PATH = savedEnv.PATH;
      // Enable GPU Acceleration turns a "cpu" choice into "auto": the suites after this one get the setting back.
      if (savedGpu !== undefined) await api.ctx.config.update("engine.gpu", savedGpu);
    });

    /**
     * A local registry serving node-llama-cpp's CUDA packages for this version (their binary is not a library, as a
     * CUDA build on a machine without the driver fails to load), set as the GPU package registry for `run`.
     */
    async function withCudaRegistry(integrity: "true" | "wrong", run: (version: string, storage: string, registry: ModelServer) => Promise<void>): Promise<void> {
      const version = await bundledNodeLlamaCppVersion(api.ctx.extensionUri.fsPath);
      const registry = await startModelServer();
      const fakes = cudaPackages.map((name) => brokenBinaryPackage(name, version, path.join(api.ctx.extensionUri.fsPath, "node_modules", cpuPackage!)));
      try {
        await api.ctx.config.update("engine.gpuPackageRegistry", registry.url);
        for (const fake of fakes) servePackage(registry, await packFolder(fake.dir), integrity === "wrong" ? { integrity: wrongIntegrity() } : {});
        await run(version, api.ctx.extensionContext.globalStorageUri.fsPath, registry);
      } finally {
        for (const fake of fakes) fake.dispose();
        await registry.close();
      }
    }

    it("Enable GPU Acceleration with an NVIDIA GPU (nvidia-smi): a package whose integrity fails is refused, nothing is installed, the engine stays on the CPU", async () => {
      await withCudaRegistry("wrong", async (version, storage, registry) => {
        await api.backends.ensureModel("chat");
        await vscode.commands.executeCommand(COMMANDS.enableGpuAcceleration);
        await waitFor("the command to log its failure", async () => /Enable GPU Acceleration failed: .*integrity/.test(await allLogText(api)), 30_000);
        assert.ok((await allLogText(api)).includes("Enable GPU Acceleration: cuda for NVIDIA Test GPU"), "nvidia-smi's GPU motivated the CUDA package");
        assert.ok(registry.requests.some((r) => r.path === `/${cudaPackages[0]}`), "the packument was asked from the configured registry");
        assert.deepEqual(await installedGpuPackages(storage, version), [], "nothing installed");
        assert.equal(await downloadedGpuBytes(storage), 0, "no partial download left");
        const facts = await api.backends.localEngineFacts();
        assert.equal(facts?.device, "cpu");
        assert.notEqual(facts?.binary?.source, "downloaded");
      });
    });

    it("Enable GPU Acceleration installs a verified package and restarts; a binary that cannot load falls back to the CPU with the reason; Remove Downloaded GPU Binaries takes it away", async () => {
      // True integrity this time: the packages install, and their binary does not load.
      await withCudaRegistry("true", async (version, storage) => {
        await vscode.commands.executeCommand(COMMANDS.enableGpuAcceleration);
        assert.deepEqual(await installedGpuPackages(storage, version), [...cudaPackages].sort());
        const facts = await api.backends.localEngineFacts();
        assert.ok(facts, "the engine was restarted and is up");
        assert.equal(facts.device, "cpu", "no GPU binary could load here");
        assert.ok(facts.gpuFallbackReason, "and the engine says why");
        const result = await (await api.backends.backendFor("completion")).complete({ prefix: "const total = ", suffix: ";\n", maxTokens: 4 });
        assert.ok(result.metrics.promptTokens > 0, "the CPU engine answers");

        await vscode.commands.executeCommand(COMMANDS.removeGpuBinaries);
        assert.deepEqual(await installedGpuPackages(storage, version), []);
        assert.equal(await downloadedGpuBytes(storage), 0);
        const after = await api.backends.localEngineFacts();
        assert.notEqual(after?.binary?.source, "downloaded", "back on the binary the extension ships (or the local build)");
        await waitFor("the removal in the log", async () => /Remove Downloaded GPU Binaries: \d+ MiB removed/.test(await allLogText(api)));
      });
    });
  });
});
