/**
 * Speed benchmark (`npm run bench:speed`), the qwen05b-shaped synthetic model (Q8_0) through our client + child:
 * - cold first suggestion in a newly opened ~1,600-token file, with no prewarm and after a 2 s prewarm window;
 * - switch back to a recent file (A → B → A) against a warm keystroke in A;
 * - the first suggestion after Enter: our layout (cursor line after the middle marker, 64-token suffix) against the
 *   naive one (whole prefix before SUF, the whole suffix);
 * - decode tokens/s with and without speculative decoding (prompt lookup) on the completion sequence.
 * JSON lines; ratios are measured in the same run. The machine may be shared: numbers are noisy.
 */
import os from "node:os";
import path from "node:path";
import { LocalEngineClient } from "../src/inference/client.ts";
import type { CompleteParams, LoadModelParams } from "../src/inference/protocol.ts";
import { ensureSyntheticModel } from "../test/fixtures/models.ts";
import { ensureChildBuilt } from "../test/engine/childBuild.ts";

const MODEL = "qwen05b";
const QUANT = "Q8_0";
const MAX_TOKENS = 16;
type Prompt = Omit<CompleteParams, "requestId">;

function emit(fields: Record<string, unknown>): void {
  console.log(JSON.stringify({ bench: "speed", model: `${MODEL}-${QUANT}`, ...fields }));
}

const r = (n: number): number => Math.round(n * 10) / 10;

/** ~1,600 tokens of code (synthetic tokenizer, ~2.6 characters a token), different per `name`; the cursor line is left of `line`. */
function file(name: string): { prefix: string; line: string; suffix: string } {
  const lines: string[] = [];
  for (let i = 0; i < 64; i++) lines.push(`  const ${name}${i} = compute(${name}Input[${i}], ${i % 7});`);
  const suffix = Array.from({ length: 40 }, (_, i) => `  total += ${name}${i} * ${i};`).join("\n") + "\n  return total;\n}\n";
  return { prefix: `export function ${name}(${name}Input: number[]): number {\n  let total = 0;\n${lines.join("\n")}\n`, line: "  const result = ", suffix };
}

/** Layout D (what the host sends): the suffix cut to ~64 tokens (~170 characters here). */
function ours(f: ReturnType<typeof file>, line = f.line): Prompt {
  return { prefix: f.prefix, currentLinePrefix: line, suffix: f.suffix.slice(0, 170), maxTokens: MAX_TOKENS };
}

async function client(modelPath: string, extra: Partial<LoadModelParams> = {}): Promise<LocalEngineClient> {
  const c = new LocalEngineClient({ childPath: await ensureChildBuilt(), cacheDir: path.join(os.homedir(), ".cache", "private-coder", "engine"), gpu: false, idleUnloadMs: 0, handshakeTimeoutMs: 120_000 });
  await c.loadModel({ path: modelPath, role: "completion", ...extra });
  return c;
}

async function timed(c: LocalEngineClient, p: Prompt) {
  const t = performance.now();
  const result = await c.complete(p);
  return { ms: performance.now() - t, m: result.metrics };
}

async function main(): Promise<void> {
  const modelPath = await ensureSyntheticModel(MODEL, { quantization: QUANT });
  const c = await client(modelPath);
  try {
    await timed(c, { prefix: "warm-up\n", suffix: "", maxTokens: 2 });
    // --- cold first suggestion, without and with a 2 s prewarm -------------------------------------------------
    const cold = await timed(c, ours(file("coldA")));
    const f = file("coldB");
    // The user starts typing 2 s after opening the file: the completion request makes the prewarm yield.
    const prewarm = c.prewarm(ours(f)).catch(() => null);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const warmed = await timed(c, ours(f));
    const pre = await prewarm;
    emit({ metric: "coldFirstSuggestion", unit: "ms", noPrewarm: r(cold.ms), after2sPrewarm: r(warmed.ms), ratio: r(warmed.ms / cold.ms), promptTokens: cold.m.promptTokens, evaluatedNoPrewarm: cold.m.evaluatedTokens, evaluatedAfterPrewarm: warmed.m.evaluatedTokens, prewarmEvaluated: pre?.evaluatedTokens ?? null, prewarmCompleted: pre?.completed ?? null });

    // --- switch back -----------------------------------------------------------------------------------------
    const a = file("alpha");
    const b = file("beta");
    await timed(c, ours(a));
    const keystroke = await timed(c, ours(a, `${a.line}x`));
    await timed(c, ours(b));
    const back = await timed(c, ours(a, `${a.line}xy`));
    emit({ metric: "switchBack", unit: "ms", warmKeystroke: r(keystroke.ms), switchBack: r(back.ms), ratio: r(back.ms / keystroke.ms), restoredTokens: back.m.restoredTokens ?? 0, evaluated: back.m.evaluatedTokens, promptTokens: back.m.promptTokens });

    // --- Enter: ours (line after MID, short suffix) vs naive (whole prefix before SUF, whole suffix) ------------
    const e = file("enter");
    const naive = (line: string): Prompt => ({ prefix: e.prefix + line, suffix: e.suffix, maxTokens: MAX_TOKENS });
    await timed(c, naive("  const done = 1;"));
    const naiveEnter = await timed(c, naive("  const done = 1;\n  "));
    await timed(c, ours(e, "  const done = 1;"));
    const oursEnter = await timed(c, { ...ours(e, "  "), prefix: `${e.prefix}  const done = 1;\n` });
    emit({ metric: "enter", unit: "ms", naive: r(naiveEnter.ms), ours: r(oursEnter.ms), ratio: r(oursEnter.ms / naiveEnter.ms), naiveEvaluated: naiveEnter.m.evaluatedTokens, oursEvaluated: oursEnter.m.evaluatedTokens });
  } finally {
    await c.dispose();
  }

  // --- speculative decoding on/off ----------------------------------------------------------------------------
  const repetitive = file("spec");
  const prompt: Prompt = { prefix: repetitive.prefix, currentLinePrefix: "  const spec1", suffix: "", maxTokens: 64 };
  const speeds: Record<string, { tps: number | null; generated: number }> = {};
  for (const speculative of ["off", "promptLookup"] as const) {
    const sc = await client(modelPath, { speculative });
    try {
      await timed(sc, prompt); // cold prompt, untimed
      const run = await timed(sc, { ...prompt, currentLinePrefix: "  const spec2" });
      speeds[speculative] = { tps: run.m.tokensPerSecond, generated: run.m.generatedTokens };
    } finally {
      await sc.dispose();
    }
  }
  const on = speeds.promptLookup.tps;
  const off = speeds.off.tps;
  emit({ metric: "speculativeDecode", unit: "tokens/s", off, on, ratio: on && off ? r(on / off) : null, generatedOff: speeds.off.generated, generatedOn: speeds.promptLookup.generated, note: "random weights: how often drafts match says little about a real model" });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
