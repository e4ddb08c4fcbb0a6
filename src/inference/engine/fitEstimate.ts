/**
 * Fit estimates from node-llama-cpp's own model of llama.cpp's memory use (`GgufInsights`): weights and KV cache
 * split between RAM and VRAM by layer, the GPU layers that fit and the largest context that fits — without loading
 * any weights. Used by Select Model and Estimate Memory for every model on the disk, so it must stay fast:
 *
 * - Only the header and tensor table are read; the tokenizer's long arrays are skipped (the vocabulary size the
 *   output buffer needs is taken from `token_embd`'s shape instead).
 * - Insights are kept per file (path, size, modification time; the last 64), so opening the picker again costs
 *   only the arithmetic.
 * - The searches call the arithmetic estimators (`estimateModelResourceRequirements`,
 *   `estimateContextResourceRequirements`) a bounded number of times (binary searches: about 2 × log2(layers) + log2(context / 256) calls). The
 *   resolver's V2 path (`resolveAndScoreConfig`, `resolveContextContextSize`) simulates a native load for every
 *   candidate: ~0.5 s per candidate for a 0.5B model here, and 80 s for a huge context, so it is not used for lists.
 */
import { stat } from "node:fs/promises";
import path from "node:path";
import { GgufInsights, readGgufFileInfo, type GgufFileInfo, type Llama } from "node-llama-cpp";
import { untilAborted } from "../../core/abort.ts";
import { EngineError } from "../errors.ts";
import { EngineErrorCode, type EstimateFitParams, type EstimateFitResult, type FitEstimate, type FitFailure, type FitMemory } from "../protocol.ts";
import { DEFAULT_MAX_CONTEXT, DEFAULT_MIN_CONTEXT, SEQUENCES } from "./loadedModel.ts";

/** Skipped while reading: megabytes of strings the estimate does not need. */
const SKIPPED_KEYS = ["tokenizer.ggml.tokens", "tokenizer.ggml.token_type", "tokenizer.ggml.scores", "tokenizer.ggml.merges"];
/** Context search granularity and floor (tokens). */
const CONTEXT_STEP = 256;
/** Per-file time box for reading the header: a slow disk or a hung network mount fails that entry, not the list. */
export const DEFAULT_FILE_TIMEOUT_MS = 2_000;

export interface FitSettings {
  /** 0 = automatic, as the engine does: the largest in [minContext, maxContext] that fits. */
  readonly contextSize: number;
  /** A fixed layer count, or null for as many as fit. */
  readonly gpuLayers: number | null;
  /** The engine's automatic context bounds and sequences (see `LoadedModel`). */
  readonly minContext: number;
  readonly maxContext: number;
  readonly sequences: number;
}

/** The memory the engine's `Llama` sees now (free RAM, free VRAM minus llama.cpp's padding). */
export async function measureMemory(llama: Llama): Promise<FitMemory> {
  const [ram, vram] = await Promise.all([llama.getRamState(), llama.getVramState()]);
  const gpu = llama.gpu !== false && llama.supportsGpuOffloading;
  return { ramFree: ram.free, ramTotal: ram.total, vramFree: gpu ? Math.max(0, vram.free - llama.vramPaddingSize) : 0, vramTotal: gpu ? vram.total : 0, gpu };
}

/** Insights of recently estimated files, by path; a changed size or modification time reads the file again. */
export class InsightsCache {
  private readonly entries = new Map<string, { key: string; insights: GgufInsights }>();
  constructor(private readonly capacity = 64) {}

  async get(filePath: string, llama: Llama, signal?: AbortSignal): Promise<GgufInsights> {
    const s = await stat(filePath);
    // A FIFO, socket or device named .gguf: opening it can block for ever, and the child's one libuv thread
    // (childProcess.ts) would block with it, decodes included.
    if (!s.isFile()) throw new Error("not a regular file");
    const key = `${s.size}:${s.mtimeMs}`;
    const hit = this.entries.get(filePath);
    if (hit && hit.key === key) {
      // Most recently used last.
      this.entries.delete(filePath);
      this.entries.set(filePath, hit);
      return hit.insights;
    }
    const info = await readGgufFileInfo(filePath, { readTensorInfo: true, logWarnings: false, ignoreKeys: SKIPPED_KEYS, ...(signal ? { signal } : {}) });
    withVocabularySize(info);
    const insights = await GgufInsights.from(info, llama);
    this.entries.delete(filePath);
    this.entries.set(filePath, { key, insights });
    for (const oldest of this.entries.keys()) {
      if (this.entries.size <= this.capacity) break;
      this.entries.delete(oldest);
    }
    return insights;
  }
}

/** The `EstimateFitRequest`: validates, measures memory once (unless given), estimates each file in turn. */
export async function estimateFits(params: EstimateFitParams, llama: Llama, cache: InsightsCache, signal: AbortSignal): Promise<EstimateFitResult> {
  if (!Array.isArray(params.paths) || params.paths.some((p) => typeof p !== "string" || !path.isAbsolute(p))) {
    throw new EngineError(EngineErrorCode.InvalidParams, "estimateFit: paths must be absolute file paths.");
  }
  const timeoutMs = params.fileTimeoutMs ?? DEFAULT_FILE_TIMEOUT_MS;
  if (typeof timeoutMs !== "number" || !Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new EngineError(EngineErrorCode.InvalidParams, "estimateFit: fileTimeoutMs must be a positive number.");
  }
  const memory = params.memory ?? (await measureMemory(llama));
  const settings: FitSettings = {
    contextSize: params.contextSize ?? 0,
    gpuLayers: params.gpuLayers ?? null,
    minContext: DEFAULT_MIN_CONTEXT,
    maxContext: DEFAULT_MAX_CONTEXT,
    sequences: SEQUENCES,
  };
  const results: EstimateFitResult["results"] = [];
  for (const file of params.paths) {
    signal.throwIfAborted();
    results.push(await estimateModelFit(file, llama, settings, memory, cache, signal, timeoutMs));
  }
  return { results, memory };
}

