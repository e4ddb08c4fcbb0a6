// Backend errors reach the user in their language: `describeError` words each error `code` (with its details) through
// the l10n bundle, and every sentence it uses is a key of l10n/bundle.l10n.json with a Simplified Chinese text.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { formatString } from "../../src/core/webviewStrings.ts";
import { EngineCancelledError, EngineCrashedError, EngineError } from "../../src/inference/errors.ts";
import { EngineErrorCode } from "../../src/inference/protocol.ts";
import { MessageTooLongError } from "../../src/extension/chat/chatGeneration.ts";
import { describeBackendStatus, describeCrash, describeError, describeModelFacts, formatBytes, type L10n } from "../../src/extension/userMessages.ts";

const root = path.resolve(import.meta.dirname, "../..");
const english = JSON.parse(readFileSync(path.join(root, "l10n/bundle.l10n.json"), "utf8")) as Record<string, string>;
const chinese = JSON.parse(readFileSync(path.join(root, "l10n/bundle.l10n.zh-cn.json"), "utf8")) as Record<string, string>;

/** `vscode.l10n` with one bundle: a message that is not a key of the bundle fails the test. */
function l10nWith(bundle: Record<string, string>): L10n & { used: Set<string> } {
  const used = new Set<string>();
  const t = (message: string, ...args: (string | number | boolean)[]): string => {
    assert.ok(message in bundle, `not in the bundle: ${JSON.stringify(message)}`);
    used.add(message);
    return formatString(bundle[message], ...args.map(String));
  };
  return { t: t as L10n["t"], used };
}

const model = "/models/qwen2.5-coder-1.5b.gguf";

test("each model error names the file and says what is wrong, with its details", () => {
  const l10n = l10nWith(english);
  const cases: [EngineError, string][] = [
    [new EngineError(EngineErrorCode.ModelMissing, `Model file not found: ${model}`, { path: model }), "The model file qwen2.5-coder-1.5b.gguf was not found, or it is not a file."],
    [new EngineError(EngineErrorCode.ModelEmpty, "x", { path: model }), "The model file qwen2.5-coder-1.5b.gguf is empty."],
    [
      new EngineError(EngineErrorCode.ModelTruncated, "x", { path: model, fileSize: 512 * 2 ** 20, expectedSize: 1.5 * 2 ** 30 }),
      "The model file qwen2.5-coder-1.5b.gguf is incomplete: it has 512.0 MiB, its header needs at least 1.50 GiB. Was the download interrupted? Download it again.",
    ],
    [new EngineError(EngineErrorCode.ModelTruncated, "x", { path: model }), "The model file qwen2.5-coder-1.5b.gguf is truncated or damaged. Download it again."],
    [new EngineError(EngineErrorCode.ModelBadMagic, `Not a GGUF file (bad magic): ${model}`, { path: model, magic: "00000000" }), "qwen2.5-coder-1.5b.gguf is not a GGUF model file."],
    [new EngineError(EngineErrorCode.ModelUnsupportedVersion, "x", { path: model, version: 1 }), "qwen2.5-coder-1.5b.gguf is a GGUF version 1 file; Private Coder reads GGUF versions 2 and 3."],
    [
      new EngineError(EngineErrorCode.ModelUnsupportedArchitecture, "x", { path: model, architecture: "mamba9" }),
      'qwen2.5-coder-1.5b.gguf uses the model architecture "mamba9", which the bundled llama.cpp does not support.',
    ],
    [new EngineError(EngineErrorCode.ModelLoadFailed, "x", { path: model, reason: "tensor 'blk.0' has wrong shape" }), "qwen2.5-coder-1.5b.gguf could not be loaded (llama.cpp: tensor 'blk.0' has wrong shape)."],
    [
      new EngineError(EngineErrorCode.InsufficientMemory, "x", { path: model, neededRam: 3 * 2 ** 30, freeRam: 900 * 2 ** 20, contextSize: 4096 }),
      "Not enough memory for qwen2.5-coder-1.5b.gguf with a 4096-token context: it needs about 3.00 GiB of RAM, 900.0 MiB is free. Choose a smaller model, or a smaller context size (`privateCoder.engine.contextSize`).",
    ],
  ];
  for (const [error, expected] of cases) assert.equal(describeError(error, l10n), expected, error.code);
});

