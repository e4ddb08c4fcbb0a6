/**
 * Chooses the thread count by measurement. node-llama-cpp's default (max(cores, 4)) gave 0.1 tok/s decode on a
 * 2-core VM, and whether the second core helps differs from day to day on such machines, so we time a short
 * prefill and decode for each candidate from 1 to the math cores at load, and remember the winner per model file
 * and machine in a small JSON file (the host passes its directory), so only the first load pays for it.
 */
import { createHash } from "node:crypto";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { LlamaModel, Token } from "node-llama-cpp";

/** Prompt and decode sizes of one measurement: well under a second in total on a 0.5B model with 2 cores. */
const PREFILL_TOKENS = 16;
const DECODE_TOKENS = 4;
/** Untimed first evaluation: graph allocation and first touch of the mmap'd weights. */
const WARMUP_TOKENS = 4;
/** Prefill is timed in batches this small, so an abandoned candidate stops within one batch. */
const PREFILL_CHUNK = 4;
/** A candidate that has spent twice the 1-thread candidate's time for the same work cannot win: abandoned. */
const GIVE_UP_FACTOR = 2;
/** The workload the choice is optimised for: a warm FIM request evaluates a little and generates a few dozen. */
const WEIGHT_PREFILL_TOKENS = 256;
const WEIGHT_DECODE_TOKENS = 32;
/** A candidate with fewer threads wins unless a larger one is more than this much faster (leaves a core free). */
const PREFER_FEWER_MARGIN = 0.05;

export interface ThreadMeasurement {
  threads: number;
  prefillTokensPerSecond: number;
  decodeTokensPerSecond: number;
  /** Estimated ms of the reference workload. */
  costMs: number;
}

export interface ThreadChoice {
  threads: number;
  source: "measured" | "cached";
  measurements: ThreadMeasurement[];
}

interface CacheFile {
  version: 1;
  entries: Record<string, { threads: number; measuredAt: string; measurements: ThreadMeasurement[] }>;
}

const CACHE_FILE_NAME = "thread-choice.json";
const CACHE_TTL_MS = 7 * 24 * 3600_000;

/** The cache key: the file's identity (path, size, mtime) and the machine's (CPU model, cores, device). */
export function threadCacheKey(modelPath: string, fileSize: number, mtimeMs: number, cores: number, device: string): string {
  const cpu = os.cpus()[0]?.model ?? "unknown-cpu";
  return createHash("sha256")
    .update([modelPath, fileSize, Math.round(mtimeMs), cpu, cores, device, os.platform(), os.arch()].join("\u0000"))
    .digest("hex")
    .slice(0, 32);
}

export async function readCachedThreads(cacheDir: string | null, key: string): Promise<ThreadChoice | null> {
  if (cacheDir == null) return null;
  const file = await readCache(cacheDir);
  const entry = file.entries[key];
  if (entry == null || !Number.isInteger(entry.threads) || entry.threads < 1) return null;
  // Measure again now and then: a choice made while the machine was busy should not stick forever.
  if (!(Date.now() - Date.parse(entry.measuredAt) < CACHE_TTL_MS)) return null;
  return { threads: entry.threads, source: "cached", measurements: entry.measurements };
}

export async function writeCachedThreads(cacheDir: string | null, key: string, choice: ThreadChoice): Promise<void> {
  if (cacheDir == null) return;
  const file = await readCache(cacheDir);
  file.entries[key] = { threads: choice.threads, measuredAt: new Date().toISOString(), measurements: choice.measurements };
  await mkdir(cacheDir, { recursive: true });
  // Write-then-rename: two windows loading at once must never leave a half-written file.
  const target = path.join(cacheDir, CACHE_FILE_NAME);
  const temp = `${target}.${process.pid}.tmp`;
  await writeFile(temp, JSON.stringify(file, null, 2));
  await rename(temp, target);
}

async function readCache(cacheDir: string): Promise<CacheFile> {
  try {
    const parsed = JSON.parse(await readFile(path.join(cacheDir, CACHE_FILE_NAME), "utf8")) as Partial<CacheFile>;
    if (parsed.version === 1 && parsed.entries != null && typeof parsed.entries === "object") return parsed as CacheFile;
  } catch {
    // Missing or unreadable: start over (it is only a cache).
  }
  return { version: 1, entries: {} };
}

