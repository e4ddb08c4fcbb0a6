/**
 * Speculative decoding for completions and edits, switched per request by what it measures (the decision: speculativeGate.ts).
 *
 * Prompt-lookup drafts (node-llama-cpp's `InputLookupTokenPredictor`) are verified in one batch, so greedy output is
 * unchanged; whether they save time depends on the machine and on the code. On a 2-core CPU a step checking 3 drafts
 * costs 1.9 decode steps, so completions' drafts, right about 40% of the time, only break even (bench/speculative.ts);
 * where a batch costs little more than one token (a GPU), or where the answer repeats its input (an edit), they pay. So in `auto` the engine measures:
 * requests alternate between drafting and not until each way has a few decode-speed samples, then the faster way is
 * kept, trying the other every few requests in case the code or the load changed.
 */
import { InputLookupTokenPredictor, TokenPredictor, type LlamaContextSequence, type SequenceEvaluateOptions, type Token } from "node-llama-cpp";
import type { LoadModelParams, RequestMetrics, SpeculativeInfo } from "../protocol.ts";
import { SpeculativeGate } from "./speculativeGate.ts";

/**
 * Drafts only after 3 matching tokens, at most 3 at a time. Measured (bench/speculative.ts: this repository's code,
 * drafts against the author's real continuation, decode steps timed in node-llama-cpp's speculative loop at 1,600
 * tokens of context on a 2-core CPU, where a step checking 3 drafts costs 1.9 plain steps): node-llama-cpp's default
 * (1 matching token, 3 drafted) is right 15% of the time and 0.78x as fast as plain decoding; 3 matching tokens is
 * right 41% of the time, 1.05x.
 */
export const PROMPT_LOOKUP = { patternLength: { min: 3 }, predictionLength: { max: 3 } } as const;

/**
 * Drafts for an answer that rewrites the code in the question (Edit Selection, Fix, Write Doc Comment): after 3
 * matching tokens, up to 12 at a time, because such an answer repeats long runs of the selection. Measured
 * (bench/speculative.ts: 45 edits of this repository's code — a rename, an added line, a new doc comment — drafted
 * against the rewritten block, steps timed as above with the chat's sampler): right 85-87% of the time, 6.1-6.3 tokens
 * per decode step, 2.4-2.5x as fast as plain decoding; 3 at a time (the completion setting) gives 1.9x.
 */
export const EDIT_LOOKUP = { patternLength: { min: 3 }, predictionLength: { max: 12 } } as const;

type DraftReport = NonNullable<RequestMetrics["speculative"]>;

export type LookupSettings = { readonly patternLength: { readonly min: number }; readonly predictionLength: { readonly max: number } };

/**
 * The prompt-lookup predictor with a switch: while `drafting` is off it proposes nothing (one plain decode step per
 * token) but keeps following the sequence, so switching on mid-session drafts from the right place.
 */
export class SwitchableLookupPredictor extends TokenPredictor {
  /** Whether `predictTokens` proposes drafts. Default true. */
  drafting = true;
  private readonly lookup: InputLookupTokenPredictor;

  /** @param settings when to draft and how much; default {@link PROMPT_LOOKUP}. */
  constructor(settings: LookupSettings = PROMPT_LOOKUP) {
    super();
    this.lookup = new InputLookupTokenPredictor(settings);
  }

  reset(params: { targetSequence: LlamaContextSequence; stateTokens: Token[]; evaluateOptions: Readonly<SequenceEvaluateOptions> }): void {
    this.lookup.reset(params);
  }

  pushTokens(tokens: Token[]): void {
    this.lookup.pushTokens(tokens);
  }

  predictTokens(): Token[] {
    return this.drafting ? this.lookup.predictTokens() : [];
  }

  override updateInputTokens(tokens: Token[]): void {
    this.lookup.updateInputTokens(tokens);
  }

  override dispose(): void {
    this.lookup.dispose();
  }
}

/** A sequence's prompt-lookup predictor and, in `auto`, the gate that decides per request whether it drafts. */
export interface DraftingSwitch {
  predictor: SwitchableLookupPredictor;
  gate: SpeculativeGate | null;
}

/** The predictor and gate for `mode` (null when off). */
export function draftingSwitch(mode: LoadModelParams["speculative"], settings: LookupSettings): DraftingSwitch | null {
  if (mode == null || mode === "off") return null;
  return { predictor: new SwitchableLookupPredictor(settings), gate: mode === "auto" ? new SpeculativeGate() : null };
}

/** What a drafting switch shows in the model's facts. */
export function describeSwitch(drafting: DraftingSwitch): SpeculativeInfo {
  const gate = drafting.gate;
  return { choice: gate ? gate.choice : "always", draftingTokensPerSecond: gate?.measured.drafting ?? null, plainTokensPerSecond: gate?.measured.plain ?? null };
}

/**
 * Sets `drafting` for one request on its sequence: drafts when the request may (`eligible`) and the switch is on or,
 * in `auto`, its gate says so; anything else runs plain. `report()`, once the request ended, says what it drafted
 * and how many drafts the model confirmed and refuted (undefined for a request that could not draft).
 */
export function draftingForRequest(drafting: DraftingSwitch | null, sequence: LlamaContextSequence, eligible: boolean): { report(): DraftReport | undefined } {
  const drafts = drafting != null && eligible && (drafting.gate?.next() ?? true);
  if (drafting) drafting.predictor.drafting = drafts;
  const before = drafting && eligible ? sequence.tokenPredictions : null;
  return {
    report: () => {
      if (!before) return undefined;
      const after = sequence.tokenPredictions;
      return { drafting: drafts, accepted: after.validated - before.validated, rejected: after.refuted - before.refuted };
    },
  };
}
