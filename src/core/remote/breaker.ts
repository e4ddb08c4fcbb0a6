/**
 * A circuit breaker per endpoint: after `threshold` endpoint failures in a row the endpoint is skipped (`open`) for
 * `cooldownMs`; then one trial request is let through (`halfOpen`): success closes the breaker, failure opens it again
 * for twice as long (up to `maxCooldownMs`). Keeps a dead server from costing every keystroke a connect time-out.
 */

export interface BreakerOptions {
  /** Consecutive failures that open the breaker. Default 3. */
  readonly threshold?: number;
  /** First open period, ms. Default 5,000. */
  readonly cooldownMs?: number;
  /** Longest open period, ms. Default 60,000. */
  readonly maxCooldownMs?: number;
  /** Clock, for tests. Default `Date.now`. */
  readonly now?: () => number;
}

export type BreakerState = "closed" | "open" | "halfOpen";

export class CircuitBreaker {
  private failures = 0;
  private openedAt = 0;
  private currentCooldown: number;
  private trialInFlight = false;
  private readonly threshold: number;
  private readonly cooldownMs: number;
  private readonly maxCooldownMs: number;
  private readonly now: () => number;

  constructor(options: BreakerOptions = {}) {
    this.threshold = options.threshold ?? 3;
    this.cooldownMs = options.cooldownMs ?? 5_000;
    this.maxCooldownMs = options.maxCooldownMs ?? 60_000;
    this.now = options.now ?? Date.now;
    this.currentCooldown = this.cooldownMs;
  }

  get state(): BreakerState {
    if (this.failures < this.threshold) return "closed";
    return this.now() - this.openedAt >= this.currentCooldown ? "halfOpen" : "open";
  }

  /** Ms until a trial request is allowed (0 when closed or half-open). */
  get retryInMs(): number {
    return this.state === "open" ? this.currentCooldown - (this.now() - this.openedAt) : 0;
  }

  /** Whether a request may go now; in `halfOpen` only one trial at a time. Call `success`/`failure` afterwards. */
  tryAcquire(): boolean {
    const state = this.state;
    if (state === "closed") return true;
    if (state === "open" || this.trialInFlight) return false;
    this.trialInFlight = true;
    return true;
  }

  success(): void {
    this.failures = 0;
    this.trialInFlight = false;
    this.currentCooldown = this.cooldownMs;
  }

  failure(): void {
    const wasTrial = this.trialInFlight;
    this.trialInFlight = false;
    this.failures++;
    if (wasTrial) this.currentCooldown = Math.min(this.currentCooldown * 2, this.maxCooldownMs);
    if (this.failures >= this.threshold) this.openedAt = this.now();
  }

  /** A request that ended without saying anything about the endpoint (cancelled): frees a half-open trial. */
  release(): void {
    this.trialInFlight = false;
  }

  reset(): void {
    this.failures = 0;
    this.trialInFlight = false;
    this.currentCooldown = this.cooldownMs;
  }
}
