/**
 * Live speeds for the budgets: a moving estimate of prefill and decode speed from recent requests, so one busy moment
 * at load (or one slow request) never fixes the session's budgets. Measured on another machine: a load-time sample
 * that fell on a busy moment (5.5 tokens/s decode) kept a whole session at 12-token answers and a 256-token window.
 *
 * The estimate is the median of a short window of recent samples (one outlier moves a median not at all, a real
 * change of speed wins within a few requests). The load-time probes seed the window: the median of a few probes,
 * counted as {@link SEED_WEIGHT} samples, so live requests take over after a handful.
 */
import { FALLBACK_SPEED, sane, type MetricsSample, type SpeedSample } from "./budget.ts";
import { median } from "../median.ts";

/** Recent samples kept per speed. */
export const LIVE_WINDOW = 7;
/** How many window slots the load-time measurement takes at the start. */
export const SEED_WEIGHT = 2;
/**
 * Prefills smaller than this say nothing about the speed the budgets need, which size prompts of hundreds to
 * thousands of tokens. Small batches deep in the context are much slower per token: measured on a 2-core CPU (0.5B
 * Q8_0), the ~50 suffix tokens after Enter at 1,600 tokens of context took 250-330 ms (about 200 tokens/s), while a
 * 1,189-token cold prompt ran at 830. With a 32-token floor those Enter samples took over the median within a session
 * and shrank the cold prompt from 1,472 to 320 tokens and the full window from 2,048 to 1,152.
 */
export const MIN_PREFILL_SAMPLE_TOKENS = 256;
/** Decodes of fewer tokens than this are mostly the first token's latency. */
const MIN_DECODE_SAMPLE_TOKENS = 4;

/** The median of each speed over `samples` (the fallback when empty): what several load-time probes give. */
export function medianSpeed(samples: readonly SpeedSample[]): SpeedSample {
  const valid = samples.map(sane);
  if (valid.length === 0) return FALLBACK_SPEED;
  return {
    prefillTokensPerSecond: median(valid.map((s) => s.prefillTokensPerSecond)),
    decodeTokensPerSecond: median(valid.map((s) => s.decodeTokensPerSecond)),
  };
}

export class SpeedTracker {
  private readonly prefill: number[] = [];
  private readonly decode: number[] = [];
  private speed: SpeedSample;

  /**
   * @param initial the load-time measurement (default {@link FALLBACK_SPEED}, which takes one slot only: any
   *   request's measurement is better than a guess).
   * @param window samples kept per speed (default {@link LIVE_WINDOW}).
   */
  constructor(
    initial?: SpeedSample,
    private readonly window = LIVE_WINDOW,
  ) {
    const seed = sane(initial ?? FALLBACK_SPEED);
    for (let i = 0; i < (initial ? SEED_WEIGHT : 1); i++) {
      this.prefill.push(seed.prefillTokensPerSecond);
      this.decode.push(seed.decodeTokensPerSecond);
    }
    this.speed = seed;
  }

  get current(): SpeedSample {
    return this.speed;
  }

  /** Samples each speed's estimate currently rests on (seed slots included). */
  get samples(): { prefill: number; decode: number } {
    return { prefill: this.prefill.length, decode: this.decode.length };
  }

  /** Folds one request's metrics into the estimate. Samples that say nothing about speed are skipped. */
  observe(m: MetricsSample): void {
    const decodeSample = m.tokensPerSecond;
    if (decodeSample != null && Number.isFinite(decodeSample) && decodeSample > 0 && m.generatedTokens >= MIN_DECODE_SAMPLE_TOKENS) {
      push(this.decode, decodeSample, this.window);
    }
    const decode = median(this.decode);
    if (m.timeToFirstTokenMs != null && m.evaluatedTokens >= MIN_PREFILL_SAMPLE_TOKENS) {
      // Time to first token = prefill + one decode step.
      const prefillMs = m.timeToFirstTokenMs - 1000 / decode;
      if (prefillMs > 0) push(this.prefill, (m.evaluatedTokens * 1000) / prefillMs, this.window);
    }
    this.speed = sane({ prefillTokensPerSecond: median(this.prefill), decodeTokensPerSecond: decode });
  }
}

function push(values: number[], value: number, window: number): void {
  values.push(value);
  while (values.length > window) values.shift();
}
