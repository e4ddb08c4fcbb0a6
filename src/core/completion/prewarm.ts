/**
 * Prewarm: when a file is opened or focused, or the cursor jumps far, the full prompt window at the cursor is sent to
 * the backend to evaluate at the lowest priority, before the user types. The first suggestion there then needs only
 * the cursor line, with the whole window instead of the small cold prompt. It passes the same safety gate as every
 * request; the backend yields to any user request (completion or chat) within one small batch.
 */
import type { CursorPosition } from "./context.ts";
import { backendRequest } from "./backendCall.ts";
import { triggerDecision, warmStateOf, type PromptPlan } from "./pipelineSteps.ts";
import type { PipelineDocument, PipelineOptions, PrewarmReport } from "./pipelineTypes.ts";
import type { CompletionMode } from "./trigger.ts";
import type { WarmStates } from "./warmStates.ts";

export interface PrewarmDeps {
  readonly options: Pick<PipelineOptions, "engine" | "safety" | "modelReady" | "snippetLocation">;
  readonly warm: WarmStates;
  /** A user request or its prefetch is in flight: the prewarm is not needed now. */
  readonly busy: () => boolean;
  /** The full-size prompt plan at the cursor (as a prefetch builds it). */
  readonly plan: (mode: CompletionMode) => PromptPlan;
}

/**
 * The abort reason with which the pipeline stops a prewarm for a user request in the same document: the prewarm
 * yielded to a completion, it was not cancelled.
 */
export const YIELD_TO_COMPLETION = "yield to a completion in this document";

export async function prewarmAt(deps: PrewarmDeps, doc: PipelineDocument, cursor: CursorPosition, signal?: AbortSignal): Promise<PrewarmReport> {
  const { options } = deps;
  if (!options.modelReady()) return { result: "notReady" };
  if (deps.busy()) return { result: "busy" };
  const excluded = await options.safety.isExcluded(doc.location);
  if (excluded) return { result: "excluded" };
  // The mode only sizes the generation room; a place where nothing would be asked yet is still worth warming.
  const decision = triggerDecision({ doc, cursor, explicit: true, enabled: true }, false, true);
  const plan = deps.plan(decision.request ? decision.mode : "multiLine");
  if (plan.warm) return { result: "alreadyWarm" };
  const chunkLocations = plan.extra.map((c) => options.snippetLocation?.(c.sourcePath));
  const filtered = await options.safety.filterRequest(doc.location, plan.fields, chunkLocations);
  if (!filtered.ok) return { result: "refused" };
  if (signal?.aborted) return { result: "cancelled" };
  try {
    const engine = await options.engine(signal ?? new AbortController().signal);
    if (!engine.prewarm) return { result: "unsupported" };
    const engineOutcome = await engine.prewarm(backendRequest(filtered.prompt, plan.fields, 0, true), { signal });
    const outcome = engineOutcome.yieldedTo === "cancelled" && signal?.reason === YIELD_TO_COMPLETION ? { ...engineOutcome, yieldedTo: "completion" as const } : engineOutcome;
    const held = outcome.reusedTokens + outcome.evaluatedTokens;
    if (outcome.completed) deps.warm.add({ ...warmStateOf(plan, doc.id), prewarmed: true });
    // Stopped part-way: what it evaluated stays in the engine's cache, so the first request here may still afford the
    // full window (buildPrompt weighs what is left against the cold budget).
    else if (held > 0 && outcome.promptTokens > 0) deps.warm.add({ ...warmStateOf(plan, doc.id), prewarmed: true, heldShare: held / outcome.promptTokens });
    return { result: outcome.yieldedTo === "cancelled" ? "cancelled" : "prewarmed", outcome };
  } catch {
    return { result: signal?.aborted ? "cancelled" : "error" };
  }
}