test("engine and host errors are worded by their code; unknown codes and plain errors keep their message", () => {
  const l10n = l10nWith(english);
  assert.equal(describeError(new EngineCrashedError("The inference engine stopped unexpectedly (exit code 134, signal null).", 134, null), l10n), "The engine stopped unexpectedly (exit code 134).");
  assert.equal(describeError(new EngineCrashedError("x", null, "SIGKILL"), l10n), "The engine stopped unexpectedly (signal SIGKILL).");
  assert.equal(describeCrash(null, null, l10n), "The engine stopped unexpectedly.");
  assert.match(describeError(new EngineError(EngineErrorCode.BreakerOpen, "x", { crashes: 3 }), l10n), /crashed 3 times/);
  assert.match(describeError(new EngineError(EngineErrorCode.StartFailed, "The inference engine did not start within 10000 ms."), l10n), /could not start/);
  assert.equal(describeError(new EngineCancelledError(), l10n), "The request was cancelled.");
  assert.equal(
    describeError(new MessageTooLongError(2048), l10n),
    "The message and its attachments are too long for the model's context window (2048 tokens). Attach less, or select a smaller part.",
  );
  // Messages already written for the user, and codes this version does not know, are shown as they are.
  assert.equal(describeError(new Error('No chat model is selected. Run "Private Coder: Select Model…".'), l10n), 'No chat model is selected. Run "Private Coder: Select Model…".');
  assert.equal(describeError(new EngineError(EngineErrorCode.Internal, "boom"), l10n), "boom");
  assert.equal(describeError(Object.assign(new Error("remote said no"), { code: "http429" }), l10n), "remote said no");
  assert.equal(describeError("a string", l10n), "a string");
  // A model error without its file name cannot name the file: the message is kept.
  assert.equal(describeError(new EngineError(EngineErrorCode.ModelMissing, "Model file not found"), l10n), "Model file not found");
});

test("the sentences come out in Simplified Chinese with the zh-CN bundle", () => {
  const l10n = l10nWith(chinese);
  const missing = describeError(new EngineError(EngineErrorCode.ModelMissing, "Model file not found", { path: model }), l10n);
  assert.equal(missing, "未找到模型文件 qwen2.5-coder-1.5b.gguf，或者它不是文件。");
  const memory = describeError(new EngineError(EngineErrorCode.InsufficientMemory, "x", { path: model }), l10n);
  assert.ok(/[\u4e00-\u9fff]/.test(memory) && memory.includes("`privateCoder.engine.contextSize`"), memory);
  assert.equal(formatBytes(100, l10n), "100 字节");
});

test("every engine error code has its own wording or deliberately keeps the engine's message", () => {
  const l10n = l10nWith(english);
  const keepsMessage = new Set<string>([EngineErrorCode.InvalidParams, EngineErrorCode.Internal]);
  for (const code of Object.values(EngineErrorCode)) {
    const text = describeError(new EngineError(code, "ENGLISH FROM THE ENGINE", { path: model }), l10n);
    if (keepsMessage.has(code)) assert.equal(text, "ENGLISH FROM THE ENGINE", code);
    else assert.notEqual(text, "ENGLISH FROM THE ENGINE", code);
  }
});

