/**
 * What bench/completion.ts is built from: statistics helpers, the scripted user's in-memory document, the timed
 * engine, the safety gate over the real file system, and the two self-contained measurements (the pipeline's own time
 * on a large file, and the naive node-llama-cpp baseline).
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { readFile, realpath } from "node:fs/promises";
import path from "node:path";
import { getLlama, LlamaCompletion } from "node-llama-cpp";
import type { CompletionRequest, CompletionResult } from "../src/core/backend/types.ts";
import {
  CompletionPipeline,
  CompletionSafetyGate,
  FileSystemSafetyPolicy,
  type CompletionEngine,
  type CursorPosition,
  type PipelineDocument,
  type PipelineResult,
  type SpeedSample,
} from "../src/core/completion/index.ts";

export const root = path.resolve(import.meta.dirname, "..");

export const r1 = (n: number) => Math.round(n * 10) / 10;
export function pct(values: readonly number[], p: number, round = r1): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]);
}
export const mean = (v: readonly number[]) => (v.length === 0 ? NaN : r1(v.reduce((a, b) => a + b, 0) / v.length));
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Seeded PRNG (mulberry32): the same keystroke intervals every run. */
export function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An editable in-memory document; `snapshot()` gives the pipeline a frozen view (like a TextDocument version). */
export class MemDoc {
  cursor: CursorPosition;
  constructor(
    public lines: string[],
    readonly file: string,
    readonly languageId: string,
    cursor: CursorPosition,
  ) {
    this.cursor = cursor;
  }
  type(ch: string): void {
    const { line, character } = this.cursor;
    const text = this.lines[line];
    if (ch === "\n") {
      this.lines.splice(line, 1, text.slice(0, character), text.slice(character));
      this.cursor = { line: line + 1, character: 0 };
    } else {
      this.lines[line] = text.slice(0, character) + ch + text.slice(character);
      this.cursor = { line, character: character + ch.length };
    }
  }
  snapshot(): PipelineDocument {
    const lines = this.lines.slice();
    return {
      id: `file://${this.file}`,
      location: { scheme: "file", path: this.file },
      languageId: this.languageId,
      relativePath: path.relative(root, this.file),
      lineCount: lines.length,
      lineAt: (i) => lines[i],
    };
  }
}

/** Times the engine calls the pipeline makes (the "raw engine time for the same prompt"). */
export class TimedEngine implements CompletionEngine {
  calls: { request: CompletionRequest; ms: number; result?: CompletionResult }[] = [];
  /** The backend's prewarm, passed through untimed (the host's PrewarmScheduler calls it on open and focus). */
  readonly prewarm: CompletionEngine["prewarm"];
  constructor(private readonly client: CompletionEngine) {
    this.prewarm = client.prewarm ? (request, options) => client.prewarm!(request, options) : undefined;
  }
  async complete(request: CompletionRequest, options: { signal?: AbortSignal }): Promise<CompletionResult> {
    const t = performance.now();
    const call: { request: CompletionRequest; ms: number; result?: CompletionResult } = { request, ms: NaN };
    this.calls.push(call);
    try {
      const result = await this.client.complete(request, options);
      call.result = result;
      return result;
    } finally {
      call.ms = performance.now() - t;
    }
  }
}

export function safety(): CompletionSafetyGate {
  const fs = { realpath: (p: string) => realpath(p), readTextFile: (p: string) => readFile(p, "utf8").catch(() => undefined) };
  return new CompletionSafetyGate(new FileSystemSafetyPolicy(fs, () => ({ excludedPaths: [], sensitiveWords: [], sensitiveWordAction: "redact", workspaceFolders: [root] })));
}

/** This repository's TypeScript sources (git's list, in its order) of at least `minLines` lines. */
export function repositorySources(minLines: number): { readonly name: string; readonly lines: string[] }[] {
  return execFileSync("git", ["ls-files", "src/*.ts"], { cwd: root, encoding: "utf8" })
    .split("\n")
    .filter((f) => f.endsWith(".ts"))
    .map((f) => ({ name: f, lines: readFileSync(path.join(root, f), "utf8").split("\n") }))
    .filter((f) => f.lines.length >= minLines);
}

