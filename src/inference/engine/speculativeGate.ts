/**
 * Whether a request drafts (speculative decoding in `auto`; completions and edits each have their own gate):
 * requests alternate between drafting and not until each way has a few decode-speed samples, then the faster way is
 * kept, and every few requests the other is tried in case the code or the load changed. Pure: the engine feeds it
 * each request's measured decode speed.
 */
import { median, medianToTenth } from "../../core/median.ts";

export interface GateOptions {
  /** Decode-speed samples kept per way. Default 7. */
  readonly window?: number;
  /** Samples each way needs before one is preferred. Default 3. */
  readonly minSamples?: number;
  /** Every n-th request tries the way not preferred, so a change of code or load is noticed. Default 8. */
  readonly exploreEvery?: number;
}

/** Requests generating fewer tokens than this say more about their first token than about decode speed. */
export const MIN_GATE_SAMPLE_TOKENS = 8;

export type GateChoice = "measuring" | "drafting" | "plain";

export class SpeculativeGate {
  private readonly speeds: { readonly drafting: number[]; readonly plain: number[] } = { drafting: [], plain: [] };
  private requests = 0;
  private readonly window: number;
  private readonly minSamples: number;
  private readonly exploreEvery: number;

  constructor(options: GateOptions = {}) {
    this.window = options.window ?? 7;
    this.minSamples = options.minSamples ?? 3;
    this.exploreEvery = options.exploreEvery ?? 8;
  }

  /** The way preferred now (`measuring` until both ways have enough samples). */
  get choice(): GateChoice {
    const { drafting, plain } = this.speeds;
    if (drafting.length < this.minSamples || plain.length < this.minSamples) return "measuring";
    return median(drafting) > median(plain) ? "drafting" : "plain";
  }

  /** Median decode tokens/s each way (null without samples). */
  get measured(): { drafting: number | null; plain: number | null } {
    return { drafting: medianToTenth(this.speeds.drafting), plain: medianToTenth(this.speeds.plain) };
  }

  /** Whether the next request drafts. */
  next(): boolean {
    this.requests++;
    const choice = this.choice;
    // Measuring: the way with fewer samples goes next.
    if (choice === "measuring") return this.speeds.drafting.length <= this.speeds.plain.length;
    const explore = this.requests % this.exploreEvery === 0;
    return (choice === "drafting") !== explore;
  }

  /** A finished request's decode speed, made drafting or not. Samples that say nothing about speed are skipped. */
  observe(drafting: boolean, tokensPerSecond: number | null, generatedTokens: number): void {
    if (tokensPerSecond == null || !Number.isFinite(tokensPerSecond) || tokensPerSecond <= 0 || generatedTokens < MIN_GATE_SAMPLE_TOKENS) return;
    const values = drafting ? this.speeds.drafting : this.speeds.plain;
    values.push(tokensPerSecond);
    while (values.length > this.window) values.shift();
  }
}
