/**
 * The synthetic GGUF generator, checked against the real node-llama-cpp / llama.cpp.
 * Only tiny models are written here; the Qwen-shaped presets are checked by their tensor plan.
 */
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { isAbsolute, join } from "node:path";
import { after, before, describe, it } from "node:test";
import {
  ChatMLChatWrapper,
  getLlama,
  LlamaChatSession,
  LlamaCompletion,
  LlamaLogLevel,
  QwenChatWrapper,
  readGgufFileInfo,
  resolveChatWrapper,
  type Llama,
  type LlamaModel,
} from "node-llama-cpp";
import { buildPresetSpec, tensorDataBytes } from "../fixtures/gguf/presets.ts";
import { encodeByteLevel } from "../fixtures/gguf/vocab.ts";
import { float32ToFloat16Bits, writeGgufFile } from "../fixtures/gguf/writer.ts";
import { countParameters, ensureSyntheticModel, GENERATOR_VERSION, presetTensorPlan, syntheticModelPath, type PresetName } from "../fixtures/models.ts";

const CODE_SAMPLE = `import { readFile } from "node:fs/promises";

/** Loads the user's settings, falling back to defaults for missing fields. */
export async function loadConfig(path: string): Promise<Config> {
  const text = await readFile(path, "utf8");
  const data = JSON.parse(text) as Partial<Config>;
  if (!data.name) {
    throw new Error(\`config at \${path} is missing a name\`);
  }
  return { ...defaults, ...data };
}

class Counter:
    def __init__(self, start=0):
        self.value = start

    def increment(self, step=1):
        """Add step to the counter and return the new value."""
        self.value += step
        return self.value

for (let index = 0; index < items.length; index++) {
  console.log(items[index].name);
}
`;

const CHINESE = "这个函数返回一个新的数组，不会修改原来的数据。";
const EMOJI = "Ship it 🚀🎉 — café, naïve, 👩‍💻 and 🇯🇵!";