/** ~16,000 lines, ~1.3 MB of TypeScript built from this repository's sources. */
function bigFile(): { lines: string[]; bytes: number } {
  const sources = ["src/core/completion/context.ts", "src/core/completion/budget.ts", "src/core/safety/assignments.ts", "src/core/safety/filterContext.ts"].map((f) =>
    readFileSync(path.join(root, f), "utf8").split("\n"),
  );
  const lines: string[] = [];
  for (let i = 0; lines.length < 16_000; i++) {
    lines.push(...sources[i % sources.length].map((l) => (l.length > 0 ? `${l} // copy ${i} of the large benchmark file` : l)));
  }
  lines.length = 16_000;
  let bytes = 0;
  for (const l of lines) bytes += l.length + 1;
  return { lines, bytes };
}

/** The pipeline's own time per keystroke on a ~16,000-line file, with an engine that answers at once. */
export async function largeFileOwnTime(speed: SpeedSample, charsPerToken: number, script: string): Promise<Record<string, unknown>> {
  const big = bigFile();
  const fake: CompletionEngine = {
    complete: () =>
      Promise.resolve({ text: "value + 1;", mode: "fim", metrics: { promptTokens: 0, reusedTokens: 0, evaluatedTokens: 1, generatedTokens: 4, timeToFirstTokenMs: 1, totalMs: 1, tokensPerSecond: null, stopReason: "eogToken" } }),
  };
  const local = new CompletionPipeline({ engine: () => Promise.resolve(fake), safety: safety(), modelReady: () => true, settings: () => ({ overrides: {}, salt: "fake" }) });
  local.resetModel(speed, charsPerToken);
  const bigDoc = new MemDoc(big.lines, path.join(root, "bench-large-file.ts"), "typescript", { line: 8000, character: 0 });
  bigDoc.lines.splice(8000, 0, "");
  const own: number[] = [];
  for (let i = 0; i < 200; i++) {
    bigDoc.type(script[i % script.length]);
    const snap = bigDoc.snapshot(); // outside the timed region: VS Code hands us a live document
    const r = await local.run({ doc: snap, cursor: bigDoc.cursor, explicit: false, enabled: true, lastInserted: script[i % script.length] });
    own.push(r.totalMs);
  }
  return { unit: "ms", lines: big.lines.length, bytes: big.bytes, p50: pct(own, 50), p95: pct(own, 95), goal: "p95 < 15" };
}

export interface NaiveBaseline {
  readonly modelPath: string;
  readonly threads: number;
  readonly contextSize: number;
  readonly beforeText: string;
  readonly afterText: string;
  /** Typed one character more per request. */
  readonly typed: string;
  readonly prefixTokens: number;
  readonly suffixTokens: number;
}

/** Raw `generateInfillCompletion` per keystroke (32 tokens, fixed prefix and suffix sizes): milliseconds per request. */
export async function naiveInfillLatencies(options: NaiveBaseline): Promise<number[]> {
  const { threads } = options;
  const llama = await getLlama({ gpu: false, build: "never", maxThreads: Math.max(1, threads) });
  try {
    const model = await llama.loadModel({ modelPath: options.modelPath });
    const context = await model.createContext({ contextSize: options.contextSize, sequences: 1, threads });
    const completion = new LlamaCompletion({ contextSequence: context.getSequence() });
    const pre = model.detokenize(model.tokenize(options.beforeText).slice(-options.prefixTokens));
    const suf = model.detokenize(model.tokenize(options.afterText).slice(0, options.suffixTokens));
    const naive: number[] = [];
    await completion.generateInfillCompletion(pre, suf, { maxTokens: 32, temperature: 0, repeatPenalty: false }); // cold, not counted
    for (let i = 1; i <= 5; i++) {
      const t = performance.now();
      await completion.generateInfillCompletion(pre + options.typed.slice(0, i), suf, { maxTokens: 32, temperature: 0, repeatPenalty: false, customStopTriggers: [] });
      naive.push(performance.now() - t);
    }
    completion.dispose();
    await context.dispose();
    await model.dispose();
    return naive;
  } finally {
    await llama.dispose();
  }
}

export interface SameSizeOptions {
  readonly engine: TimedEngine;
  readonly speed: SpeedSample;
  readonly charsPerToken: number;
  readonly modelPath: string;
  readonly contextSize: number;
  /** The document at the naive baseline's place, the cursor after `const room = `. */
  readonly doc: MemDoc;
  /** Typed one character per keystroke. */
  readonly typed: string;
  /** The naive client's prompt size in real tokens. */
  readonly naiveTokens: number;
  /** Generation length (the `completion.maxTokens` setting); default the derived budget's. */
  readonly maxTokens?: number;
}

/**
 * The pipeline with `completion.maxPromptTokens` set so the real prompt holds as many tokens as the naive client's,
 * typing at its place one keystroke at a time, debounce included. The setting counts estimated tokens (and the
 * window starts on a stride line), so a first cold request measures how many real tokens it gives and the setting
 * is scaled once.
 */
