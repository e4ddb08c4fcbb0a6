/**
 * `bench:completion`'s cold first suggestion in a newly opened ~1,600-token file, through the pipeline as the host
 * drives it: with no prewarm (the pipeline's cold prompt), and after the file was open for 2 s (the host's
 * PrewarmScheduler calls `pipeline.prewarm` on open; the keystroke's request makes the engine's prewarm yield).
 * Each sample is a different file (nothing shared with the others), alternating the two ways; figures are p50s with
 * the prompt tokens the model saw at the first suggestion.
 */
import path from "node:path";
import { CompletionPipeline, type SpeedSample } from "../src/core/completion/index.ts";
import { MemDoc, pct, root, safety, sleep, type TimedEngine } from "./completionSupport.ts";

const PREWARM_WINDOW_MS = 2000;

/** ~1,600 tokens of TypeScript, unique to `name` from its first line; the cursor on a fresh line near the end. */
function newFile(name: string): MemDoc {
  const lines = [`// ${name}: generated for the cold-start benchmark`, `export interface ${name}Row { id: number; label: string; weight: number }`, ""];
  for (let i = 0; lines.length < 150; i++) {
    lines.push(`export function ${name}Step${i}(rows: readonly ${name}Row[], factor = ${i + 2}): number {`, `  let sum${i} = 0;`, `  for (const row of rows) sum${i} += row.weight * factor + row.id % ${(i % 5) + 3};`, `  return sum${i};`, "}", "");
  }
  lines.push(`export function ${name}Total(rows: readonly ${name}Row[]): number {`, "  const total = ", "}", "");
  const file = path.join(root, "bench", `${name}.generated.ts`);
  return new MemDoc(lines, file, "typescript", { line: lines.length - 3, character: "  const total = ".length });
}

export interface ColdStartOptions {
  readonly engine: TimedEngine;
  readonly speed: SpeedSample;
  readonly charsPerToken: number;
  readonly modelPath: string;
  readonly contextSize: number;
  readonly samples: number;
}

export async function coldFirstSuggestion(options: ColdStartOptions): Promise<Record<string, unknown>> {
  const { engine } = options;
  const pipeline = new CompletionPipeline({
    engine: () => Promise.resolve(engine),
    safety: safety(),
    modelReady: () => true,
    settings: () => ({ overrides: {}, salt: `${options.modelPath}#cold-start`, contextSize: options.contextSize }),
  });
  pipeline.resetModel(options.speed, options.charsPerToken);
  const rows: Record<"none" | "prewarm", { ms: number; promptTokens: number; evaluated: number; prewarmEvaluated?: number; prewarmCompleted?: boolean }[]> = { none: [], prewarm: [] };
  for (let i = 0; i < options.samples * 2; i++) {
    const kind = i % 2 === 0 ? "none" : "prewarm";
    const doc = newFile(`Cold${kind === "none" ? "N" : "P"}${i}x${Date.now() % 10_000}`);
    let prewarm: ReturnType<CompletionPipeline["prewarm"]> | undefined;
    if (kind === "prewarm") {
      prewarm = pipeline.prewarm(doc.snapshot(), doc.cursor);
      await sleep(PREWARM_WINDOW_MS);
    }
    doc.type("r");
    const calls = engine.calls.length;
    const t = performance.now();
    await pipeline.run({ doc: doc.snapshot(), cursor: doc.cursor, explicit: false, enabled: true, lastInserted: "r", beforeEngine: () => sleep(pipeline.budget.debounceMs).then(() => true) });
    const ms = performance.now() - t;
    const report = await prewarm;
    const metrics = engine.calls.length > calls ? engine.calls[engine.calls.length - 1]?.result?.metrics : undefined;
    rows[kind].push({
      ms,
      promptTokens: metrics?.promptTokens ?? 0,
      evaluated: metrics?.evaluatedTokens ?? 0,
      ...(report ? { prewarmEvaluated: report.outcome?.evaluatedTokens ?? 0, prewarmCompleted: report.outcome?.completed ?? false } : {}),
    });
  }
  const summary = (list: (typeof rows)["none"]) => ({
    p50Ms: pct(list.map((r) => r.ms), 50),
    promptTokensP50: pct(list.map((r) => r.promptTokens), 50),
    evaluatedP50: pct(list.map((r) => r.evaluated), 50),
  });
  const none = summary(rows.none);
  const warmed = summary(rows.prewarm);
  return {
    unit: "ms",
    samples: options.samples,
    noPrewarm: none,
    after2sPrewarm: { ...warmed, prewarmEvaluated: rows.prewarm.map((r) => r.prewarmEvaluated), prewarmCompleted: rows.prewarm.map((r) => r.prewarmCompleted) },
    ratio: Math.round((warmed.p50Ms / none.p50Ms) * 1000) / 1000,
    budget: { cold: pipeline.budget.coldPromptTokens, full: pipeline.budget.maxPromptTokens, debounceMs: pipeline.budget.debounceMs },
    goal: "after a 2 s prewarm: <= 3 s p50 (0.5B shape, 2 cores), prompt tokens = the full window",
    note: "keystroke → suggestion, debounce included; each sample a new ~1,600-token file",
  };
}
