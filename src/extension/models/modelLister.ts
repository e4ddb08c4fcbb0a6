/**
 * "On this machine": discovers models under the given roots, reads each header summary (architecture, quantization,
 * context, FIM) and estimates its fit. No `vscode` import: `bench:models` and the unit tests call it directly.
 * Each entry's summary read is time-limited, so one slow disk delays only its own entry.
 */
import { untilAborted } from "../../core/abort.ts";
import { discoverModels, type DiscoveredModel, type DiscoveryFs } from "../../core/models/discovery.ts";
import {
  effectiveContext,
  estimateFromFileSize,
  estimateFromHeader,
  estimateFromLoader,
  fitVerdict,
  loaderVerdict,
  type FitVerdict,
  type MachineMemory,
  type MemoryEstimate,
} from "../../core/models/fit.ts";
import type { GgufSummary } from "../../core/models/ggufMetadata.ts";
import type { StoreRoot } from "../../core/models/storeLocations.ts";
import type { EstimateFitParams, EstimateFitResult, FitMemory } from "../../inference/protocol.ts";
import { nodeDiscoveryFs, readGgufFileSummary } from "./nodeDiscoveryFs.ts";

export interface ListedModel extends DiscoveredModel {
  readonly summary?: GgufSummary;
  /** Why the header summary could not be read (the entry stays listed; the engine's own check decides). */
  readonly summaryError?: string;
  readonly estimate: MemoryEstimate;
  readonly verdict: FitVerdict;
  /** Time spent reading this entry's header and estimating it. */
  readonly estimateMs: number;
  /** Time the engine's loader estimate took for this entry (when it ran). */
  readonly loaderMs?: number;
  /** Why the loader estimate failed for this entry (the header-based estimate stays). */
  readonly loaderError?: string;
}

export interface ListOptions {
  readonly roots: readonly StoreRoot[];
  readonly machine: MachineMemory;
  /** `engine.contextSize` (0 = automatic). */
  readonly contextSetting: number;
  readonly onSkip?: (path: string, reason: string) => void;
  readonly signal?: AbortSignal;
  readonly fs?: DiscoveryFs;
  /** Header reads in parallel. Default 4. */
  readonly concurrency?: number;
}

export async function listLocalModels(options: ListOptions): Promise<ListedModel[]> {
  const found = await discoverModels(options.fs ?? nodeDiscoveryFs(), options.roots, { ...(options.onSkip ? { onSkip: options.onSkip } : {}), ...(options.signal ? { signal: options.signal } : {}) });
  const listed: ListedModel[] = new Array<ListedModel>(found.length);
  let next = 0;
  const worker = async () => {
    while (next < found.length) {
      const i = next++;
      const model = found[i];
      if (model) listed[i] = await describe(model, options);
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency ?? 4, found.length) }, worker));
  return listed;
}

export async function describe(model: DiscoveredModel, options: Pick<ListOptions, "machine" | "contextSetting">): Promise<ListedModel> {
  const started = performance.now();
  let summary: GgufSummary | undefined;
  let summaryError: string | undefined;
  try {
    summary = await readGgufFileSummary(model.path, 1_000);
  } catch (error) {
    summaryError = error instanceof Error ? error.message : String(error);
  }
  const context = effectiveContext(options.contextSetting, summary?.contextLength);
  const estimate = summary ? estimateFromHeader(summary, model.sizeBytes, context) : estimateFromFileSize(model.sizeBytes, context);
  const verdict = fitVerdict(estimate, options.machine);
  return { ...model, ...(summary ? { summary } : {}), ...(summaryError ? { summaryError } : {}), estimate, verdict, estimateMs: performance.now() - started };
}

export function machineFromFitMemory(memory: FitMemory): MachineMemory {
  return { totalRamBytes: memory.ramTotal, freeRamBytes: memory.ramFree, ...(memory.gpu && memory.vramFree > 0 ? { freeVramBytes: memory.vramFree } : {}) };
}

/**
 * Replaces each entry's header-based estimate with the loader's (node-llama-cpp's `GgufInsights`, run by the
 * engine against the memory it measured); an entry the loader could not read keeps its estimate and says why.
 */
export function withLoaderFits(models: readonly ListedModel[], fits: EstimateFitResult): ListedModel[] {
  const byPath = new Map(fits.results.map((r) => [r.path, r]));
  const machine = machineFromFitMemory(fits.memory);
  return models.map((model) => {
    const fit = byPath.get(model.path);
    if (!fit) return model;
    if (!fit.ok) return { ...model, loaderMs: fit.ms, loaderError: fit.error };
    return { ...model, estimate: estimateFromLoader(fit), verdict: loaderVerdict(fit, machine), loaderMs: fit.ms };
  });
}

/**
 * Why the loader could not estimate some entries, as log lines' metadata: reasons with counts, the file's path and
 * name cut out of each message (a file name can name a client's project).
 */
export function loaderFailureReasons(fits: EstimateFitResult): Map<string, number> {
  const reasons = new Map<string, number>();
  for (const r of fits.results) {
    if (r.ok) continue;
    const name = r.path.split(/[\\/]/).pop() ?? r.path;
    const reason = r.error.split(r.path).join("<file>").split(name).join("<file>");
    reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
  }
  return reasons;
}

/** The engine's fit estimates (BackendRegistry.estimateFit). */
export type LoaderFitter = (params: EstimateFitParams, signal?: AbortSignal) => Promise<EstimateFitResult>;

export interface RefineOptions {
  readonly params: Omit<EstimateFitParams, "paths">;
  /** The whole request's time box (the engine may have to start first). */
  readonly budgetMs: number;
  readonly signal?: AbortSignal;
  /** Metadata only: counts, times and reasons, never a file name. */
  readonly log: { info(message: string): void; warn(message: string): void };
}

/**
 * The models with the loader's estimates where it answered in time; the others keep their header or rule-of-thumb
 * estimate, and the log says why. Raced against the time box, so even an engine that ignores cancellation cannot
 * keep the picker busy; never throws.
 */
export async function refineWithLoader(models: readonly ListedModel[], fitter: LoaderFitter, options: RefineOptions): Promise<ListedModel[]> {
  if (models.length === 0) return [...models];
  const started = performance.now();
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(), options.budgetMs);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout.signal]) : timeout.signal;
  try {
    // Raced as well as passed on: an engine that is slow to start must not hold the picker past its budget.
    const fits = await untilAborted(fitter({ ...options.params, paths: [...new Set(models.map((m) => m.path))] }, signal), signal);
    const times = fits.results.map((r) => r.ms).sort((a, b) => a - b);
    const p95 = times[Math.min(times.length - 1, Math.ceil(times.length * 0.95) - 1)] ?? 0;
    options.log.info(`Loader estimates for ${fits.results.length} model(s) in ${Math.round(performance.now() - started)} ms (p95 ${Math.round(p95)} ms per model).`);
    for (const [reason, count] of loaderFailureReasons(fits)) {
      options.log.warn(`No loader estimate for ${count} model(s), using the header or rule-of-thumb estimate: ${reason}`);
    }
    return withLoaderFits(models, fits);
  } catch (error) {
    if (options.signal?.aborted) return [...models];
    const why = timeout.signal.aborted ? `no answer within ${options.budgetMs} ms` : error instanceof Error ? error.message : String(error);
    options.log.warn(`Loader estimates unavailable, using the header or rule-of-thumb estimates: ${why}`);
    return [...models];
  } finally {
    clearTimeout(timer);
  }
}
