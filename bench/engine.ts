/**
 * Engine benchmark (`npm run bench:engine`): the qwen05b-shaped synthetic model (Q8_0), measured through our
 * client + child process and through raw node-llama-cpp in this process, on the same file and thread count.
 * Prints one JSON line per figure: {metric, unit, ours, raw, ratio (ours/raw), ...}. Figures, not assertions.
 *
 * - load: ours = `loadModel` round trip (pre-checks, thread choice — cached after the first run — and a 2-sequence
 *   context); raw = `loadModel` + `createContext`.
 * - prefill: 512 synthetic tokens into an empty sequence. decode: 128 tokens, never stopping early (ours through the
 *   benchmark-only `engine/benchDecode` request, raw by driving `sequence.evaluate` directly).
 * - FIM: a ~1,500-token prompt (current line after the middle marker, 64-token suffix: layout D of
 *   shared/fim-latency.md), greedy, 32 tokens; then the same after 5 typed characters. Also, for reference, raw
 *   `generateInfillCompletion` (the classic layout) for the same two requests.
 * - native: pp512/tg128 of the prebuilt binary and of the build for this CPU (both in our child) and of llama.cpp's
 *   llama-bench, same file and threads, with ours/native (bench/engineNative.ts; builds the local engine when missing).
 * - decode with 2 threads while another process keeps one core busy, before and after the thread re-check
 *   (bench/engineLoad.ts).
 */
import os from "node:os";
import path from "node:path";
import { getLlama, LlamaCompletion, type LlamaContextSequence, type Token } from "node-llama-cpp";
import { LocalEngineClient } from "../src/inference/client.ts";
import { benchPromptTokens } from "../src/inference/engine/benchPrompt.ts";
import { buildFimPrompt } from "../src/inference/engine/completion.ts";
import { ensureSyntheticModel } from "../test/fixtures/models.ts";
import { ensureChildBuilt } from "../test/engine/childBuild.ts";
import { nativeColumn } from "./engineNative.ts";
import { decodeUnderLoad } from "./engineLoad.ts";

const PREFILL_TOKENS = 512;
const DECODE_TOKENS = 128;
const FIM_MAX_TOKENS = 32;
const MODEL = "qwen05b";
const QUANT = "Q8_0";

interface Line {
  metric: string;
  unit: string;
  ours: number;
  raw: number;
  [extra: string]: unknown;
}

function emit(line: Line): void {
  const ratio = line.raw === 0 ? null : Math.round((line.ours / line.raw) * 1000) / 1000;
  console.log(JSON.stringify({ bench: "engine", model: `${MODEL}-${QUANT}`, ...line, ours: round(line.ours), raw: round(line.raw), ratio }));
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}

/** ~1,500 tokens of code around a cursor line; the cursor sits mid-function. */
function fimDocument(): { prefix: string; line: string; typed: string; suffix: string } {
  const lines: string[] = [];
  for (let i = 0; lines.length < 150; i++) {
    lines.push(
      `export function transform${i}(items: readonly number[], factor = ${i + 1}): number[] {`,
      `  const out: number[] = [];`,
      `  for (const item of items) out.push(item * factor + ${i % 9});`,
      `  return out;`,
      `}`,
      ``,
    );
  }
  const prefix = `${lines.join("\n")}\nexport function summarize(values: number[]): number {\n`;
  const suffix = "\n  return total / Math.max(1, values.length);\n}\n\nexport const answer = summarize([1, 2, 3]);\n";
  return { prefix, line: "  const total = ", typed: "value", suffix };
}