export async function sameSizeSession(options: SameSizeOptions): Promise<{ latencies: number[]; figures: Record<string, unknown> }> {
  const { engine, doc, typed, naiveTokens } = options;
  let sameSetting = naiveTokens;
  const maxTokens = options.maxTokens;
  const sameSize = new CompletionPipeline({
    engine: () => Promise.resolve(engine),
    safety: safety(),
    modelReady: () => true,
    settings: () => ({ overrides: { maxPromptTokens: sameSetting, ...(maxTokens ? { maxTokens } : {}) }, salt: `${options.modelPath}#same-size-${sameSetting}-${maxTokens ?? "derived"}`, contextSize: options.contextSize }),
  });
  sameSize.resetModel(options.speed, options.charsPerToken);
  const sameRun = async (lastInserted: string) => {
    const t = performance.now();
    const calls = engine.calls.length;
    const result = await sameSize.run({
      doc: doc.snapshot(),
      cursor: doc.cursor,
      explicit: false,
      enabled: true,
      lastInserted,
      beforeEngine: () => sleep(sameSize.budget.debounceMs).then(() => true),
    });
    const call = engine.calls.length > calls ? engine.calls[engine.calls.length - 1] : undefined;
    return { ms: performance.now() - t, result, metrics: call?.result?.metrics };
  };
  let sameCold = await sameRun(" "); // cold, not counted (the naive baseline's cold call is not counted either)
  const firstPromptTokens = sameCold.metrics?.promptTokens;
  if (firstPromptTokens && firstPromptTokens < naiveTokens * 0.97) {
    sameSetting = Math.ceil((naiveTokens * naiveTokens) / firstPromptTokens);
    sameSize.refreshBudget();
    sameSize.forgetDocument(doc.snapshot().id); // or typing-through would answer at the same place
    sameCold = await sameRun(" ");
  }
  const same: number[] = [];
  const sameEvaluated: number[] = [];
  const sameGenerated: number[] = [];
  let sameTypeThrough = 0;
  for (let i = 0; i < 5; i++) {
    doc.type(typed[i]);
    const r = await sameRun(typed[i]);
    if (r.result.source === "typeThrough" || r.result.source === "cache") sameTypeThrough++;
    else same.push(r.ms);
    if (r.metrics) sameEvaluated.push(r.metrics.evaluatedTokens);
    if (r.metrics) sameGenerated.push(r.metrics.generatedTokens);
  }
  return {
    latencies: same,
    figures: {
      unit: "ms",
      p50: pct(same, 50),
      p95: pct(same, 95),
      n: same.length,
      fromMemory: sameTypeThrough,
      promptTokens: sameCold.metrics?.promptTokens,
      naivePromptTokens: naiveTokens,
      maxPromptTokensSetting: sameSetting,
      coldMs: r1(sameCold.ms),
      tokensEvaluatedPerKeystroke: mean(sameEvaluated),
      maxTokens: maxTokens ?? sameSize.budget.singleLine.maxTokens,
      generatedTokensP50: pct(sameGenerated, 50),
      note: "real prompt tokens as the naive client's (our suffix is shorter, the prefix longer), debounce included",
    },
  };
}

/** A keystroke whose suggestion is on its way (the bench's view of one VS Code inline-completion request). */
export interface InFlightKeystroke {
  readonly controller: AbortController;
  readonly promise: Promise<PipelineResult>;
  /** performance.now() at the keystroke. */
  readonly t0: number;
}

/**
 * One keystroke as VS Code delivers it: the previous request's token is cancelled, the character typed, and an
 * automatic request runs through the pipeline after its debounce (which the next keystroke cuts short).
 */
export function typeKeystroke(pipeline: CompletionPipeline, doc: MemDoc, ch: string, previous: InFlightKeystroke | undefined): InFlightKeystroke {
  previous?.controller.abort();
  doc.type(ch);
  const controller = new AbortController();
  const t0 = performance.now();
  const promise = pipeline.run({
    doc: doc.snapshot(),
    cursor: doc.cursor,
    explicit: false,
    enabled: true,
    lastInserted: ch,
    signal: controller.signal,
    beforeEngine: async () => {
      const until = performance.now() + pipeline.budget.debounceMs;
      while (performance.now() < until && !controller.signal.aborted) await sleep(Math.min(10, until - performance.now()));
      return !controller.signal.aborted;
    },
  });
  return { controller, promise, t0 };
}
