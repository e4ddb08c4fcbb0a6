/**
 * Whether a draft model (node-llama-cpp's `DraftSequenceTokenPredictor`: a small model of the same family proposes the
 * next tokens, the main model checks them in one batch) could pay for completions on this machine. Random weights
 * cannot say how often the drafts are right, so this measures what a draft costs and solves for the acceptance it
 * would need: the main model (the 1.5B shape, the completion model recommended at first run) decoding with d drafts
 * checked per step, and the draft model (the 0.5B shape, the smallest of the family) decoding one token, both timed
 * in node-llama-cpp's speculative loop at 1,600 tokens of context (bench/speculative.ts `stepCosts`). On a CPU both
 * run on the same cores, so a step costs d draft steps plus the main model's check.
 *
 * With per-token acceptance a and d drafts, a step yields (1 - a^(d+1)) / (1 - a) tokens (the accepted run plus the
 * main model's own token), so speed-up = tokens × main(0) / (d × draft + main(d)).
 */

/** Speed-up over plain decoding at per-token acceptance `alpha` with `drafts` drafted tokens per step. */
export function draftModelSpeedup(alpha: number, drafts: number, mainStepMs: readonly number[], draftStepMs: number): number {
  const tokens = alpha >= 1 ? drafts + 1 : (1 - alpha ** (drafts + 1)) / (1 - alpha);
  return (tokens * mainStepMs[0]) / (drafts * draftStepMs + mainStepMs[drafts]);
}

/** The per-token acceptance at which the speed-up reaches `target` (null: not even with every draft right). */
export function acceptanceNeeded(target: number, drafts: number, mainStepMs: readonly number[], draftStepMs: number): number | null {
  if (draftModelSpeedup(1, drafts, mainStepMs, draftStepMs) < target) return null;
  let low = 0;
  let high = 1;
  for (let i = 0; i < 40; i++) {
    const mid = (low + high) / 2;
    if (draftModelSpeedup(mid, drafts, mainStepMs, draftStepMs) >= target) high = mid;
    else low = mid;
  }
  return Math.round(high * 100) / 100;
}

export interface DraftModelRow {
  readonly drafts: number;
  /** Speed-up if every draft were right. */
  readonly allRight: number;
  readonly acceptanceFor1x: number | null;
  readonly acceptanceFor1_5x: number | null;
}

export function draftModelRows(mainStepMs: readonly number[], draftStepMs: number): DraftModelRow[] {
  const rows: DraftModelRow[] = [];
  for (let drafts = 1; drafts < mainStepMs.length; drafts++) {
    rows.push({
      drafts,
      allRight: Math.round(draftModelSpeedup(1, drafts, mainStepMs, draftStepMs) * 100) / 100,
      acceptanceFor1x: acceptanceNeeded(1, drafts, mainStepMs, draftStepMs),
      acceptanceFor1_5x: acceptanceNeeded(1.5, drafts, mainStepMs, draftStepMs),
    });
  }
  return rows;
}
