/**
 * Threads that stay fast under load: the thread count measured at load can collapse when another process takes a
 * core (measured: 2 threads on a busy 2-core machine decoded at ~1 token/s). `DecodeWatch` follows the completion
 * sequence's live decode speed; when the recent median falls far below the reference (the median of the first
 * samples after load or after the last re-check), the engine measures the candidates again (a second or so, in a
 * pause between requests, never during one) and applies the winner to the context. Running on fewer threads than
 * chosen at load, it looks again every few minutes, for when the load has gone.
 */
import type { LlamaContext } from "node-llama-cpp";
import { median } from "../../core/median.ts";

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

/** What the scheduler re-checks: a model that knows whether it needs it, and measures. */
export interface RecheckTarget {
  readonly needsThreadRecheck: boolean;
  recheckThreads(signal: AbortSignal): Promise<void>;
}

/**
 * When the re-check runs: after a pause of `idleMs` with no request (never during one), and a request that arrives
 * stops a running one. Started at once after a slow request instead, it was aborted by the next keystroke's request
 * every time and never finished under steady typing (bench:engine: recheckRan false); an aborted re-check is not
 * counted (LoadedModel), so the next pause tries again.
 */
export class RecheckScheduler {
  private running: { controller: AbortController; done: Promise<void> } | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly options: {
      /** The pause without requests before a re-check may start. */
      readonly idleMs: number;
      /** Whether a request is running now. */
      readonly busy: () => boolean;
      readonly warn: (message: string) => void;
    },
  ) {}

  /** A request for `target` ended: look again once the user pauses. */
  afterRequest(target: RecheckTarget): void {
    this.cancelTimer();
    this.timer = setTimeout(() => {
      this.timer = null;
      if (this.running != null || this.options.busy() || !target.needsThreadRecheck) return;
      const controller = new AbortController();
      const done = target
        .recheckThreads(controller.signal)
        .catch((error: unknown) => {
          if (!controller.signal.aborted) this.options.warn(`thread re-check failed: ${error instanceof Error ? error.message : String(error)}`);
        })
        .finally(() => {
          if (this.running?.controller === controller) this.running = null;
        });
      this.running = { controller, done };
    }, this.options.idleMs);
    this.timer.unref?.();
  }

  /** A request arrived: a running re-check stops after its current candidate; the request waits for that. */
  async beforeRequest(): Promise<void> {
    const running = this.running;
    if (!running) return;
    running.controller.abort();
    await running.done;
  }

  /** No re-check starts after this (the engine shuts down). */
  dispose(): void {
    this.cancelTimer();
    this.running?.controller.abort();
  }

  private cancelTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
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
