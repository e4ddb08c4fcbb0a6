/**
 * Memory estimates and fit verdicts. Four sources, best first: node-llama-cpp's `GgufInsights` run by the engine
 * (`estimateFromLoader`: RAM/VRAM split by layer, GPU layers, the largest context that fits), the model's GGUF
 * header read here (weights = file size,
 * KV cache from layers × context × KV width, plus compute buffers), the catalog's exact file size before a
 * download, and the design article's rule of thumb (parameters × bits / 8 × 1.2) when only a name is known. All
 * arithmetic, no I/O: a verdict for one entry costs microseconds, so listing hundreds stays instant.
 */
import type { GgufSummary } from "./ggufMetadata.ts";

const GB = 1e9;

/** The article's formula, in bytes: parameters (billions) × bits / 8 × 1.2 (20 % inference overhead). */
export function ruleOfThumbBytes(parametersBillion: number, bits: number): number {
  return parametersBillion * GB * (bits / 8) * 1.2;
}

export interface RuleOfThumbRow {
  readonly parametersBillion: number;
  readonly bits: number;
  readonly bytes: number;
}

/** The article's table: 7B / 13B / 70B × 16 / 8 / 4 bits. */
export function ruleOfThumbTable(): RuleOfThumbRow[] {
  const rows: RuleOfThumbRow[] = [];
  for (const parametersBillion of [7, 13, 70]) {
    for (const bits of [16, 8, 4]) rows.push({ parametersBillion, bits, bytes: ruleOfThumbBytes(parametersBillion, bits) });
  }
  return rows;
}

export interface MemoryEstimate {
  /** Everything the model needs at `contextSize` (weights + KV cache + buffers). */
  readonly totalBytes: number;
  readonly weightsBytes: number;
  readonly kvCacheBytes: number;
  readonly contextSize: number;
  /** Offloadable layers (blocks + output), when the header says. */
  readonly layers?: number;
  readonly basis: "loader" | "header" | "fileSize" | "ruleOfThumb";
  /** From the loader: the largest context (up to the trained one) that fits in free memory, 0 when none does. */
  readonly largestContextSize?: number;
}

/** Compute buffers and runtime overhead: llama.cpp's scratch grows with the model; 5 % with a 150 MB floor. */
function overhead(weights: number): number {
  return Math.max(150e6, weights * 0.05);
}

/** Bytes of f16 KV cache per token of context, from the header's attention shape. */
export function kvBytesPerToken(summary: GgufSummary): number | undefined {
  const { blockCount, embeddingLength, headCount } = summary;
  if (!blockCount || !embeddingLength || !headCount) return undefined;
  const kvHeads = summary.headCountKv ?? headCount;
  const kvWidth = (embeddingLength / headCount) * kvHeads;
  return 2 /* K and V */ * blockCount * kvWidth * 2 /* f16 */;
}

/** The context the engine would use: the setting, else the largest up to 8,192 the model was trained for. */
export function effectiveContext(setting: number, trained: number | undefined): number {
  if (setting > 0) return setting;
  return Math.min(8192, trained ?? 8192);
}

export function estimateFromHeader(summary: GgufSummary, fileSize: number, contextSize: number): MemoryEstimate {
  const perToken = kvBytesPerToken(summary);
  if (perToken === undefined) return estimateFromFileSize(fileSize, contextSize);
  const kvCacheBytes = perToken * contextSize;
  return {
    totalBytes: fileSize + kvCacheBytes + overhead(fileSize),
    weightsBytes: fileSize,
    kvCacheBytes,
    contextSize,
    ...(summary.blockCount ? { layers: summary.blockCount + 1 } : {}),
    basis: "header",
  };
}

/** Before a download: the exact file size with the article's 20 % for cache and buffers. */
export function estimateFromFileSize(fileSize: number, contextSize: number): MemoryEstimate {
  return { totalBytes: fileSize * 1.2, weightsBytes: fileSize, kvCacheBytes: fileSize * 0.2, contextSize, basis: "fileSize" };
}

export function estimateFromParameters(parametersBillion: number, bits: number, contextSize: number): MemoryEstimate {
  const weightsBytes = parametersBillion * GB * (bits / 8);
  return { totalBytes: ruleOfThumbBytes(parametersBillion, bits), weightsBytes, kvCacheBytes: weightsBytes * 0.2, contextSize, basis: "ruleOfThumb" };
}

/** The largest context (a multiple of 256, at most `cap`) whose estimate fits in `freeBytes`, or 0. */
export function largestContextThatFits(summary: GgufSummary, fileSize: number, freeBytes: number, cap: number): number {
  const perToken = kvBytesPerToken(summary);
  if (perToken === undefined) return 0;
  const room = freeBytes - fileSize - overhead(fileSize);
  if (room <= 0) return 0;
  return Math.min(cap, Math.floor(room / perToken / 256) * 256);
}