describe("synthetic GGUF models", () => {
  let cacheDirectory: string;
  let llama: Llama;
  const llamaLogs: string[] = [];
  const loadedModels: LlamaModel[] = [];
  const modelsByPreset = new Map<PresetName, Promise<LlamaModel>>();

  /** One shared load per preset keeps the suite fast; tests only read from models. */
  function loadModel(name: PresetName): Promise<LlamaModel> {
    let model = modelsByPreset.get(name);
    if (model === undefined) {
      model = ensureSyntheticModel(name).then(async (modelPath) => {
        const loaded = await llama.loadModel({ modelPath });
        loadedModels.push(loaded);
        return loaded;
      });
      modelsByPreset.set(name, model);
    }
    return model;
  }

  before(async () => {
    cacheDirectory = await mkdtemp(join(tmpdir(), "private-coder-gguf-test-"));
    process.env.PRIVATE_CODER_CACHE = cacheDirectory;
    // Keep llama.cpp's expected load errors out of the test output, but available to assertions.
    llama = await getLlama({ gpu: false, build: "never", maxThreads: 1, logLevel: LlamaLogLevel.warn, logger: (_level, message) => llamaLogs.push(message) });
  });

  after(async () => {
    for (const model of loadedModels) await model.dispose();
    // No llama.dispose(): in node-llama-cpp 3.22.1 a loadModel() that llama.cpp rejects (broken-version,
    // broken-truncated) never releases its hold on the Llama instance, so dispose() would wait forever.
    // node-llama-cpp disposes the instance itself on process exit.
    delete process.env.PRIVATE_CODER_CACHE;
    await rm(cacheDirectory, { recursive: true, force: true });
  });

  describe("generation and cache", () => {
    it("writes tiny into the cache folder under a versioned name and reuses it", async () => {
      const path = await ensureSyntheticModel("tiny");
      assert.ok(isAbsolute(path));
      assert.equal(path, join(cacheDirectory, "models", `tiny-F16-1-v${GENERATOR_VERSION}.gguf`));
      const { size, mtimeMs } = await stat(path);
      assert.ok(size > 100_000 && size < 2_000_000, `tiny should be about 1 MB, got ${size} bytes`);
      assert.equal(await ensureSyntheticModel("tiny"), path);
      assert.equal((await stat(path)).mtimeMs, mtimeMs, "a cached model must not be rewritten");
    });

    it("is deterministic per seed, and concurrent callers all get one complete file", async () => {
      const paths = await Promise.all([1, 2, 3].map(() => ensureSyntheticModel("tiny", { seed: 5 })));
      assert.equal(new Set(paths).size, 1);
      const sameSeed = await readFile(paths[0]);
      const reference = await readFile(await ensureSyntheticModel("tiny", { seed: 1 }));
      assert.equal(sameSeed.length, reference.length);
      assert.notDeepEqual(sameSeed, reference, "different seeds must give different weights");
      assert.equal(syntheticModelPath("tiny", { seed: 5, quantization: "F16" }), paths[0]);

      const rewrittenPath = join(cacheDirectory, "rewritten.gguf");
      await writeGgufFile(rewrittenPath, buildPresetSpec("tiny", { seed: 5, generatorVersion: GENERATOR_VERSION }).spec, { seed: 5 });
      assert.deepEqual(await readFile(rewrittenPath), sameSeed, "the same seed must give the same bytes");
    });

    it("rejects a negative seed", async () => {
      await assert.rejects(ensureSyntheticModel("tiny", { seed: -1 }), /non-negative integer/);
    });
  });

  describe("tiny", () => {
    it("reads back with the metadata llama.cpp needs", async () => {
      const info = await readGgufFileInfo(await ensureSyntheticModel("tiny"));
      assert.equal(info.version, 3);
      const metadata = info.metadata as unknown as Record<string, Record<string, unknown>>;
      assert.equal(metadata.general.architecture, "qwen2");
      assert.equal(metadata.general.alignment, 32);
      assert.equal(metadata.general.file_type, 1);
      const architecture = info.architectureMetadata as unknown as {
        block_count: number;
        context_length: number;
        embedding_length: number;
        feed_forward_length: number;
        attention: { head_count: number; head_count_kv: number; layer_norm_rms_epsilon: number };
        rope: { freq_base: number };
      };
      assert.equal(architecture.block_count, 2);
      assert.equal(architecture.context_length, 4096);
      assert.equal(architecture.embedding_length, 64);
      assert.equal(architecture.feed_forward_length, 128);
      assert.equal(architecture.attention.head_count, 4);
      assert.equal(architecture.attention.head_count_kv, 2);
      assert.ok(Math.abs(architecture.attention.layer_norm_rms_epsilon - 1e-6) < 1e-12);
      assert.equal(architecture.rope.freq_base, 1_000_000);

      const tokenizer = info.metadata.tokenizer;
      assert.equal(tokenizer.ggml.model, "gpt2");
      assert.equal((tokenizer.ggml as { pre?: string }).pre, "qwen2");
      const tokens = tokenizer.ggml.tokens;
      const ids = tokenizer.ggml as unknown as Record<string, number>;
      assert.equal(tokens[ids.eos_token_id], "<|endoftext|>");
      assert.equal(tokens[ids.bos_token_id], "<|endoftext|>");
      assert.equal(tokens[ids.eot_token_id], "<|im_end|>");
      assert.equal(tokens[ids.fim_pre_token_id], "<|fim_prefix|>");
      assert.equal(tokens[ids.fim_suf_token_id], "<|fim_suffix|>");
      assert.equal(tokens[ids.fim_mid_token_id], "<|fim_middle|>");
      assert.equal((tokenizer.ggml as { add_bos_token?: boolean }).add_bos_token, false);
      assert.match(tokenizer.chat_template ?? "", /<\|im_start\|>/);
      assert.ok(tokens.length > 4000 && tokens.length < 8000, `tiny vocabulary has ${tokens.length} tokens`);

      const tensorNames = (info.fullTensorInfo ?? []).map((tensor) => tensor.name);
      assert.deepEqual(tensorNames, presetTensorPlan("tiny").map((tensor) => tensor.name));
    });

    it("loads on CPU and exposes the FIM tokens", async () => {
      const model = await loadModel("tiny");
      const { infill } = model.tokens;
      assert.notEqual(infill.prefix, null);
      assert.notEqual(infill.suffix, null);
      assert.notEqual(infill.middle, null);
      assert.equal(infill.prefixString, "<|fim_prefix|>");
      assert.equal(infill.suffixString, "<|fim_suffix|>");
      assert.equal(infill.middleString, "<|fim_middle|>");
      assert.equal(model.tokens.eosString, "<|endoftext|>");
      assert.equal(model.trainContextSize, 4096);
    });

    it("round-trips code, Chinese and emoji through the tokenizer", async () => {
      const model = await loadModel("tiny");
      for (const text of [CODE_SAMPLE, CHINESE, EMOJI, `${CODE_SAMPLE}// ${CHINESE} ${EMOJI}\n`, "\u0000\u0001\t\r\n \u00a0\uFFFD"]) {
        assert.equal(model.detokenize(model.tokenize(text)), text);
      }
      // Special-token text is plain text unless special tokens are asked for.
      const chatMarker = "<|im_start|>user";
      assert.ok(model.tokenize(chatMarker).length > 1);
      assert.equal(model.tokenize(chatMarker, true)[0], model.tokenize("<|im_start|>", true)[0]);
    });

    it("compresses code to well over 2 characters per token", async () => {
      const model = await loadModel("tiny");
      const charactersPerToken = CODE_SAMPLE.length / model.tokenize(CODE_SAMPLE).length;
      assert.ok(charactersPerToken >= 2.5, `code averages ${charactersPerToken.toFixed(2)} characters per token`);
    });

    it("resolves a ChatML-style chat wrapper, not the general fallback", async () => {
      const model = await loadModel("tiny");
      const wrapper = resolveChatWrapper(model);
      assert.ok(wrapper instanceof QwenChatWrapper || wrapper instanceof ChatMLChatWrapper, `resolved ${wrapper.constructor.name}`);

      const context = await model.createContext({ contextSize: 512 });
      try {
        const session = new LlamaChatSession({ contextSequence: context.getSequence() });
        assert.ok(session.chatWrapper instanceof QwenChatWrapper || session.chatWrapper instanceof ChatMLChatWrapper);
        const answer = await session.prompt("Say hi", { maxTokens: 4 });
        assert.equal(typeof answer, "string");
      } finally {
        await context.dispose();
      }
    });

    it("produces finite, non-degenerate next-token probabilities from its random weights", async () => {
      const model = await loadModel("tiny");
      const context = await model.createContext({ contextSize: 256 });
      try {
        const evaluation = context.getSequence().evaluateWithMetadata(model.tokenize("function add(a, b) {"), { probabilities: true }, { temperature: 1 });
        const { value: first } = await evaluation.next();
        await evaluation.return();
        assert.ok(first !== undefined);
        const probabilities = [...first.probabilities.values()];
        assert.ok(probabilities.length > 1);
        assert.ok(probabilities.every((probability) => Number.isFinite(probability) && probability >= 0));
        assert.ok(Math.abs(probabilities.reduce((sum, probability) => sum + probability, 0) - 1) < 1e-3);
        assert.ok(Math.max(...probabilities) < 0.5, "random weights should not make one token near-certain");
      } finally {
        await context.dispose();
      }
    });

    it("completes and infills a few tokens", async () => {
      const model = await loadModel("tiny");
      const context = await model.createContext({ contextSize: 512 });
      try {
        const completion = new LlamaCompletion({ contextSequence: context.getSequence() });
        assert.equal(completion.infillSupported, true);
        const generated: number[] = [];
        await completion.generateCompletion("function add(a, b) {", { maxTokens: 4, onToken: (tokens) => generated.push(...tokens) });
        assert.ok(generated.length > 0 && generated.length <= 4);
        const infill = await completion.generateInfillCompletion("const total = ", ";\n", { maxTokens: 4 });
        assert.equal(typeof infill, "string");
      } finally {
        await context.dispose();
      }
    });
  });

  describe("quantizations", () => {
    for (const quantization of ["F32", "F16", "Q8_0"] as const) {
      it(`tiny in ${quantization} loads and completes`, async () => {
        const modelPath = await ensureSyntheticModel("tiny", { quantization });
        const info = await readGgufFileInfo(modelPath);
        assert.equal(info.metadata.general.file_type, { F32: 0, F16: 1, Q8_0: 7 }[quantization]);
        const model = await llama.loadModel({ modelPath });
        loadedModels.push(model);
        const context = await model.createContext({ contextSize: 256 });
        try {
          const completion = new LlamaCompletion({ contextSequence: context.getSequence() });
          assert.equal(typeof (await completion.generateCompletion("let x = ", { maxTokens: 2 })), "string");
        } finally {
          await context.dispose();
        }
      });
    }
  });

  describe("tiny-nofim", () => {
    it("has no infill tokens", async () => {
      const model = await loadModel("tiny-nofim");
      assert.equal(model.tokens.infill.prefix, null);
      assert.equal(model.tokens.infill.suffix, null);
      assert.equal(model.tokens.infill.middle, null);
      const info = await readGgufFileInfo(await ensureSyntheticModel("tiny-nofim"));
      assert.equal((info.metadata.tokenizer.ggml as Record<string, unknown>).fim_pre_token_id, undefined);
      assert.ok(!info.metadata.tokenizer.ggml.tokens.includes("<|fim_prefix|>"));
    });
  });

  describe("broken variants", () => {
    /** Reads the file the way the extension does: metadata first, then the real load. */
    async function openLikeTheExtension(name: PresetName): Promise<void> {
      const modelPath = await ensureSyntheticModel(name);
      await readGgufFileInfo(modelPath);
      const model = await llama.loadModel({ modelPath });
      loadedModels.push(model);
    }

    /** llama.cpp logs reach the JS logger asynchronously, so the reason may arrive after the rejection. */
    async function expectLlamaLog(pattern: RegExp): Promise<void> {
      for (let waited = 0; waited < 2000 && !llamaLogs.some((line) => pattern.test(line)); waited += 20) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      assert.ok(llamaLogs.some((line) => pattern.test(line)), `no llama.cpp log matched ${pattern}:\n${llamaLogs.join("\n")}`);
    }

    it("broken-empty is a 0-byte file that fails the magic check", async () => {
      assert.equal((await stat(await ensureSyntheticModel("broken-empty"))).size, 0);
      await assert.rejects(openLikeTheExtension("broken-empty"), /Invalid GGUF magic/);
    });

    it("broken-magic fails the magic check", async () => {
      await assert.rejects(openLikeTheExtension("broken-magic"), /Invalid GGUF magic\. Expected "GGUF" but got "GGUX"/);
    });

    it("broken-version is refused by llama.cpp", async () => {
      await assert.rejects(openLikeTheExtension("broken-version"), /Failed to load model/);
      await expectLlamaLog(/this GGUF file is version 99/);
    });

    it("broken-truncated is refused by llama.cpp because tensor data is missing", async () => {
      const tinySize = (await stat(await ensureSyntheticModel("tiny"))).size;
      assert.ok((await stat(await ensureSyntheticModel("broken-truncated"))).size < tinySize);
      await assert.rejects(openLikeTheExtension("broken-truncated"), /Failed to load model/);
      await expectLlamaLog(/tensor '[\w.]+' data is not within the file bounds/);
    });
  });

  describe("Qwen-shaped presets (planned, not written)", () => {
    it("qwen05b has Qwen2.5-0.5B's tensors, shapes and parameter count", () => {
      const plan = presetTensorPlan("qwen05b");
      const shapes = new Map(plan.map((tensor) => [tensor.name, tensor.shape]));
      assert.deepEqual(shapes.get("token_embd.weight"), [896, 151_936]);
      assert.deepEqual(shapes.get("blk.0.attn_q.weight"), [896, 896]);
      assert.deepEqual(shapes.get("blk.0.attn_q.bias"), [896]);
      assert.deepEqual(shapes.get("blk.0.attn_k.weight"), [896, 128]);
      assert.deepEqual(shapes.get("blk.0.attn_v.weight"), [896, 128]);
      assert.deepEqual(shapes.get("blk.0.attn_output.weight"), [896, 896]);
      assert.deepEqual(shapes.get("blk.0.ffn_up.weight"), [896, 4864]);
      assert.deepEqual(shapes.get("blk.0.ffn_gate.weight"), [896, 4864]);
      assert.deepEqual(shapes.get("blk.23.ffn_down.weight"), [4864, 896]);
      assert.equal(shapes.has("blk.24.attn_q.weight"), false);
      assert.equal(shapes.has("output.weight"), false, "Qwen2.5-0.5B ties the output to token_embd");
      assert.equal(plan.length, 1 + 24 * 12 + 1);
      assert.equal(countParameters(plan), 494_032_768);
      // Q8_0 is 34 bytes per 32 weights (+1-D F32 tensors): 525 MB, plus ~6 MB of vocabulary = Qwen's ~531 MB file.
      assert.equal(tensorDataBytes(plan), 525_120_000);
      assert.ok(plan.every((tensor) => (tensor.shape.length === 1 ? tensor.type === "F32" : tensor.type === "Q8_0")));
      assert.ok(presetTensorPlan("qwen05b", "F16").every((tensor) => tensor.shape.length === 1 || tensor.type === "F16"));
    });

    it("qwen15b has Qwen2.5-1.5B's shapes and parameter count", () => {
      const plan = presetTensorPlan("qwen15b");
      const shapes = new Map(plan.map((tensor) => [tensor.name, tensor.shape]));
      assert.deepEqual(shapes.get("token_embd.weight"), [1536, 151_936]);
      assert.deepEqual(shapes.get("blk.27.attn_k.weight"), [1536, 256]);
      assert.deepEqual(shapes.get("blk.27.ffn_up.weight"), [1536, 8960]);
      assert.equal(countParameters(plan), 1_543_714_304);
    });

    it("puts special tokens at Qwen2.5's ids", () => {
      const { vocabulary, spec } = buildPresetSpec("qwen05b");
      assert.equal(vocabulary.tokens.length, 151_936);
      assert.deepEqual(vocabulary.special, {
        endOfText: 151_643,
        imStart: 151_644,
        imEnd: 151_645,
        fimPrefix: 151_659,
        fimMiddle: 151_660,
        fimSuffix: 151_661,
        fimPad: 151_662,
        repoName: 151_663,
        fileSep: 151_664,
      });
      assert.equal(vocabulary.merges.length, 151_643 - 256, "every non-byte token comes from one merge");
      const keys = new Map(spec.metadata);
      assert.deepEqual(keys.get("qwen2.context_length"), { type: "uint32", value: 32_768 });
      assert.deepEqual(keys.get("general.file_type"), { type: "uint32", value: 7 });
    });
  });

  describe("writer primitives", () => {
    it("converts floats to IEEE half precision", () => {
      assert.equal(float32ToFloat16Bits(1), 0x3c00);
      assert.equal(float32ToFloat16Bits(-2), 0xc000);
      assert.equal(float32ToFloat16Bits(65504), 0x7bff);
      assert.equal(float32ToFloat16Bits(1e6), 0x7c00);
      assert.equal(float32ToFloat16Bits(0.000061035156), 0x0400);
      assert.equal(float32ToFloat16Bits(5.960464477539063e-8), 0x0001);
      assert.equal(float32ToFloat16Bits(0.02), 0x251f);
    });

    it("spells bytes the way GPT-2 byte-level vocabularies do", () => {
      assert.equal(encodeByteLevel(" return\n"), "ĠreturnĊ");
      assert.equal(encodeByteLevel("\t"), "ĉ");
      assert.equal(encodeByteLevel("é"), "Ã©");
    });
  });
});