/**
 * Measures every candidate from 1 to `maxThreads` and returns the cheapest (fewer threads on a near tie).
 * One thread never collapses, so its measured time bounds the others: a candidate that has spent twice as long is
 * abandoned (with a busy core, spinning llama.cpp threads can drop to ~1 token/s and would stall the load).
 */
export async function measureThreads(model: LlamaModel, maxThreads: number, signal?: AbortSignal): Promise<ThreadChoice> {
  const prompt = syntheticPrompt(model);
  const measurements: ThreadMeasurement[] = [];
  let budgetMs = Infinity;
  for (let threads = 1; threads <= Math.max(1, maxThreads); threads++) {
    signal?.throwIfAborted();
    const { measurement, elapsedMs } = await measureOnce(model, threads, prompt, budgetMs, threads === 1);
    measurements.push(measurement);
    if (threads === 1) budgetMs = Math.max(50, elapsedMs * GIVE_UP_FACTOR);
  }
  let best = measurements[0];
  for (const m of measurements.slice(1)) {
    if (m.costMs < best.costMs * (1 - PREFER_FEWER_MARGIN)) best = m;
  }
  return { threads: best.threads, source: "measured", measurements };
}

function syntheticPrompt(model: LlamaModel): Token[] {
  const text = "function add(left, right) {\n  const total = left + right;\n  return total;\n}\n";
  let tokens = model.tokenize(text);
  while (tokens.length < PREFILL_TOKENS + WARMUP_TOKENS) tokens = tokens.concat(model.tokenize(text));
  return tokens.slice(0, PREFILL_TOKENS + WARMUP_TOKENS);
}

/**
 * Times one candidate: prefill in small batches, then decode, stopping early once `budgetMs` is spent (the rates
 * are then computed from what was done, and lose). `fullWarmup`: the first candidate also pays the first touch
 * of the mmap'd weights, which must not be charged to it.
 */
async function measureOnce(
  model: LlamaModel,
  threads: number,
  prompt: Token[],
  budgetMs: number,
  fullWarmup: boolean,
): Promise<{ measurement: ThreadMeasurement; elapsedMs: number }> {
  const context = await model.createContext({
    contextSize: 256,
    sequences: 1,
    threads: { ideal: threads, min: threads },
    ignoreMemorySafetyChecks: false,
  });
  try {
    const sequence = context.getSequence();
    await sequence.evaluateWithoutGeneratingNewTokens(prompt.slice(0, fullWarmup ? WARMUP_TOKENS : 1));
    const start = performance.now();
    const overBudget = (): boolean => performance.now() - start > budgetMs;
    let prefilled = 0;
    for (let i = WARMUP_TOKENS; i < WARMUP_TOKENS + PREFILL_TOKENS && !overBudget(); i += PREFILL_CHUNK) {
      const chunk = prompt.slice(i, Math.min(i + PREFILL_CHUNK, WARMUP_TOKENS + PREFILL_TOKENS));
      await sequence.evaluateWithoutGeneratingNewTokens(chunk);
      prefilled += chunk.length;
    }
    const prefillMs = performance.now() - start;
    let generated = 0;
    if (!overBudget()) {
      for await (const token of sequence.evaluate([prompt[0]], { temperature: 0 })) {
        void token;
        if (++generated >= DECODE_TOKENS || overBudget()) break;
      }
    }
    const decodeMs = performance.now() - start - prefillMs;
    // An abandoned phase counts as the whole budget spent for (at most) one token.
    const prefillRate = (Math.max(prefilled, 1) / Math.max(prefilled > 0 ? prefillMs : budgetMs, 0.001)) * 1000;
    const decodeRate = (Math.max(generated, 1) / Math.max(generated > 0 ? decodeMs : budgetMs, 0.001)) * 1000;
    return {
      measurement: {
        threads,
        prefillTokensPerSecond: round(prefillRate),
        decodeTokensPerSecond: round(decodeRate),
        costMs: round((WEIGHT_PREFILL_TOKENS / prefillRate + WEIGHT_DECODE_TOKENS / decodeRate) * 1000),
      },
      elapsedMs: performance.now() - start,
    };
  } finally {
    await context.dispose();
  }
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