export async function estimateModelFit(
  filePath: string,
  llama: Llama,
  settings: FitSettings,
  memory: FitMemory,
  cache: InsightsCache,
  signal?: AbortSignal,
  timeoutMs = DEFAULT_FILE_TIMEOUT_MS,
): Promise<FitEstimate | FitFailure> {
  const started = performance.now();
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(new Error(`reading the header took longer than ${timeoutMs} ms`)), timeoutMs);
  const fileSignal = signal ? AbortSignal.any([signal, timeout.signal]) : timeout.signal;
  try {
    // Raced as well as passed on: a read stuck in the kernel does not see the signal, the race still returns.
    const insights = await untilAborted(cache.get(filePath, llama, fileSignal), fileSignal);
    return { path: filePath, ok: true, ...fitFromInsights(insights, settings, memory), ms: performance.now() - started };
  } catch (error) {
    if (signal?.aborted) throw error;
    return { path: filePath, ok: false, error: error instanceof Error ? error.message : String(error), ms: performance.now() - started };
  } finally {
    clearTimeout(timer);
  }
}

/** The estimate itself, on insights already read (unit-testable with any memory). */
export function fitFromInsights(insights: GgufInsights, settings: FitSettings, memory: FitMemory): Omit<FitEstimate, "path" | "ok" | "ms"> {
  let attempts = 0;
  const model = (gpuLayers: number) => {
    attempts++;
    return insights.estimateModelResourceRequirements({ gpuLayers });
  };
  const context = (contextSize: number, modelGpuLayers: number) => {
    attempts++;
    return insights.estimateContextResourceRequirements({ contextSize, modelGpuLayers, sequences: settings.sequences });
  };
  const totalLayers = insights.totalLayers;
  const trainContextSize = insights.trainContextSize ?? null;
  const minContext = Math.min(settings.minContext, trainContextSize ?? settings.minContext);

  // GPU layers: the most whose weights and a minimum context fit in free VRAM (what `gpuLayers: "auto"` aims for).
  let gpuLayers = 0;
  if (memory.gpu && memory.vramFree > 0) {
    if (settings.gpuLayers !== null && settings.gpuLayers >= 0) gpuLayers = Math.min(settings.gpuLayers, totalLayers);
    else {
      const fits = (layers: number) => {
        const m = model(layers);
        return m.gpuVram + context(minContext, layers).gpuVram <= memory.vramFree;
      };
      gpuLayers = largestPassing(0, totalLayers, fits);
    }
  }

  // The largest context (≤ trained) that fits next to the weights, in steps of 256.
  const weights = model(gpuLayers);
  const ramLeft = memory.ramFree - weights.cpuRam;
  const vramLeft = memory.vramFree - weights.gpuVram;
  const contextFits = (size: number) => {
    const c = context(size, gpuLayers);
    return c.cpuRam <= ramLeft && c.gpuVram <= vramLeft;
  };
  const ceiling = trainContextSize ?? settings.maxContext;
  const largest = largestPassing(0, Math.floor(ceiling / CONTEXT_STEP), (steps) => steps > 0 && contextFits(steps * CONTEXT_STEP)) * CONTEXT_STEP;
  const largestContextSize = ceiling < CONTEXT_STEP ? (contextFits(ceiling) ? ceiling : 0) : largest;

  const contextSize =
    settings.contextSize > 0 ? settings.contextSize : largestContextSize >= minContext ? Math.min(largestContextSize, Math.min(settings.maxContext, ceiling)) : minContext;
  const cache = context(contextSize, gpuLayers);
  return {
    architecture: insights.ggufFileInfo.metadata.general?.architecture ?? null,
    supported: insights.isSupportedByLlamaCpp,
    totalLayers,
    gpuLayers,
    contextSize,
    largestContextSize,
    trainContextSize,
    modelRamBytes: weights.cpuRam,
    modelVramBytes: weights.gpuVram,
    contextRamBytes: cache.cpuRam,
    contextVramBytes: cache.gpuVram,
    attempts,
  };
}

/** Largest n in [low, high] with pass(n), assuming pass is monotone (true, then false); `low` when none passes. */
function largestPassing(low: number, high: number, pass: (n: number) => boolean): number {
  let best = low;
  let lo = low;
  let hi = high;
  while (lo <= hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (pass(mid)) {
      best = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return best;
}

/**
 * The output buffer the context estimate counts is vocabulary × batch floats; with the token list skipped, the
 * vocabulary size comes from the embedding matrix (`token_embd.weight`: [embedding, vocabulary]).
 */
function withVocabularySize(info: GgufFileInfo): void {
  const arch = info.architectureMetadata as { vocab_size?: number };
  if (arch.vocab_size !== undefined) return;
  const embedding = info.fullTensorInfo?.find((t) => t.name === "token_embd.weight") ?? info.tensorInfo?.find((t) => t.name === "token_embd.weight");
  const rows = embedding?.dimensions[1];
  if (rows !== undefined) arch.vocab_size = Number(rows);
}
