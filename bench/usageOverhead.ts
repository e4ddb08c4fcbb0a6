/**
 * The usage log's cost on the typing path: the provider's own time per keystroke (the pipeline with an engine that
 * answers at once, timed around the whole `run` call so the outcome listeners count too) with the log on (the real
 * recorder and the real batched writer appending to a temporary folder) and off, interleaved in blocks in the same
 * run so both see the same machine load.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { CompletionPipeline, type CompletionEngine, type SpeedSample } from "../src/core/completion/index.ts";
import { CompletionRecorder } from "../src/core/usage/completionRecords.ts";
import { UsageLogWriter } from "../src/core/usage/writer.ts";
import { nodeUsageFiles } from "../src/extension/usage/usageFiles.ts";
import { MemDoc, mean, pct, root, safety } from "./completionSupport.ts";

const BLOCK = 40;
const BLOCKS = 10;

export async function usageLogOwnTime(speed: SpeedSample, charsPerToken: number, script: string): Promise<Record<string, unknown>> {
  const fake: CompletionEngine = {
    complete: () =>
      Promise.resolve({ text: "value + 1;", mode: "fim", metrics: { promptTokens: 900, reusedTokens: 880, evaluatedTokens: 20, generatedTokens: 4, timeToFirstTokenMs: 1, totalMs: 1, tokensPerSecond: 40, stopReason: "eogToken" } }),
  };
  const pipeline = new CompletionPipeline({ engine: () => Promise.resolve(fake), safety: safety(), modelReady: () => true, settings: () => ({ overrides: {}, salt: "fake" }) });
  pipeline.resetModel(speed, charsPerToken);
  const dir = mkdtempSync(path.join(os.tmpdir(), "pc-usage-bench-"));
  const writer = new UsageLogWriter({ files: nodeUsageFiles(dir), maxBytes: () => 20 * 1024 * 1024 });
  let on = false;
  let records = 0;
  const recorder = new CompletionRecorder(
    (record) => {
      records++;
      writer.write(record);
    },
    () => ({ backend: "local", model: "bench.gguf" }),
  );
  // What the host does: one subscription, which returns at once while the log is off.
  pipeline.onOutcome((outcome) => {
    if (on) recorder.observe(outcome);
  });
  const source = readFileSync(path.join(root, "src/core/completion/budget.ts"), "utf8").split("\n");
  const doc = new MemDoc([...source.slice(0, 60), "", ...source.slice(60)], path.join(root, "bench-usage.ts"), "typescript", { line: 60, character: 0 });
  const times: Record<"on" | "off", number[]> = { on: [], off: [] };
  let k = 0;
  try {
    for (let block = 0; block < BLOCKS * 2; block++) {
      on = block % 2 === 1;
      for (let i = 0; i < BLOCK; i++) {
        const ch = script[k++ % script.length];
        doc.type(ch);
        const snap = doc.snapshot();
        const t = performance.now();
        await pipeline.run({ doc: snap, cursor: doc.cursor, explicit: false, enabled: true, lastInserted: ch });
        times[on ? "on" : "off"].push(performance.now() - t);
      }
    }
    recorder.drain();
    await writer.dispose();
    const bytes = readdirSync(dir).reduce((n, f) => n + statSync(path.join(dir, f)).size, 0);
    const figures = (v: number[]) => ({ p50: pct(v, 50), p95: pct(v, 95), mean: mean(v), n: v.length });
    return { unit: "ms", off: figures(times.off), on: figures(times.on), recordsWritten: records, bytesWritten: bytes, note: "interleaved blocks in one run; noisy on a shared machine" };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
