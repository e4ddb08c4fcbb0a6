/**
 * "On this machine": discovers models under the given roots, reads each header summary (architecture, quantization,
 * context, FIM) and estimates its fit. No `vscode` import: `bench:models` and the unit tests call it directly.
 * Each entry's summary read is time-limited, so one slow disk delays only its own entry.
 */
import { discoverModels, type DiscoveredModel, type DiscoveryFs } from "../../core/models/discovery.ts";
import { effectiveContext, estimateFromFileSize, estimateFromHeader, fitVerdict, type FitVerdict, type MachineMemory, type MemoryEstimate } from "../../core/models/fit.ts";
import type { GgufSummary } from "../../core/models/ggufMetadata.ts";
import type { StoreRoot } from "../../core/models/storeLocations.ts";
import { nodeDiscoveryFs, readGgufFileSummary } from "./nodeDiscoveryFs.ts";

export interface ListedModel extends DiscoveredModel {
  readonly summary?: GgufSummary;
  /** Why the header summary could not be read (the entry stays listed; the engine's own check decides). */
  readonly summaryError?: string;
  readonly estimate: MemoryEstimate;
  readonly verdict: FitVerdict;
  /** Time spent reading this entry's header and estimating it. */
  readonly estimateMs: number;
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
