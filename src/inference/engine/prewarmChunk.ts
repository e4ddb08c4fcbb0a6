/**
 * The prewarm's evaluation step (prewarm.ts): how many prompt tokens one chunk holds, so that a user request waits
 * about {@link PREWARM_CHUNK_TARGET_MS} at most, whatever the device does per token.
 */

/** Tokens of the first evaluation step (one small batch). */
export const PREWARM_CHUNK_TOKENS = 64;
/** What one step may take, so a user request waits about this long at most. */
export const PREWARM_CHUNK_TARGET_MS = 150;
const MIN_CHUNK_TOKENS = 16;
const MAX_CHUNK_TOKENS = 512;

/**
 * The next chunk, from how long the last one took: towards {@link PREWARM_CHUNK_TARGET_MS}, in steps of 16 tokens,
 * at most doubling at a time. A GPU that evaluates 64 tokens in 5 ms grows to 512-token batches (far more tokens per
 * second); a slow CPU that needs 270 ms for 64 shrinks to keep a user request's wait short. Measured on a 2-core
 * CPU: 64 tokens took 128 ms and stay 64 (chunks of 32 / 64 / 128 / 256 took 110 / 128 / 214 / 390 ms).
 */
export function nextChunkTokens(current: number, lastMs: number): number {
  if (!(lastMs > 0)) return Math.min(MAX_CHUNK_TOKENS, current * 2);
  const wanted = Math.min(current * 2, (current * PREWARM_CHUNK_TARGET_MS) / lastMs);
  return Math.max(MIN_CHUNK_TOKENS, Math.min(MAX_CHUNK_TOKENS, Math.floor(wanted / 16) * 16));
}