/** What the engine's loader estimated for one file (the fields of the protocol's `FitEstimate` used here). */
export interface LoaderFit {
  readonly totalLayers: number;
  readonly gpuLayers: number;
  readonly contextSize: number;
  readonly largestContextSize: number;
  readonly modelRamBytes: number;
  readonly modelVramBytes: number;
  readonly contextRamBytes: number;
  readonly contextVramBytes: number;
}

export function estimateFromLoader(fit: LoaderFit): MemoryEstimate {
  const weightsBytes = fit.modelRamBytes + fit.modelVramBytes;
  const kvCacheBytes = fit.contextRamBytes + fit.contextVramBytes;
  return { totalBytes: weightsBytes + kvCacheBytes, weightsBytes, kvCacheBytes, contextSize: fit.contextSize, layers: fit.totalLayers, basis: "loader", largestContextSize: fit.largestContextSize };
}

/**
 * The verdict from the loader's split: all layers on the GPU, some (the rest in RAM: the article's CPU offload), or
 * none, where the RAM part decides as in `fitVerdict`.
 */
export function loaderVerdict(fit: LoaderFit, machine: MachineMemory): FitVerdict {
  const needBytes = fit.modelRamBytes + fit.modelVramBytes + fit.contextRamBytes + fit.contextVramBytes;
  const ramPart = fit.modelRamBytes + fit.contextRamBytes;
  const freeBytes = machine.freeRamBytes;
  if (fit.gpuLayers > 0 && fit.gpuLayers >= fit.totalLayers && ramPart <= freeBytes) return { kind: "gpu", needBytes, layers: fit.gpuLayers, totalLayers: fit.totalLayers };
  if (fit.gpuLayers > 0 && ramPart <= freeBytes) return { kind: "partialGpu", needBytes, layers: fit.gpuLayers, totalLayers: fit.totalLayers };
  if (ramPart <= freeBytes && fit.largestContextSize > 0) return { kind: "ram", needBytes };
  if (ramPart <= machine.totalRamBytes * 0.9) return { kind: "tight", needBytes: ramPart, freeBytes };
  return { kind: "tooBig", needBytes: ramPart, freeBytes };
}

export interface MachineMemory {
  readonly totalRamBytes: number;
  readonly freeRamBytes: number;
  /** Free memory of the GPU the engine would use; undefined without a usable GPU. */
  readonly freeVramBytes?: number;
}

export type FitVerdict =
  | { readonly kind: "gpu"; readonly needBytes: number; readonly layers: number; readonly totalLayers: number }
  | { readonly kind: "partialGpu"; readonly needBytes: number; readonly layers: number; readonly totalLayers: number }
  | { readonly kind: "ram"; readonly needBytes: number }
  | { readonly kind: "tight"; readonly needBytes: number; readonly freeBytes: number }
  | { readonly kind: "tooBig"; readonly needBytes: number; readonly freeBytes: number };

/**
 * Where the model would run on this machine. On a GPU the weights and cache split by layer (the article's CPU
 * offload: what does not fit stays in RAM); without one, free RAM decides, and a model that fits only in total RAM
 * (other programs must give memory back) is "tight".
 */
export function fitVerdict(estimate: MemoryEstimate, machine: MachineMemory): FitVerdict {
  const need = estimate.totalBytes;
  if (machine.freeVramBytes !== undefined && machine.freeVramBytes > 0) {
    const totalLayers = estimate.layers ?? 0;
    if (need <= machine.freeVramBytes) return { kind: "gpu", needBytes: need, layers: totalLayers, totalLayers };
    if (totalLayers > 0) {
      const perLayer = (estimate.weightsBytes + estimate.kvCacheBytes) / totalLayers;
      const layers = Math.max(0, Math.min(totalLayers, Math.floor((machine.freeVramBytes - overhead(estimate.weightsBytes)) / perLayer)));
      const rest = need - layers * perLayer;
      if (layers > 0 && rest <= machine.freeRamBytes) return { kind: "partialGpu", needBytes: need, layers, totalLayers };
    }
  }
  if (need <= machine.freeRamBytes) return { kind: "ram", needBytes: need };
  if (need <= machine.totalRamBytes * 0.9) return { kind: "tight", needBytes: need, freeBytes: machine.freeRamBytes };
  return { kind: "tooBig", needBytes: need, freeBytes: machine.freeRamBytes };
}

/** Verdicts order: best fit first (GPU, partly GPU, RAM, tight, too big). */
export function fitRank(verdict: FitVerdict): number {
  return ["gpu", "partialGpu", "ram", "tight", "tooBig"].indexOf(verdict.kind);
}

export function formatGb(bytes: number): string {
  return (bytes / GB).toFixed(1);
}