async function main(): Promise<void> {
  const modelPath = await ensureSyntheticModel(MODEL, { quantization: QUANT });
  const childPath = await ensureChildBuilt();
  const cacheDir = path.join(os.homedir(), ".cache", "private-coder", "engine");
  const client = new LocalEngineClient({
    childPath,
    cacheDir,
    gpu: false,
    idleUnloadMs: 0,
    handshakeTimeoutMs: 120_000,
  });
  client.onLog((e) => {
    if (e.level === "error" || e.message.startsWith("thread measurement")) console.error(`[engine] ${e.message}`);
  });
  const llama = await getLlama({ gpu: false, build: "never", maxThreads: Math.max(1, os.availableParallelism()) });
  let benchThreads = 1;
  try {
    await client.start(); // outside the timed region

    // --- load -----------------------------------------------------------------------------------------------
    let t = performance.now();
    const loaded = await client.loadModel({ path: modelPath, role: "completion" });
    const oursLoadMs = performance.now() - t;
    const threads = loaded.model.threads;
    benchThreads = threads;
    const contextSize = loaded.model.contextSize;
    llama.maxThreads = Math.max(llama.maxThreads, threads);

    t = performance.now();
    const rawModel = await llama.loadModel({ modelPath });
    const rawContext = await rawModel.createContext({ contextSize, sequences: 1, threads });
    const rawLoadMs = performance.now() - t;
    const rawSequence = rawContext.getSequence();
    emit({ metric: "load", unit: "ms", ours: oursLoadMs, raw: rawLoadMs, threads, threadsSource: loaded.model.threadsSource, contextSize });

    // --- prefill and decode -----------------------------------------------------------------------------------
    await client.benchDecode({ promptTokens: 32, generateTokens: 2 }); // warm-up, both sides
    await rawPrefillDecode(rawSequence, benchPromptTokens(rawModel, 32), 2);

    t = performance.now();
    const oursPrefill = await client.benchDecode({ promptTokens: PREFILL_TOKENS, generateTokens: 0 });
    const oursPrefillWallMs = performance.now() - t;
    const rawPrefill = await rawPrefillDecode(rawSequence, benchPromptTokens(rawModel, PREFILL_TOKENS), 0);
    emit({
      metric: "prefill",
      unit: "tokens/s",
      ours: (PREFILL_TOKENS / oursPrefillWallMs) * 1000,
      raw: (PREFILL_TOKENS / rawPrefill.prefillMs) * 1000,
      promptTokens: PREFILL_TOKENS,
      oursInChildTokensPerSecond: round((PREFILL_TOKENS / oursPrefill.prefillMs) * 1000),
      threads,
    });

    const oursDecode = await client.benchDecode({ promptTokens: 16, generateTokens: DECODE_TOKENS });
    const rawDecode = await rawPrefillDecode(rawSequence, benchPromptTokens(rawModel, 16), DECODE_TOKENS);
    emit({
      metric: "decode",
      unit: "tokens/s",
      ours: (DECODE_TOKENS / oursDecode.decodeMs) * 1000,
      raw: (DECODE_TOKENS / rawDecode.decodeMs) * 1000,
      generatedTokens: DECODE_TOKENS,
      note: "ours timed in the child (benchmark-only engine/benchDecode request); per-token IPC does not exist for this path",
      threads,
    });

    // --- FIM: cold request, then after 5 typed characters ----------------------------------------------------
    const doc = fimDocument();
    const first = { prefix: doc.prefix, currentLinePrefix: doc.line, suffix: doc.suffix };
    const second = { ...first, currentLinePrefix: doc.line + doc.typed };
    const rawCompletion = new LlamaCompletion({ contextSequence: rawSequence });
    await rawSequence.clearHistory();

    for (const [label, request] of [["fim_first", first], ["fim_after_5_chars", second]] as const) {
      t = performance.now();
      const ours = await client.complete({ ...request, maxTokens: FIM_MAX_TOKENS, temperature: 0 });
      const oursMs = performance.now() - t;

      const budget = rawContext.contextSize - FIM_MAX_TOKENS - 1;
      const tokens = buildFimPrompt(rawModel, request, budget, console);
      const bos = rawModel.tokens.shouldPrependBosToken ? rawModel.tokens.bos : null;
      const full = bos == null ? tokens : [bos, ...tokens];
      const reusable = commonPrefix(rawSequence.contextTokens, full);
      t = performance.now();
      const raw = await rawCompletion.generateCompletionWithMeta(tokens, { maxTokens: FIM_MAX_TOKENS, temperature: 0, repeatPenalty: false });
      const rawMs = performance.now() - t;
      const rawGenerated = rawModel.tokenize(raw.response, true).length;
      emit({
        metric: label,
        unit: "ms",
        ours: oursMs,
        raw: rawMs,
        promptTokens: ours.metrics.promptTokens,
        oursEvaluatedTokens: ours.metrics.evaluatedTokens,
        rawEvaluatedTokens: full.length - reusable,
        oursGeneratedTokens: ours.metrics.generatedTokens,
        rawGeneratedTokensApprox: rawGenerated,
        sameText: ours.text === raw.response,
        oursTtftMs: ours.metrics.timeToFirstTokenMs,
        threads,
      });
    }

    // --- reference: the classic layout (what generateInfillCompletion builds), raw only --------------------------
    await rawSequence.clearHistory();
    const classic: Record<string, number> = {};
    for (const [label, line] of [["first", doc.line], ["after5", doc.line + doc.typed]] as const) {
      const before = rawSequence.tokenMeter.getState();
      t = performance.now();
      await rawCompletion.generateInfillCompletionWithMeta(doc.prefix + line, doc.suffix, { maxTokens: FIM_MAX_TOKENS, temperature: 0, repeatPenalty: false });
      classic[`${label}Ms`] = round(performance.now() - t);
      classic[`${label}MeteredInputTokens`] = rawSequence.tokenMeter.usedInputTokens - before.usedInputTokens;
    }
    console.log(JSON.stringify({ bench: "engine", model: `${MODEL}-${QUANT}`, metric: "reference_raw_classic_infill_layout", unit: "ms", ...classic, threads }));

    rawCompletion.dispose();
    await rawContext.dispose();
    await rawModel.dispose();
  } finally {
    await client.dispose();
    await llama.dispose();
  }

  // --- native column: prebuilt vs the build for this CPU vs llama-bench, same file and threads -------------------
  // After everything above is freed: each binary runs alone in its own child.
  const line = (fields: Record<string, unknown>): void => console.log(JSON.stringify({ bench: "engine", model: `${MODEL}-${QUANT}`, ...fields }));
  await nativeColumn({ childPath, cacheDir, modelPath, threads: benchThreads, emit: line });
  // --- decode with 2 threads while another process keeps one core busy: before and after the thread re-check -------
  await decodeUnderLoad({ childPath, modelPath, emit: line });
}

async function rawPrefillDecode(sequence: LlamaContextSequence, prompt: Token[], generate: number): Promise<{ prefillMs: number; decodeMs: number }> {
  await sequence.clearHistory();
  const t0 = performance.now();
  await sequence.evaluateWithoutGeneratingNewTokens(prompt);
  const prefillMs = performance.now() - t0;
  const t1 = performance.now();
  let generated = 0;
  if (generate > 0) {
    for await (const token of sequence.evaluate([prompt[prompt.length - 1]], { temperature: 0 })) {
      void token;
      if (++generated >= generate) break;
    }
  }
  const decodeMs = performance.now() - t1;
  await sequence.clearHistory();
  return { prefillMs, decodeMs };
}

function commonPrefix(a: readonly Token[], b: readonly Token[]): number {
  let i = 0;
  const max = Math.min(a.length, b.length - 1);
  while (i < max && a[i] === b[i]) i++;
  return i;
}

await main();
