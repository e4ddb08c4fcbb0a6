/**
 * Threads that stay fast under load: the thread count measured at load can collapse when another process takes a
 * core (measured: 2 threads on a busy 2-core machine decoded at ~1 token/s). `DecodeWatch` follows the completion
 * sequence's live decode speed; when the recent median falls far below the reference (the median of the first
 * samples after load or after the last re-check), the engine measures the candidates again (a second or so, in a
 * pause between requests, never during one) and applies the winner to the context. Running on fewer threads than
 * chosen at load, it looks again every few minutes, for when the load has gone.
 */
import type { LlamaContext } from "node-llama-cpp";

/** Samples that form the reference, and the recent window compared with it. */
const REFERENCE_SAMPLES = 5;
const RECENT_SAMPLES = 3;
/** Recent median below this share of the reference: re-check. */
const DROP_FACTOR = 0.5;
/** At most one re-check per this long. */
const MIN_INTERVAL_MS = 60_000;
/** With fewer threads than chosen at load (a re-check under load), try again this long after: the load may be gone. */
const RETRY_FEWER_THREADS_MS = 5 * 60_000;

export class DecodeWatch {
  private reference: number | null = null;
  private readonly early: number[] = [];
  private recent: number[] = [];
  private lastCheckAt = -Infinity;

  constructor(private readonly now: () => number = () => performance.now()) {}

  /** One completion's decode speed (tokens/s after the first token; null or tiny samples are ignored). */
  observe(tokensPerSecond: number | null, generatedTokens: number): void {
    if (tokensPerSecond == null || !Number.isFinite(tokensPerSecond) || tokensPerSecond <= 0 || generatedTokens < 4) return;
    if (this.reference == null) {
      this.early.push(tokensPerSecond);
      if (this.early.length >= REFERENCE_SAMPLES) this.reference = median(this.early);
      return;
    }
    this.recent = [...this.recent, tokensPerSecond].slice(-RECENT_SAMPLES);
  }

  /** Whether the live speed has dropped far enough below the reference to measure the threads again. */
  get dropped(): boolean {
    if (this.reference == null || this.recent.length < RECENT_SAMPLES) return false;
    if (this.now() - this.lastCheckAt < MIN_INTERVAL_MS) return false;
    return median(this.recent) < this.reference * DROP_FACTOR;
  }

  /**
   * Whether to measure again while running on fewer threads than chosen at load: a load that took a core away does
   * not tell when it leaves (speed rises, it never drops), so look again every few minutes.
   */
  shouldRetry(threadsNow: number, threadsAtLoad: number): boolean {
    return threadsNow < threadsAtLoad && this.now() - this.lastCheckAt >= RETRY_FEWER_THREADS_MS;
  }

  /** A re-check ran: start a new reference from the speeds that follow. */
  rechecked(): void {
    this.lastCheckAt = this.now();
    this.reference = null;
    this.early.length = 0;
    this.recent = [];
  }
}

/**
 * Makes `context` use `threads` from its next batch on. node-llama-cpp fixes a context's thread count at creation;
 * it reads its ideal count when it reserves threads for a batch, so the (internal) ideal is set and the reservation
 * freed. Returns false when this node-llama-cpp does not have those internals (the count then stays).
 */
export function applyThreads(context: LlamaContext, threads: number): boolean {
  const internals = context as unknown as { _idealThreads?: unknown; _minThreads?: unknown; _freeReservedThreads?: unknown };
  if (typeof internals._idealThreads !== "number" || typeof internals._freeReservedThreads !== "function") return false;
  internals._idealThreads = threads;
  if (typeof internals._minThreads === "number") internals._minThreads = Math.min(internals._minThreads, threads);
  (internals._freeReservedThreads as () => void).call(context);
  return context.idealThreads === threads;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
