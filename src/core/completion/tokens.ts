/**
 * Token estimates for budgeting the completion prompt.
 *
 * Budgets are in tokens because the model's cost (prefill time, context room) is in tokens, but asking the engine's
 * tokenizer on every keystroke is a round trip to another process. So the context builder takes a synchronous
 * estimator. The default divides the character count by a characters-per-token ratio: O(1) per call (only the
 * length is read), and it can be calibrated once per model against the engine's real `countTokens`.
 */

/** Estimates the tokens of `text`. Must be synchronous, cheap, and roughly additive over concatenation. */
export type TokenCounter = (text: string) => number;

/**
 * Characters per token assumed by {@link estimateTokens}. 3.2 sits at the low end of real code tokenizers (3-4
 * characters per token on code), so the estimate errs on the side of more tokens and a prompt stays within budget.
 * The synthetic test model averages ~2.6: calibrate with {@link calibrateCharsPerToken} for it.
 */
export const DEFAULT_CHARS_PER_TOKEN = 3.2;

/**
 * Makes a counter that charges `ceil(length / charsPerToken)` tokens. Rounding up per call means that summing the
 * counts of lines never under-counts the whole, so a window built line by line never exceeds its budget.
 */
export function charRatioCounter(charsPerToken: number = DEFAULT_CHARS_PER_TOKEN): TokenCounter {
  const ratio = Number.isFinite(charsPerToken) && charsPerToken > 0 ? charsPerToken : DEFAULT_CHARS_PER_TOKEN;
  return (text) => (text.length === 0 ? 0 : Math.ceil(text.length / ratio));
}

/** The default counter: {@link charRatioCounter} at {@link DEFAULT_CHARS_PER_TOKEN}. */
export const estimateTokens: TokenCounter = charRatioCounter();

/**
 * Characters per token measured from a sample: `sample.length / tokens`, clamped to [1.5, 6] so one odd sample
 * (a long string literal, a base64 blob) cannot make the estimate absurd. Use the engine's `countTokens` on a few
 * KB of the user's code once per loaded model, then pass the result to {@link charRatioCounter}.
 */
export function calibrateCharsPerToken(sampleChars: number, sampleTokens: number): number {
  if (!(sampleChars > 0) || !(sampleTokens > 0)) return DEFAULT_CHARS_PER_TOKEN;
  return Math.min(6, Math.max(1.5, sampleChars / sampleTokens));
}
