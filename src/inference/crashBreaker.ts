/**
 * Crash accounting of the engine client: how long to wait before restarting after a crash (exponential backoff),
 * and when to stop restarting altogether (too many crashes within a window: a model that aborts llama.cpp on every
 * load would otherwise restart forever and burn the user's CPU).
 */
export class CrashBreaker {
  private times: number[] = [];

  constructor(
    private readonly limits: { maxCrashes: number; windowMs: number },
    private readonly backoff: { initialMs: number; maxMs: number },
  ) {}

  /**
   * Records a crash at `now` (ms). Returns the crashes within the window (this one included) and the restart delay,
   * or `restartInMs: null` when the breaker trips (stop restarting).
   */
  record(now: number): { crashes: number; restartInMs: number | null } {
    this.times = [...this.times.filter((t) => now - t < this.limits.windowMs), now];
    const crashes = this.times.length;
    if (crashes >= this.limits.maxCrashes) return { crashes, restartInMs: null };
    return { crashes, restartInMs: Math.min(this.backoff.maxMs, this.backoff.initialMs * 2 ** (crashes - 1)) };
  }

  /** Forgets past crashes (the user asked for a restart). */
  reset(): void {
    this.times = [];
  }
}
