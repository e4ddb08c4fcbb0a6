/**
 * Prewarm: the prompt of a completion expected soon (a file just opened or focused, a far cursor jump) is evaluated
 * into the completion sequence before the user types, so the first suggestion there needs only the cursor line.
 *
 * It runs at the lowest priority in chunks, start first: the start of the window is the part that stays valid while
 * the user edits near the cursor, and whatever was evaluated stays useful when it stops early. Before each chunk it
 * asks whether to yield (a user completion or a chat answer is waiting, or the host cancelled): a user request waits
 * for at most one chunk, whose size follows the measured time of the last one (prewarmChunk.ts).
 */
import type { PrewarmParams, PrewarmResult } from "../protocol.ts";
import { BACKGROUND_PRIORITY, completionPrompt } from "./completion.ts";
import type { LoadedModel } from "./loadedModel.ts";
import type { ChildLogger } from "./log.ts";
import { reusablePrefix } from "./metrics.ts";
import { nextChunkTokens, PREWARM_CHUNK_TOKENS } from "./prewarmChunk.ts";

export type YieldReason = NonNullable<PrewarmResult["yieldedTo"]>;

/** The engine's handle on a running prewarm: `ask` makes it stop before its next chunk. */
export class PrewarmControl {
  /** Prompt tokens in the sequence so far. */
  progress = 0;
  reason: YieldReason | null = null;
  /** `progress` when the yield was asked for. */
  askedAt: number | null = null;

  ask(reason: YieldReason): void {
    if (this.reason != null) return;
    this.reason = reason;
    this.askedAt = this.progress;
  }
}

export interface PrewarmRun {
  model: LoadedModel;
  params: PrewarmParams;
  control: PrewarmControl;
  signal: AbortSignal;
  log: ChildLogger;
}

export async function runPrewarm({ model, params, control, signal, log }: PrewarmRun): Promise<PrewarmResult> {
  const started = performance.now();
  const onAbort = (): void => control.ask("cancelled");
  signal.addEventListener("abort", onAbort);
  if (signal.aborted) onAbort();
  try {
    const live = await model.ensureLoaded(signal);
    const { fullPrompt } = completionPrompt(live, params, log);
    const sequence = live.completionSequence;
    let largestChunk = 0;
    const result = (fields: Omit<PrewarmResult, "promptTokens" | "chunkTokens" | "totalMs" | "yieldedTo" | "tokensAfterYield">): PrewarmResult => ({
      promptTokens: fullPrompt.length,
      chunkTokens: largestChunk || PREWARM_CHUNK_TOKENS,
      totalMs: Math.round(performance.now() - started),
      ...fields,
      yieldedTo: control.reason,
      tokensAfterYield: control.askedAt == null ? 0 : Math.max(0, control.progress - control.askedAt),
    });
    if (control.reason) return result({ reusedTokens: 0, restoredTokens: 0, evaluatedTokens: 0, completed: false });

    const { restoredTokens } = await live.warmFiles.prepare(sequence, fullPrompt);
    // The last prompt token is left to the completion: it is evaluated again there to sample the first new token.
    const reused = reusablePrefix(sequence.contextTokens, fullPrompt);
    const target = fullPrompt.length - 1;
    if (sequence.nextTokenIndex > reused) await sequence.eraseContextTokenRanges([{ start: reused, end: sequence.nextTokenIndex }]);
    control.progress = reused;
    let chunkTokens = PREWARM_CHUNK_TOKENS;
    while (control.progress < target && control.reason == null) {
      const chunk = fullPrompt.slice(control.progress, Math.min(target, control.progress + chunkTokens));
      const chunkStarted = performance.now();
      largestChunk = Math.max(largestChunk, chunk.length);
      await sequence.evaluateWithoutGeneratingNewTokens(chunk, { evaluationPriority: BACKGROUND_PRIORITY });
      control.progress += chunk.length;
      // A short last chunk says little about the speed: only full ones steer the size.
      if (chunk.length === chunkTokens) chunkTokens = nextChunkTokens(chunkTokens, performance.now() - chunkStarted);
    }
    return result({
      reusedTokens: reused,
      restoredTokens: Math.min(restoredTokens, reused),
      evaluatedTokens: control.progress - reused,
      completed: control.progress >= target,
    });
  } finally {
    signal.removeEventListener("abort", onAbort);
  }
}
