/**
 * The catalog's best pair for this machine: a FIM model for completion (small on a CPU, where every keystroke
 * waits for it) and the largest instruct model that fits beside it. Listed first in Select Model and offered by
 * the first-run prompt.
 */
import { servesRole, type CatalogModel } from "./catalog.ts";
import { estimateFromFileSize, fitRank, fitVerdict, type FitVerdict, type MachineMemory } from "./fit.ts";

export interface RecommendedPair {
  readonly completion?: CatalogModel;
  readonly chat?: CatalogModel;
}

/** On a CPU, completion models above this many bytes answer too slowly for ghost text. */
const CPU_COMPLETION_MAX_BYTES = 2e9;

export function catalogVerdict(model: CatalogModel, machine: MachineMemory, contextSize = 8192): FitVerdict {
  return fitVerdict(estimateFromFileSize(model.sizeBytes, contextSize), machine);
}

export function recommendPair(catalog: readonly CatalogModel[], machine: MachineMemory): RecommendedPair {
  const gpu = machine.freeVramBytes !== undefined && machine.freeVramBytes > 0;
  const budget = gpu ? (machine.freeVramBytes ?? 0) : machine.freeRamBytes * 0.8;
  const bySizeDesc = [...catalog].sort((a, b) => b.sizeBytes - a.sizeBytes);
  const need = (m: CatalogModel) => estimateFromFileSize(m.sizeBytes, 8192).totalBytes;
  const completion = bySizeDesc.find((m) => servesRole(m, "completion") && m.fim && need(m) <= budget * 0.35 && (gpu || m.sizeBytes <= CPU_COMPLETION_MAX_BYTES));
  const left = budget - (completion ? need(completion) : 0);
  const chat = bySizeDesc.find((m) => servesRole(m, "chat") && need(m) <= left);
  return { ...(completion ? { completion } : {}), ...(chat ? { chat } : {}) };
}

/** Catalog entries for the list: the recommended pair first, then by fit, then smallest first. */
export function orderCatalog(catalog: readonly CatalogModel[], machine: MachineMemory): CatalogModel[] {
  const pair = recommendPair(catalog, machine);
  const first = (m: CatalogModel) => (m === pair.completion || m === pair.chat ? 0 : 1);
  return [...catalog].sort((a, b) => first(a) - first(b) || fitRank(catalogVerdict(a, machine)) - fitRank(catalogVerdict(b, machine)) || a.sizeBytes - b.sizeBytes);
}