test("Engine Status names a downloaded GPU binary and where it lives, in both languages; a bundled one is not repeated", () => {
  const status = (binary: { source: "bundled" | "downloaded" | "localBuild"; package?: string; location?: string; localBuildFallbackReason?: string }) => ({
    running: true,
    models: [],
    busy: { completion: false, chat: false },
    activeRequests: 0,
    details: [],
    facts: { device: "cuda" as const, binary },
  });
  const downloaded = { source: "downloaded" as const, package: "@node-llama-cpp/linux-x64-cuda@3.22.1", location: "/storage/gpu/node-llama-cpp@3.22.1/node_modules/@node-llama-cpp/linux-x64-cuda" };
  const en = describeBackendStatus(status(downloaded), l10nWith(english));
  assert.ok(en.includes(`GPU binary ${downloaded.package}, downloaded to ${downloaded.location}`), en.join("\n"));
  const zh = describeBackendStatus(status(downloaded), l10nWith(chinese));
  assert.ok(zh.some((line) => line.includes(downloaded.package) && line.includes("已下载到")), zh.join("\n"));
  const bundled = describeBackendStatus(status({ source: "bundled", package: "@node-llama-cpp/linux-x64@3.22.1" }), l10nWith(english));
  assert.ok(!bundled.some((line) => line.includes("@node-llama-cpp")), bundled.join("\n"));
  assert.ok(bundled.includes("prebuilt engine"), bundled.join("\n"));
  const local = describeBackendStatus(status({ source: "localBuild", location: "/cache/engine/addon.node" }), l10nWith(english));
  assert.ok(local.includes("engine built for this CPU"), local.join("\n"));
  const fellBack = describeBackendStatus(status({ source: "bundled", localBuildFallbackReason: "the local build was made for another CPU" }), l10nWith(chinese));
  assert.ok(fellBack.some((line) => line.includes("预构建引擎") && line.includes("another CPU")), fellBack.join("\n"));
});

test("a model's facts say what speculative decoding does there, for completions and for edits (auto: what it measured), in both languages", () => {
  type Facts = { choice: "always" | "measuring" | "drafting" | "plain"; draftingTokensPerSecond: number | null; plainTokensPerSecond: number | null };
  const facts = (speculative?: Facts, speculativeEdits?: Facts) => ({
    contextSize: 8192,
    fimSupported: true,
    facts: { threads: 2, threadsSource: "measured" as const, ...(speculative ? { speculative } : {}), ...(speculativeEdits ? { speculativeEdits } : {}) },
  });
  assert.ok(!describeModelFacts(facts(), l10nWith(english)).some((l) => l.includes("speculative")), "nothing when it is off");
  assert.ok(describeModelFacts(facts({ choice: "measuring", draftingTokensPerSecond: null, plainTokensPerSecond: 40 }), l10nWith(english)).includes("completions: speculative decoding: measuring which is faster"));
  assert.ok(describeModelFacts(facts({ choice: "plain", draftingTokensPerSecond: 38.5, plainTokensPerSecond: 41 }), l10nWith(english)).includes("completions: speculative decoding off: slower here (38.5 vs 41 tokens/s)"));
  const zh = describeModelFacts(facts({ choice: "drafting", draftingTokensPerSecond: 60, plainTokensPerSecond: 41 }), l10nWith(chinese));
  assert.ok(zh.some((l) => l.startsWith("补全") && l.includes("推测解码已开启") && l.includes("60") && l.includes("41")), zh.join("\n"));
  assert.ok(describeModelFacts(facts({ choice: "always", draftingTokensPerSecond: null, plainTokensPerSecond: null }), l10nWith(english)).includes("completions: speculative decoding on"));
  // Edits have their own line, which says what their own gate measured.
  const both = describeModelFacts(facts({ choice: "plain", draftingTokensPerSecond: 38, plainTokensPerSecond: 41 }, { choice: "drafting", draftingTokensPerSecond: 95, plainTokensPerSecond: 40 }), l10nWith(english));
  assert.ok(both.includes("edits: speculative decoding on: faster here (95 vs 40 tokens/s)"), both.join("\n"));
  assert.ok(both.includes("completions: speculative decoding off: slower here (38 vs 41 tokens/s)"), both.join("\n"));
  const zhEdits = describeModelFacts(facts(undefined, { choice: "measuring", draftingTokensPerSecond: null, plainTokensPerSecond: null }), l10nWith(chinese));
  assert.ok(zhEdits.some((l) => l.startsWith("编辑") && l.includes("推测解码")), zhEdits.join("\n"));
  assert.ok(describeModelFacts(facts(), l10nWith(english)).includes("cpu, 2 threads (measured)"));
  const one = { ...facts(), facts: { threads: 1, threadsSource: "cached" as const } };
  assert.ok(describeModelFacts(one, l10nWith(english)).includes("cpu, 1 thread (remembered)"), describeModelFacts(one, l10nWith(english)).join("\n"));
  assert.ok(describeModelFacts(one, l10nWith(chinese)).some((l) => l.includes("1 个线程")));
});
